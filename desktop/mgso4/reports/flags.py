"""Marks for abnormal observation values on paper: a symbol and a word, never colour alone.

The judgement is :func:`mgso4.core.monitoring.evaluate` (the protocol's stop triggers,
decisions.md §7); this module only turns each finding into a mark on the table cell of the value
it concerns, and a line of detail with the source and "local setting" where that applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from mgso4.core.episode import Observation
from mgso4.core.monitoring import Finding, evaluate
from mgso4.core.protocol import Protocol

LOW: Final = "▼ LOW"
FALL: Final = "▼ FALL"
ABSENT: Final = "✗ ABSENT"
REDUCED: Final = "▼ REDUCED"

#: Finding code -> (observation field whose cell is marked, mark). Codes are stable ids
#: (core.monitoring.Finding). A code not listed here is still printed in the details.
_MARKS: Final[dict[str, tuple[str, str]]] = {
    "rr-low": ("rr_per_min", LOW),
    "rr-fall": ("rr_per_min", FALL),
    "reflexes-absent": ("reflexes", ABSENT),
    "reflexes-reduced": ("reflexes", REDUCED),
    "urine-low": ("urine_ml", LOW),
    "diastolic-fall": ("diastolic_mmhg", FALL),
    "spo2-low": ("spo2_percent", LOW),
}


@dataclass(frozen=True, slots=True)
class ObservationFlag:
    """One finding about an observation, for printing.

    Attributes:
        field: The observation field whose cell carries the mark, or "" for none.
        mark: Symbol and word, e.g. "▼ LOW"; "" when the finding marks no cell.
        detail: The finding's message with its source and "local setting" where it applies.
        severity: "stop", "warning" or "info" (core.monitoring).
    """

    field: str
    mark: str
    detail: str
    severity: str


def _detail(finding: Finding) -> str:
    local = " (local setting)" if finding.local_setting else ""
    return f"{finding.message} {finding.source}{local}"


def flag_observation(observation: Observation, protocol: Protocol) -> list[ObservationFlag]:
    """The printed marks for one set of observations, from ``core.monitoring.evaluate``."""
    flags: list[ObservationFlag] = []
    for finding in evaluate(observation, protocol):
        field, mark = _MARKS.get(finding.code, ("", ""))
        flags.append(ObservationFlag(field, mark, _detail(finding), finding.severity))
    return flags
