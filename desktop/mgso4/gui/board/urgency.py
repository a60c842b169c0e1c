"""How loudly a due item is shown, and its countdown in words.

Due instants come from ``core.monitoring.due_items`` (UTC, recomputed from the record); this
module only turns "due at" versus "now" into words, an icon and a colour tone, so a restart,
a sleeping laptop or a busy event loop never loses or stretches a countdown.

Escalation (the app's own display rule, not a clinical number): an item not yet due is shown
plainly; within :data:`DUE_SOON` of its time it is "DUE SOON"; once due it is "OVERDUE" in
red with a warning triangle; after :data:`ESCALATE_AFTER` overdue and not acknowledged it is
"URGENT", white on solid red with a stop-sign icon and a larger font.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum

from mgso4.core.monitoring import DueItem, DueKind
from mgso4.core.protocol import Protocol
from mgso4.gui.style import ToneName
from mgso4.gui.widgets.alert_banner import AlertLevel

#: When an upcoming item starts to be shown as "due soon".
DUE_SOON = timedelta(minutes=15)
#: How long an unacknowledged overdue item stays at "overdue" before escalating to "urgent".
ESCALATE_AFTER = timedelta(minutes=15)


class Urgency(IntEnum):
    """Display levels, loudest first (the order the board sorts by)."""

    URGENT = 0
    OVERDUE = 1
    OVERDUE_ACKNOWLEDGED = 2
    DUE_SOON = 3
    LATER = 4
    NOTHING_DUE = 5

    @property
    def overdue(self) -> bool:
        """The item's time has come."""
        return self in (Urgency.URGENT, Urgency.OVERDUE, Urgency.OVERDUE_ACKNOWLEDGED)


@dataclass(frozen=True)
class UrgencyLook:
    """How a level is drawn: a tone, an icon and a word (never colour alone)."""

    tone: ToneName
    icon_name: str
    word: str
    alert_level: AlertLevel


LOOKS: dict[Urgency, UrgencyLook] = {
    Urgency.URGENT: UrgencyLook(ToneName.URGENT, "urgent", "URGENT", AlertLevel.URGENT),
    Urgency.OVERDUE: UrgencyLook(ToneName.CRITICAL, "overdue", "OVERDUE", AlertLevel.CRITICAL),
    Urgency.OVERDUE_ACKNOWLEDGED: UrgencyLook(
        ToneName.CRITICAL, "overdue", "OVERDUE (acknowledged)", AlertLevel.CRITICAL
    ),
    Urgency.DUE_SOON: UrgencyLook(ToneName.WARNING, "warning", "DUE SOON", AlertLevel.WARNING),
    Urgency.LATER: UrgencyLook(ToneName.NEUTRAL, "clock", "Due", AlertLevel.INFO),
    Urgency.NOTHING_DUE: UrgencyLook(ToneName.NEUTRAL, "info", "Nothing due", AlertLevel.INFO),
}


def urgency_of(item: DueItem | None, now: datetime) -> Urgency:
    """The display level of a due item at ``now``."""
    if item is None:
        return Urgency.NOTHING_DUE
    if now >= item.due_at:
        if item.acknowledged:
            return Urgency.OVERDUE_ACKNOWLEDGED
        if now - item.due_at >= ESCALATE_AFTER:
            return Urgency.URGENT
        return Urgency.OVERDUE
    if item.due_at - now <= DUE_SOON:
        return Urgency.DUE_SOON
    return Urgency.LATER


def duration_words(span: timedelta) -> str:
    """A non-negative span as "2 h 15 min", "45 min" or "less than 1 min"."""
    minutes = int(span.total_seconds() // 60)
    if minutes < 1:
        return "less than 1 min"
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min"


def countdown_text(item: DueItem, now: datetime) -> str:
    """ "in 2 h 15 min" before the due time; "OVERDUE 12 min" from it on.

    Upcoming times round up to the minute (nothing is ever "in 0 min"); overdue times round
    down (12 min 40 s overdue is "OVERDUE 12 min").
    """
    if now >= item.due_at:
        return f"OVERDUE {duration_words(now - item.due_at)}"
    remaining = item.due_at - now
    whole_minutes = -(-int(remaining.total_seconds()) // 60)
    return f"in {duration_words(timedelta(minutes=whole_minutes))}"


def short_label(item: DueItem, protocol: Protocol) -> str:
    """A few words for the board's "next due" column."""
    if item.kind is DueKind.LOAD_END:
        return "Loading dose ends"
    if item.kind is DueKind.MAINTENANCE_START:
        return "Start maintenance"
    if item.kind is DueKind.OBSERVATIONS:
        return "Toxicity observations"
    if item.kind is DueKind.MAX_DURATION_STOP:
        hours = protocol.maintenance.max_hours.value.normalize()
        return f"{hours:f} h stop"
    if item.kind is DueKind.STOP_AT_BIRTH:
        return "Stop infusion (birth recorded)"
    if item.kind is DueKind.REVIEW:
        hours = protocol.maintenance.max_hours.value.normalize()
        return f"{hours:f} h review"
    return item.label
