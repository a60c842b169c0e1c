"""Core worked cases for the clinical corrections (WC-18 onwards; decisions.md §15).

- WC-18 (decisions.md §3, §15; reference §3.2 [T2][T4][T5][T6]): make-up instructions are
  computed from the dose and the container for every protocol × preparation. Rouse 6 g with
  50% ampoules is 12 mL of 50% + 18 mL sodium chloride 0.9% = 30 mL (not the 4 g text); an 8%
  bag holds 8 g, more than the 4 g load: "set VTBI 50 mL".
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from mgso4.core.dosing import loading_plan, maintenance_plan
from mgso4.core.protocol import ProtocolLibrary, parse_preparations
from mgso4.resources import resource_path

LIBRARY = ProtocolLibrary(resource_path("protocols"))
PREPARATIONS = parse_preparations(resource_path("preparations.toml").read_bytes())
PROTOCOL_IDS = ["uk-nice-ng25", "anz-2010", "sogc-2019", "acog-crowther", "acog-rouse"]
PREPARATION_IDS = [p.id for p in PREPARATIONS.preparations]


@pytest.mark.parametrize("protocol_id", PROTOCOL_IDS)
@pytest.mark.parametrize("preparation_id", PREPARATION_IDS)
def test_wc18_every_make_up_adds_up_to_the_dose_and_volume(
    protocol_id: str, preparation_id: str
) -> None:
    protocol = LIBRARY.load(protocol_id)
    preparation = PREPARATIONS.get(preparation_id)
    plan = loading_plan(protocol, preparation)
    dose = protocol.loading.dose_g.value
    text = plan.make_up

    assert text, (protocol_id, preparation_id)
    assert f"{plan.volume_ml.normalize():f}".rstrip(".") + " mL" in text.replace(".0 mL", " mL")
    stage = preparation.loading
    if stage.diluted_from_g_per_ml is not None:
        stock = dose / stage.diluted_from_g_per_ml
        diluent = plan.volume_ml - stock
        assert f"{stock.normalize():f} mL of 50%" in text
        assert f"+ {diluent.normalize():f} mL sodium chloride 0.9%" in text
        assert f"({dose.normalize():f} g)" in text
    if stage.container_dose_g > dose and stage.diluted_from_g_per_ml is None:
        assert plan.vtbi_ml == plan.volume_ml
        assert f"set VTBI {plan.volume_ml.normalize():f} mL" in text
        assert any("set VTBI" in w for w in plan.warnings)
    else:
        assert plan.vtbi_ml is None
    maintenance = maintenance_plan(protocol, preparation)
    if preparation.maintenance.diluted_from_g_per_ml is not None:
        assert maintenance.make_up == (
            "20 mL of 50% ampoules (10 g) + 30 mL sodium chloride 0.9% = 50 mL of 20%"
        )
    if preparation.maintenance.same_container_as_load:
        assert f"{maintenance.rate_ml_per_h.normalize():f} mL/h" in maintenance.make_up
        assert "second person" in maintenance.make_up


def test_wc18_rouse_6_g_from_50_percent_ampoules_is_12_plus_18_ml() -> None:
    plan = loading_plan(LIBRARY.load("acog-rouse"), PREPARATIONS.get("50pct-diluted-20pct"))

    assert plan.volume_ml == Decimal(30)
    assert plan.make_up.startswith(
        "12 mL of 50% ampoules (6 g) + 18 mL sodium chloride 0.9% = 30 mL of 20%"
    )
    assert "8 mL of 50%" not in plan.make_up


def test_wc18_the_8_percent_bag_says_set_vtbi_50_ml() -> None:
    plan = loading_plan(LIBRARY.load("uk-nice-ng25"), PREPARATIONS.get("8pct-premixed"))

    assert plan.vtbi_ml == Decimal(50)
    assert "set VTBI 50 mL" in plan.make_up
    assert any("runs the whole 8 g in 30 min" in w for w in plan.warnings)


# --- WC-21 ANZ and SOGC at 23+x; Rouse 12 h is a review ----------------------------------------
# WC-21 (reference §5; decisions.md §1): ANZ applies below 30 weeks with no lower bound [Z1],
# SOGC "from viability" [C1]: at 23+4 both presets give discuss with a senior decision, like
# NICE [N1] 1.10.1. APEC/Rouse [A4]: at least 12 h, stop after 12 h unless birth is
# anticipated — a review time, not a stop.


@pytest.mark.parametrize("protocol_id", ["anz-2010", "sogc-2019", "uk-nice-ng25"])
def test_wc21_23_plus_4_is_discuss_with_a_senior(protocol_id: str) -> None:
    from datetime import date

    from mgso4.core.eligibility import AssessmentInputs, assess
    from mgso4.core.gestation import DatingMethod, GestationalAge
    from mgso4.core.vocab import Band, Recommendation, Situation

    inputs = AssessmentInputs(
        gestation=GestationalAge.parse("23+4"),
        situation=Situation.ESTABLISHED_LABOUR,
        dating_method=DatingMethod.WEEKS_DAYS,
        on=date(2026, 1, 14),
    )
    result = assess(inputs, LIBRARY.load(protocol_id), PREPARATIONS, PREPARATIONS.default)

    assert (result.band, result.recommendation) == (Band.DISCUSS, Recommendation.DISCUSS)
    assert result.senior_decision_required
    assert not any("makes no recommendation" in reason for reason in result.reasons)


def test_wc21_rouse_12_h_is_a_review_not_a_stop() -> None:
    from datetime import timedelta

    from test_monitoring import Episode, utc

    from mgso4.core.alerts import AlertKind, open_alerts
    from mgso4.core.monitoring import DueKind, due_items

    rouse = LIBRARY.load("acog-rouse")
    load_at = utc("2026-01-14 09:00")
    state = Episode(rouse).standard(load_at).state()
    at_12h = load_at + timedelta(minutes=15, hours=12, seconds=60)

    kinds = {item.kind for item in due_items(state, rouse, at_12h)}
    found = open_alerts(state, rouse, at_12h)

    assert DueKind.REVIEW in kinds and DueKind.MAX_DURATION_STOP not in kinds
    assert [a.kind for a in found if a.id == "review:1"] == [AlertKind.ACTION_DUE]
    assert not [a for a in found if a.kind is AlertKind.STOP_INFUSION]
