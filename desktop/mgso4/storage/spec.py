"""Telling a record's two kinds of name apart: a file path, or a libpq URI of a server."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

SERVER_SCHEMES = ("postgresql://", "postgres://")

#: A record as given on the command line or in settings: a file path or a libpq URI.
RecordSpec = Path | str


def is_server_spec(spec: object) -> bool:
    """True for a libpq URI (``postgresql://…``, or its :func:`server_location`), False for a
    file path."""
    if isinstance(spec, ServerLocation):
        return True
    return isinstance(spec, str) and spec.strip().lower().startswith(SERVER_SCHEMES)


def display_spec(spec: RecordSpec) -> str:
    """The record's name for messages and logs: a URI without any password in it."""
    if isinstance(spec, ServerLocation):
        return str(spec)
    if not is_server_spec(spec):
        return str(spec)
    text = str(spec).strip()
    parts = urlsplit(text)
    if parts.password is None:
        return text
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return parts._replace(netloc=f"{user}@{netloc}" if user else netloc).geturl()


_PathBase: type[Path] = type(Path())


class ServerLocation(_PathBase):  # type: ignore[valid-type,misc]
    """A unit record's name where the app expects a record path: prints as its URI (without
    any password), is never an existing file, and opens the server (``open_record``)."""

    uri = ""

    def __str__(self) -> str:
        return display_spec(self.uri) if self.uri else super().__str__()

    def __repr__(self) -> str:
        return f"ServerLocation({str(self)!r})"


def server_location(uri: str) -> Path:
    """The record path the app passes around for a server's URI."""
    location = ServerLocation(display_spec(uri.strip()))
    location.uri = uri.strip()
    return location


def spec_path(value: str) -> Path:
    """A record given as text (command line, settings) as the path the app passes around."""
    return server_location(value) if is_server_spec(value) else Path(value)


def as_record_path(value: Path | str) -> Path:
    """A record given as a path or as text, as the path the app passes around."""
    return spec_path(value) if isinstance(value, str) else value
