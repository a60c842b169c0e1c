"""Who is on the ward board, and in what order (design.md "The record": nothing disappears).

An episode is on the board while **any** of these holds:

- an infusion is recorded as running (a course started and not stopped);
- an alert is open (``core.alerts.open_alerts``);
- it has not been closed: an episode leaves only by an explicit ``episode-closed`` entry
  (``close`` in ``core.actions``), never because a stage was reached. Babies still expected
  keep it there too, because it cannot be closed silently: closing with babies still expected
  needs a reason;
- it was closed as "not indicated — reassess at …" and that time has come (it comes back).

A later decision to give, or a course started, reopens a closed episode (``EpisodeState.closed``
is cleared by the fold).

Records made before the close action existed hold finished episodes that were never closed.
They are still on the board (nothing disappears), but the ward board shows them as one line,
"N past episodes were never closed", rather than a row each: :func:`past_unclosed` names them
(their stage is over, nothing runs, no alert is open, they were never closed and core would
let them close now), and :func:`close_finished_drafts` records a close for each, with a reason,
when the user asks to close them.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import ConfigDict

from mgso4.core.actions import why_not
from mgso4.core.alerts import Alert, Severity, open_alerts
from mgso4.core.episode import Actor, EpisodeClosed, EpisodeState, EventDraft, EventType
from mgso4.core.model import CoreModel
from mgso4.core.monitoring import DueItem, due_items
from mgso4.core.protocol import Protocol
from mgso4.core.timeutil import ensure_utc


def why_on_board(state: EpisodeState, protocol: Protocol, now: datetime) -> str | None:
    """Why the episode is on the board at ``now`` (plain words), or None when it is not."""
    now_utc = ensure_utc(now, "current time")
    if state.running_course is not None:
        return "An infusion is recorded as running."
    found = open_alerts(state, protocol, now_utc)
    if found:
        return f"{len(found)} alert{'s' if len(found) != 1 else ''} open."
    closed = state.closed
    if closed is None:
        if not state.all_born:
            return "Babies are still expected and the episode is not closed."
        return "The episode is not closed."
    if closed.reassess_at is not None and closed.reassess_at <= now_utc:
        return "Reassessment is due."
    return None


def on_board(state: EpisodeState, protocol: Protocol, now: datetime) -> bool:
    """Whether the episode is on the ward board at ``now`` (see the module docstring)."""
    return why_on_board(state, protocol, now) is not None


#: The reason recorded on each close made by "Close finished episodes…".
CLOSE_FINISHED_REASON = (
    "Finished episode never closed (recorded before the close action existed); closed in bulk."
)


def past_unclosed(state: EpisodeState, protocol: Protocol, now: datetime) -> bool:
    """Whether the episode is on the board only because it was never closed, though over.

    Its stage is over (delivered, stopped or not given), no infusion runs, no alert is open,
    it was never closed, and core's ``close`` allows closing it at ``now``.
    """
    now_utc = ensure_utc(now, "current time")
    return (
        state.closed is None
        and not state.active
        and state.running_course is None
        and not open_alerts(state, protocol, now_utc)
        and why_not("close", state, protocol, now_utc) is None
    )


def close_finished_drafts(
    states: list[tuple[EpisodeState, Protocol]],
    by: Actor,
    now: datetime,
    reason: str = CLOSE_FINISHED_REASON,
) -> list[EventDraft]:
    """A close (``episode-closed``, with ``reason``) at ``now`` for each past unclosed episode.

    Episodes that are not :func:`past_unclosed` at ``now`` are left alone, so the store's rules
    (which check each close as the ``close`` action) never see a close core would refuse.
    """
    now_utc = ensure_utc(now, "current time")
    if not reason.strip():
        raise ValueError("A bulk close needs a reason.")
    return [
        EventDraft.make(
            EventType.EPISODE_CLOSED,
            EpisodeClosed(reason=reason),
            episode_uuid=state.uuid,
            occurred_at=now_utc,
            recorded_by=by,
        )
        for state, protocol in states
        if past_unclosed(state, protocol, now_utc)
    ]


class BoardEntry(CoreModel):
    """One episode on the board with what makes it urgent."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    state: EpisodeState
    open_alerts: tuple[Alert, ...]
    next_due: tuple[DueItem, ...]

    @property
    def loudest(self) -> Severity | None:
        """The most severe open alert's severity, if any."""
        return self.open_alerts[0].severity if self.open_alerts else None

    def sort_key(self) -> tuple[int, datetime, datetime, str]:
        """Most urgent first: loudest open alert, then the earliest thing due, then oldest."""
        rank = -self.loudest.rank if self.loudest is not None else 1
        far = datetime.max.replace(tzinfo=self.state.created_at.tzinfo)
        due = self.next_due[0].due_at if self.next_due else far
        return (rank, due, self.state.created_at, self.state.uuid)


def board(states: list[tuple[EpisodeState, Protocol]], now: datetime) -> list[BoardEntry]:
    """The episodes on the board at ``now``, most urgent first.

    Args:
        states: Each folded episode with the protocol it is shown with.
        now: The instant (aware).
    """
    now_utc = ensure_utc(now, "current time")
    entries = []
    for state, protocol in states:
        if not on_board(state, protocol, now_utc):
            continue
        entries.append(
            BoardEntry(
                state=state,
                open_alerts=tuple(open_alerts(state, protocol, now_utc)),
                next_due=tuple(
                    item for item in due_items(state, protocol, now_utc) if not item.acknowledged
                ),
            )
        )
    return sorted(entries, key=BoardEntry.sort_key)
