"""One ward-board row per active episode, computed from the folded state and the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from mgso4.core.alerts import open_alerts
from mgso4.core.episode import EpisodeState
from mgso4.core.identifiers import check_identifier
from mgso4.core.monitoring import DueItem, due_items
from mgso4.core.protocol import Protocol
from mgso4.core.timeutil import format_local
from mgso4.core.vocab import IdentifierType
from mgso4.gui.board.urgency import Urgency, countdown_text, short_label, urgency_of

_ID_NAMES = {IdentifierType.NHS: "NHS", IdentifierType.CHI: "CHI"}


@dataclass(frozen=True)
class BoardEntry:
    """What the board keeps between store reads: the state and the protocol it is shown with."""

    state: EpisodeState
    protocol: Protocol
    protocol_warning: str | None = None


@dataclass(frozen=True)
class BoardRow:
    """Everything one row shows, as text (the model only chooses colours and icons)."""

    episode_uuid: str
    name: str
    identifier: str
    gestation: str
    stage: str
    next_label: str
    next_due_local: str
    countdown: str
    urgency: Urgency
    due_at: datetime | None
    overdue_count: int
    created_at: datetime
    protocol_warning: str | None

    @property
    def sort_key(self) -> tuple[int, float, float]:
        """Overdue first (most overdue at the top), then soonest due, then oldest episode."""
        group = 0 if self.urgency.overdue else (1 if self.due_at is not None else 2)
        due = self.due_at.timestamp() if self.due_at is not None else 0.0
        return (group, due, self.created_at.timestamp())


def short_local(utc_moment: datetime, tz: ZoneInfo) -> str:
    """ "02:40 GMT Wed 14 Jan": the time first, with its zone and the date (no year)."""
    weekday, day, month, _year, clock, zone = format_local(utc_moment, tz).split(" ")
    return f"{clock} {zone} {weekday} {day} {month}"


def identifier_text(state: EpisodeState) -> str:
    """ "NHS 943 476 5919" (3-3-4 grouping for NHS numbers; CHI shown as its 10 digits)."""
    patient = state.patient
    check = check_identifier(patient.identifier, patient.id_type)
    shown = check.display or patient.identifier
    return f"{_ID_NAMES.get(patient.id_type, patient.id_type.upper())} {shown}"


def gestation_text(state: EpisodeState, now: datetime, tz: ZoneInfo) -> str:
    """Gestation today from the recorded dating, e.g. "27+3 weeks"."""
    gestation = state.gestation_at(now, tz)
    if gestation is None:
        return "unknown: check the dating"
    return f"{gestation.label} weeks"


def build_row(entry: BoardEntry, now: datetime, tz: ZoneInfo) -> BoardRow:
    """The row for one episode at ``now``; due items recomputed from the state each time."""
    state = entry.state
    items: list[DueItem] = due_items(state, entry.protocol, now)
    # due_items sorts overdue first then by time; the row shows the first that is not
    # acknowledged, or the first acknowledged overdue one if that is all there is.
    pending = [item for item in items if not item.acknowledged]
    next_item = pending[0] if pending else (items[0] if items else None)
    urgency = urgency_of(next_item, now)
    if next_item is not None:
        next_due_local = f"due {short_local(next_item.due_at, tz)}"
        label = short_label(next_item, entry.protocol)
        countdown = countdown_text(next_item, now)
        due_at = next_item.due_at
    else:
        next_due_local, label, countdown, due_at = "", "Nothing due", "", None
        found = open_alerts(state, entry.protocol, now)
        if found:
            # On the board for an open alert (core.board): say which, never "Nothing due".
            label = f"Alert open: {found[0].message.split('. ')[0].rstrip('.')}."
    return BoardRow(
        episode_uuid=state.uuid,
        name=state.patient.name,
        identifier=identifier_text(state),
        gestation=gestation_text(state, now, tz),
        stage=state.stage.label,
        next_label=label,
        next_due_local=next_due_local,
        countdown=countdown,
        urgency=urgency,
        due_at=due_at,
        overdue_count=sum(1 for item in items if item.overdue),
        created_at=state.created_at,
        protocol_warning=entry.protocol_warning,
    )


def build_rows(entries: list[BoardEntry], now: datetime, tz: ZoneInfo) -> list[BoardRow]:
    """All rows, sorted: overdue first, then soonest due."""
    return sorted((build_row(entry, now, tz) for entry in entries), key=lambda r: r.sort_key)
