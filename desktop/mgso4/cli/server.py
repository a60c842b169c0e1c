"""``mgso4 server init``: make the unit record on a PostgreSQL server (run once, by a DBA)."""

from __future__ import annotations

import argparse
from typing import Any

from mgso4.cli.common import EXIT_OK, UsageError, emit, fail


def cmd_server_init(args: argparse.Namespace) -> int:
    """Create the schema, its append-only safeguards and the least-privilege roles."""
    from mgso4 import __version__
    from mgso4.core.timeutil import utcnow
    from mgso4.storage import StoreError
    from mgso4.storage.server.connection import check_spec, connect
    from mgso4.storage.server.schema import init_server
    from mgso4.storage.spec import display_spec, is_server_spec

    if not is_server_spec(args.db):
        raise UsageError("--db", "give the server as a libpq URI: postgresql://user@host/dbname")
    try:
        check_spec(args.db)
        connection = connect(args.db, application_name="mgso4 server init")
    except StoreError as exc:
        return fail("server init", str(exc))
    try:
        import psycopg

        done = init_server(
            connection,
            created_at=utcnow(),
            app_version=__version__,
            app_logins=tuple(args.app_login),
            audit_logins=tuple(args.audit_login),
        )
    except psycopg.Error as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return fail(
            "server init",
            f"{display_spec(args.db)}: {first}. Nothing was changed (run it as a role that may "
            "create schemas and roles; see docs/server-admin.md)",
        )
    finally:
        connection.close()
    data = {"ok": True, "db": display_spec(args.db), "done": done, "message": "; ".join(done)}
    return emit(data, EXIT_OK, args.json, "server init")


def register(sub: Any) -> None:
    """Add ``server init``."""
    server = sub.add_parser("server", help="the unit record on a PostgreSQL server")
    actions = server.add_subparsers(dest="server_command", required=True)
    p = actions.add_parser("init", help="create the unit record's schema and roles (a DBA, once)")
    p.add_argument("--db", required=True, metavar="postgresql://…")
    p.add_argument(
        "--app-login",
        action="append",
        default=[],
        metavar="ROLE",
        help="an existing login role for the ward PCs, to make a member of mgso4_app",
    )
    p.add_argument(
        "--audit-login",
        action="append",
        default=[],
        metavar="ROLE",
        help="an existing login role for audit, to make a member of mgso4_audit",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_server_init)
