"""The team's monthly feedback sheet: what goes on it (no drawing here; see ``audit.feedback_pdf``).

A QI lead prints one de-identified A4 page for the ward huddle: this month's figures beside the
previous month, the last 12 months and the targets; an SPC chart of NNAP uptake read by the
Making Data Count rules (``audit.spc``); the month's babies who did not get MgSO₄ in time, with
their reasons; the Pareto of reasons over 12 months; and "what we will try next month".

**Every figure comes from the audit's own metrics.** Each number on the sheet is a
``MetricValue`` (or a count of babies) taken from ``metrics.compute_from_rows`` for the
period it describes — the same function ``mgso4 report`` uses — so the sheet can never
disagree with the report for the same dates. Nothing here re-defines or re-counts a measure.
The headline reads the measures by their key in ``Metrics.measures``; adding a measure to the
sheet is one line in :data:`HEADLINE_MEASURES`.

**De-identified.** No names, NHS/CHI numbers, dates of birth, episode ids or free text reach
the sheet. A baby is referred to by the first :data:`REFERENCE_LENGTH` characters of the keyed
pseudonym used in de-identified exports (``audit.pseudonym``) and the baby number, so a QI lead
holding a de-identified export (or the JSON from ``mgso4 feedback --json``) can find the case,
and nobody without the key can.

**Small numbers.** With ``suppress_below = k`` (for a sheet that leaves the unit; off for
internal huddles) every count below k is shown as "<k" by the metrics' own rules
(``MetricValue.as_dict``), the case list is replaced by reason counts, chart points whose
percentage the report would hide are not drawn, and the chart is then not analysed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from fractions import Fraction
from typing import Final

from mgso4.audit.data import AuditData
from mgso4.audit.facts import BabyRow
from mgso4.audit.metrics import (
    Filters,
    Metrics,
    MetricValue,
    ReasonCount,
    compute_from_rows,
    percentage,
    select_rows,
    suppressed,
)
from mgso4.audit.pseudonym import check_key, pseudonym
from mgso4.audit.spc import PChart, SpcSettings, p_chart
from mgso4.core.outcome import AvoidableGroup, TimingClass
from mgso4.core.vocab import Situation

#: Headline measures, by their key in ``Metrics.measures``, in the order printed. The label on
#: the sheet is the metrics module's own. One line per measure: add a key to add a measure.
HEADLINE_MEASURES: Final[tuple[str, ...]] = (
    "nnap",
    "periprem_optimal",
    "bapm_optimal",
    "qs135_a",
    "qs135_b",
)
#: The measure the national targets and the SPC chart are about.
TARGET_MEASURE: Final = "nnap"
#: Where the default targets come from (reference §3.1, §4.1).
TARGET_SOURCE: Final = (
    "PReCePT national aim [Q6][Q8] and stretch [Q8]; an NNAP standard for MgSO₄ is UNVERIFIED; "
    "unit setting"
)
#: Situations at decision in the few words a table cell has room for (``Situation.label`` in
#: full on screen and in the proforma).
SITUATION_WORDS: Final[dict[Situation | None, str]] = {
    Situation.ESTABLISHED_LABOUR: "Established labour",
    Situation.PLANNED_BIRTH_WITHIN_24H: "Planned birth",
    Situation.SUSPECTED_LABOUR: "Suspected labour",
    Situation.DIAGNOSED_LABOUR: "Diagnosed labour",
    Situation.PPROM_NOT_IN_LABOUR: "P-PROM, no labour",
}
#: Characters of the pseudonym printed as a case reference.
REFERENCE_LENGTH: Final = 8
#: Months on the SPC chart (at most; fewer when the record is younger).
CHART_MONTHS: Final = 24
#: Cases listed by name-free reference on one page; more are counted, not listed.
MAX_CASE_ROWS: Final = 6
#: Longest "what we will try next month" (the export log keeps the same).
MAX_NOTE_LENGTH: Final = 600


class ChartPeriod(StrEnum):
    """What each point of the SPC chart covers (ids are stable; used by the CLI)."""

    MONTH = "month"
    QUARTER = "quarter"
    ROLLING_12 = "rolling12"

    @property
    def label(self) -> str:
        """Plain words."""
        return _PERIOD_LABELS[self]

    @property
    def short(self) -> str:
        """One or two words for a chart's subtitle."""
        return _PERIOD_SHORT[self]


_PERIOD_SHORT: Final = {
    ChartPeriod.MONTH: "Months",
    ChartPeriod.QUARTER: "3-month blocks",
    ChartPeriod.ROLLING_12: "Rolling 12 months",
}
_PERIOD_LABELS: Final = {
    ChartPeriod.MONTH: "Months",
    ChartPeriod.QUARTER: "Quarters (3-month blocks ending with the sheet's month)",
    ChartPeriod.ROLLING_12: "Rolling 12 months",
}


@dataclass(frozen=True, order=True, slots=True)
class YearMonth:
    """A calendar month (local dates of birth)."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 1900 <= self.year <= 9999:
            raise ValueError(f"{self.year:04d}-{self.month:02d} is not a month")

    @classmethod
    def parse(cls, text: str) -> YearMonth:
        """Read "YYYY-MM".

        Raises:
            ValueError: not a month in that form; the message says what was expected.
        """
        parts = text.strip().split("-")
        if len(parts) != 2 or not all(part.isdigit() for part in parts) or len(parts[0]) != 4:
            raise ValueError(f"{text!r} is not a month; write it as YYYY-MM, e.g. 2026-10")
        return cls(int(parts[0]), int(parts[1]))

    @classmethod
    def of(cls, day: date) -> YearMonth:
        """The month a date falls in."""
        return cls(day.year, day.month)

    def plus(self, months: int) -> YearMonth:
        """This month moved by a number of months (negative: earlier)."""
        index = self.year * 12 + self.month - 1 + months
        return YearMonth(index // 12, index % 12 + 1)

    @property
    def first_day(self) -> date:
        """The 1st."""
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        """The last day of the month."""
        return self.plus(1).first_day - timedelta(days=1)

    @property
    def iso(self) -> str:
        """ "2026-10"."""
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        """ "October 2026"."""
        return f"{_MONTH_NAMES[self.month - 1]} {self.year}"

    @property
    def short(self) -> str:
        """ "Oct 26"."""
        return f"{_MONTH_NAMES[self.month - 1][:3]} {self.year % 100:02d}"


_MONTH_NAMES: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class FeedbackOptions:
    """What the QI lead chose for one sheet.

    Attributes:
        month: The month the sheet is about.
        period: What each chart point covers.
        spc: Run lengths and the small-number rule (unit settings).
        target_percent: The NNAP target (85 by default).
        stretch_percent: The stretch target (95 by default).
        suppress_below: Show counts below this as "<k" (None: off, for internal huddles).
        note: "What we will try next month" (printed, and kept with the export log).
        workstations: Count only episodes made on these workstations (empty: all).
        include_training: Count training episodes (never, by default).
    """

    month: YearMonth
    period: ChartPeriod = ChartPeriod.MONTH
    spc: SpcSettings = field(default_factory=SpcSettings)
    target_percent: int = 85
    stretch_percent: int = 95
    suppress_below: int | None = None
    note: str = ""
    workstations: frozenset[str] = frozenset()
    include_training: bool = False

    def __post_init__(self) -> None:
        if len(self.note) > MAX_NOTE_LENGTH:
            raise ValueError(
                f"'What we will try next month' is {len(self.note)} characters; keep it to "
                f"{MAX_NOTE_LENGTH}."
            )
        if self.suppress_below is not None and self.suppress_below < 2:
            raise ValueError("Small-number suppression needs a threshold of at least 2.")
        if not 0 < self.target_percent <= self.stretch_percent <= 100:
            raise ValueError(
                f"Targets {self.target_percent} % and {self.stretch_percent} % must be "
                "between 1 and 100, the stretch target not below the target."
            )

    @property
    def filters(self) -> Filters:
        """The metrics filters for the sheet (no band or outcome filter: they would change
        what the measures mean)."""
        return Filters(workstations=self.workstations, include_training=self.include_training)


@dataclass(frozen=True, slots=True)
class Shown:
    """A MetricValue as the sheet shows it (after suppression, by the metrics' own rules)."""

    numerator: int | str
    denominator: int | str
    percentage: str
    #: Small-number suppression hides a percentage that exists.
    suppressed: bool = False

    @property
    def fraction_text(self) -> str:
        """ "12/15"."""
        return f"{self.numerator}/{self.denominator}"

    @classmethod
    def of(cls, value: MetricValue, suppress_below: int | None) -> Shown:
        """Display values of a metric, suppressed exactly as the report suppresses them."""
        data = value.as_dict(suppress_below=suppress_below, include_members=False)
        numerator, denominator = data["numerator"], data["denominator"]
        assert isinstance(numerator, int | str) and isinstance(denominator, int | str)
        # The report's percentage (None when empty or suppressed), printed as the metrics
        # module rounds it (one decimal place, half up).
        hidden = data["percentage"] is None or value.percentage is None
        return cls(
            numerator,
            denominator,
            "—" if hidden else f"{value.percentage} %",
            suppressed=hidden and value.percentage is not None,
        )


@dataclass(frozen=True)
class HeadlineRow:
    """One measure: this month, the month before, the last 12 months, and its target."""

    key: str
    label: str
    this_month: MetricValue
    previous_month: MetricValue
    last_12_months: MetricValue
    target: str | None


@dataclass(frozen=True, slots=True)
class CaseRow:
    """A baby not given MgSO₄ in time this month, without anything that identifies them.

    ``episode_uuid`` is kept for the command line's look-up list and never printed.
    """

    reference: str
    baby: int
    band: str
    situation: str
    code: str
    reason: str
    group: AvoidableGroup
    episode_uuid: str


@dataclass(frozen=True)
class ChartData:
    """The SPC chart and what is printed around it."""

    chart: PChart
    period: ChartPeriod
    title: str
    subtitle: str
    tick_labels: tuple[str, ...]
    hidden: frozenset[int]
    mean_text: str | None
    date_from: date | None
    date_to: date | None


@dataclass(frozen=True)
class FeedbackSheet:
    """Everything printed on one feedback sheet."""

    options: FeedbackOptions
    made_at: datetime
    record_name: str
    chain_heads: dict[str, str]
    units: tuple[str, ...]
    headline: tuple[HeadlineRow, ...]
    chart: ChartData
    month_metrics: Metrics
    year_metrics: Metrics
    cases: tuple[CaseRow, ...]
    late_babies: int
    not_met_babies: int

    @property
    def month(self) -> YearMonth:
        """The sheet's month."""
        return self.options.month

    @property
    def suppress_below(self) -> int | None:
        """The small-number threshold, or None."""
        return self.options.suppress_below

    def shown(self, value: MetricValue) -> Shown:
        """A metric as printed on this sheet."""
        return Shown.of(value, self.suppress_below)

    def count(self, value: int) -> int | str:
        """A count of babies as printed on this sheet ("<k" when suppressed)."""
        return suppressed(value, self.suppress_below)

    @property
    def year_reasons(self) -> tuple[ReasonCount, ...]:
        """Why eligible babies did not get MgSO₄ in the window, over the last 12 months."""
        return self.year_metrics.nnap_not_met_reasons

    @property
    def babies_in_month(self) -> int:
        """Classified babies born in the month (the export log's row count)."""
        return self.month_metrics.babies


def build_feedback(
    data: AuditData,
    options: FeedbackOptions,
    *,
    key: bytes,
    made_at: datetime,
    chain_heads: dict[str, str] | None = None,
) -> FeedbackSheet:
    """Everything on the sheet for one month of a record.

    Args:
        data: The record, read once (``load_audit_data``).
        options: The month and the QI lead's choices.
        key: The installation's pseudonym key (``load_or_create_key``).
        made_at: When the sheet is made (UTC), printed on it.
        chain_heads: The record's chain head per workstation (printed, shortened).

    Raises:
        AuditError: the pseudonym key is too short.
    """
    check_key(key)
    month = options.month
    filters = options.filters
    earliest = month.plus(-(CHART_MONTHS + 11)).first_day
    # One pass over the record; every period below is counted from these rows by the same
    # function the report uses, with its own date range.
    window = select_rows(data.rows, date_from=earliest, date_to=month.last_day, filters=filters)

    def metrics_for(first: YearMonth, last: YearMonth) -> Metrics:
        return compute_from_rows(
            window, date_from=first.first_day, date_to=last.last_day, filters=filters
        )

    this = metrics_for(month, month)
    previous = metrics_for(month.plus(-1), month.plus(-1))
    year = metrics_for(month.plus(-11), month)
    headline = tuple(
        HeadlineRow(
            key=key_,
            label=this.measures[key_].label,
            this_month=this.measures[key_],
            previous_month=previous.measures[key_],
            last_12_months=year.measures[key_],
            target=(
                f"{options.target_percent} % (stretch {options.stretch_percent} %)"
                if key_ == TARGET_MEASURE
                else None
            ),
        )
        for key_ in HEADLINE_MEASURES
        if key_ in this.measures
    )
    first_month = _first_month(data, filters)
    chart = _chart(window, options, first_month, metrics_for)
    cases = _cases(this, key)
    late = sum(r.count for r in this.timing_classes if r.code == TimingClass.LATE.value)
    not_met = sum(r.count for r in this.nnap_not_met_reasons)
    units = tuple(sorted({row.episode.unit_name for row in (*year.rows, *year.problems)}))
    return FeedbackSheet(
        options=options,
        made_at=made_at,
        record_name=data.path.name,
        chain_heads=dict(chain_heads or {}),
        units=units,
        headline=headline,
        chart=chart,
        month_metrics=this,
        year_metrics=year,
        cases=cases,
        late_babies=late,
        not_met_babies=not_met,
    )


def _first_month(data: AuditData, filters: Filters) -> YearMonth | None:
    """The first month with a birth in the record (the chart never reaches before it)."""
    dates = [
        row.birth_date_local
        for row in data.rows
        if (filters.include_training or not row.episode.training)
        and (not filters.workstations or row.episode.workstation_id in filters.workstations)
    ]
    return YearMonth.of(min(dates)) if dates else None


def _cases(this: Metrics, key: bytes) -> tuple[CaseRow, ...]:
    """Babies not given MgSO₄ in the 24 h window, then those given late, each by birth time."""
    not_met = [ref for reason in this.nnap_not_met_reasons for ref in reason.babies]
    late = [
        ref
        for reason in this.timing_classes
        if reason.code == TimingClass.LATE.value
        for ref in reason.babies
    ]
    cases: list[CaseRow] = []
    for refs in (not_met, late):
        rows = [row for row in (this.row(ref) for ref in refs) if row is not None]
        rows.sort(key=lambda row: (row.birth.born_at, row.birth.baby))
        cases += [_case(row, key) for row in rows]
    return tuple(cases)


def _case(row: BabyRow, key: bytes) -> CaseRow:
    episode = row.episode
    reason = row.reason
    return CaseRow(
        reference=pseudonym(key, episode.id_type, episode.identifier)[:REFERENCE_LENGTH],
        baby=row.birth.baby,
        band=row.band.label,
        situation=SITUATION_WORDS.get(episode.situation, "not recorded"),
        code="" if reason is None else reason.code,
        reason="" if reason is None else reason.label,
        group="review" if reason is None else reason.group,
        episode_uuid=episode.episode_uuid,
    )


# --- the chart -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Point:
    label: str
    first: YearMonth
    last: YearMonth


def _points(options: FeedbackOptions, first_month: YearMonth | None) -> list[_Point]:
    month = options.month
    start = month.plus(-(CHART_MONTHS - 1))
    if first_month is not None and first_month > start:
        start = first_month
    if options.period is ChartPeriod.MONTH:
        count = max(0, (month.year - start.year) * 12 + month.month - start.month + 1)
        months = [start.plus(i) for i in range(count)]
        return [_Point(m.short, m, m) for m in months]
    if options.period is ChartPeriod.QUARTER:
        blocks = []
        last = month
        while last.plus(-2) >= start:
            first = last.plus(-2)
            blocks.append(_Point(f"{first.short}–{last.short}", first, last))
            last = last.plus(-3)
        return blocks[::-1]
    points = []
    for back in range(CHART_MONTHS - 1, -1, -1):
        last = month.plus(-back)
        first = last.plus(-11)
        if first_month is not None and first < first_month:
            continue
        points.append(_Point(f"to {last.short}", first, last))
    return points


def _chart(
    window: Sequence[BabyRow],
    options: FeedbackOptions,
    first_month: YearMonth | None,
    metrics_for: Callable[[YearMonth, YearMonth], Metrics],
) -> ChartData:
    points = _points(options, first_month)
    values = [metrics_for(point.first, point.last).measures[TARGET_MEASURE] for point in points]
    k = options.suppress_below
    shown = [Shown.of(value, k) for value in values]
    hidden = frozenset(
        i for i, item in enumerate(shown) if k is not None and item.percentage == "—"
    )
    unit = {ChartPeriod.MONTH: "months", ChartPeriod.QUARTER: "quarters"}.get(
        options.period, "points"
    )
    reason: str | None = None
    if options.period is ChartPeriod.ROLLING_12:
        reason = (
            "No limits or signals: rolling 12-month figures overlap (each month is in 12 "
            "points), so SPC rules do not apply; read the direction of travel only."
        )
    elif hidden:
        reason = (
            f"No limits or signals drawn: small-number suppression hides {len(hidden)} of "
            f"{len(points)} {unit}."
        )
    targets = [
        ("Target", Fraction(options.target_percent, 100)),
        ("Stretch", Fraction(options.stretch_percent, 100)),
    ]
    chart = p_chart(
        [point.label for point in points],
        [value.n for value in values],
        [value.d for value in values],
        options.spc,
        targets=targets,
        unit=unit,
        not_analysed_reason=reason,
    )
    total_n = sum(value.n for value in values)
    total_d = sum(value.d for value in values)
    mean = percentage(total_n, total_d) if chart.centre is not None else None
    date_from = points[0].first.first_day if points else None
    date_to = points[-1].last.last_day if points else None
    period_words = (
        f"{points[0].first.short} to {points[-1].last.short}" if points else "no births yet"
    )
    denominator = suppressed(total_d, k) if options.period is not ChartPeriod.ROLLING_12 else None
    subtitle = f"{options.period.short}, {period_words}"
    if denominator is not None:
        subtitle += f"; {denominator} eligible babies in all"
    tick_labels = tuple(
        f"{point.label} n={item.denominator}" for point, item in zip(points, shown, strict=True)
    )
    return ChartData(
        chart=chart,
        period=options.period,
        title="NNAP: MgSO₄ in the 24 h before birth, babies born before 30+0",
        subtitle=subtitle,
        tick_labels=tick_labels,
        hidden=hidden,
        mean_text=None if mean is None else f"{mean} %",
        date_from=date_from,
        date_to=date_to,
    )
