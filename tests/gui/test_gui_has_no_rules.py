"""The screens have no episode rule of their own: rules are core's, declared once.

Three checks, each able to fail on code that decides a rule in a widget:

- no ``gui`` module defines a function or method named like a rule (``why_not…``,
  ``…cannot_start``, ``running_course``, ``load_end_due_at``, ``…amendable``/``…voidable``,
  ``allowed…``, ``on_board``, ``…refusal``): such a name in a gui module must be core's own
  object, imported;
- no ``gui`` module holds its own set of entry types (the amend/void sets are core's);
- every action the registry offers is reachable from the episode screen, and each of its
  buttons is enabled by ``core.actions.why_not`` (an action the screen cannot reach is a rule
  too: "not here").
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path
from types import ModuleType

import mgso4.gui
from mgso4.core.actions import ACTIONS
from mgso4.core.episode import EventType

#: Names that decide an episode rule (whether, when, what may be done).
RULE_NAME = re.compile(
    r"^_?(why_\w*|\w*_cannot_\w*|running_course|load_end_due_at|\w*amendable|\w*voidable"
    r"|allowed\w*|\w*_allowed|on_board|\w*_refusal|next_course\w*|not_happened_yet)$"
)
#: Where a rule may come from.
RULE_HOMES = ("mgso4.core.", "mgso4.audit.merge")


def gui_modules() -> list[ModuleType]:
    found = [mgso4.gui]
    for info in pkgutil.walk_packages(mgso4.gui.__path__, "mgso4.gui."):
        found.append(importlib.import_module(info.name))
    return found


def test_no_gui_module_defines_a_rule_function() -> None:
    defined: list[str] = []
    for module in gui_modules():
        source = Path(module.__file__ or "").read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and RULE_NAME.match(
                node.name
            ):
                defined.append(f"{module.__name__}:{node.lineno} {node.name}")
    assert defined == [], "rule functions defined in the GUI (they belong in core):\n" + "\n".join(
        defined
    )


def test_rule_names_seen_in_gui_modules_are_cores_own_objects() -> None:
    foreign: list[str] = []
    for module in gui_modules():
        for name, value in vars(module).items():
            if not RULE_NAME.match(name) or not callable(value):
                continue
            home = getattr(value, "__module__", "") or ""
            if not home.startswith(RULE_HOMES):
                foreign.append(f"{module.__name__}.{name} from {home}")
    assert foreign == []


def test_no_gui_module_keeps_its_own_set_of_entry_types() -> None:
    sets: list[str] = []
    for module in gui_modules():
        for name, value in vars(module).items():
            if (
                isinstance(value, set | frozenset)
                and value
                and all(isinstance(item, EventType) for item in value)
            ):
                import mgso4.core.actions as core_actions

                if not any(value is held for held in vars(core_actions).values()):
                    sets.append(f"{module.__name__}.{name}")
    assert sets == []


def test_every_offered_registry_action_is_reachable_from_the_episode_screen() -> None:
    from mgso4.gui.episode import view
    from mgso4.gui.episode.details import DETAIL_ACTIONS

    # The "Details…" button opens one dialog for the proforma's other records.
    mapped = set(view._BUTTON_ACTIONS.values()) | {"amend", "void"} | set(DETAIL_ACTIONS)
    offered = {key for key, spec in ACTIONS.items() if spec.offered}
    assert offered - mapped == set()
