"""Gestational age: parsing "W+D", and computing it from an agreed EDD or an LMP.

Conventions (reference.md §7, [G1]): gestation counts from the first day of the LMP (or the
LMP-equivalent date implied by an EDD) in completed weeks plus days; "29+6" is day 209.
EDD = LMP + 280 days, never month arithmetic (Naegele's rule is one day out across 29 Feb).
Day counts use calendar dates only (no time of day).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

#: Days from the LMP (or LMP-equivalent) to the EDD. [G2]; reference.md §7.2 (DERIVED).
DAYS_LMP_TO_EDD = 280

#: Plausible range for a gestation typed at the bedside. Anything outside is a typing error,
#: not a clinical state: 0+0 to 44+6 (a pregnancy past 44 weeks is not a preterm question).
MIN_TOTAL_DAYS = 0
MAX_TOTAL_DAYS = 44 * 7 + 6

# ASCII digits and spaces only: Python's \d and int() also accept other scripts' digits
# ("٢٧+٣"), which would be read silently as 27+3.
_WEEKS_DAYS = re.compile(r"\s*([0-9]{1,2})\s*\+\s*([0-9]{1,2})\s*", re.ASCII)


class GestationError(ValueError):
    """A gestation that cannot be accepted; the message is written for the user."""


class DatingMethod(StrEnum):
    """How the gestation was established (recorded with every episode)."""

    WEEKS_DAYS = "weeks+days"
    AGREED_EDD = "agreed-edd"
    LMP = "lmp"


@dataclass(frozen=True, order=True, slots=True)
class GestationalAge:
    """A gestational age as whole days since the LMP-equivalent date."""

    total_days: int

    def __post_init__(self) -> None:
        if not MIN_TOTAL_DAYS <= self.total_days <= MAX_TOTAL_DAYS:
            raise GestationError(
                f"A gestation of {self.total_days} days is outside 0+0 to 44+6; "
                "check the dates or the weeks and days entered."
            )

    @classmethod
    def of(cls, weeks: int, days: int) -> GestationalAge:
        """Build from completed weeks and days (days 0–6)."""
        if not 0 <= days <= 6:
            raise GestationError(
                f"Days must be 0 to 6 (got {days}); 7 days is the next week, e.g. 28+0."
            )
        if weeks < 0:
            raise GestationError("Weeks cannot be negative.")
        return cls(weeks * 7 + days)

    @classmethod
    def parse(cls, text: str) -> GestationalAge:
        """Parse completed weeks and days written as "W+D", e.g. "27+3".

        Refuses anything else with a message saying how to write it: "27.3", "27+7", "-1+0",
        "60+0", "27", "27 + " and empty text are all errors, never guessed.
        """
        if not isinstance(text, str):
            raise GestationError("Gestation must be written as weeks+days, e.g. 27+3.")
        match = _WEEKS_DAYS.fullmatch(text)
        if match is None:
            shown = text.strip() or "(empty)"
            raise GestationError(
                f'"{shown}" is not a gestation: write completed weeks+days, e.g. 27+3.'
            )
        weeks, days = int(match.group(1)), int(match.group(2))
        if days > 6:
            raise GestationError(
                f'"{text.strip()}": days must be 0 to 6; {weeks}+{days} would be '
                f"{weeks + days // 7}+{days % 7}. Check what was meant."
            )
        if weeks * 7 + days > MAX_TOTAL_DAYS:
            raise GestationError(
                f'"{text.strip()}" is beyond 44+6 weeks; check the gestation entered.'
            )
        return cls.of(weeks, days)

    @classmethod
    def from_edd(cls, edd: date, on: date) -> GestationalAge:
        """Gestation on a calendar date from an agreed EDD (LMP-equivalent = EDD − 280 days)."""
        return cls.from_lmp(edd - timedelta(days=DAYS_LMP_TO_EDD), on)

    @classmethod
    def from_lmp(cls, lmp: date, on: date) -> GestationalAge:
        """Gestation on a calendar date from the first day of the LMP."""
        days = (on - lmp).days
        if days < MIN_TOTAL_DAYS:
            raise GestationError(
                f"The date {on.isoformat()} is before the LMP-equivalent date "
                f"{lmp.isoformat()}; check the EDD or LMP."
            )
        if days > MAX_TOTAL_DAYS:
            raise GestationError(
                f"On {on.isoformat()} this dating gives {days // 7}+{days % 7}, beyond 44+6; "
                "check the EDD or LMP."
            )
        return cls(days)

    @property
    def weeks(self) -> int:
        """Completed weeks."""
        return self.total_days // 7

    @property
    def days(self) -> int:
        """Days beyond the completed weeks (0–6)."""
        return self.total_days % 7

    @property
    def label(self) -> str:
        """The conventional "W+D" form, e.g. "27+3"."""
        return f"{self.weeks}+{self.days}"

    def plus_days(self, days: int) -> GestationalAge:
        """The gestation a number of calendar days later."""
        return GestationalAge(self.total_days + days)

    def __str__(self) -> str:
        return self.label


def edd_from_lmp(lmp: date) -> date:
    """EDD = LMP + 280 days (reference.md §7.2; never Naegele's month arithmetic)."""
    return lmp + timedelta(days=DAYS_LMP_TO_EDD)


def lmp_equivalent(edd: date) -> date:
    """The LMP-equivalent date implied by an agreed EDD."""
    return edd - timedelta(days=DAYS_LMP_TO_EDD)


def gestation_on(
    on: date,
    *,
    method: DatingMethod,
    stated: GestationalAge | None = None,
    stated_on: date | None = None,
    edd: date | None = None,
    lmp: date | None = None,
) -> GestationalAge:
    """Gestation on a date from whichever dating the episode recorded.

    For ``weeks+days`` the stated gestation was true on ``stated_on`` and advances one day per
    calendar day.
    """
    if method is DatingMethod.AGREED_EDD:
        if edd is None:
            raise GestationError("Dating by EDD needs the agreed EDD.")
        return GestationalAge.from_edd(edd, on)
    if method is DatingMethod.LMP:
        if lmp is None:
            raise GestationError("Dating by LMP needs the first day of the last period.")
        return GestationalAge.from_lmp(lmp, on)
    if stated is None or stated_on is None:
        raise GestationError("Dating by weeks+days needs the gestation and the date it applied.")
    return stated.plus_days((on - stated_on).days)
