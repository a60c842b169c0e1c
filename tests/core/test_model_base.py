"""Every pydantic model in core is built on first use (``core/model.py``), and behaves the same."""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
from decimal import Decimal

import pytest
from pydantic import BaseModel, ValidationError

import mgso4.core
from mgso4.core.dosing import LimitCheck
from mgso4.core.model import CoreModel


def _core_models() -> list[type[BaseModel]]:
    for module in pkgutil.iter_modules(mgso4.core.__path__):
        importlib.import_module(f"mgso4.core.{module.name}")
    found: list[type[BaseModel]] = []
    pending: list[type[BaseModel]] = [BaseModel]
    while pending:
        for sub in pending.pop().__subclasses__():
            pending.append(sub)
            if sub.__module__.startswith("mgso4.core."):
                found.append(sub)
    return found


def test_every_core_model_is_built_on_first_use() -> None:
    models = _core_models()
    assert len(models) > 40
    plain = [model.__qualname__ for model in models if not issubclass(model, CoreModel)]
    assert plain == []
    assert all(model.model_config.get("defer_build") for model in models)


def test_a_deferred_model_validates_and_refuses_as_before() -> None:
    assert LimitCheck(level="confirm", messages=("check",)).level == "confirm"
    with pytest.raises(ValidationError, match="level"):
        LimitCheck(level="maybe")  # type: ignore[arg-type]


def test_importing_the_rules_the_board_uses_builds_no_model() -> None:
    probe = (
        "import json, mgso4.core.actions, mgso4.core.board, mgso4.core.opening\n"
        "from mgso4.core.model import CoreModel\n"
        "seen, todo = [], [CoreModel]\n"
        "while todo:\n"
        "    for sub in todo.pop().__subclasses__():\n"
        "        todo.append(sub); seen.append(sub)\n"
        "print(json.dumps([m.__qualname__ for m in seen if m.__pydantic_complete__]))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert json.loads(completed.stdout) == []


def test_a_built_model_keeps_decimal_values_exact() -> None:
    from mgso4.core.protocol import Sourced

    assert Sourced(value="4.0", source="test").value == Decimal("4.0")
