"""Eligibility: gestation band, situation, conditions and medicines -> a recommendation.

The rules (decisions.md §1, §2, §5, §6; reference.md §1.2, §6.1), in order:

1. A contraindication (hypersensitivity to magnesium sulfate [D2]) gives ``contraindicated``
   whatever the gestation.
2. A gestation outside every band of the protocol gives ``not-indicated``: the protocol makes
   no recommendation there, and no offer/consider prompt is shown (WC-3, 34+0).
3. A situation the protocol does not count (for the UK: suspected or diagnosed labour that is
   not established, P-PROM without labour) gives ``not-indicated`` with "reassess", never "no"
   (decisions.md §2).
4. Otherwise the recommendation is the band: ``discuss``, ``offer`` or ``consider``.

Cautions (myasthenia gravis, heart block, ...) never block: they require a named senior
decision (decisions.md §5). Interacting medicines give a warning with its action text
(decisions.md §6). Pre-eclampsia adds the NICE NG133 warning: the infusion must not stop
automatically at birth ([N3]; reference.md §10, a fixed rule).

A named senior decision is required for ``discuss`` and ``consider``, for any caution and for
any repeat course; a plain ``offer`` does not need one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import ConfigDict, Field

from mgso4.core.dosing import (
    LoadingPlan,
    MaintenancePlan,
    loading_plan,
    maintenance_plan,
    stops_at_birth,
)
from mgso4.core.episode import Assessed, ProtocolRef
from mgso4.core.gestation import DatingMethod, GestationalAge
from mgso4.core.model import CoreModel
from mgso4.core.protocol import BandRule, Preparation, PreparationSet, Protocol
from mgso4.core.vocab import Band, ConditionId, MedicationId, Recommendation, Situation

#: Said whenever the situation does not qualify now (decisions.md §2: never a plain "no").
#: Shown with every recommendation, on screen and on paper (intended-use.md; HAZ-012): the app
#: supports the decision, it does not make it.
DECISION_SUPPORT_NOTICE = (
    "Decision support only: the signed prescription is the authority for the dose, the "
    "infusion pump's own limits still apply, and clinical judgement decides."
)

REASSESS_TEXT = (
    "Not indicated now — reassess if labour becomes established or birth is planned within 24 h."
)

#: Fixed rule (decisions.md §4; [N3] 1.5.11, 1.8.4): shown whenever pre-eclampsia is recorded.
#: NG133 does not say "24 h after birth"; pre-eclampsia alone changes nothing.
PRE_ECLAMPSIA_WARNING = (
    "Pre-eclampsia: neuroprotection follows NG25 as usual ([N3] 1.5.11); the infusion stops at "
    "the last baby's birth or at the maximum duration. Only if MgSO₄ is also given for severe "
    "pre-eclampsia or eclampsia, recorded as its own indication by a named senior with the "
    "team's stop plan (NG133 1.8.4: 1 g/h for 24 h; 24 h after the last fit), does that plan "
    "replace the stop at birth."
)
PRE_ECLAMPSIA_REF = "[N3] 1.5.11, 1.8.4"

#: Used only if a protocol file leaves out its hypersensitivity rule: the SmPC contraindication
#: applies to every product ([D2]; reference.md §6.1).
HYPERSENSITIVITY_TEXT = (
    "Hypersensitivity to magnesium sulfate: known hypersensitivity to magnesium sulfate or "
    "excipients is a contraindication ([D2])."
)

_PLANNED_RECOMMENDATIONS = frozenset(
    {Recommendation.DISCUSS, Recommendation.OFFER, Recommendation.CONSIDER}
)
_DATING_WORDS = {
    DatingMethod.WEEKS_DAYS: "the gestation as stated (weeks+days)",
    DatingMethod.AGREED_EDD: "the agreed EDD",
    DatingMethod.LMP: "the first day of the last menstrual period",
}
# A source tag such as [N1], [D2][D3] or [N1 Overview] (reference.md "How to read the tags").
_TAG = re.compile(r"\[([A-Z]{1,2}[0-9]+[a-z]?)(?=[\] ])")


class AssessmentInputs(CoreModel):
    """What the clinician enters for a decision.

    Attributes:
        gestation: Completed weeks and days on ``on``.
        situation: The clinical situation now (NICE NG25 Terms used, [N1]).
        conditions: Maternal conditions asked about (decisions.md §5).
        medications: Interacting medicines she is taking (decisions.md §6).
        dating_method: How the gestation was established.
        on: The local calendar date of the decision.
        plurality: Number of babies expected (1 = singleton).
        course_number: 1 for a first course; 2 or more for a repeat course.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    gestation: GestationalAge
    situation: Situation
    conditions: frozenset[ConditionId] = frozenset()
    medications: frozenset[MedicationId] = frozenset()
    dating_method: DatingMethod
    on: date
    plurality: int = Field(default=1, ge=1, le=8)
    course_number: int = Field(default=1, ge=1)


class Assessment(CoreModel):
    """The recommendation with its reasons, cautions, warnings, citations and doses."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    gestation: GestationalAge
    situation: Situation
    band: Band
    recommendation: Recommendation
    senior_decision_required: bool
    reasons: tuple[str, ...]
    cautions: tuple[str, ...]
    warnings: tuple[str, ...]
    citations: tuple[str, ...]
    loading: LoadingPlan | None
    maintenance: MaintenancePlan | None
    preparation: Preparation | None
    stops_at_birth: bool
    protocol: ProtocolRef

    def as_cli_dict(self) -> dict[str, Any]:
        """The ``mgso4 assess --json`` contract: plain JSON types, numbers as numbers."""
        loading = None
        if self.loading is not None:
            loading = {
                "dose_g": json_number(self.loading.dose_g),
                "duration_min": json_number(self.loading.duration_min),
                "volume_ml": json_number(self.loading.volume_ml),
                "rate_ml_per_h": json_number(self.loading.rate_ml_per_h),
                "concentration_g_per_ml": json_number(self.loading.concentration_g_per_ml),
                "make_up": self.loading.make_up,
                "vtbi_ml": None
                if self.loading.vtbi_ml is None
                else json_number(self.loading.vtbi_ml),
            }
        maintenance = None
        if self.maintenance is not None:
            maintenance = {
                "rate_g_per_h": json_number(self.maintenance.rate_g_per_h),
                "rate_ml_per_h": json_number(self.maintenance.rate_ml_per_h),
                "concentration_g_per_ml": json_number(self.maintenance.concentration_g_per_ml),
                "max_hours": json_number(self.maintenance.max_hours),
                "make_up": self.maintenance.make_up,
            }
        preparation = None
        if self.preparation is not None:
            preparation = {
                "id": self.preparation.id,
                "name": self.preparation.name,
                "loading": {
                    "concentration_label": self.preparation.loading.concentration_label,
                    "container": self.preparation.loading.container,
                    "make_up": self.loading.make_up
                    if self.loading is not None
                    else self.preparation.loading.make_up,
                },
                "maintenance": {
                    "concentration_label": self.preparation.maintenance.concentration_label,
                    "container": self.preparation.maintenance.container,
                    "make_up": self.maintenance.make_up
                    if self.maintenance is not None
                    else self.preparation.maintenance.make_up,
                },
                "warnings": list(self.preparation.warnings),
            }
        return {
            "gestation": {
                "weeks": self.gestation.weeks,
                "days": self.gestation.days,
                "total_days": self.gestation.total_days,
                "label": self.gestation.label,
            },
            "situation": self.situation.value,
            "band": self.band.value,
            "recommendation": self.recommendation.value,
            "senior_decision_required": self.senior_decision_required,
            "reasons": list(self.reasons),
            "cautions": list(self.cautions),
            "warnings": list(self.warnings),
            "citations": list(self.citations),
            "loading": loading,
            "maintenance": maintenance,
            "stops_at_birth": self.stops_at_birth,
            "preparation": preparation,
            "protocol": {
                "id": self.protocol.id,
                "version": self.protocol.version,
                "sha256": self.protocol.sha256,
            },
        }


def json_number(value: Decimal) -> int | float:
    """A Decimal as a JSON number: an int when whole (4, not 4.0), else the shortest float."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def _condition_label(condition_id: ConditionId) -> str:
    return condition_id.value.replace("-", " ").capitalize()


def _medication_label(medication_id: MedicationId) -> str:
    return medication_id.value.replace("-", " ").capitalize()


def _bands_text(protocol: Protocol) -> str:
    return "; ".join(f"{b.band} {b.start} to {b.end}" for b in protocol.bands)


def _band_reason(gestation: GestationalAge, rule: BandRule) -> str:
    wording = rule.wording or f"{str(rule.band).capitalize()} IV MgSO4 for neuroprotection."
    return (
        f"{gestation} is within {rule.start} to {rule.end}, the {rule.band} band "
        f"({rule.source}): {wording}"
    )


def _outside_reasons(gestation: GestationalAge, protocol: Protocol) -> list[str]:
    reasons = [
        f"{gestation} is outside this protocol's gestation bands ({_bands_text(protocol)}): "
        f"{protocol.name} makes no recommendation for MgSO4 for neuroprotection at this "
        "gestation."
    ]
    lowest = protocol.bands[0].start
    if gestation < lowest:
        reasons.append(f"If the pregnancy continues, reassess from {lowest}.")
    return reasons


def _citations(protocol: Protocol, refs: Iterable[str]) -> tuple[str, ...]:
    """The rule references used, then the full citation of every source tag they name."""
    rule_refs = list(dict.fromkeys(r for r in refs if r))
    known = {s.tag for s in protocol.sources}
    tags = dict.fromkeys(tag for ref in rule_refs for tag in _TAG.findall(ref) if tag in known)
    return (*rule_refs, *(protocol.citation(tag) for tag in tags))


def assess(
    inputs: AssessmentInputs,
    protocol: Protocol,
    preparations: PreparationSet,
    preparation_id: str | None = None,
) -> Assessment:
    """Assess one woman now against a unit protocol.

    Args:
        inputs: The clinician's entries.
        protocol: The unit protocol (bands, qualifying situations, conditions, interactions,
            regimen).
        preparations: The shipped preparations.
        preparation_id: The preparation to plan doses for; the set's default if None.

    Returns:
        The assessment. Loading and maintenance plans are filled only when the
        recommendation is discuss, offer or consider.

    Raises:
        ProtocolError: ``preparation_id`` is not one of the preparations (the message lists
            them).
    """
    preparation = preparations.get(preparation_id or preparations.default)
    gestation = inputs.gestation
    band = protocol.band_for(gestation)
    band_rule = protocol.band_rule(band)

    reasons: list[str] = [
        f"Gestation {gestation} on {inputs.on.isoformat()}, dated by "
        f"{_DATING_WORDS[inputs.dating_method]}."
    ]
    cautions: list[str] = []
    warnings: list[str] = []
    refs: list[str] = []
    contraindications: list[str] = []

    # Gestation band and situation: the main reasons, and the first rule references.
    qualifying = inputs.situation in protocol.qualifying_situations
    if band_rule is not None:
        reasons.append(_band_reason(gestation, band_rule))
        refs.append(band_rule.source)
    else:
        reasons.extend(_outside_reasons(gestation, protocol))
    if qualifying:
        reasons.append(
            f"{inputs.situation.label} is a qualifying situation ({protocol.qualifying_source})."
        )
    else:
        allowed = "; ".join(s.label for s in protocol.qualifying_situations)
        reasons.append(
            f"{inputs.situation.label} is not a qualifying situation "
            f"({protocol.qualifying_source}); qualifying: {allowed}."
        )
    refs.append(protocol.qualifying_source)

    # Conditions: contraindications block; cautions need a senior; other regimens warn.
    for condition_id in sorted(inputs.conditions):
        rule = protocol.condition(condition_id)
        if condition_id is ConditionId.PRE_ECLAMPSIA:
            warnings.append(PRE_ECLAMPSIA_WARNING)
            refs.append(rule.source if rule is not None else PRE_ECLAMPSIA_REF)
        elif rule is None:
            if condition_id is ConditionId.HYPERSENSITIVITY:
                contraindications.append(HYPERSENSITIVITY_TEXT)
                refs.append("[D2]")
            else:
                cautions.append(
                    f"{_condition_label(condition_id)}: not covered by the {protocol.name} "
                    "protocol; a senior clinician decides."
                )
        elif rule.kind == "contraindication":
            contraindications.append(f"{rule.label}: {rule.text} ({rule.source})")
            refs.append(rule.source)
        elif rule.kind == "caution":
            cautions.append(f"{rule.label}: {rule.text} ({rule.source})")
            refs.append(rule.source)
        else:
            warnings.append(f"{rule.label}: {rule.text} ({rule.source})")
            refs.append(rule.source)

    for medication_id in sorted(inputs.medications):
        interaction = protocol.interaction(medication_id)
        if interaction is None:
            warnings.append(
                f"{_medication_label(medication_id)}: the {protocol.name} protocol has no "
                "interaction rule for it; check with a pharmacist."
            )
        else:
            warnings.append(
                f"{interaction.label}: {interaction.warning} Action: {interaction.action} "
                f"({interaction.source})"
            )
            refs.append(interaction.source)

    if inputs.plurality > 1:
        notes = [
            n for n in protocol.scope_notes if re.search(r"singleton|multiple", n, re.IGNORECASE)
        ]
        if not notes:
            notes = [f"check that the {protocol.name} protocol covers multiple pregnancies."]
        warnings.extend(f"Multiple pregnancy ({inputs.plurality} babies): {n}" for n in notes)
        refs.extend(ref for n in notes for ref in re.findall(r"\[[^\]]+\]", n))

    if inputs.course_number > 1:
        rule_repeat = protocol.repeat_course
        warnings.append(
            f"Course {inputs.course_number} (a repeat course): needs a named senior "
            "confirmation; check the time since the last infusion ended and the cumulative "
            "exposure."
        )
        if not rule_repeat.allowed:
            warnings.append(
                f"The {protocol.name} protocol does not support a repeat course "
                f"({rule_repeat.source}); a senior clinician may still decide outside it and the "
                "app records that decision."
            )
        refs.append(rule_repeat.source)

    # The recommendation, in the order the module docstring gives.
    if contraindications:
        recommendation = Recommendation.CONTRAINDICATED
        reasons.extend(f"Contraindicated — {text}" for text in contraindications)
    elif band_rule is None:
        recommendation = Recommendation.NOT_INDICATED
    elif not qualifying:
        recommendation = Recommendation.NOT_INDICATED
        reasons.append(REASSESS_TEXT)
    else:
        recommendation = Recommendation(band.value)

    planned = recommendation in _PLANNED_RECOMMENDATIONS
    senior_because: list[str] = []
    if planned:
        if recommendation is not Recommendation.OFFER:
            senior_because.append(f"the recommendation is to {recommendation.value}")
        if cautions:
            senior_because.append("of the cautions below")
        if inputs.course_number > 1:
            senior_because.append("this is a repeat course")
    if senior_because:
        reasons.append(
            f"A named senior decision is required because {' and '.join(senior_because)}."
        )

    loading: LoadingPlan | None = None
    maintenance: MaintenancePlan | None = None
    if planned:
        loading = loading_plan(protocol, preparation)
        maintenance = maintenance_plan(protocol, preparation)
        refs.extend(
            [
                protocol.loading.dose_g.source,
                protocol.loading.duration_min.source,
                protocol.maintenance.rate_g_per_h.source,
                protocol.maintenance.max_hours.source,
            ]
        )
        for text in (*loading.warnings, *maintenance.warnings):
            if text not in warnings:
                warnings.append(text)

    return Assessment(
        gestation=gestation,
        situation=inputs.situation,
        band=band,
        recommendation=recommendation,
        senior_decision_required=bool(senior_because),
        reasons=tuple(reasons),
        cautions=tuple(cautions),
        warnings=tuple(warnings),
        citations=_citations(protocol, refs),
        loading=loading,
        maintenance=maintenance,
        preparation=preparation if planned else None,
        stops_at_birth=stops_at_birth(protocol, inputs.conditions),
        protocol=ProtocolRef(id=protocol.id, version=protocol.version, sha256=protocol.sha256),
    )


def to_assessed_payload(assessment: Assessment, inputs: AssessmentInputs) -> Assessed:
    """The ``assessed`` event payload that records this assessment (conditions sorted)."""
    return Assessed(
        gestation_days=assessment.gestation.total_days,
        situation=inputs.situation,
        conditions=tuple(sorted(inputs.conditions)),
        medications=tuple(sorted(inputs.medications)),
        band=assessment.band,
        recommendation=assessment.recommendation,
        senior_decision_required=assessment.senior_decision_required,
        reasons=assessment.reasons,
        cautions=assessment.cautions,
        warnings=assessment.warnings,
        citations=assessment.citations,
    )
