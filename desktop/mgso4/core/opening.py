"""What opening an episode records: one rule for the new-episode wizard and `mgso4 record`.

- **The decision at opening** (:func:`opening_decision`): a contraindicated recommendation is
  recorded as a decision not to give, by the person who records the opening (they confirmed
  the contraindication); a recommendation that lets the team choose (discuss, offer,
  consider) records the team's choice when it is made at opening; "not indicated" records no
  decision (nothing was decided, nothing is missed: the episode stays on the board to be
  reassessed).
- **Only what has happened** (:func:`maintenance_start_to_record`): a maintenance start after
  ``now`` is a plan, never recorded; a skipped maintenance is not recorded.
- **When the load ended** (:func:`load_end_to_record`): only together with a recorded
  maintenance start at or after the load's planned end (the pump switched to the maintenance
  rate then, so the load ran its planned duration). If maintenance started earlier, was
  skipped or is not recorded yet, when the load ended is not known at opening and is left to
  the episode's ``end-load`` rather than recording a time nobody saw.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Final

from mgso4.core.vocab import Recommendation

#: The recommendations that let the team choose whether to give MgSO4.
GIVE_CANDIDATES: Final = frozenset(
    {Recommendation.DISCUSS, Recommendation.OFFER, Recommendation.CONSIDER}
)


def opening_decision(recommendation: Recommendation, *, chose_to_give: bool | None) -> bool | None:
    """The decision recorded with the opening (give True, not give False), or None for none.

    Args:
        recommendation: The assessment's recommendation.
        chose_to_give: The team's choice made at opening, or None when it is not made yet.
    """
    if recommendation is Recommendation.CONTRAINDICATED:
        return False
    if recommendation in GIVE_CANDIDATES:
        return chose_to_give
    return None


def maintenance_start_to_record(
    started_at: datetime | None, *, skipped: bool, now: datetime
) -> datetime | None:
    """The maintenance start time if it has happened by ``now``; None if not (yet) or skipped.

    Strictly at or before ``now``: the default start is the load's planned end, a plan until
    then (core's minute for a slow clock is for times typed, not for a plan).
    """
    if started_at is None or skipped or started_at > now:
        return None
    return started_at


def load_ends_at(load_started_at: datetime | None, duration_min: Decimal | None) -> datetime | None:
    """The load's planned end (start + planned duration), or None without both."""
    if load_started_at is None or duration_min is None:
        return None
    return load_started_at + timedelta(microseconds=int(duration_min * 60_000_000))


def load_end_to_record(
    planned_end: datetime | None, maintenance_recorded_at: datetime | None
) -> datetime | None:
    """When the load finished, if opening records it; otherwise None (see the module doc)."""
    if (
        planned_end is None
        or maintenance_recorded_at is None
        or maintenance_recorded_at < planned_end
    ):
        return None
    return planned_end
