"""Input budget for the standard case (issue #4), counted by keyboard alone.

One input = one typed field (a whole string), one Enter, one Tab or one click; the main
window's "New episode" button counts as the first. Budget: loading instructions on screen
within 10 inputs, maintenance running (saved) within 20.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from mgso4.core.episode import Stage
from mgso4.gui.wizard.budget import LOADING_BUDGET, SAVED_BUDGET, run_standard_case
from mgso4.gui.wizard.demo import demo_context


def _report(label: str, result: dict[str, object]) -> None:
    print(
        f"\n{label}: loading instructions on screen after {result['loading_instructions_visible']}"
        f" inputs, loading page after {result['loading_page_visible']}, saved after "
        f"{result['saved']} (budgets {LOADING_BUDGET} / {SAVED_BUDGET})"
    )
    print("\n".join(str(line) for line in result["log"]))  # type: ignore[attr-defined]


def test_standard_case_within_budget_when_the_shift_user_is_known(
    qtbot: QtBot, tmp_path: Path
) -> None:
    context = demo_context(tmp_path)
    result = run_standard_case(qtbot, context, user_known=True)
    _report("Shift user known", result)
    assert result["user_page"] is False
    assert result["loading_instructions_visible"] <= LOADING_BUDGET
    assert result["loading_page_visible"] <= LOADING_BUDGET
    assert result["saved"] <= SAVED_BUDGET
    state = context.store.episode(str(result["episode_uuid"]))
    assert state.stage is Stage.MAINTENANCE
    context.store.close()


def test_first_episode_of_a_shift_shows_loading_instructions_within_budget(
    qtbot: QtBot, tmp_path: Path
) -> None:
    # The sign-in page (name + Enter, once a shift) comes first, so the loading *page* is
    # one input later; the dose, volume and pump rate are already on the decision page.
    context = demo_context(tmp_path)
    result = run_standard_case(qtbot, context, user_known=False)
    _report("First episode of the shift", result)
    assert result["user_page"] is True
    assert result["loading_instructions_visible"] <= LOADING_BUDGET
    assert result["saved"] <= SAVED_BUDGET
    assert result["loading_page_visible"] == result["loading_instructions_visible"] + 1
    context.store.close()


@pytest.mark.parametrize("user_known", [True, False])
def test_counts_are_each_input_once(qtbot: QtBot, tmp_path: Path, user_known: bool) -> None:
    result = run_standard_case(qtbot, demo_context(tmp_path), user_known=user_known)
    log = result["log"]
    assert isinstance(log, list)
    assert len(log) == result["saved"]
    assert log[0].endswith("click New episode (main window)")
