"""Eligibility: bands, situations, conditions and medicines -> recommendation (decisions.md §1–§6).

Band edges are tested for every shipped protocol from its own bands, on both sides, so a new
or edited protocol is covered without editing this file. Worked cases are reference.md §9.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from mgso4.core.eligibility import (
    PRE_ECLAMPSIA_WARNING,
    REASSESS_TEXT,
    Assessment,
    AssessmentInputs,
    assess,
    json_number,
    to_assessed_payload,
)
from mgso4.core.episode import EventType, validate_payload
from mgso4.core.gestation import DatingMethod, GestationalAge
from mgso4.core.protocol import Protocol, ProtocolError, ProtocolLibrary, load_preparations_file
from mgso4.core.vocab import Band, ConditionId, MedicationId, Recommendation, Situation
from mgso4.resources import resource_path

LIBRARY = ProtocolLibrary(resource_path("protocols"))
PROTOCOLS = {pid: LIBRARY.load(pid) for pid in LIBRARY.ids()}
PREPARATIONS = load_preparations_file(resource_path("preparations.toml"))
UK = PROTOCOLS["uk-nice-ng25"]
AGREED_EDD = date(2025, 3, 1)
CAUTIONS = [
    ConditionId.MYASTHENIA_GRAVIS,
    ConditionId.HEART_BLOCK,
    ConditionId.RENAL_IMPAIRMENT,
    ConditionId.HEPATIC_IMPAIRMENT,
    ConditionId.RESPIRATORY_DISEASE,
    ConditionId.NEUROMUSCULAR_DISORDER,
]
PLANNED = {Recommendation.DISCUSS, Recommendation.OFFER, Recommendation.CONSIDER}


def inputs(
    gestation: str | GestationalAge,
    situation: Situation = Situation.ESTABLISHED_LABOUR,
    *,
    conditions: set[ConditionId] | None = None,
    medications: set[MedicationId] | None = None,
    plurality: int = 1,
    course_number: int = 1,
    on: date = date(2025, 1, 10),
) -> AssessmentInputs:
    if isinstance(gestation, str):
        gestation = GestationalAge.parse(gestation)
    return AssessmentInputs(
        gestation=gestation,
        situation=situation,
        conditions=frozenset(conditions or ()),
        medications=frozenset(medications or ()),
        dating_method=DatingMethod.WEEKS_DAYS,
        on=on,
        plurality=plurality,
        course_number=course_number,
    )


def run(
    gestation: str | GestationalAge,
    situation: Situation = Situation.ESTABLISHED_LABOUR,
    *,
    protocol: Protocol = UK,
    preparation_id: str | None = None,
    conditions: set[ConditionId] | None = None,
    medications: set[MedicationId] | None = None,
    plurality: int = 1,
    course_number: int = 1,
) -> Assessment:
    entered = inputs(
        gestation,
        situation,
        conditions=conditions,
        medications=medications,
        plurality=plurality,
        course_number=course_number,
    )
    return assess(entered, protocol, PREPARATIONS, preparation_id)


# --- band edges: the UK default, written out --------------------------------------------------


@pytest.mark.parametrize(
    ("gestation", "recommendation"),
    [
        ("22+6", Recommendation.NOT_INDICATED),
        ("23+0", Recommendation.DISCUSS),
        ("23+6", Recommendation.DISCUSS),
        ("24+0", Recommendation.OFFER),
        ("29+6", Recommendation.OFFER),
        ("30+0", Recommendation.CONSIDER),
        ("33+6", Recommendation.CONSIDER),
        ("34+0", Recommendation.NOT_INDICATED),
    ],
)
def test_uk_band_edges(gestation: str, recommendation: Recommendation) -> None:
    assert run(gestation).recommendation is recommendation


# --- band edges: every shipped protocol, from its own bands -----------------------------------


def _edge_cases() -> list[tuple[str, int, Recommendation]]:
    cases: list[tuple[str, int, Recommendation]] = []
    for pid, protocol in PROTOCOLS.items():
        assert protocol.bands, pid  # a protocol without bands would make this test empty
        covered = {
            day
            for rule in protocol.bands
            for day in range(rule.start.total_days, rule.end.total_days + 1)
        }
        for rule in protocol.bands:
            inside = Recommendation(rule.band.value)
            cases.append((pid, rule.start.total_days, inside))
            cases.append((pid, rule.end.total_days, inside))
            for outside_day in (rule.start.total_days - 1, rule.end.total_days + 1):
                if outside_day not in covered:
                    cases.append((pid, outside_day, Recommendation.NOT_INDICATED))
    return cases


EDGE_CASES = _edge_cases()


def test_edge_cases_cover_every_shipped_protocol_on_both_sides() -> None:
    for pid in PROTOCOLS:
        outcomes = {rec for p, _, rec in EDGE_CASES if p == pid}
        assert Recommendation.NOT_INDICATED in outcomes, pid
        assert outcomes & PLANNED, pid


@pytest.mark.parametrize(("protocol_id", "total_days", "recommendation"), EDGE_CASES)
def test_every_protocol_band_edge_on_both_sides(
    protocol_id: str, total_days: int, recommendation: Recommendation
) -> None:
    result = run(GestationalAge(total_days), protocol=PROTOCOLS[protocol_id])
    assert result.recommendation is recommendation


def test_edges_of_each_preset_are_as_the_reference_gives() -> None:
    # reference.md §5: ANZ < 30; SOGC ≤ 33+6; ACOG (both regimens) 23+0 to 31+6. ANZ (no
    # lower bound) and SOGC (from viability) discuss 23+0–23+6 with a senior, as NICE does.
    labels = {
        pid: [(rule.start.label, rule.end.label) for rule in protocol.bands]
        for pid, protocol in PROTOCOLS.items()
    }
    assert labels["anz-2010"] == [("23+0", "23+6"), ("24+0", "29+6")]
    assert labels["sogc-2019"] == [("23+0", "23+6"), ("24+0", "33+6")]
    assert labels["acog-crowther"] == [("23+0", "31+6")]
    assert labels["acog-rouse"] == [("23+0", "31+6")]


# --- worked cases (reference.md §9): decisions, not timing ------------------------------------


def _from_edd(on: date) -> GestationalAge:
    return GestationalAge.from_edd(AGREED_EDD, on)


@pytest.mark.parametrize(
    ("case", "gestation", "situation", "conditions", "protocol_id", "recommendation", "senior"),
    [
        ("WC-1", "27+3", Situation.ESTABLISHED_LABOUR, set(), "uk-nice-ng25", "offer", False),
        (
            "WC-2",
            _from_edd(date(2024, 12, 20)),
            Situation.PLANNED_BIRTH_WITHIN_24H,
            {ConditionId.PRE_ECLAMPSIA},
            "uk-nice-ng25",
            "offer",
            False,
        ),
        ("WC-3", "30+0", Situation.ESTABLISHED_LABOUR, set(), "uk-nice-ng25", "consider", True),
        (
            "WC-3 ANZ",
            "30+0",
            Situation.ESTABLISHED_LABOUR,
            set(),
            "anz-2010",
            "not-indicated",
            False,
        ),
        ("WC-3 SOGC", "30+0", Situation.ESTABLISHED_LABOUR, set(), "sogc-2019", "consider", True),
        (
            "WC-3 33+6",
            "33+6",
            Situation.PLANNED_BIRTH_WITHIN_24H,
            set(),
            "uk-nice-ng25",
            "consider",
            True,
        ),
        # ACOG's limit is 31+6: the reference's "criteria not met (> 31+6)" holds at 33+6.
        (
            "WC-3 ACOG",
            "33+6",
            Situation.ESTABLISHED_LABOUR,
            set(),
            "acog-crowther",
            "not-indicated",
            False,
        ),
        (
            "WC-3 34+0",
            "34+0",
            Situation.ESTABLISHED_LABOUR,
            set(),
            "uk-nice-ng25",
            "not-indicated",
            False,
        ),
        (
            "WC-4",
            _from_edd(date(2024, 11, 8)),
            Situation.ESTABLISHED_LABOUR,
            set(),
            "uk-nice-ng25",
            "discuss",
            True,
        ),
        (
            "WC-4 next day",
            _from_edd(date(2024, 11, 9)),
            Situation.ESTABLISHED_LABOUR,
            set(),
            "uk-nice-ng25",
            "offer",
            False,
        ),
        ("WC-8", "27+0", Situation.ESTABLISHED_LABOUR, set(), "uk-nice-ng25", "offer", False),
        (
            "WC-11",
            "27+0",
            Situation.ESTABLISHED_LABOUR,
            {ConditionId.MYASTHENIA_GRAVIS},
            "uk-nice-ng25",
            "offer",
            True,
        ),
    ],
)
def test_worked_cases(
    case: str,
    gestation: str | GestationalAge,
    situation: Situation,
    conditions: set[ConditionId],
    protocol_id: str,
    recommendation: str,
    senior: bool,
) -> None:
    result = run(gestation, situation, conditions=conditions, protocol=PROTOCOLS[protocol_id])
    assert result.recommendation.value == recommendation, case
    assert result.senior_decision_required is senior, case


def test_wc1_doses_with_profile_a() -> None:
    result = run("27+3", preparation_id="20pct-load-10pct-maint")
    assert result.loading is not None and result.maintenance is not None
    assert (result.loading.volume_ml, result.loading.rate_ml_per_h) == (Decimal(20), Decimal(80))
    assert result.maintenance.rate_ml_per_h == Decimal(10)
    assert result.reasons[1].startswith("27+3 is within 24+0 to 29+6, the offer band ([N1] 1.10.2)")
    assert "Established preterm labour is a qualifying situation" in result.reasons[2]
    assert "[N1] 1.10.2" in result.citations


def test_wc2_pre_eclampsia_warns_ng133_and_keeps_the_stop_at_birth() -> None:
    # WC-2 as corrected (reference §9, decisions.md §4): NG133 does not say "24 h after
    # birth"; pre-eclampsia alone leaves the NG25 stop rule as it is.
    result = run(
        _from_edd(date(2024, 12, 20)),
        Situation.PLANNED_BIRTH_WITHIN_24H,
        conditions={ConditionId.PRE_ECLAMPSIA},
    )
    assert result.gestation.label == "29+6"
    assert PRE_ECLAMPSIA_WARNING in result.warnings
    assert "named senior" in PRE_ECLAMPSIA_WARNING
    assert "after birth" not in PRE_ECLAMPSIA_WARNING
    assert result.stops_at_birth is True
    assert any(c.startswith("[N3] NICE NG133") for c in result.citations)


def test_wc2_without_pre_eclampsia_stops_at_birth() -> None:
    assert run("29+6", Situation.PLANNED_BIRTH_WITHIN_24H).stops_at_birth is True


def test_wc3_34_plus_0_has_no_prompt_and_says_it_is_outside_the_bands() -> None:
    result = run("34+0")
    assert result.band is Band.OUTSIDE
    assert result.loading is None and result.maintenance is None and result.preparation is None
    assert any("34+0 is outside this protocol's gestation bands" in r for r in result.reasons)
    assert not any(r.startswith(("Offer", "Consider")) for r in result.reasons)


def test_below_the_lowest_band_says_when_to_reassess() -> None:
    result = run("22+6")
    assert "If the pregnancy continues, reassess from 23+0." in result.reasons


def test_wc8_nifedipine_gives_the_hypotension_warning_and_action() -> None:
    result = run("27+0", medications={MedicationId.NIFEDIPINE})
    (warning,) = [w for w in result.warnings if w.startswith("Nifedipine")]
    assert "Profound hypotension" in warning
    assert "Action: Stop tocolysis when MgSO4 starts" in warning
    assert result.recommendation is Recommendation.OFFER


def test_wc11_myasthenia_gravis_is_a_caution_that_does_not_block() -> None:
    result = run("27+0", conditions={ConditionId.MYASTHENIA_GRAVIS})
    assert result.cautions == (
        "Myasthenia gravis: Risk of myasthenic crisis: risk-benefit assessment by a senior "
        "clinician first. ([D2][D3])",
    )
    assert result.loading is not None


# --- qualifying situations (decisions.md §2) --------------------------------------------------


@pytest.mark.parametrize(
    "situation",
    [Situation.SUSPECTED_LABOUR, Situation.DIAGNOSED_LABOUR, Situation.PPROM_NOT_IN_LABOUR],
)
def test_uk_situations_that_do_not_qualify_say_reassess_not_no(situation: Situation) -> None:
    result = run("27+0", situation)
    assert result.recommendation is Recommendation.NOT_INDICATED
    assert result.band is Band.OFFER
    assert REASSESS_TEXT in result.reasons
    assert "reassess if labour becomes established or birth is planned within 24 h" in REASSESS_TEXT
    assert result.loading is None
    assert not result.senior_decision_required


@pytest.mark.parametrize(
    "situation", [Situation.ESTABLISHED_LABOUR, Situation.PLANNED_BIRTH_WITHIN_24H]
)
def test_uk_qualifying_situations(situation: Situation) -> None:
    assert run("27+0", situation).recommendation is Recommendation.OFFER


def test_pprom_qualifies_under_acog() -> None:
    result = run("27+0", Situation.PPROM_NOT_IN_LABOUR, protocol=PROTOCOLS["acog-rouse"])
    assert result.recommendation is Recommendation.CONSIDER


# --- contraindication, cautions, interactions -------------------------------------------------


@pytest.mark.parametrize("gestation", ["27+0", "23+2", "34+0", "20+0"])
def test_hypersensitivity_is_contraindicated_regardless_of_band(gestation: str) -> None:
    result = run(gestation, conditions={ConditionId.HYPERSENSITIVITY})
    assert result.recommendation is Recommendation.CONTRAINDICATED
    assert result.loading is None and result.maintenance is None
    assert any("Contraindicated" in r and "Hypersensitivity" in r for r in result.reasons)


def test_hypersensitivity_is_contraindicated_even_if_the_protocol_omits_it() -> None:
    conditions = tuple(c for c in UK.conditions if c.id is not ConditionId.HYPERSENSITIVITY)
    bare = UK.model_copy(update={"conditions": conditions})
    result = run("27+0", conditions={ConditionId.HYPERSENSITIVITY}, protocol=bare)
    assert result.recommendation is Recommendation.CONTRAINDICATED


@pytest.mark.parametrize("condition", CAUTIONS)
def test_each_caution_needs_a_senior_and_does_not_block(condition: ConditionId) -> None:
    result = run("27+0", conditions={condition})
    rule = UK.condition(condition)
    assert rule is not None and rule.kind == "caution"
    assert result.recommendation is Recommendation.OFFER
    assert result.senior_decision_required
    assert result.cautions == (f"{rule.label}: {rule.text} ({rule.source})",)
    assert result.loading is not None
    assert any("senior decision is required because of the cautions" in r for r in result.reasons)


def test_a_caution_outside_the_bands_needs_no_senior_decision() -> None:
    result = run("34+0", conditions={ConditionId.MYASTHENIA_GRAVIS})
    assert result.recommendation is Recommendation.NOT_INDICATED
    assert not result.senior_decision_required


@pytest.mark.parametrize("medication", list(MedicationId))
def test_each_interaction_gives_its_warning_and_action(medication: MedicationId) -> None:
    rule = UK.interaction(medication)
    assert rule is not None
    result = run("27+0", medications={medication})
    assert f"{rule.label}: {rule.warning} Action: {rule.action} ({rule.source})" in result.warnings
    assert result.recommendation is Recommendation.OFFER
    assert not result.senior_decision_required


def test_a_plain_offer_needs_no_senior_decision() -> None:
    assert not run("27+0").senior_decision_required


def test_a_repeat_course_needs_a_senior_decision() -> None:
    result = run("27+0", course_number=2)
    assert result.senior_decision_required
    assert any("repeat course" in r for r in result.reasons)


def test_a_repeat_course_under_a_protocol_without_repeats_warns() -> None:
    result = run("27+0", course_number=2, protocol=PROTOCOLS["sogc-2019"])
    assert any("does not support a repeat course" in w for w in result.warnings)


def test_twins_surface_the_singleton_scope_note() -> None:
    result = run("27+0", plurality=2)
    assert any(
        w.startswith("Multiple pregnancy (2 babies): NICE NG25 covers singleton")
        for w in result.warnings
    )


def test_a_singleton_has_no_multiple_pregnancy_warning() -> None:
    assert not any("Multiple pregnancy" in w for w in run("27+0").warnings)


def test_twins_under_a_protocol_without_a_scope_note_get_a_generic_warning() -> None:
    result = run("27+0", plurality=2, protocol=PROTOCOLS["anz-2010"])
    assert any("covers multiple pregnancies" in w for w in result.warnings)


# --- plans, preparations and citations --------------------------------------------------------


def test_the_default_preparation_is_used_when_none_is_named() -> None:
    result = run("27+0")
    assert result.preparation is not None
    assert result.preparation.id == PREPARATIONS.default


def test_an_unknown_preparation_is_refused_listing_the_choices() -> None:
    with pytest.raises(ProtocolError, match="8pct-premixed"):
        run("27+0", preparation_id="30pct")


def test_preparation_warnings_reach_the_assessment() -> None:
    result = run("27+0", preparation_id="50pct-diluted-20pct")
    assert any("Ward dilution of 50% ampoules is discouraged" in w for w in result.warnings)


def test_citations_give_rule_references_and_full_sources() -> None:
    citations = run("27+0").citations
    assert citations[0] == "[N1] 1.10.2"
    assert UK.citation("N1") in citations
    assert len(citations) == len(set(citations))


# --- the CLI contract and the recorded payload ------------------------------------------------


def test_cli_dict_follows_the_contract() -> None:
    data = run("27+3").as_cli_dict()
    assert {
        "gestation",
        "band",
        "recommendation",
        "senior_decision_required",
        "reasons",
        "cautions",
        "warnings",
        "citations",
        "loading",
        "maintenance",
        "protocol",
    } <= set(data)
    assert data["gestation"] == {"weeks": 27, "days": 3, "total_days": 192, "label": "27+3"}
    assert (data["band"], data["recommendation"]) == ("offer", "offer")
    assert data["loading"] == {
        "dose_g": 4,
        "duration_min": 15,
        "volume_ml": 20,
        "rate_ml_per_h": 80,
        "concentration_g_per_ml": 0.2,
        "make_up": "20 mL: one 4 g in 20 mL ready-to-use syringe",
        "vtbi_ml": None,
    }
    assert data["maintenance"] == {
        "rate_g_per_h": 1,
        "rate_ml_per_h": 5,
        "concentration_g_per_ml": 0.2,
        "max_hours": 24,
        "make_up": "",
    }
    assert data["protocol"] == {"id": UK.id, "version": UK.version, "sha256": UK.sha256}
    assert json.dumps(data, ensure_ascii=False).count('"dose_g": 4,') == 1  # 4, not 4.0


def test_cli_dict_keeps_fractions() -> None:
    data = run("27+3", preparation_id="8pct-premixed").as_cli_dict()
    assert data["maintenance"]["rate_ml_per_h"] == 12.5
    assert data["loading"]["concentration_g_per_ml"] == 0.08


def test_cli_dict_has_null_plans_when_not_indicated() -> None:
    data = run("27+0", Situation.SUSPECTED_LABOUR).as_cli_dict()
    assert data["loading"] is None and data["maintenance"] is None
    assert data["recommendation"] == "not-indicated"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(Decimal("4"), 4), (Decimal("4.0"), 4), (Decimal("12.5"), 12.5), (Decimal("0.08"), 0.08)],
)
def test_json_number(value: Decimal, expected: int | float) -> None:
    result = json_number(value)
    assert result == expected
    assert type(result) is type(expected)


def test_the_assessed_payload_records_the_assessment() -> None:
    entered = inputs(
        "27+0",
        conditions={ConditionId.RENAL_IMPAIRMENT, ConditionId.MYASTHENIA_GRAVIS},
        medications={MedicationId.NIFEDIPINE},
    )
    result = assess(entered, UK, PREPARATIONS)
    payload = to_assessed_payload(result, entered)
    assert payload.gestation_days == 189
    assert payload.conditions == (ConditionId.MYASTHENIA_GRAVIS, ConditionId.RENAL_IMPAIRMENT)
    assert payload.recommendation is Recommendation.OFFER
    assert payload.senior_decision_required
    assert payload.reasons == result.reasons
    validate_payload(EventType.ASSESSED, payload)  # a valid event payload


def test_inputs_refuse_a_plurality_of_zero() -> None:
    with pytest.raises(ValueError):
        inputs("27+0", plurality=0)


def test_assessment_does_not_depend_on_condition_order() -> None:
    a = run("27+0", conditions={ConditionId.HEART_BLOCK, ConditionId.RENAL_IMPAIRMENT})
    b = run("27+0", conditions={ConditionId.RENAL_IMPAIRMENT, ConditionId.HEART_BLOCK})
    assert a == b
