"""The palette meets WCAG 2.2 AA for every text/background pair the app draws."""

from __future__ import annotations

import re

import pytest

from mgso4.gui.style import (
    MIN_NON_TEXT_CONTRAST,
    MIN_TEXT_CONTRAST,
    RULES,
    TARGET_MIN_PX,
    TONES,
    WCAG_TARGET_PX,
    Colour,
    contrast_ratio,
    relative_luminance,
    stylesheet,
    text_pairs,
)

PAIRS = text_pairs()


def test_contrast_ratio_of_black_on_white_is_21() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)


def test_contrast_ratio_of_a_colour_with_itself_is_1() -> None:
    assert contrast_ratio("#0b5394", "#0b5394") == pytest.approx(1.0)


def test_relative_luminance_matches_the_wcag_worked_value_for_mid_grey() -> None:
    # #777777 is the usual example of a grey just failing 4.5:1 on white (4.48:1).
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert relative_luminance("#ffffff") == pytest.approx(1.0)


def test_every_rule_that_sets_a_text_colour_names_its_background() -> None:
    missing = [rule.selector for rule in RULES if rule.fg and not rule.text_background]
    assert missing == []


@pytest.mark.parametrize(("where", "fg", "bg"), PAIRS, ids=[p[0] for p in PAIRS])
def test_text_contrast_is_at_least_4_5_to_1(where: str, fg: str, bg: str) -> None:
    assert contrast_ratio(fg, bg) >= MIN_TEXT_CONTRAST, f"{where}: {fg} on {bg}"


@pytest.mark.parametrize("name", list(TONES))
def test_tone_borders_are_visible_against_the_window(name: str) -> None:
    tone = TONES[name]
    # The border marks the banner's edge; it must stand out from the tone or the window.
    best = max(contrast_ratio(tone.border, tone.bg), contrast_ratio(tone.border, Colour.WINDOW))
    assert best >= MIN_NON_TEXT_CONTRAST


def test_focus_ring_is_visible_on_the_window_and_on_a_white_field() -> None:
    assert contrast_ratio(Colour.FOCUS, Colour.WINDOW) >= MIN_NON_TEXT_CONTRAST
    assert contrast_ratio(Colour.FOCUS, Colour.SURFACE) >= MIN_NON_TEXT_CONTRAST


def test_stylesheet_uses_only_named_colours() -> None:
    named = {value.lower() for key, value in vars(Colour).items() if key.isupper()}
    used = {c.lower() for c in re.findall(r"#[0-9a-fA-F]{6}", stylesheet())}
    assert used <= named


def test_stylesheet_text_colours_are_all_checked() -> None:
    # Every "color:" in the generated text comes from a rule whose pair is tested above.
    used_fg = {m.lower() for m in re.findall(r"(?<![-\w])color: (#[0-9a-fA-F]{6})", stylesheet())}
    checked_fg = {fg.lower() for _, fg, _ in PAIRS}
    assert used_fg <= checked_fg


def test_target_height_is_above_the_wcag_minimum() -> None:
    assert TARGET_MIN_PX >= WCAG_TARGET_PX
    assert f"min-height: {TARGET_MIN_PX}px" in stylesheet()
