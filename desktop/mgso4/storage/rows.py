"""The stored form of an event: one row, every field as canonical text or integer.

The row is the record; an :class:`~mgso4.core.episode.Event` is rebuilt from it. Each field has
exactly one stored spelling (times ``YYYY-MM-DDTHH:MM:SS.ffffffZ``, payload as sorted compact
JSON), so a changed byte either changes a value the hash covers or leaves a spelling that is not
canonical; ``verify`` catches both.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from mgso4.core.episode import Actor, Event, EventType, format_utc
from mgso4.core.vocab import Role

#: Column order of the ``event`` table (and of every row tuple in this package).
EVENT_COLUMNS: tuple[str, ...] = (
    "uuid",
    "episode_uuid",
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
    "seq",
    "prev_hash",
    "hash",
)

SELECT_EVENT_COLUMNS = ", ".join(EVENT_COLUMNS)
INSERT_EVENT_SQL = (
    f"INSERT INTO event ({SELECT_EVENT_COLUMNS}) VALUES ({', '.join('?' for _ in EVENT_COLUMNS)})"
)

EventRow = tuple[Any, ...]

_STORED_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")


class RowError(ValueError):
    """A stored row that does not make a valid event (the text says which field and why)."""


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, UTF-8 text; NaN and infinities refused (not JSON)."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def parse_stored_utc(text: str, field: str) -> datetime:
    """Read a stored UTC time, accepting only the canonical spelling.

    Raises:
        RowError: if the text is not exactly ``YYYY-MM-DDTHH:MM:SS.ffffffZ``.
    """
    if not isinstance(text, str) or _STORED_UTC.match(text) is None:
        raise RowError(f"{field} is not a stored UTC time: {text!r}")
    try:
        # The pattern above fixes the spelling; fromisoformat (C, fast) then reads the value.
        return datetime.fromisoformat(text).astimezone(UTC)
    except ValueError as exc:
        raise RowError(f"{field} is not a valid time: {exc}") from None


def event_to_row(event: Event) -> EventRow:
    """The stored row of an event, in :data:`EVENT_COLUMNS` order."""
    return (
        event.uuid,
        event.episode_uuid,
        event.type.value,
        canonical_json(event.payload),
        format_utc(event.occurred_at),
        format_utc(event.recorded_at),
        event.recorded_by.name,
        event.recorded_by.role.value,
        event.workstation_id,
        event.app_version,
        event.protocol_id,
        event.protocol_version,
        event.protocol_sha256,
        event.seq,
        event.prev_hash,
        event.hash,
    )


def row_to_event(row: EventRow) -> Event:
    """Rebuild the event a stored row holds.

    Raises:
        RowError: naming the field that cannot be read.
    """
    values = dict(zip(EVENT_COLUMNS, row, strict=True))
    try:
        payload = json.loads(values["payload"])
    except (TypeError, ValueError) as exc:
        raise RowError(f"payload is not JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise RowError("payload is not a JSON object")
    try:
        return Event.model_validate(
            {
                "uuid": values["uuid"],
                "episode_uuid": values["episode_uuid"],
                "type": EventType(values["type"]),
                "payload": payload,
                "occurred_at": parse_stored_utc(values["occurred_at"], "occurred_at"),
                "recorded_at": parse_stored_utc(values["recorded_at"], "recorded_at"),
                "recorded_by": Actor(
                    name=values["recorded_by_name"], role=Role(values["recorded_by_role"])
                ),
                "workstation_id": values["workstation_id"],
                "app_version": values["app_version"],
                "protocol_id": values["protocol_id"],
                "protocol_version": values["protocol_version"],
                "protocol_sha256": values["protocol_sha256"],
                "seq": values["seq"],
                "prev_hash": values["prev_hash"],
                "hash": values["hash"],
            }
        )
    except RowError:
        raise
    except ValueError as exc:  # pydantic ValidationError and bad enum values are ValueErrors
        raise RowError(f"fields do not make a valid entry: {_first_line(exc)}") from None


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
