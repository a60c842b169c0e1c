"""Clinical times: typed local wall-clock times in, aware UTC instants out, local text back.

Rules (decisions.md §12; design.md "Times"):

- Every instant is stored as an aware UTC ``datetime``. Naive datetimes are refused, never
  guessed at.
- Times are shown in local time (Europe/London by default) **with the date and the zone
  abbreviation**, so "01:30" on the night the clocks go back is never read as the wrong hour.
- A typed local time inside the spring-forward gap (e.g. 2026-03-29 01:30 in London) never
  happened; it is refused with a message saying so.
- A typed local time inside the autumn overlap (e.g. 2026-10-25 01:30 in London) happened twice;
  the caller must say which (``fold=0`` the first, BST; ``fold=1`` the second, GMT). Without that
  choice :class:`AmbiguousLocalTimeError` carries both candidates so a screen can ask.
- Durations are real elapsed time between UTC instants, so a BST/GMT change never stretches or
  shrinks "4 h" or "24 h".

The zone is always a parameter (default :data:`LONDON`); there is no module state beyond
constants.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Final
from zoneinfo import ZoneInfo

#: Default display and entry zone for UK units (decisions.md §12).
LONDON: Final = ZoneInfo("Europe/London")

#: A source of "now" as an aware UTC datetime. Callers take one of these instead of reading the
#: system clock, so tests can inject a fixed or stepping time.
Clock = Callable[[], datetime]

#: How typed date-times are written; shown in every refusal so the user knows the form.
DATETIME_FORMAT_HINT: Final = "YYYY-MM-DD HH:MM, e.g. 2026-03-29 14:30"
DATE_FORMAT_HINT: Final = "YYYY-MM-DD, e.g. 2026-03-29"

# English names, not strftime %a/%b, so the output never depends on the machine's locale.
_DAY_ABBREVIATIONS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTH_ABBREVIATIONS: Final = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)

# ASCII digits only (re.ASCII): "\d" would also match other scripts' digits.
_DATE_PART: Final = r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})"
_TIME_PART: Final = (
    r"(?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})"
    r"(?::(?P<second>[0-9]{2})(?:\.(?P<fraction>[0-9]{1,6}))?)?"
)
_OFFSET_PART: Final = (
    r"(?P<offset>[Zz]|(?P<sign>[+-])(?P<offset_hours>[0-9]{2})(?::?(?P<offset_minutes>[0-9]{2}))?)"
)
_DATETIME_RE: Final = re.compile(
    rf"{_DATE_PART}[Tt ]{_TIME_PART}(?: ?{_OFFSET_PART})?",
    re.ASCII,
)
_DATE_ONLY_RE: Final = re.compile(_DATE_PART, re.ASCII)
_TIME_ONLY_RE: Final = re.compile(r"[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?", re.ASCII)

_MICROSECONDS_PER_HOUR: Final = Decimal(3_600_000_000)

# Longest piece of the user's text echoed back in a message; longer text is cut with "…".
_ECHO_LIMIT: Final = 40


class LocalTimeError(ValueError):
    """A typed date or time that cannot be accepted; the message is written for the user."""


@dataclass(frozen=True, slots=True)
class LocalTimeChoice:
    """One reading of a local time that happened twice (autumn clock change).

    Attributes:
        fold: 0 for the first occurrence (summer time), 1 for the second (standard time); pass it
            back to :func:`parse_local_datetime` or :func:`to_utc`.
        label: The wall time with its zone abbreviation, e.g. "01:30 BST".
        utc: The aware UTC instant this reading means.
    """

    fold: int
    label: str
    utc: datetime


class AmbiguousLocalTimeError(LocalTimeError):
    """A local time inside the autumn overlap: it happened twice, so the user must say which.

    Attributes:
        local: The naive local wall time that was typed.
        choices: Both readings, first occurrence (fold 0) first.
    """

    def __init__(self, message: str, local: datetime, choices: tuple[LocalTimeChoice, ...]):
        super().__init__(message)
        self.local = local
        self.choices = choices

    @property
    def first(self) -> LocalTimeChoice:
        """The first occurrence (fold 0; in London, BST)."""
        return self.choices[0]

    @property
    def second(self) -> LocalTimeChoice:
        """The second occurrence (fold 1; in London, GMT)."""
        return self.choices[1]

    def __reduce__(
        self,
    ) -> tuple[type[AmbiguousLocalTimeError], tuple[str, datetime, tuple[LocalTimeChoice, ...]]]:
        # Exceptions with extra constructor arguments do not pickle by default; background
        # tasks may hand this error across a thread or process boundary.
        return (type(self), (str(self), self.local, self.choices))


def utcnow() -> datetime:
    """The current instant as an aware UTC datetime (the default :data:`Clock`)."""
    return datetime.now(UTC)


def ensure_utc(moment: datetime, what: str = "time") -> datetime:
    """Return the same instant as an aware UTC datetime; refuse a naive datetime.

    Args:
        moment: An aware datetime in any zone.
        what: What the time is, in the user's words ("birth time"), used in the message.

    Returns:
        The same instant with ``tzinfo=UTC``.

    Raises:
        ValueError: ``moment`` is not a datetime, or is naive (has no zone), so which instant it
            means is unknown. A naive time is never assumed to be UTC or local.
    """
    if not isinstance(moment, datetime):
        raise ValueError(f"The {what} must be a date and time, not {type(moment).__name__}.")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(
            f"The {what} ({moment.isoformat(sep=' ')}) has no time zone, so the instant it "
            "means is unknown; times must be recorded as timezone-aware UTC."
        )
    return moment.astimezone(UTC)


def to_local(utc_moment: datetime, tz: ZoneInfo = LONDON) -> datetime:
    """The aware local datetime in ``tz`` for an aware instant.

    Raises:
        ValueError: ``utc_moment`` is naive.
    """
    return ensure_utc(utc_moment).astimezone(tz)


def zone_abbreviation(local_moment: datetime) -> str:
    """The zone abbreviation ("BST", "GMT") of an aware datetime, or its offset if none."""
    abbreviation = local_moment.tzname()
    if abbreviation:
        return abbreviation
    offset = local_moment.utcoffset() or timedelta(0)
    return _format_offset(offset)


def format_local(utc_moment: datetime, tz: ZoneInfo = LONDON) -> str:
    """Show an instant in local time, always with the date and zone abbreviation.

    Example: 2026-03-29 02:15 UTC in London is ``"Sun 29 Mar 2026 03:15 BST"``. Seconds are not
    shown; clinical times are recorded to the minute.

    Raises:
        ValueError: ``utc_moment`` is naive.
    """
    local = to_local(utc_moment, tz)
    return (
        f"{_format_wall_date(local)} {local.hour:02d}:{local.minute:02d} {zone_abbreviation(local)}"
    )


def to_utc(local_naive: datetime, tz: ZoneInfo = LONDON, fold: int | None = None) -> datetime:
    """Convert a naive local wall time in ``tz`` to an aware UTC instant.

    Args:
        local_naive: The wall-clock reading, without a zone (as a date-time widget gives it).
        tz: The zone the clock on the wall was in.
        fold: Only used when the time happened twice (autumn overlap): 0 means the first
            occurrence (summer time, BST in London), 1 the second (standard time, GMT). Ignored
            for any other time, where there is only one instant.

    Returns:
        The aware UTC instant.

    Raises:
        LocalTimeError: The time fell in the spring-forward gap and never happened, or is
            outside the range of dates that can be represented.
        AmbiguousLocalTimeError: The time happened twice and ``fold`` is None.
        ValueError: ``local_naive`` already has a zone, or ``fold`` is not None, 0 or 1
            (programming errors, not user input).
    """
    if not isinstance(local_naive, datetime):
        raise ValueError(f"Expected a datetime, got {type(local_naive).__name__}.")
    if local_naive.tzinfo is not None:
        raise ValueError(
            "to_utc() takes a naive local wall time; this datetime already has a zone "
            f"({local_naive.isoformat()}). Use ensure_utc() for aware datetimes."
        )
    if fold is not None and fold not in (0, 1):
        raise ValueError(f"fold must be None, 0 or 1 (got {fold!r}).")
    try:
        return _resolve_wall_time(local_naive, tz, fold)
    except OverflowError as error:
        raise LocalTimeError(
            f"{_format_wall(local_naive)} is outside the range of dates that can be recorded."
        ) from error


def parse_local_datetime(text: str, tz: ZoneInfo = LONDON, *, fold: int | None = None) -> datetime:
    """Parse a typed date and time; return an aware UTC instant.

    Accepted forms (ISO 8601, date and time both required): ``2026-03-29T14:30``,
    ``2026-03-29 14:30``, with seconds (``14:30:05``, optionally with a fraction), and optionally
    an explicit offset (``Z``, ``+01:00``, ``+0100``). With an offset, the offset fixes the
    instant and no clock-change question arises. Without one, the text is a wall-clock time
    in ``tz`` and is converted by :func:`to_utc` (gap refused, overlap asks unless ``fold``).

    Args:
        text: What the user typed; surrounding spaces are ignored.
        tz: The zone of the wall clock (default Europe/London).
        fold: Which occurrence is meant if the time happened twice (see :func:`to_utc`).

    Returns:
        The aware UTC instant.

    Raises:
        LocalTimeError: Empty, unreadable, impossible (month 13, 30 February, 24:00), date only,
            time only, or inside the spring-forward gap. The message says what is wrong and how
            to write it. No other exception escapes for any text.
        AmbiguousLocalTimeError: Inside the autumn overlap with ``fold`` None.
    """
    if fold is not None and fold not in (0, 1):
        raise ValueError(f"fold must be None, 0 or 1 (got {fold!r}).")
    if not isinstance(text, str):
        raise LocalTimeError(f"A date and time must be typed as text: {DATETIME_FORMAT_HINT}.")
    stripped = text.strip()
    if not stripped:
        raise LocalTimeError(f"No date and time was entered: write {DATETIME_FORMAT_HINT}.")
    match = _DATETIME_RE.fullmatch(stripped)
    if match is None:
        raise LocalTimeError(_explain_unreadable_datetime(stripped))

    wall = _build_wall_datetime(stripped, match)
    if match.group("offset") is None:
        return to_utc(wall, tz, fold)

    offset = _parse_offset(stripped, match)
    try:
        return wall.replace(tzinfo=offset).astimezone(UTC)
    except OverflowError as error:
        raise LocalTimeError(
            f'"{_echo(stripped)}" is outside the range of dates that can be recorded.'
        ) from error


def parse_local_date(text: str) -> date:
    """Parse a typed calendar date written strictly as ``YYYY-MM-DD``.

    Raises:
        LocalTimeError: Empty, another layout (29/03/2026, 2026-3-29), a time included, or a date
            that does not exist (2026-02-30). The message says what is wrong.
    """
    if not isinstance(text, str):
        raise LocalTimeError(f"A date must be typed as text: {DATE_FORMAT_HINT}.")
    stripped = text.strip()
    if not stripped:
        raise LocalTimeError(f"No date was entered: write {DATE_FORMAT_HINT}.")
    match = _DATE_ONLY_RE.fullmatch(stripped)
    if match is None:
        if _DATETIME_RE.fullmatch(stripped) is not None:
            raise LocalTimeError(
                f'"{_echo(stripped)}" includes a time; only the date is needed: {DATE_FORMAT_HINT}.'
            )
        raise LocalTimeError(f'"{_echo(stripped)}" is not a date: write {DATE_FORMAT_HINT}.')
    return _build_date(stripped, match)


def elapsed_hours(start_utc: datetime, end_utc: datetime) -> Decimal:
    """Real elapsed time from ``start_utc`` to ``end_utc`` in hours, as a Decimal.

    Both instants are converted to UTC first: Python subtracts two datetimes that share one
    ZoneInfo as wall times, which would make the night the clocks change 1 h too long or short.

    Returns:
        Hours (exact for whole minutes that divide an hour, e.g. 90 min → 1.5); negative when
        ``end_utc`` is before ``start_utc`` (never silently turned positive).

    Raises:
        ValueError: Either datetime is naive.
    """
    elapsed = ensure_utc(end_utc, "end time") - ensure_utc(start_utc, "start time")
    microseconds = elapsed // timedelta(microseconds=1)
    return Decimal(microseconds) / _MICROSECONDS_PER_HOUR


# --- internals --------------------------------------------------------------------------------


def _resolve_wall_time(local_naive: datetime, tz: ZoneInfo, fold: int | None) -> datetime:
    first = local_naive.replace(tzinfo=tz, fold=0)
    second = local_naive.replace(tzinfo=tz, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first.astimezone(UTC)

    # The two offsets differ only at a transition: either the wall time was skipped (gap) or
    # repeated (overlap). A skipped time does not survive the round trip through UTC.
    first_utc = first.astimezone(UTC)
    second_utc = second.astimezone(UTC)
    if first_utc.astimezone(tz).replace(tzinfo=None, fold=0) != local_naive.replace(fold=0):
        raise LocalTimeError(_gap_message(local_naive, tz, first_utc))

    if fold is None:
        choices = (
            LocalTimeChoice(0, _wall_label(first_utc.astimezone(tz)), first_utc),
            LocalTimeChoice(1, _wall_label(second_utc.astimezone(tz)), second_utc),
        )
        raise AmbiguousLocalTimeError(
            f"{_format_wall(local_naive)} happened twice in {tz.key}: the clocks went back "
            f"that night. Say which was meant: {choices[0].label} (the first time) or "
            f"{choices[1].label} (the second time, after the clocks went back).",
            local_naive,
            choices,
        )
    return first_utc if fold == 0 else second_utc


def _gap_message(local_naive: datetime, tz: ZoneInfo, unchanged_clock_utc: datetime) -> str:
    # A clock not yet put forward would have shown the typed time at this instant; naming the
    # corrected reading helps the user find the real time without the app guessing it.
    corrected = unchanged_clock_utc.astimezone(tz)
    return (
        f"{_format_wall(local_naive)} did not exist in {tz.key}: the clocks went forward that "
        "night, so this time was skipped. Check the time; if it was read from a clock that had "
        f"not been changed, the time was {_wall_label(corrected)}."
    )


def _build_wall_datetime(text: str, match: re.Match[str]) -> datetime:
    day = _build_date(text, match)
    hour, minute = int(match.group("hour")), int(match.group("minute"))
    second = int(match.group("second") or 0)
    fraction = match.group("fraction") or ""
    microsecond = int(fraction.ljust(6, "0")) if fraction else 0
    if hour > 23:
        raise LocalTimeError(
            f'"{_echo(text)}": there is no hour {hour}; hours run 00 to 23 '
            "(midnight at the start of a day is 00:00)."
        )
    if minute > 59:
        raise LocalTimeError(f'"{_echo(text)}": there is no minute {minute}; minutes run 00 to 59.')
    if second > 59:
        raise LocalTimeError(f'"{_echo(text)}": there is no second {second}; seconds run 00 to 59.')
    return datetime(day.year, day.month, day.day, hour, minute, second, microsecond)  # noqa: DTZ001


def _build_date(text: str, match: re.Match[str]) -> date:
    year, month, day = int(match.group("year")), int(match.group("month")), int(match.group("day"))
    if year < 1:
        raise LocalTimeError(f'"{_echo(text)}": there is no year {year:04d}.')
    if not 1 <= month <= 12:
        raise LocalTimeError(
            f'"{_echo(text)}": there is no month {month}; months run 01 to 12 ({DATE_FORMAT_HINT}).'
        )
    days_in_month = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days_in_month:
        raise LocalTimeError(
            f'"{_echo(text)}": {_MONTH_ABBREVIATIONS[month - 1]} {year} has days 01 to '
            f"{days_in_month}, so day {day} does not exist."
        )
    return date(year, month, day)


def _parse_offset(text: str, match: re.Match[str]) -> timezone:
    if match.group("offset") in ("Z", "z"):
        return UTC
    hours = int(match.group("offset_hours"))
    minutes = int(match.group("offset_minutes") or 0)
    if hours > 23 or minutes > 59:
        raise LocalTimeError(
            f'"{_echo(text)}": the offset {match.group("offset")} is not a real UTC offset; '
            "write it as +HH:MM, e.g. +01:00, or leave it off for local time."
        )
    offset = timedelta(hours=hours, minutes=minutes)
    return timezone(-offset if match.group("sign") == "-" else offset)


def _explain_unreadable_datetime(text: str) -> str:
    if _DATE_ONLY_RE.fullmatch(text):
        return f'"{text}" has a date but no time: write {DATETIME_FORMAT_HINT}.'
    if _TIME_ONLY_RE.fullmatch(text):
        return f'"{text}" has a time but no date: write {DATETIME_FORMAT_HINT}.'
    return f'"{_echo(text)}" is not a date and time: write {DATETIME_FORMAT_HINT}.'


def _echo(text: str) -> str:
    return text if len(text) <= _ECHO_LIMIT else text[: _ECHO_LIMIT - 1] + "…"


def _format_wall_date(moment: datetime) -> str:
    return (
        f"{_DAY_ABBREVIATIONS[moment.weekday()]} {moment.day} "
        f"{_MONTH_ABBREVIATIONS[moment.month - 1]} {moment.year:04d}"
    )


def _format_wall(local_naive: datetime) -> str:
    # A naive wall time has no zone to show; the zone is named in the surrounding message.
    time_text = f"{local_naive.hour:02d}:{local_naive.minute:02d}"
    if local_naive.second or local_naive.microsecond:
        time_text += f":{local_naive.second:02d}"
    return f"{_format_wall_date(local_naive)} {time_text}"


def _wall_label(local_aware: datetime) -> str:
    time_text = f"{local_aware.hour:02d}:{local_aware.minute:02d}"
    if local_aware.second or local_aware.microsecond:
        time_text += f":{local_aware.second:02d}"
    return f"{time_text} {zone_abbreviation(local_aware)}"


def _format_offset(offset: timedelta) -> str:
    sign = "-" if offset < timedelta(0) else "+"
    total_minutes = abs(offset) // timedelta(minutes=1)
    return f"UTC{sign}{total_minutes // 60:02d}:{total_minutes % 60:02d}"
