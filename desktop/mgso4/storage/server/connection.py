"""Connecting to the unit record's server, and the adapter ``storage.store`` writes through.

The connection is made from a libpq URI (``postgresql://user@host:5432/dbname``). TLS is
used whenever the server offers it (``sslmode=prefer`` unless the URI asks for more, e.g.
``verify-full``); the session runs with ``synchronous_commit = on`` so a COMMIT returns only
once the entry is on the server's disk (and its synchronous standbys, if any). The password
is never in the URI kept in settings: libpq reads a pgpass file itself, and otherwise the OS
keyring is asked (service ``mgso4-unit-record``, user ``user@host:port/dbname``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qs, urlsplit

from mgso4.storage.errors import UNAVAILABLE_MESSAGE, RecordUnavailableError, StoreError

log = logging.getLogger(__name__)

#: The PostgreSQL schema that holds the record's tables.
SCHEMA = "mgso4"
#: The OS keyring service under which a ward PC keeps the unit record's password.
KEYRING_SERVICE = "mgso4-unit-record"
#: Seconds to wait for the server before the action is refused as unavailable.
CONNECT_TIMEOUT_S = 5


def keyring_user(uri: str) -> str:
    """The keyring entry's user name for a URI: ``user@host:port/dbname``."""
    parts = urlsplit(uri)
    query = parse_qs(parts.query)
    host = parts.hostname or query.get("host", ["localhost"])[0]
    port = parts.port or int(query.get("port", ["5432"])[0])
    dbname = parts.path.lstrip("/") or query.get("dbname", [""])[0]
    return f"{parts.username or ''}@{host}:{port}/{dbname}"


def keyring_password(uri: str) -> str | None:
    """The password kept in the OS keyring for this URI, or None (no keyring, no entry)."""
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:  # pragma: no cover - keyring is a dependency
        return None
    try:
        value = keyring.get_password(KEYRING_SERVICE, keyring_user(uri))
    except (KeyringError, RuntimeError, OSError) as exc:
        log.info("no OS keyring for the unit record's password: %s", type(exc).__name__)
        return None
    return str(value) if value else None


def unavailable(detail: str = "", *, writing: bool = False) -> RecordUnavailableError:
    """The one message for a server that cannot be reached (the detail for IT after it)."""
    said = UNAVAILABLE_MESSAGE[0].upper() + UNAVAILABLE_MESSAGE[1:]
    saved = " Nothing was saved; what you typed is still on screen." if writing else ""
    why = f" ({detail})" if detail else ""
    return RecordUnavailableError(f"{said}.{saved} The app reconnects by itself{why}.")


def connect(uri: str, *, application_name: str = "mgso4", autocommit: bool = True) -> Any:
    """A psycopg connection to the unit record (search_path = the record's schema).

    Raises:
        RecordUnavailableError: the server cannot be reached or refused the login.
    """
    import psycopg

    options: dict[str, Any] = {
        "autocommit": autocommit,
        "connect_timeout": CONNECT_TIMEOUT_S,
        "application_name": application_name,
        "options": f"-c synchronous_commit=on -c search_path={SCHEMA}",
    }
    parts = urlsplit(uri)
    if "sslmode" not in parse_qs(parts.query):
        options["sslmode"] = "prefer"
    try:
        return psycopg.connect(uri, **options)
    except psycopg.OperationalError as exc:
        # libpq has tried the pgpass file itself; the OS keyring is asked only when the
        # server wants a password it did not have (asking it costs time on every connect).
        if parts.password is not None or not _wants_password(exc):
            raise unavailable(_first_line(exc)) from None
        first = exc
    password = keyring_password(uri)
    if password is None:
        raise unavailable(_first_line(first)) from None
    try:
        return psycopg.connect(uri, password=password, **options)
    except psycopg.Error as exc:
        raise unavailable(_first_line(exc)) from None


def _wants_password(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "password" in text and ("no password" in text or "authentication failed" in text)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class PgConnection:
    """A psycopg connection that takes ``storage.store``'s SQL (``?`` placeholders).

    Only what the shared store code uses: ``execute``, ``in_transaction`` and ``close``.
    ``BEGIN IMMEDIATE`` (SQLite's take-the-write-lock-now) is PostgreSQL's plain ``BEGIN``;
    the server store takes its advisory locks right after it.
    """

    def __init__(self, raw: Any) -> None:
        self.raw = raw

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> Any:
        if sql.startswith("BEGIN"):
            sql = "BEGIN"
        return self.raw.execute(sql.replace("?", "%s"), tuple(parameters) or None)

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        if self.raw.closed:
            return False
        return bool(self.raw.info.transaction_status != TransactionStatus.IDLE)

    @property
    def broken(self) -> bool:
        return bool(self.raw.closed or self.raw.broken)

    def close(self) -> None:
        self.raw.close()


def error_text(exc: BaseException) -> str:
    """The first line of a database error, for messages."""
    return _first_line(exc)


def is_connection_problem(exc: BaseException) -> bool:
    """True when the error means the server was lost (not that it refused the statement)."""
    import psycopg

    return isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError) and not isinstance(
        exc, psycopg.errors.QueryCanceled
    )


def check_spec(uri: str) -> None:
    """Refuse a URI that carries a password (it would be kept in settings in clear).

    Raises:
        StoreError: the URI holds a password.
    """
    if urlsplit(uri).password is not None or "password=" in urlsplit(uri).query:
        raise StoreError(
            "The unit record's address must not hold a password (it would be kept in "
            "settings in clear). Remove it, and keep the password in a pgpass file or the "
            f"OS keyring (service “{KEYRING_SERVICE}”)."
        )
