"""The blank downtime proforma carries the protocol's own numbers, so a new file prints anew."""

from __future__ import annotations

from pathlib import Path

import pytest
from report_builders import UNIT, pdf_pages, pdf_text

from mgso4.core.protocol import (
    PreparationSet,
    Protocol,
    ProtocolError,
    load_protocol_file,
)
from mgso4.reports import render_blank
from mgso4.resources import resource_path


@pytest.fixture(scope="module")
def default_text(protocol: Protocol, preparations: PreparationSet) -> str:
    return pdf_text(render_blank(protocol, preparations, "20pct-ready", unit_name=UNIT))


def modified_protocol(tmp_path: Path, old: str, new: str) -> Protocol:
    source = resource_path("protocols", "uk-nice-ng25.toml").read_text(encoding="utf-8")
    assert old in source
    copy = tmp_path / "unit-copy.toml"
    copy.write_text(source.replace(old, new), encoding="utf-8")
    return load_protocol_file(copy)


def test_loading_dose_volume_and_pump_rate_are_preprinted(default_text: str) -> None:
    # decisions.md §3: 4 g of 20% = 20 mL over 15 min at 80 mL/h.
    assert "4 g over 15 min [N1] 1.10.4" in default_text
    assert "20 mL of 20% w/v (0.2 g/mL) at 80 mL/h for 15 min" in default_text


def test_maintenance_rate_is_preprinted_in_ml_per_h_and_g_per_h(default_text: str) -> None:
    assert "1 g/h = 5 mL/h" in default_text
    assert "5 mL/h × 0.2 g/mL = 1 g/h" in default_text


def test_bands_are_preprinted_with_their_wording(default_text: str) -> None:
    assert "DISCUSS 23+0 to 23+6 weeks" in default_text
    assert "OFFER 24+0 to 29+6 weeks Offer IV MgSO₄ for neuroprotection" in default_text
    assert "CONSIDER 30+0 to 33+6 weeks" in default_text


def test_stop_triggers_are_preprinted_and_marked_local(default_text: str) -> None:
    assert "Respiratory rate below 12/min [T1][T2] (local setting)" in default_text
    assert "below 100 mL in 4 h [T1][T2] (local setting)" in default_text
    assert "SpO₂ below 94% [T5] (local setting)" in default_text


def test_observation_frequency_actions_and_antidote_are_preprinted(
    default_text: str, protocol: Protocol
) -> None:
    assert "at least every 4 h [N1] 1.10.5" in default_text
    assert "2. Call the obstetric and anaesthetic registrars." in default_text
    assert "Antidote: Calcium gluconate 10%, 10 mL (1 g)" in default_text


def test_24_hour_stop_rule_names_its_anchor_as_a_local_setting(default_text: str) -> None:
    assert (
        "Stop at birth or 24 h after the start of the maintenance infusion (local setting)"
        in default_text
    )


def test_every_missed_case_reason_has_a_tick_box(default_text: str, protocol: Protocol) -> None:
    for reason in protocol.missed_reasons:
        assert f"☐ {reason.code} – {reason.label}" in default_text


def test_observation_chart_has_empty_rows(default_text: str) -> None:
    chart = default_text[default_text.index("8. Observation chart") :]
    assert "Date, time Pulse (/min) BP (mmHg)" in chart


def test_banner_write_in_fields_and_page_numbers_on_every_page(
    protocol: Protocol, preparations: PreparationSet
) -> None:
    pages = pdf_pages(render_blank(protocol, preparations, None, unit_name=UNIT))
    assert len(pages) > 1
    for number, page in enumerate(pages, start=1):
        assert "NHS / CHI number" in page
        assert f"Page {number} of {len(pages)}" in page
        assert protocol.sha256 in page


@pytest.mark.parametrize(
    ("preparation_id", "load_rate", "maintenance"),
    [
        ("20pct-ready", "at 80 mL/h", "1 g/h = 5 mL/h"),
        ("20pct-load-10pct-maint", "at 80 mL/h", "1 g/h = 10 mL/h"),
        ("50pct-diluted-20pct", "at 80 mL/h", "1 g/h = 5 mL/h"),
        ("8pct-premixed", "at 200 mL/h", "1 g/h = 12.5 mL/h"),
    ],
)
def test_each_preparation_prints_its_own_rates(
    protocol: Protocol,
    preparations: PreparationSet,
    preparation_id: str,
    load_rate: str,
    maintenance: str,
) -> None:
    # decisions.md §3 worked numbers for every shipped preparation.
    text = pdf_text(render_blank(protocol, preparations, preparation_id, unit_name=UNIT))
    assert load_rate in text
    assert maintenance in text


def test_preparation_warning_is_printed(protocol: Protocol, preparations: PreparationSet) -> None:
    text = pdf_text(render_blank(protocol, preparations, "20pct-load-10pct-maint", unit_name=UNIT))
    assert "Two concentrations in one episode" in text


def test_changing_the_load_duration_in_the_protocol_file_changes_the_pump_rate(
    tmp_path: Path, preparations: PreparationSet
) -> None:
    # 20 mL over 30 min = 40 mL/h (reference §3.2).
    changed = modified_protocol(
        tmp_path,
        'duration_min = { value = "15", source = "[N1] 1.10.4" }',
        'duration_min = { value = "30", source = "[N1] 1.10.4" }',
    )
    text = pdf_text(render_blank(changed, preparations, "20pct-ready", unit_name=UNIT))
    assert "at 40 mL/h for 30 min" in text
    assert "80 mL/h" not in text
    assert changed.sha256 in text


def test_changing_a_stop_trigger_in_the_protocol_file_changes_the_form(
    tmp_path: Path, preparations: PreparationSet
) -> None:
    changed = modified_protocol(
        tmp_path,
        'rr_min_per_min = { value = "12"',
        'rr_min_per_min = { value = "14"',
    )
    text = pdf_text(render_blank(changed, preparations, "20pct-ready", unit_name=UNIT))
    assert "Respiratory rate below 14/min" in text
    assert "below 12/min" not in text


def test_unknown_preparation_is_refused_with_the_choices(
    protocol: Protocol, preparations: PreparationSet
) -> None:
    with pytest.raises(ProtocolError, match="20pct-ready"):
        render_blank(protocol, preparations, "no-such-thing", unit_name=UNIT)


def test_no_glyph_falls_back_to_a_box(default_text: str) -> None:
    assert "■" not in default_text
    assert "\ufffd" not in default_text


#: Pages of the blank form before the proforma's own fields were added: it may not grow.
BLANK_PAGES_BEFORE_FIELDS = 5


@pytest.mark.parametrize(
    "preparation_id", ["20pct-ready", "20pct-load-10pct-maint", "8pct-premixed"]
)
def test_every_proforma_field_has_a_write_in_place_within_the_page_count(
    protocol: Protocol, preparations: PreparationSet, preparation_id: str
) -> None:
    # decisions.md §16: the paper form records what the app records.
    pages = pdf_pages(render_blank(protocol, preparations, preparation_id, unit_name=UNIT))
    text = " ".join(" ".join(page.split()) for page in pages)
    for label in (
        "Established labour: cervix (cm)",
        "Or planned birth: time, mode",
        "Steroids ☐ given ☐ not given",
        "1st dose (date, time)",
        "Neonatal team told (time)",
        "In-utero transfer: from / to",
        "Prescribed by (name, role)",
        "Information: ☐ agreed ☐ declined",
        "☐ off-label use explained",
        "Pre-load baseline obs: time, values",
        "☐ calcium gluconate at hand",
        "Pump; batch / lot",
    ):
        assert label in text
    assert len(pages) <= BLANK_PAGES_BEFORE_FIELDS


def test_no_design_file_references_on_the_blank_form(default_text: str) -> None:
    assert "reference §" not in default_text
    assert "decisions.md" not in default_text
