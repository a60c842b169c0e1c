"""The completed proforma: every recorded value on paper, read back from the PDF's text."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader
from report_builders import (
    OBSTETRICIAN,
    PRINTED_AT,
    UNIT,
    EpisodeBuilder,
    Scenario,
    assess_and_decide,
    create,
    observation,
    pdf_pages,
    pdf_text,
    utc,
)

from mgso4.core.episode import (
    Amendment,
    Assessed,
    Birth,
    Decision,
    EventType,
    NotGiven,
    Reflexes,
    Void,
)
from mgso4.core.outcome import (
    AnznnCode,
    BapmResult,
    Classification,
    NnapResult,
    PeripremResult,
    Qs135Result,
)
from mgso4.core.protocol import PreparationSet, Protocol
from mgso4.core.vocab import Band, Recommendation, Situation
from mgso4.reports import ReportInputError, render_proforma

OTHER_HEAD = "ab" * 32


def render(scenario: Scenario, protocol: Protocol, preparations: PreparationSet, **kw) -> bytes:
    options = {"unit_name": UNIT, "chain_head": scenario.head, "printed_at": PRINTED_AT}
    options.update(kw)
    return render_proforma(scenario.state, protocol, preparations, **options)


@pytest.fixture(scope="module")
def standard_pdf(standard: Scenario, protocol: Protocol, preparations: PreparationSet) -> bytes:
    return render(standard, protocol, preparations)


@pytest.fixture(scope="module")
def standard_text(standard_pdf: bytes) -> str:
    return pdf_text(standard_pdf)


def section(text: str, start: str, end: str) -> str:
    """The text between two headings."""
    return text[text.index(start) : text.index(end, text.index(start))]


def test_every_recorded_value_appears(standard: Scenario, standard_text: str) -> None:
    missing = [value for value in standard.expected_text if value not in standard_text]
    assert missing == []


def test_no_glyph_falls_back_to_a_box_or_replacement_character(standard_text: str) -> None:
    assert "■" not in standard_text
    assert "\ufffd" not in standard_text


def test_title_has_the_real_subscript_four(standard_text: str) -> None:
    assert "MgSO₄ for fetal neuroprotection — proforma" in standard_text
    assert "MgSO4" not in standard_text


def test_protocol_id_version_and_both_hash_forms_are_printed(
    standard_text: str, protocol: Protocol
) -> None:
    assert f"{protocol.id} version {protocol.version}" in standard_text
    assert protocol.short_hash in standard_text
    assert protocol.sha256 in standard_text


def test_printed_chain_head_is_the_one_passed_in(
    standard: Scenario, protocol: Protocol, preparations: PreparationSet
) -> None:
    # The caller takes the head from the store (verify/chain_head); the report prints exactly
    # that value, not one it works out itself.
    pages = pdf_pages(render(standard, protocol, preparations, chain_head=OTHER_HEAD))
    assert all(OTHER_HEAD[:12] in page for page in pages)
    assert OTHER_HEAD in pages[-1]
    assert all(standard.head[:12] not in page for page in pages)


@pytest.mark.parametrize("bad", ["", "abc", "AB" * 32, "g" * 64, "a" * 63, "a" * 65])
def test_chain_head_that_is_not_sha256_is_refused(
    standard: Scenario, protocol: Protocol, preparations: PreparationSet, bad: str
) -> None:
    with pytest.raises(ReportInputError, match="SHA-256"):
        render(standard, protocol, preparations, chain_head=bad)


def test_naive_print_time_is_refused(
    standard: Scenario, protocol: Protocol, preparations: PreparationSet
) -> None:
    with pytest.raises(ReportInputError, match="print time"):
        render(standard, protocol, preparations, printed_at=PRINTED_AT.replace(tzinfo=None))


def test_print_time_is_in_the_footer_in_local_time(standard_pdf: bytes) -> None:
    # 09:00 UTC on 29 Mar 2026 is 10:00 BST.
    assert all("Printed Sun 29 Mar 2026 10:00 BST" in page for page in pdf_pages(standard_pdf))


def test_pump_rate_g_per_h_is_computed_from_concentration_and_rate(standard_text: str) -> None:
    assert "2.5 mL/h × 0.2 g/mL = 0.5 g/h" in standard_text
    assert "5 mL/h × 0.2 g/mL = 1 g/h" in standard_text


def test_loading_dose_volume_rate_and_people_are_printed(standard_text: str) -> None:
    assert "4 g as 20 mL of 0.2 g/mL (20% w/v)" in standard_text
    assert "80 mL/h over 15 min" in standard_text
    assert "Sam Patel (midwife) / Chris Doe (midwife)" in standard_text


def test_cumulative_grams_run_to_the_stop(standard_text: str) -> None:
    # 4 g load + 4.5 h at 1 g/h (22:15–02:45 UTC) + 4 h at 0.5 g/h (02:45–06:45 UTC) = 10.5 g,
    # across the clock change: real elapsed hours, not wall-clock hours.
    assert "10.5 g to 29 Mar 07:45 BST" in standard_text


def test_abnormal_values_carry_a_symbol_and_a_word(standard_text: str) -> None:
    observations = section(standard_text, "7. Observations", "8. Alerts")
    assert "11 (16) ▼ LOW ▼ FALL" in observations
    assert "93 ▼ LOW" in observations


def test_marks_are_never_broken_mid_word(protocol: Protocol, preparations: PreparationSet) -> None:
    builder = EpisodeBuilder(protocol)
    create(builder)
    assess_and_decide(builder)
    builder.add(
        EventType.OBSERVATION,
        observation(reflexes=Reflexes.REDUCED, spo2_percent=90, urine_ml=40, urine_period_h=4),
        utc(28, 23, 0),
    )
    builder.add(EventType.OBSERVATION, observation(reflexes=Reflexes.ABSENT), utc(29, 0, 0))
    text = _render_builder(builder, protocol, preparations)
    observations = section(text, "Observations", "Marked values")
    assert "reduced ▼ REDUCED" in observations
    assert "absent ✗ ABSENT" in observations
    assert "90 ▼ LOW" in observations
    assert "40 (4 h) ▼ LOW" in observations


def test_normal_values_carry_no_mark(standard_text: str) -> None:
    observations = section(standard_text, "7. Observations", "Marked values")
    assert observations.count("▼") == 3


def test_alert_and_the_action_taken_are_printed_together(standard_text: str) -> None:
    alerts = section(standard_text, "8. Alerts", "9. Births")
    assert "CRITICAL: Respiratory rate 11/min" in alerts
    assert "by Dr Ada Obi (obstetrician)" in alerts
    assert "Infusion paused; registrar reviewed" in alerts


def test_unacknowledged_alert_says_so(protocol: Protocol, preparations: PreparationSet) -> None:
    from mgso4.core.episode import AlertRaised

    builder = EpisodeBuilder(protocol)
    create(builder)
    builder.add(
        EventType.ALERT_RAISED,
        AlertRaised(key="k1", kind="obs", message="Observations overdue", severity="warning"),
        utc(28, 23, 0),
    )
    text = pdf_text(
        render_proforma(
            builder.state(),
            protocol,
            preparations,
            unit_name=UNIT,
            chain_head=builder.head,
            printed_at=PRINTED_AT,
        )
    )
    assert "NOT ACKNOWLEDGED" in text


def test_amendment_shows_original_and_corrected_value_reason_who_and_when(
    standard_text: str,
) -> None:
    corrections = section(standard_text, "10. Corrections", "Entries in error")
    assert "Pulse (/min) 188 86 Typing error: pulse was 88/min" in corrections
    assert "Chris Doe (midwife), 29 Mar 00:07 GMT" in corrections


def test_observation_table_shows_the_corrected_value_marked_corrected(standard_text: str) -> None:
    observations = section(standard_text, "7. Observations", "8. Alerts")
    assert "23:30 GMT – corrected 86" in observations
    assert "188" not in observations


def test_voided_entry_is_out_of_the_table_but_listed_with_its_reason(standard_text: str) -> None:
    observations = section(standard_text, "7. Observations", "8. Alerts")
    errors = section(standard_text, "Entries in error", "11. Notes")
    assert "131" not in observations
    assert "Pulse (/min) 131" in errors
    assert "Entered on the wrong woman's record" in errors


def test_each_baby_has_birth_time_and_gestation(standard_text: str) -> None:
    births = section(standard_text, "9. Births", "10. Corrections")
    assert "Baby 1: Twin 1 Sun 29 Mar 2026 07:30 BST 28+1 weeks" in births
    assert "Baby 2: Twin 2 Sun 29 Mar 2026 07:41 BST 28+1 weeks" in births


def test_audit_verdicts_are_not_on_the_clinical_page(
    standard: Scenario, protocol: Protocol, preparations: PreparationSet
) -> None:
    # They belong to the audit view and its report (decisions.md §16), even when passed in.
    given = Classification(
        nnap=NnapResult(eligible=True, met=False),
        qs135=Qs135Result(eligible=True, measure="b", met=False),
        bapm_optimal=BapmResult(eligible=True, met=False),
        periprem_optimal=PeripremResult(eligible=True, met=False, could_have_been_optimal=False),
        anznn=AnznnCode.NOT_GIVEN,
        timing_class=None,
    )
    for text in (
        pdf_text(render(standard, protocol, preparations)),
        pdf_text(render(standard, protocol, preparations, classification=given)),
    ):
        for word in ("NNAP", "QS135", "PERIPrem", "ANZNN", "Eligible; MET", "NOT MET", "OPTIMAL"):
            assert word not in text


def test_no_internal_document_references_or_source_tags(standard_text: str) -> None:
    assert re.search(r"decisions(\.md)?\s*§?\s*\d", standard_text) is None
    assert re.search(r"reference(\.md)?\s*§\s*\d", standard_text) is None
    assert re.search(r"\[[A-Z]{1,2}\d{0,2}\]", standard_text) is None
    assert "NICE NG25 Preterm labour and birth" in standard_text


def test_section_numbers_run_without_gaps(standard_text: str) -> None:
    numbers = [int(n) for n in re.findall(r"(?<![\d.+:/])(\d{1,2})\. [A-Z][a-z]", standard_text)]
    headings = [n for n in numbers if n <= 20]
    assert headings[: len(headings)] == list(range(1, len(headings) + 1))


def test_rate_table_has_a_row_for_the_loading_dose(standard_text: str) -> None:
    assert "80 mL/h × 0.2 g/mL = 16 g/h loading dose 4 g over 15 min" in standard_text


def test_not_given_reason_and_missed_case_label_are_printed(
    protocol: Protocol, preparations: PreparationSet
) -> None:
    builder = EpisodeBuilder(protocol)
    create(builder)
    assess_and_decide(builder)
    builder.add(
        EventType.NOT_GIVEN,
        NotGiven(reason_code="NG-IMMINENT", text="Fully dilated on arrival"),
        utc(28, 21, 50),
        by=OBSTETRICIAN,
    )
    builder.add(EventType.BIRTH, Birth(baby=1), utc(28, 22, 10))
    text = pdf_text(
        render_proforma(
            builder.state(),
            protocol,
            preparations,
            unit_name=UNIT,
            chain_head=builder.head,
            printed_at=PRINTED_AT,
        )
    )
    assert "NG-IMMINENT – Birth too rapid after arrival / no time to start" in text
    assert "Fully dilated on arrival" in text
    assert "No MgSO₄ was started." in text


def test_missed_reason_label_from_the_caller_is_printed(
    standard: Scenario, protocol: Protocol, preparations: PreparationSet
) -> None:
    text = pdf_text(render(standard, protocol, preparations, missed_reason_label="Reviewed: none"))
    assert "Missed-case reason Reviewed: none" in text


def test_signature_lines_for_midwife_checker_and_obstetrician(standard_text: str) -> None:
    signatures = standard_text[standard_text.rindex("Signatures") :]
    for role in ("Midwife", "Checker (second practitioner)", "Obstetrician"):
        assert role in signatures
    assert "Name (print) Signature Date and time" in signatures


def test_training_episode_is_marked_on_every_page(
    protocol: Protocol, preparations: PreparationSet
) -> None:
    builder = EpisodeBuilder(protocol)
    create(builder, training=True)
    pages = pdf_pages(
        render_proforma(
            builder.state(),
            protocol,
            preparations,
            unit_name=UNIT,
            chain_head=builder.head,
            printed_at=PRINTED_AT,
        )
    )
    assert all("TRAINING – NOT A RECORD" in page for page in pages)


def test_clinical_episode_has_no_training_mark(standard_text: str) -> None:
    assert "TRAINING" not in standard_text


def test_protocol_other_than_the_episode_one_is_flagged(
    standard: Scenario, protocol: Protocol, preparations: PreparationSet
) -> None:
    changed = protocol.model_copy(update={"sha256": "c" * 64})
    text = pdf_text(render(standard, changed, preparations))
    assert "This episode started under protocol" in text
    assert "Check which protocol applies." in text


def test_same_protocol_as_the_episode_is_not_flagged(standard_text: str) -> None:
    assert "This episode started under protocol" not in standard_text


def test_same_inputs_give_the_same_bytes(
    standard: Scenario, protocol: Protocol, preparations: PreparationSet, standard_pdf: bytes
) -> None:
    assert render(standard, protocol, preparations) == standard_pdf


def test_only_embedded_dejavu_fonts_are_used(standard_pdf: bytes) -> None:
    fonts: set[str] = set()
    embedded: list[bool] = []
    for page in PdfReader(io.BytesIO(standard_pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts.add(str(font["/BaseFont"]))
            descriptor = font.get("/FontDescriptor")
            embedded.append(descriptor is not None and "/FontFile2" in descriptor.get_object())
    assert fonts and all("DejaVu" in name for name in fonts)
    assert all(embedded)


def test_unknown_preparation_is_said_not_guessed(
    protocol: Protocol, preparations: PreparationSet
) -> None:
    builder = EpisodeBuilder(protocol)
    create(builder)
    state = builder.state()
    state = state.model_copy(
        update={"created": state.created.model_copy(update={"preparation_id": "gone"})}
    )
    text = pdf_text(
        render_proforma(
            state,
            protocol,
            preparations,
            unit_name=UNIT,
            chain_head=builder.head,
            printed_at=PRINTED_AT,
        )
    )
    assert "Preparation 'gone' is not in the preparations file" in text


def test_patient_without_date_of_birth_says_not_recorded(
    protocol: Protocol, preparations: PreparationSet
) -> None:
    builder = EpisodeBuilder(protocol)
    create(builder)
    state = builder.state()
    patient = state.created.patient.model_copy(update={"date_of_birth": None})
    state = state.model_copy(
        update={"created": state.created.model_copy(update={"patient": patient})}
    )
    pages = pdf_pages(
        render_proforma(
            state,
            protocol,
            preparations,
            unit_name=UNIT,
            chain_head=builder.head,
            printed_at=PRINTED_AT,
        )
    )
    assert all("Date of birth not recorded" in page for page in pages)
    assert date(1994, 7, 14).isoformat() not in pages[0]


def _render_builder(builder: EpisodeBuilder, protocol: Protocol, preparations: PreparationSet):
    return pdf_text(
        render_proforma(
            builder.state(),
            protocol,
            preparations,
            unit_name=UNIT,
            chain_head=builder.head,
            printed_at=PRINTED_AT,
        )
    )


def test_corrected_clinical_time_shows_old_and_new_time(
    protocol: Protocol, preparations: PreparationSet
) -> None:
    builder = EpisodeBuilder(protocol)
    create(builder)
    birth = builder.add(EventType.BIRTH, Birth(baby=1), utc(29, 6, 30))
    builder.add(
        EventType.AMENDMENT,
        Amendment(
            target=birth.uuid,
            reason="Clock on the resuscitaire was used",
            occurred_at=utc(29, 6, 20),
        ),
        utc(29, 7, 0),
    )
    text = _render_builder(builder, protocol, preparations)
    corrections = section(text, "10. Corrections", "Record history")
    assert (
        "Clinical time 29 Mar 07:30 BST 29 Mar 07:20 BST "
        "Clock on the resuscitaire was used" in corrections
    )
    births = section(text, "9. Births", "10. Corrections")
    assert "Sun 29 Mar 2026 07:20 BST" in births


def test_correction_entered_in_error_is_shown_as_withdrawn(
    protocol: Protocol, preparations: PreparationSet
) -> None:
    builder = EpisodeBuilder(protocol)
    create(builder)
    obs = builder.add(EventType.OBSERVATION, observation(pulse_per_min=90), utc(28, 23, 0))
    wrong = builder.add(
        EventType.AMENDMENT,
        Amendment(target=obs.uuid, reason="Thought it was 95", changes={"pulse_per_min": 95}),
        utc(28, 23, 10),
    )
    builder.add(
        EventType.VOID, Void(target=wrong.uuid, reason="Correction made in error"), utc(28, 23, 20)
    )
    text = _render_builder(builder, protocol, preparations)
    assert "this correction was itself entered in error: Correction made in error" in text
    observations = section(text, "7. Observations", "8. Alerts")
    assert " 90 " in observations
    # A whole number 95, not the digits inside a hash or id in the page banner or footer.
    assert re.search(r"\b95\b", observations) is None


def test_senior_decision_required_but_missing_is_printed_as_such(
    protocol: Protocol, preparations: PreparationSet
) -> None:
    builder = EpisodeBuilder(protocol)
    create(builder)
    builder.add(
        EventType.ASSESSED,
        Assessed(
            gestation_days=165,
            situation=Situation.ESTABLISHED_LABOUR,
            band=Band.DISCUSS,
            recommendation=Recommendation.DISCUSS,
            senior_decision_required=True,
        ),
        utc(28, 21, 40),
    )
    builder.add(
        EventType.DECISION,
        Decision(give=True, decided_by=OBSTETRICIAN),
        utc(28, 21, 45),
        by=OBSTETRICIAN,
    )
    text = _render_builder(builder, protocol, preparations)
    assert "Senior decision: REQUIRED by the assessment – none recorded" in text
    assert "Discuss band: 23+0 to 23+6 weeks (NICE NG25 Preterm labour and birth) 1.10.1" in text


def test_recommendation_carries_the_decision_support_notice(standard_text: str) -> None:
    recommendation = " ".join(section(standard_text, "3. Recommendation", "4. Information").split())
    assert "Decision support only" in recommendation
    assert "prescription is the authority" in recommendation


def test_pdf_title_is_kind_and_episode_not_the_patient(standard_pdf: bytes) -> None:
    # The title shows in file managers and print queues: no patient name there.
    title = PdfReader(io.BytesIO(standard_pdf)).metadata.title
    assert title == "MgSO₄ proforma – episode e0a1b2c3"
