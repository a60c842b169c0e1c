"""Audit metrics over many births: NNAP, NICE QS135, BAPM/PERIPrem, ANZNN, missed-case reasons.

Every number is computed from :class:`~mgso4.audit.facts.BabyRow` rows, which are classified by
``core.outcome.classify`` — the fixed definitions of decisions.md §10. Nothing here re-defines a
measure; this module only counts. Each count keeps the list of babies behind it (episode uuid
and baby number), so any number on screen can be opened to the cases that make it.

Counting unit: **one row per baby** (twins count twice, each with its own birth time and
gestation). NNAP's handling of multiples is UNVERIFIED (reference §4.1), so the unit is stated
on every output.

Populations:

- NNAP [E1][E2]: babies born before 30+0; met = MgSO₄ in the 24 h before birth.
- NICE QS135 (a) and (b) [N2]: gestation at decision 24+0–29+6 with established labour (a) or
  planned birth (b); (a) met = received at all before birth, (b) met = received in the 24 h
  before birth.
- BAPM/PERIPrem optimal [B1][P1][P2]: born before 30+0; met = load started > 4 h and < 24 h
  before birth.
- PERIPrem "could it have been optimal?" [P2]: of BAPM-eligible babies whose eligibility time is
  known, those where more than 4 h passed between eligibility and birth (or it was optimal).
  "Optimal when it could have been" divides optimal by could-have-been.
- ANZNN timing codes [Z2]: every classified baby in the selection, by code.
- Missed-case reasons (reference §3.3, decisions.md §9): among NNAP-eligible babies, missed
  cases (none given) by recorded reason; timing classes (G-LATE, G-EXPIRED) separately. The
  "why NNAP was not met" list joins missed cases and expired courses (the two ways an eligible
  baby ends up without MgSO₄ in the window).

Date ranges are on the **local calendar date of birth** (Europe/London by default), inclusive at
both ends. Pending episodes (no birth recorded) are listed apart and counted in no denominator.
Rows with a data problem are listed apart and counted in no denominator.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import cached_property
from typing import Final

from mgso4.audit.facts import (
    BabyRef,
    BabyRow,
    EpisodeFacts,
    GestationBand,
    anznn_counts_order,
)
from mgso4.core.outcome import AnznnCode, AvoidableGroup, Classification, TimingClass

#: The counting unit, stated on every output because sources differ (reference §4.1).
COUNTING_UNIT: Final = "baby (twins count as two babies from one maternal episode)"


class OutcomeFilter(StrEnum):
    """Restrict the selection to babies with one outcome (ids are stable; used by the CLI)."""

    ALL = "all"
    NNAP_MET = "nnap-met"
    NNAP_NOT_MET = "nnap-not-met"
    OPTIMAL = "optimal"
    NOT_OPTIMAL = "not-optimal"
    LATE = "late"
    EXPIRED = "expired"
    MISSED = "missed"

    @property
    def label(self) -> str:
        """Plain words."""
        return _OUTCOME_LABELS[self]


_OUTCOME_LABELS: Final = {
    OutcomeFilter.ALL: "All outcomes",
    OutcomeFilter.NNAP_MET: "NNAP met (MgSO₄ in the 24 h before birth, < 30+0)",
    OutcomeFilter.NNAP_NOT_MET: "NNAP not met (< 30+0, no MgSO₄ in the 24 h before birth)",
    OutcomeFilter.OPTIMAL: "Optimal (load > 4 h and < 24 h before birth, < 30+0)",
    OutcomeFilter.NOT_OPTIMAL: "Not optimal (< 30+0)",
    OutcomeFilter.LATE: "Late: started < 4 h before birth (G-LATE)",
    OutcomeFilter.EXPIRED: "Expired: ended > 24 h before birth (G-EXPIRED)",
    OutcomeFilter.MISSED: "Missed case: none given (< 30+0)",
}


@dataclass(frozen=True, slots=True)
class Filters:
    """Which babies to count besides the date range.

    Attributes:
        bands: Gestation bands at birth to keep; empty keeps all.
        outcome: Keep only babies with this outcome.
        workstations: Workstation ids (where the episode was created) to keep; empty keeps all.
        include_training: Count episodes created in training mode (never, by default).
    """

    bands: frozenset[GestationBand] = frozenset()
    outcome: OutcomeFilter = OutcomeFilter.ALL
    workstations: frozenset[str] = frozenset()
    include_training: bool = False

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "bands": sorted(band.value for band in self.bands),
            "outcome": self.outcome.value,
            "workstations": sorted(self.workstations),
            "include_training": self.include_training,
        }


def percentage(numerator: int, denominator: int) -> Decimal | None:
    """numerator / denominator × 100 to one decimal place (half up); None if denominator is 0."""
    if denominator == 0:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def suppressed(count: int, suppress_below: int | None) -> int | str:
    """A count, or "<k" when small-number suppression hides it (count < k)."""
    if suppress_below is not None and count < suppress_below:
        return f"<{suppress_below}"
    return count


@dataclass(frozen=True, slots=True)
class MetricValue:
    """numerator / denominator with the babies behind both."""

    key: str
    label: str
    definition: str
    numerator: tuple[BabyRef, ...]
    denominator: tuple[BabyRef, ...]

    @property
    def n(self) -> int:
        """Numerator count."""
        return len(self.numerator)

    @property
    def d(self) -> int:
        """Denominator count."""
        return len(self.denominator)

    @property
    def percentage(self) -> Decimal | None:
        """Percentage to one decimal place; None when the denominator is empty."""
        return percentage(self.n, self.d)

    def as_dict(
        self, *, suppress_below: int | None = None, include_members: bool = True
    ) -> dict[str, object]:
        """JSON-ready form; with suppression (k), small counts are hidden.

        Primary suppression: a count below k is shown as "<k". Complementary suppression: when
        both counts are shown but denominator − numerator is below k (so the small complement
        could be worked out), the numerator is shown as the range ">d−k". Whenever anything is
        suppressed the percentage is left out, and member lists are always left out under
        suppression (they would undo it).
        """
        numerator: int | str = self.n
        denominator: int | str = self.d
        shown_percentage: float | None = None if self.percentage is None else float(self.percentage)
        members = include_members
        if suppress_below is not None:
            numerator = suppressed(self.n, suppress_below)
            denominator = suppressed(self.d, suppress_below)
            complement = self.d - self.n
            if (
                isinstance(numerator, int)
                and isinstance(denominator, int)
                and (0 < complement < suppress_below)
            ):
                numerator = f">{self.d - suppress_below}"
            if isinstance(numerator, str) or isinstance(denominator, str):
                shown_percentage = None
            members = False
        result: dict[str, object] = {
            "key": self.key,
            "label": self.label,
            "definition": self.definition,
            "numerator": numerator,
            "denominator": denominator,
            "percentage": shown_percentage,
        }
        if members:
            result["numerator_babies"] = [ref.as_dict() for ref in self.numerator]
            result["denominator_babies"] = [ref.as_dict() for ref in self.denominator]
        return result


@dataclass(frozen=True, slots=True)
class ReasonCount:
    """One reason code with the babies it explains."""

    code: str
    label: str
    group: AvoidableGroup
    babies: tuple[BabyRef, ...]

    @property
    def count(self) -> int:
        """How many babies."""
        return len(self.babies)


@dataclass(frozen=True, slots=True)
class MonthPoint:
    """NNAP uptake in one calendar month of birth (local)."""

    month: str
    numerator: int
    denominator: int

    @property
    def percentage(self) -> Decimal | None:
        """Uptake %, None for a month with no eligible birth."""
        return percentage(self.numerator, self.denominator)


@dataclass(frozen=True)
class Metrics:
    """Every audit number for one selection (date range + filters)."""

    date_from: date | None
    date_to: date | None
    filters: Filters
    rows: tuple[BabyRow, ...]
    problems: tuple[BabyRow, ...]
    pending: tuple[EpisodeFacts, ...]
    measures: dict[str, MetricValue]
    anznn: dict[AnznnCode, MetricValue]
    missed_reasons: tuple[ReasonCount, ...]
    timing_classes: tuple[ReasonCount, ...]
    nnap_not_met_reasons: tuple[ReasonCount, ...]
    monthly_nnap: tuple[MonthPoint, ...]
    hours_load_to_birth: tuple[float, ...]

    @property
    def babies(self) -> int:
        """Classified babies in the selection."""
        return len(self.rows)

    @property
    def episodes(self) -> int:
        """Maternal episodes behind the classified babies."""
        return len({row.episode.episode_uuid for row in self.rows})

    @property
    def monthly_median(self) -> Decimal | None:
        """Median of the monthly NNAP percentages (months with an eligible birth)."""
        values = [p.percentage for p in self.monthly_nnap if p.percentage is not None]
        if not values:
            return None
        return Decimal(str(statistics.median(values))).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )

    @cached_property
    def _index(self) -> dict[BabyRef, BabyRow]:
        return {row.ref: row for row in (*self.rows, *self.problems)}

    def row(self, ref: BabyRef) -> BabyRow | None:
        """The row behind a reference, for drill-down lists."""
        return self._index.get(ref)

    def as_dict(
        self, *, suppress_below: int | None = None, include_members: bool = True
    ) -> dict[str, object]:
        """JSON-ready form for ``mgso4 report --json`` and dashboards."""

        def reasons(items: Sequence[ReasonCount]) -> list[dict[str, object]]:
            out: list[dict[str, object]] = []
            for item in items:
                entry: dict[str, object] = {
                    "code": item.code,
                    "label": item.label,
                    "group": item.group,
                    "count": suppressed(item.count, suppress_below),
                }
                if include_members and suppress_below is None:
                    entry["babies"] = [ref.as_dict() for ref in item.babies]
                out.append(entry)
            return out

        return {
            "date_from": None if self.date_from is None else self.date_from.isoformat(),
            "date_to": None if self.date_to is None else self.date_to.isoformat(),
            "date_basis": "local calendar date of birth, inclusive",
            "filters": self.filters.as_dict(),
            "counting_unit": COUNTING_UNIT,
            "suppress_below": suppress_below,
            "babies": suppressed(self.babies, suppress_below),
            "episodes": suppressed(self.episodes, suppress_below),
            "measures": {
                key: m.as_dict(suppress_below=suppress_below, include_members=include_members)
                for key, m in self.measures.items()
            },
            "anznn": {
                code.value: m.as_dict(
                    suppress_below=suppress_below, include_members=include_members
                )
                for code, m in self.anznn.items()
            },
            "missed_reasons": reasons(self.missed_reasons),
            "timing_classes": reasons(self.timing_classes),
            "nnap_not_met_reasons": reasons(self.nnap_not_met_reasons),
            "monthly_nnap": [
                {
                    "month": p.month,
                    "numerator": suppressed(p.numerator, suppress_below),
                    "denominator": suppressed(p.denominator, suppress_below),
                    "percentage": (
                        None
                        if p.percentage is None
                        or (
                            suppress_below is not None
                            and min(p.numerator, p.denominator - p.numerator) < suppress_below
                        )
                        else float(p.percentage)
                    ),
                }
                for p in self.monthly_nnap
            ],
            "monthly_nnap_median": (
                None if self.monthly_median is None else float(self.monthly_median)
            ),
            "problems": [
                {"episode_uuid": r.episode.episode_uuid, "baby": r.birth.baby, "problem": r.problem}
                for r in self.problems
            ]
            if suppress_below is None
            else suppressed(len(self.problems), suppress_below),
            "pending": [{"episode_uuid": p.episode_uuid, "status": p.status} for p in self.pending]
            if suppress_below is None
            else suppressed(len(self.pending), suppress_below),
        }


# --- computing ----------------------------------------------------------------------------------

MEASURE_DEFINITIONS: Final[dict[str, tuple[str, str]]] = {
    "nnap": (
        "NNAP: MgSO₄ in the 24 h before birth",
        "Babies born before 30+0 whose mother received MgSO₄ in the 24 h before delivery [E1][E2].",
    ),
    "qs135_a": (
        "NICE QS135 (a): established labour, received",
        "Women (counted once each, not per baby) at 24+0–29+6 at decision in established "
        "preterm labour who received MgSO₄ [N2]. Gestation at decision is "
        "used (UNVERIFIED which QS135 means).",
    ),
    "qs135_b": (
        "NICE QS135 (b): planned birth, in the 24 h before",
        "Women (counted once each, not per baby) at 24+0–29+6 at decision with a planned "
        "preterm birth who received MgSO₄ in the 24 h before birth [N2].",
    ),
    "nnap_excluded": (
        "NNAP: excluded (not admitted for neonatal care)",
        "Of babies born before 30+0, those recorded at birth as not admitted for neonatal care "
        "(died in the delivery room, comfort care, not admitted): outside NNAP's denominator, "
        "which counts babies admitted to a neonatal unit [E2] (exact inclusion wording "
        "UNVERIFIED, reference §4.1).",
    ),
    "periprem_optimal": (
        "PERIPrem optimal (> 4 h and < 24 h)",
        "Babies born before 30+0 whose mother's loading dose started more than 4 h and less "
        "than 24 h before birth [P1][P2].",
    ),
    "periprem_received_any": (
        "PERIPrem: received any MgSO₄ before birth",
        "Babies born before 30+0 whose mother received any MgSO₄ before birth, with no 24 h "
        "window [P2].",
    ),
    "periprem_could_have_been_optimal": (
        "PERIPrem: could it have been optimal?",
        "Of babies born before 30+0 whose mother was given MgSO₄ and whose eligibility time is "
        "known, those with more than 4 h between eligibility and birth, or optimally treated; "
        "asked only when MgSO₄ was given, as the PERIPrem Optimisation Tool asks it [P2].",
    ),
    "periprem_optimal_when_possible": (
        "PERIPrem optimal when it could have been",
        "Of babies whose MgSO₄ could have been optimal, those for whom it was [P2].",
    ),
    "optimal_timing_possible": (
        "Missed opportunity: optimal timing was possible",
        "Not a PERIPrem measure: of babies born before 30+0 with a known eligibility time, "
        "given MgSO₄ or not, those with more than 4 h between eligibility and birth, or "
        "optimally treated.",
    ),
    "bapm_optimal": (
        "BAPM optimal (load and ≥ 4 h of infusion)",
        "Babies born before 30+0 whose mother received a loading dose and at least 4 h of "
        "infusion within the 24 h before birth [B1].",
    ),
}

_ANZNN_LABELS: Final = {
    AnznnCode.NOT_GIVEN: "Not given",
    AnznnCode.STOPPED_OVER_24H_BEFORE_BIRTH: "Stopped > 24 h before birth",
    AnznnCode.STARTED_OVER_24H_STOPPED_WITHIN_24H: "Started > 24 h before, stopped < 24 h",
    AnznnCode.STARTED_4_TO_24H_BEFORE_BIRTH: "Started 4–24 h before birth",
    AnznnCode.STARTED_UNDER_4H_BEFORE_BIRTH: "Started < 4 h before birth",
}


def anznn_label(code: AnznnCode) -> str:
    """Plain words for an ANZNN timing code [Z2]."""
    return _ANZNN_LABELS[code]


def select_rows(
    rows: Iterable[BabyRow],
    *,
    date_from: date | None,
    date_to: date | None,
    filters: Filters,
) -> list[BabyRow]:
    """Rows whose local birth date is in [date_from, date_to] and that pass the filters.

    Rows with a data problem pass or fail on date, band, workstation and training only (they
    have no outcome); the outcome filter drops them unless it is "all".

    Raises:
        ValueError: ``date_from`` is after ``date_to``.
    """
    if date_from is not None and date_to is not None and date_from > date_to:
        raise ValueError(
            f"The start date {date_from.isoformat()} is after the end date "
            f"{date_to.isoformat()}; swap them or choose another range."
        )
    keep = _OUTCOME_TESTS[filters.outcome]
    selected = []
    for row in rows:
        if date_from is not None and row.birth_date_local < date_from:
            continue
        if date_to is not None and row.birth_date_local > date_to:
            continue
        if row.episode.training and not filters.include_training:
            continue
        if filters.bands and row.band not in filters.bands:
            continue
        if filters.workstations and row.episode.workstation_id not in filters.workstations:
            continue
        if filters.outcome is not OutcomeFilter.ALL and (
            row.classification is None or not keep(row)
        ):
            continue
        selected.append(row)
    return selected


_OUTCOME_TESTS: Final[dict[OutcomeFilter, Callable[[BabyRow], bool]]] = {
    OutcomeFilter.ALL: lambda row: True,
    OutcomeFilter.NNAP_MET: lambda row: (
        row.classification is not None and row.classification.nnap.met
    ),
    OutcomeFilter.NNAP_NOT_MET: lambda row: (
        row.classification is not None
        and row.classification.nnap.eligible
        and not row.classification.nnap.met
    ),
    OutcomeFilter.OPTIMAL: lambda row: (
        row.classification is not None and row.classification.periprem_optimal.met
    ),
    OutcomeFilter.NOT_OPTIMAL: lambda row: (
        row.classification is not None
        and row.classification.periprem_optimal.eligible
        and not row.classification.periprem_optimal.met
    ),
    OutcomeFilter.LATE: lambda row: row.timing_class is TimingClass.LATE,
    OutcomeFilter.EXPIRED: lambda row: row.timing_class is TimingClass.EXPIRED,
    OutcomeFilter.MISSED: lambda row: row.missed,
}


def compute_from_rows(
    rows: Iterable[BabyRow],
    pending: Iterable[EpisodeFacts] = (),
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    filters: Filters | None = None,
) -> Metrics:
    """Every metric for the selected rows (see the module docstring for each population).

    Raises:
        ValueError: ``date_from`` is after ``date_to``.
    """
    filters = filters or Filters()
    selected = select_rows(rows, date_from=date_from, date_to=date_to, filters=filters)
    classified = [row for row in selected if row.classification is not None]
    problems = tuple(row for row in selected if row.classification is None)
    pending_selected = tuple(
        episode
        for episode in pending
        if (filters.include_training or not episode.training)
        and (not filters.workstations or episode.workstation_id in filters.workstations)
    )

    measures = _measures(classified)
    everyone = tuple(r.ref for r in classified)
    by_code: dict[AnznnCode, list[BabyRef]] = defaultdict(list)
    for row in classified:
        by_code[_cl(row).anznn].append(row.ref)
    anznn = {
        code: MetricValue(
            key=f"anznn:{code.value}",
            label=anznn_label(code),
            definition=f"ANZNN MgSO₄ timing code {code.value} [Z2].",
            numerator=tuple(by_code.get(code, ())),
            denominator=everyone,
        )
        for code in anznn_counts_order()
    }
    eligible = [row for row in classified if _cl(row).nnap.eligible]
    missed = _count_reasons(row for row in eligible if row.missed)
    timing = _count_reasons(row for row in eligible if row.timing_class is not None)
    not_met = _count_reasons(
        row
        for row in eligible
        if not _cl(row).nnap.met and (row.missed or row.timing_class is TimingClass.EXPIRED)
    )
    hours = tuple(
        row.hours_load_to_birth for row in classified if row.hours_load_to_birth is not None
    )
    return Metrics(
        date_from=date_from,
        date_to=date_to,
        filters=filters,
        rows=tuple(classified),
        problems=problems,
        pending=pending_selected,
        measures=measures,
        anznn=anznn,
        missed_reasons=missed,
        timing_classes=timing,
        nnap_not_met_reasons=not_met,
        monthly_nnap=_monthly(eligible),
        hours_load_to_birth=hours,
    )


def _cl(row: BabyRow) -> Classification:
    # Only called on classified rows; keeps the comprehensions readable.
    assert row.classification is not None
    return row.classification


_Pair = tuple[BabyRow, Classification]


def _measures(rows: Sequence[BabyRow]) -> dict[str, MetricValue]:
    # Each row's classification is looked up once; every population below is a filtered list
    # of (row, classification) in row order, so numerators and denominators keep that order.
    pairs: list[_Pair] = [(row, _cl(row)) for row in rows]

    def metric(
        key: str, members: Sequence[_Pair], met: Callable[[Classification], bool]
    ) -> MetricValue:
        label, definition = MEASURE_DEFINITIONS[key]
        return MetricValue(
            key=key,
            label=label,
            definition=definition,
            numerator=tuple(row.ref for row, cl in members if met(cl)),
            denominator=tuple(row.ref for row, _ in members),
        )

    def per_woman(members: Iterable[_Pair]) -> list[_Pair]:
        return [(row, _cl(row)) for row in _per_woman(row for row, _ in members)]

    nnap = [(r, c) for r, c in pairs if c.nnap.eligible]
    periprem = [(r, c) for r, c in pairs if c.periprem_optimal.eligible]
    periprem_known = [
        (r, c) for r, c in periprem if c.periprem_optimal.could_have_been_optimal is not None
    ]
    return {
        "nnap": metric("nnap", nnap, lambda c: c.nnap.met),
        # QS135 counts women, not babies: one row per episode (its first
        # baby), so twins count their mother once.
        "nnap_excluded": metric("nnap_excluded", periprem, lambda c: c.nnap_excluded is not None),
        "qs135_a": metric(
            "qs135_a",
            per_woman((r, c) for r, c in pairs if c.qs135.eligible and c.qs135.measure == "a"),
            lambda c: c.qs135.met,
        ),
        "qs135_b": metric(
            "qs135_b",
            per_woman((r, c) for r, c in pairs if c.qs135.eligible and c.qs135.measure == "b"),
            lambda c: c.qs135.met,
        ),
        "periprem_optimal": metric("periprem_optimal", periprem, lambda c: c.periprem_optimal.met),
        "periprem_received_any": metric(
            "periprem_received_any", periprem, lambda c: c.periprem_optimal.received_any
        ),
        "periprem_could_have_been_optimal": metric(
            "periprem_could_have_been_optimal",
            periprem_known,
            lambda c: c.periprem_optimal.could_have_been_optimal is True,
        ),
        "periprem_optimal_when_possible": metric(
            "periprem_optimal_when_possible",
            [
                (r, c)
                for r, c in periprem_known
                if c.periprem_optimal.could_have_been_optimal is True
            ],
            lambda c: c.periprem_optimal.met,
        ),
        "optimal_timing_possible": metric(
            "optimal_timing_possible",
            [(r, c) for r, c in periprem if c.periprem_optimal.optimal_timing_possible is not None],
            lambda c: c.periprem_optimal.optimal_timing_possible is True,
        ),
        "bapm_optimal": metric(
            "bapm_optimal",
            [(r, c) for r, c in pairs if c.bapm_optimal.eligible],
            lambda c: c.bapm_optimal.met,
        ),
    }


def _per_woman(rows: Iterable[BabyRow]) -> list[BabyRow]:
    """One row per episode (woman): her first baby's, in baby order."""
    chosen: dict[str, BabyRow] = {}
    for row in sorted(rows, key=lambda r: (r.ref.episode_uuid, r.ref.baby)):
        chosen.setdefault(row.ref.episode_uuid, row)
    return list(chosen.values())


def _count_reasons(rows: Iterable[BabyRow]) -> tuple[ReasonCount, ...]:
    """Reasons with their babies, most frequent first (ties by code, for a stable order)."""
    by_code: dict[str, list[BabyRow]] = defaultdict(list)
    for row in rows:
        if row.reason is not None:
            by_code[row.reason.code].append(row)
    counts = [
        ReasonCount(
            code=code,
            label=members[0].reason.label if members[0].reason else code,
            group=members[0].reason.group if members[0].reason else "review",
            babies=tuple(r.ref for r in members),
        )
        for code, members in by_code.items()
    ]
    counts.sort(key=lambda item: (-item.count, item.code))
    return tuple(counts)


def _monthly(eligible: Sequence[BabyRow]) -> tuple[MonthPoint, ...]:
    """NNAP per local birth month, every month from the first to the last (empty months kept)."""
    if not eligible:
        return ()
    counts: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for row in eligible:
        key = (row.birth_date_local.year, row.birth_date_local.month)
        counts[key][1] += 1
        if _cl(row).nnap.met:
            counts[key][0] += 1
    first, last = min(counts), max(counts)
    points = []
    year, month = first
    while (year, month) <= last:
        numerator, denominator = counts.get((year, month), [0, 0])
        points.append(MonthPoint(f"{year:04d}-{month:02d}", numerator, denominator))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(points)
