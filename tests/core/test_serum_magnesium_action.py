"""The serum magnesium result, an action declared once in core.actions (scripting and screen)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from mgso4.core.actions import ACTIONS, ActionRefused, schema


def test_the_action_is_in_the_registry_and_the_schema() -> None:
    spec = ACTIONS["serum-magnesium"]
    assert spec.offered
    assert "serum_mg_mmol_l" in schema()["actions"]["serum-magnesium"]["properties"]


def test_it_records_an_observation_holding_only_the_result() -> None:
    spec = ACTIONS["serum-magnesium"]
    fields = spec.fields.model_validate({"serum_mg_mmol_l": "2.4"})
    assert spec.build is not None

    class _Ctx:
        at = datetime(2026, 1, 14, 3, 0, tzinfo=UTC)

    [(kind, payload, at)] = spec.build(fields, _Ctx())  # type: ignore[arg-type]
    assert kind.value == "observation"
    assert payload.model_dump(exclude_none=True) == {
        "serum_mg_mmol_per_l": Decimal("2.4"),
        "baseline": False,
        # Signs nobody asked about are not recorded (never as "no"): a result alone says
        # nothing about chest pain or breathing.
    }
    assert at == _Ctx.at


def test_a_missing_result_is_refused() -> None:
    with pytest.raises(ValueError):
        ACTIONS["serum-magnesium"].fields.model_validate({})
    assert issubclass(ActionRefused, Exception)
