"""Telling a record's two kinds of name apart: a file path, or a libpq URI of a server."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

SERVER_SCHEMES = ("postgresql://", "postgres://")

#: A record as given on the command line or in settings: a file path or a libpq URI.
RecordSpec = Path | str


def is_server_spec(spec: object) -> bool:
    """True for a libpq URI (``postgresql://…``), False for a file path."""
    return isinstance(spec, str) and spec.strip().lower().startswith(SERVER_SCHEMES)


def display_spec(spec: RecordSpec) -> str:
    """The record's name for messages and logs: a URI without any password in it."""
    if not is_server_spec(spec):
        return str(spec)
    text = str(spec).strip()
    parts = urlsplit(text)
    if parts.password is None:
        return text
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return parts._replace(netloc=f"{user}@{netloc}" if user else netloc).geturl()
