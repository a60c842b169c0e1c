"""The feedback sheet's unit settings: Making Data Count run lengths, targets, small numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mgso4.settings import Settings, SettingsError, load_settings


def test_defaults_are_the_guidance_and_programme_values() -> None:
    settings = Settings()
    assert (settings.spc_shift_length, settings.spc_trend_length) == (7, 7)
    assert (settings.nnap_target_percent, settings.nnap_stretch_target_percent) == (85, 95)
    assert settings.spc_min_denominator == 10
    assert settings.suppress_below is None  # off: internal huddles see every count


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("spc_shift_length", 5, "spc_shift_length"),
        ("spc_trend_length", 8, "spc_trend_length"),
        ("spc_min_denominator", 4, "spc_min_denominator"),
        ("suppress_below", 1, "suppress_below"),
        ("nnap_stretch_target_percent", 80, "below the target"),
    ],
)
def test_a_bad_feedback_setting_is_refused_naming_the_field(
    tmp_path: Path, field: str, value: int, words: str
) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({field: value}), encoding="utf-8")
    with pytest.raises(SettingsError, match=words) as caught:
        load_settings(path)
    assert field in str(caught.value)
