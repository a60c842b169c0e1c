"""Protocol and preparation files: shipped files load; any faulty file is refused naming the field.

Faulty variants are made by editing the shipped UK file's text in one place each, so the test
keeps following the real file; ``_edit`` fails loudly if the text it edits has moved.
"""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal
from pathlib import Path

import pytest

from mgso4.core.gestation import GestationalAge
from mgso4.core.protocol import (
    DEFAULT_PREPARATION_ID,
    DEFAULT_PROTOCOL_ID,
    MAX_IV_CONCENTRATION_G_PER_ML,
    Protocol,
    ProtocolError,
    ProtocolLibrary,
    Sourced,
    SourcedSetting,
    load_preparations_file,
    load_protocol_file,
    parse_preparations,
    parse_protocol,
    unverified_values,
)
from mgso4.core.vocab import Band
from mgso4.resources import resource_path

PROTOCOLS = resource_path("protocols")
PREPARATIONS = resource_path("preparations.toml")
SHIPPED_IDS = ["acog-crowther", "acog-rouse", "anz-2010", "sogc-2019", "uk-nice-ng25"]
DATA = Path(__file__).parent / "data"


def uk_text() -> str:
    return (PROTOCOLS / "uk-nice-ng25.toml").read_text(encoding="utf-8")


def _edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"the shipped file no longer contains {old!r} exactly once"
    return text.replace(old, new)


def refused_problems(text: str) -> list[str]:
    with pytest.raises(ProtocolError) as caught:
        parse_protocol(text.encode("utf-8"), "test.toml")
    return caught.value.problems


# --- shipped files ----------------------------------------------------------------------------


def test_the_library_lists_the_five_shipped_protocols() -> None:
    assert ProtocolLibrary(PROTOCOLS).ids() == SHIPPED_IDS


@pytest.mark.parametrize("protocol_id", SHIPPED_IDS)
def test_each_shipped_protocol_loads_and_validates(protocol_id: str) -> None:
    protocol = ProtocolLibrary(PROTOCOLS).load(protocol_id)
    assert protocol.id == protocol_id
    data = (PROTOCOLS / f"{protocol_id}.toml").read_bytes()
    assert protocol.sha256 == hashlib.sha256(data).hexdigest()


def test_the_default_protocol_is_uk_nice_ng25_with_its_three_bands() -> None:
    protocol = ProtocolLibrary(PROTOCOLS).load(DEFAULT_PROTOCOL_ID)
    assert [(b.band, b.start.label, b.end.label) for b in protocol.bands] == [
        (Band.DISCUSS, "23+0", "23+6"),
        (Band.OFFER, "24+0", "29+6"),
        (Band.CONSIDER, "30+0", "33+6"),
    ]
    assert protocol.loading.dose_g.value == Decimal(4)
    assert protocol.loading.duration_min.value == Decimal(15)
    assert protocol.maintenance.rate_g_per_h.value == Decimal(1)
    assert protocol.maintenance.max_hours.value == Decimal(24)


def test_the_preparations_file_loads_with_its_default() -> None:
    preparations = load_preparations_file(PREPARATIONS)
    assert preparations.ids == [
        "20pct-ready",
        "20pct-load-10pct-maint",
        "50pct-diluted-20pct",
        "8pct-premixed",
    ]
    assert preparations.default == DEFAULT_PREPARATION_ID
    assert preparations.get("8pct-premixed").maintenance.concentration_g_per_ml == Decimal("0.08")


def test_every_shipped_preparation_is_at_most_20_percent() -> None:
    for preparation in load_preparations_file(PREPARATIONS).preparations:
        for stage in (preparation.loading, preparation.maintenance):
            assert stage.concentration_g_per_ml <= MAX_IV_CONCENTRATION_G_PER_ML


def test_an_unknown_preparation_id_names_the_choices() -> None:
    with pytest.raises(ProtocolError, match="20pct-ready"):
        load_preparations_file(PREPARATIONS).get("30pct")


# --- faulty protocol files are refused, naming the field --------------------------------------


def test_a_missing_field_is_refused_naming_it() -> None:
    text = _edit(uk_text(), 'dose_g = { value = "4", source = "[N1] 1.10.4" }\n', "")
    assert refused_problems(text) == ["loading.dose_g: Field required"]


def test_overlapping_bands_are_refused() -> None:
    text = _edit(uk_text(), 'from = "24+0"', 'from = "23+5"')
    (problem,) = refused_problems(text)
    assert problem.startswith("bands: bands overlap")
    assert "23+5" in problem


def test_a_gap_between_bands_is_refused() -> None:
    text = _edit(uk_text(), 'from = "24+0"', 'from = "24+1"')
    (problem,) = refused_problems(text)
    assert problem.startswith("bands: gap between bands")
    assert "23+6" in problem and "24+1" in problem


def test_a_band_that_ends_before_it_starts_is_refused() -> None:
    text = _edit(uk_text(), 'to = "33+6"', 'to = "29+0"')
    assert any("ends (29+0) before it starts (30+0)" in p for p in refused_problems(text))


def test_a_bad_gestation_string_in_a_band_is_refused_naming_the_band_field() -> None:
    text = _edit(uk_text(), 'from = "24+0"', 'from = "23+7"')
    (problem,) = refused_problems(text)
    assert problem.startswith("bands.1.from:")
    assert "days must be 0 to 6" in problem


def test_a_negative_dose_is_refused() -> None:
    text = _edit(uk_text(), 'dose_g = { value = "4"', 'dose_g = { value = "-4"')
    assert any("loading.dose_g.value: cannot be negative" in p for p in refused_problems(text))


def test_a_negative_threshold_is_refused() -> None:
    text = _edit(
        uk_text(), 'spo2_min_percent = { value = "94"', 'spo2_min_percent = { value = "-94"'
    )
    assert any(
        "monitoring.spo2_min_percent.value: cannot be negative" in p for p in refused_problems(text)
    )


def test_a_value_that_is_not_a_number_is_refused_naming_the_field() -> None:
    text = _edit(uk_text(), 'dose_g = { value = "4"', 'dose_g = { value = "four"')
    (problem,) = refused_problems(text)
    assert problem.startswith("loading.dose_g.value:")
    assert '"four" is not a number' in problem


@pytest.mark.parametrize("not_finite", ["NaN", "Infinity"])
def test_a_value_that_is_not_finite_is_refused(not_finite: str) -> None:
    text = _edit(uk_text(), 'dose_g = { value = "4"', f'dose_g = {{ value = "{not_finite}"')
    (problem,) = refused_problems(text)
    assert problem.startswith("loading.dose_g.value:")


def test_a_soft_limit_above_the_hard_limit_is_refused() -> None:
    text = _edit(
        uk_text(),
        'maintenance_g_per_h_soft_max = { value = "1"',
        'maintenance_g_per_h_soft_max = { value = "3"',
    )
    (problem,) = refused_problems(text)
    assert "limits.maintenance_g_per_h_soft_max" in problem
    assert "(1 / 3 / 2)" in problem


def test_a_loading_dose_soft_limit_above_its_hard_limit_is_refused() -> None:
    text = _edit(
        uk_text(),
        'loading_dose_g_soft_max = { value = "4"',
        'loading_dose_g_soft_max = { value = "7"',
    )
    assert any("limits.loading_dose_g_soft_max" in p for p in refused_problems(text))


def test_a_hard_minimum_duration_above_the_soft_minimum_is_refused() -> None:
    text = _edit(
        uk_text(),
        'loading_duration_min_hard_min = { value = "5"',
        'loading_duration_min_hard_min = { value = "20"',
    )
    assert any("limits.loading_duration_min_soft_min" in p for p in refused_problems(text))


def test_an_unknown_field_is_refused() -> None:
    text = _edit(uk_text(), "optional = false", "optional = false\nstop_after_hours = 12")
    assert refused_problems(text) == [
        "maintenance.stop_after_hours: Extra inputs are not permitted"
    ]


def test_an_unknown_stop_anchor_is_refused() -> None:
    text = _edit(uk_text(), 'stop_anchor = "maintenance-start"', 'stop_anchor = "decision"')
    (problem,) = refused_problems(text)
    assert problem.startswith("maintenance.stop_anchor:")


def test_a_file_that_is_not_toml_is_refused() -> None:
    with pytest.raises(ProtocolError) as caught:
        load_protocol_file(DATA / "not-toml.toml")
    (problem,) = caught.value.problems
    assert problem.startswith("(file): not valid TOML")


def test_a_sha256_key_in_the_file_is_refused() -> None:
    text = _edit(uk_text(), 'id = "uk-nice-ng25"', f'id = "uk-nice-ng25"\nsha256 = "{"0" * 64}"')
    assert refused_problems(text) == ["sha256: computed by the app; remove it from the file"]


def test_a_missing_file_is_refused_with_a_reason(tmp_path: Path) -> None:
    with pytest.raises(ProtocolError, match="cannot be read"):
        load_protocol_file(tmp_path / "absent.toml")


# --- faulty preparation files -----------------------------------------------------------------


def prep_text() -> str:
    return PREPARATIONS.read_text(encoding="utf-8")


def test_a_50_percent_iv_preparation_is_refused() -> None:
    text = _edit(
        prep_text(),
        'concentration_g_per_ml = "0.08"\nconcentration_label = "8% w/v (0.08 g/mL)"\n'
        'container = "8 g in 100 mL premixed bag"\n',
        'concentration_g_per_ml = "0.5"\nconcentration_label = "8% w/v (0.08 g/mL)"\n'
        'container = "8 g in 100 mL premixed bag"\n',
    )
    with pytest.raises(ProtocolError) as caught:
        parse_preparations(text.encode("utf-8"))
    (problem,) = caught.value.problems
    assert problem.startswith("preparations.3.loading: concentration_g_per_ml: 0.5 g/mL")
    assert "20%" in problem


def test_a_container_whose_dose_does_not_match_its_volume_is_refused() -> None:
    text = _edit(prep_text(), 'container_dose_g = "5"', 'container_dose_g = "6"')
    with pytest.raises(ProtocolError, match=re.escape("50 mL × 0.1 g/mL is not 6 g")):
        parse_preparations(text.encode("utf-8"))


def test_a_default_preparation_that_does_not_exist_is_refused() -> None:
    text = _edit(prep_text(), 'default = "20pct-ready"', 'default = "30pct"')
    with pytest.raises(ProtocolError, match="default: '30pct' is not one of"):
        parse_preparations(text.encode("utf-8"))


# --- the content hash -------------------------------------------------------------------------


def test_the_hash_is_sha256_of_the_exact_bytes() -> None:
    data = uk_text().encode("utf-8")
    assert parse_protocol(data).sha256 == hashlib.sha256(data).hexdigest()


def test_changing_one_byte_changes_the_hash() -> None:
    original = uk_text()
    changed = _edit(original, 'version = "2026.2"', 'version = "2026.3"')
    assert parse_protocol(original.encode()).sha256 != parse_protocol(changed.encode()).sha256


def test_a_comment_change_changes_the_hash() -> None:
    # The hash is of the file, not of its meaning: any edit shows up in the record.
    original = uk_text().encode()
    assert parse_protocol(original).sha256 != parse_protocol(original + b"#").sha256


# --- the library ------------------------------------------------------------------------------


def test_the_library_loads_by_id_and_by_path_to_the_same_protocol(tmp_path: Path) -> None:
    copy = tmp_path / "our-unit.toml"
    copy.write_bytes((PROTOCOLS / "uk-nice-ng25.toml").read_bytes())
    library = ProtocolLibrary(PROTOCOLS)
    assert library.load(str(copy)) == library.load("uk-nice-ng25")


def test_an_unknown_id_lists_the_shipped_ids() -> None:
    with pytest.raises(ProtocolError) as caught:
        ProtocolLibrary(PROTOCOLS).load("uk-nice-ng99")
    (problem,) = caught.value.problems
    for protocol_id in SHIPPED_IDS:
        assert protocol_id in problem


def test_a_shipped_file_whose_id_differs_from_its_name_is_refused(tmp_path: Path) -> None:
    (tmp_path / "uk-nice-ng25.toml").write_text(
        _edit(uk_text(), 'id = "uk-nice-ng25"', 'id = "our-unit"'), encoding="utf-8"
    )
    with pytest.raises(ProtocolError, match="declares id 'our-unit'"):
        ProtocolLibrary(tmp_path).load("uk-nice-ng25")


def test_load_all_gives_every_shipped_protocol_by_id() -> None:
    assert sorted(ProtocolLibrary(PROTOCOLS).load_all()) == SHIPPED_IDS


# --- lookups and local settings ---------------------------------------------------------------


@pytest.fixture(scope="module")
def uk() -> Protocol:
    return ProtocolLibrary(PROTOCOLS).load("uk-nice-ng25")


@pytest.mark.parametrize(
    ("label", "band"),
    [
        ("22+6", Band.OUTSIDE),
        ("23+0", Band.DISCUSS),
        ("24+0", Band.OFFER),
        ("29+6", Band.OFFER),
        ("30+0", Band.CONSIDER),
        ("33+6", Band.CONSIDER),
        ("34+0", Band.OUTSIDE),
    ],
)
def test_band_for_is_inclusive_at_both_ends(uk: Protocol, label: str, band: Band) -> None:
    assert uk.band_for(GestationalAge.parse(label)) == band


def test_citation_gives_the_full_source(uk: Protocol) -> None:
    assert uk.citation("N1") == (
        "[N1] NICE NG25 Preterm labour and birth (2015, updated 10 Jun 2022) — "
        "https://www.nice.org.uk/guidance/ng25"
    )


def test_unverified_values_list_the_stop_anchor_and_local_thresholds(uk: Protocol) -> None:
    listed = dict(unverified_values(uk))
    anchor = listed["maintenance.stop_anchor"]
    assert isinstance(anchor, SourcedSetting)
    assert "maintenance-start" in anchor.value
    for path in (
        "monitoring.rr_min_per_min",
        "monitoring.rr_fall_from_baseline_per_min",
        "monitoring.urine_min_ml_per_4h",
        "monitoring.diastolic_fall_from_baseline_mmhg",
        "monitoring.spo2_min_percent",
        "monitoring.reflexes_absent_stop",
        "repeat_course.min_gap_hours",
        "limits.loading_dose_g_hard_max",
        "limits.maintenance_g_per_h_hard_max",
    ):
        assert path in listed, path
        assert listed[path].is_local_setting


def test_unverified_values_leave_out_values_read_in_a_source(uk: Protocol) -> None:
    listed = dict(unverified_values(uk))
    for path in (
        "loading.dose_g",
        "maintenance.rate_g_per_h",
        "maintenance.max_hours",
        "bands.offer",
    ):
        assert path not in listed


def test_unverified_values_list_a_preset_band_whose_bound_is_local() -> None:
    anz = ProtocolLibrary(PROTOCOLS).load("anz-2010")
    listed = dict(unverified_values(anz))
    assert listed["bands.offer"].value == "offer 24+0 to 29+6"


def test_a_sourced_value_marked_local_is_a_local_setting() -> None:
    assert Sourced(value=Decimal(12), source="[T1]", status="local").is_local_setting
    assert not Sourced(value=Decimal(4), source="[N1] 1.10.4").is_local_setting
