"""``mgso4 server init``: the unit record's schema, safeguards and least-privilege roles.

Run once by a DBA (a role that may create schemas and roles). It creates, in one transaction:

* schema ``mgso4`` with the record's tables — the same columns, types and keys as the SQLite
  record (``storage.schema``), so the same rows move between the two unchanged;
* triggers that refuse UPDATE, DELETE and TRUNCATE of entries, episodes, keys and signatures,
  and an entry that does not extend its workstation's chain (next seq, previous hash);
* a trigger that announces every new entry (``NOTIFY mgso4_record``) for the live ward board;
* role ``mgso4_app`` (NOLOGIN; the ward PCs' logins are made members): SELECT and INSERT
  only — no UPDATE, DELETE or TRUNCATE privilege on anything;
* role ``mgso4_audit`` (NOLOGIN): SELECT only (audit, reports, backups).

Running it again changes nothing that exists (it says so).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from mgso4.core.episode import GENESIS_HASH, format_utc
from mgso4.storage.schema import (
    APPEND_ONLY_MESSAGE,
    CHAIN_MESSAGE,
    EPISODE_APPEND_ONLY_MESSAGE,
    SCHEMA_VERSION,
    SIGNATURE_APPEND_ONLY_MESSAGE,
)
from mgso4.storage.server.connection import SCHEMA

APP_ROLE = "mgso4_app"
AUDIT_ROLE = "mgso4_audit"
#: The NOTIFY channel every new entry is announced on (payload: its episode uuid).
CHANNEL = "mgso4_record"
META_FIXED_MESSAGE = "the identity of a unit record never changes"

TABLES = ("meta", "episode", "event", "workstation_key", "event_signature")

_EVENT_TEXT_COLUMNS = (
    "type",
    "payload",
    "occurred_at",
    "recorded_at",
    "recorded_by_name",
    "recorded_by_role",
    "workstation_id",
    "app_version",
    "protocol_id",
    "protocol_version",
    "protocol_sha256",
)

DDL = f"""
CREATE SCHEMA {SCHEMA};
CREATE TABLE {SCHEMA}.meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE {SCHEMA}.episode (
    uuid text PRIMARY KEY, created_at text NOT NULL, workstation_id text NOT NULL,
    training bigint NOT NULL);
CREATE TABLE {SCHEMA}.event (
    uuid text PRIMARY KEY,
    episode_uuid text REFERENCES {SCHEMA}.episode (uuid),
    type text NOT NULL, payload text NOT NULL, occurred_at text NOT NULL,
    recorded_at text NOT NULL, recorded_by_name text NOT NULL, recorded_by_role text NOT NULL,
    workstation_id text NOT NULL, app_version text NOT NULL, protocol_id text NOT NULL,
    protocol_version text NOT NULL, protocol_sha256 text NOT NULL,
    seq bigint NOT NULL, prev_hash text NOT NULL, hash text NOT NULL,
    CONSTRAINT event_chain UNIQUE (workstation_id, seq));
CREATE INDEX event_episode ON {SCHEMA}.event (episode_uuid);
CREATE INDEX event_type ON {SCHEMA}.event (type);
CREATE TABLE {SCHEMA}.workstation_key (
    workstation_id text NOT NULL, from_seq bigint NOT NULL, public_key text NOT NULL,
    registered_at text NOT NULL, note text NOT NULL,
    PRIMARY KEY (workstation_id, from_seq, public_key));
CREATE TABLE {SCHEMA}.event_signature (
    event_uuid text PRIMARY KEY REFERENCES {SCHEMA}.event (uuid), signature text NOT NULL);

CREATE FUNCTION {SCHEMA}.refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'integrity_constraint_violation'; END $$;

CREATE FUNCTION {SCHEMA}.extends_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE head_seq bigint; head_hash text;
BEGIN
    SELECT seq, hash INTO head_seq, head_hash FROM {SCHEMA}.event
        WHERE workstation_id = NEW.workstation_id ORDER BY seq DESC LIMIT 1;
    IF NEW.seq IS DISTINCT FROM coalesce(head_seq, 0) + 1
       OR NEW.prev_hash IS DISTINCT FROM coalesce(head_hash, '{GENESIS_HASH}') THEN
        RAISE EXCEPTION '{CHAIN_MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE FUNCTION {SCHEMA}.announce() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_notify('{CHANNEL}', coalesce(NEW.episode_uuid, '')); RETURN NULL; END $$;

CREATE TRIGGER event_extends_chain BEFORE INSERT ON {SCHEMA}.event
    FOR EACH ROW EXECUTE FUNCTION {SCHEMA}.extends_chain();
CREATE TRIGGER event_announce AFTER INSERT ON {SCHEMA}.event
    FOR EACH ROW EXECUTE FUNCTION {SCHEMA}.announce();
"""

_REFUSALS = {
    "event": APPEND_ONLY_MESSAGE,
    "episode": EPISODE_APPEND_ONLY_MESSAGE,
    "workstation_key": SIGNATURE_APPEND_ONLY_MESSAGE,
    "event_signature": SIGNATURE_APPEND_ONLY_MESSAGE,
    "meta": META_FIXED_MESSAGE,
}

#: Triggers ``verify`` expects on the server (a missing one is reported).
REQUIRED_TRIGGERS = (
    "event_extends_chain",
    *(f"{table}_no_change" for table in _REFUSALS),
    *(f"{table}_no_truncate" for table in _REFUSALS),
)


def _refusal_ddl() -> str:
    statements = []
    for table, message in _REFUSALS.items():
        statements.append(
            f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {SCHEMA}.{table} "
            f"FOR EACH ROW EXECUTE FUNCTION {SCHEMA}.refuse('{message}');"
        )
        statements.append(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {SCHEMA}.{table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {SCHEMA}.refuse('{message}');"
        )
    return "\n".join(statements)


def _grants_ddl() -> str:
    tables = ", ".join(f"{SCHEMA}.{table}" for table in TABLES)
    return f"""
REVOKE ALL ON SCHEMA {SCHEMA} FROM PUBLIC;
REVOKE ALL ON {tables} FROM PUBLIC;
GRANT USAGE ON SCHEMA {SCHEMA} TO {APP_ROLE}, {AUDIT_ROLE};
GRANT SELECT, INSERT ON {SCHEMA}.episode, {SCHEMA}.event, {SCHEMA}.workstation_key,
    {SCHEMA}.event_signature TO {APP_ROLE};
GRANT SELECT ON {SCHEMA}.meta TO {APP_ROLE};
GRANT SELECT ON {tables} TO {AUDIT_ROLE};
"""


def _role_exists(connection: Any, role: str) -> bool:
    return bool(connection.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone())


def schema_exists(connection: Any) -> bool:
    row = connection.execute(
        "SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", (SCHEMA,)
    ).fetchone()
    return row is not None


def init_server(
    connection: Any,
    *,
    created_at: datetime,
    app_version: str,
    app_logins: tuple[str, ...] = (),
    audit_logins: tuple[str, ...] = (),
) -> list[str]:
    """Create the schema, safeguards and roles in one transaction; say what was done.

    Args:
        connection: a psycopg connection as a role that may create schemas and roles.
        app_logins: existing login roles (the ward PCs') to make members of ``mgso4_app``.
        audit_logins: existing login roles to make members of ``mgso4_audit``.

    Returns:
        One line per thing done (or found already done).
    """
    done: list[str] = []
    with connection.transaction():
        for role in (APP_ROLE, AUDIT_ROLE):
            if _role_exists(connection, role):
                done.append(f"role {role} already exists")
            else:
                connection.execute(f"CREATE ROLE {role} NOLOGIN")
                done.append(f"role {role} created (NOLOGIN)")
        if schema_exists(connection):
            done.append(f"schema {SCHEMA} already exists: left as it is")
        else:
            connection.execute(DDL)
            connection.execute(_refusal_ddl())
            record_id = str(uuid.uuid4())
            for key, value in (
                ("record_id", record_id),
                ("application", "mgso4-proforma"),
                ("schema_version", str(SCHEMA_VERSION)),
                ("created_at", format_utc(created_at)),
                ("created_by_app_version", app_version),
            ):
                connection.execute(
                    f"INSERT INTO {SCHEMA}.meta (key, value) VALUES (%s, %s)", (key, value)
                )
            done.append(f"schema {SCHEMA} created (unit record {record_id})")
        connection.execute(_grants_ddl())
        done.append(f"{APP_ROLE}: SELECT and INSERT only; {AUDIT_ROLE}: SELECT only")
        for login, role in [(x, APP_ROLE) for x in app_logins] + [
            (x, AUDIT_ROLE) for x in audit_logins
        ]:
            from psycopg import sql

            connection.execute(
                sql.SQL("GRANT {} TO {}").format(sql.Identifier(role), sql.Identifier(login))
            )
            done.append(f"{login} may now act as {role}")
    return done
