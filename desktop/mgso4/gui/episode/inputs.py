"""Strict reading of typed numbers for the bedside forms; every refusal says how to fix it.

Whole numbers (pulse, blood pressure, respiratory rate, urine, SpO₂) accept digits only.
Decimals (hours, mmol/L, mL/h) go through ``core.dosing.parse_decimal_input``, which refuses
"4,0", "1..5", exponents, signs and units typed in the box. Allowed ranges are read from the
event's pydantic model, so the screen and the record never disagree about what is possible.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel

from mgso4.core.dosing import DoseInputError, parse_decimal_input

_DIGITS = re.compile(r"[0-9]+", re.ASCII)
_ECHO_LIMIT = 20


class InputError(ValueError):
    """Typed text that cannot be used; the message is for the user."""


def field_bounds(model: type[BaseModel], field: str) -> tuple[Any, Any, bool]:
    """(lowest, highest, lowest_excluded) allowed for a model field, from its constraints."""
    lowest: Any = None
    highest: Any = None
    excluded = False
    for item in model.model_fields[field].metadata:
        if isinstance(item, Ge):
            lowest = item.ge
        elif isinstance(item, Gt):
            lowest, excluded = item.gt, True
        elif isinstance(item, Le):
            highest = item.le
        elif isinstance(item, Lt):
            highest = item.lt
    return lowest, highest, excluded


def _echo(text: str) -> str:
    return text if len(text) <= _ECHO_LIMIT else text[:_ECHO_LIMIT] + "…"


def _range_words(lowest: Any, highest: Any, excluded: bool, unit: str) -> str:
    low = f"more than {lowest}" if excluded else f"{lowest}"
    if lowest is not None and highest is not None:
        if excluded:
            return f"{low} and up to {highest} {unit}"
        return f"from {low} to {highest} {unit}"
    if highest is not None:
        return f"up to {highest} {unit}"
    return f"at least {low} {unit}"


def parse_whole_number(
    text: str,
    *,
    label: str,
    unit: str,
    model: type[BaseModel],
    field: str,
    required: bool = False,
) -> int | None:
    """A typed whole number within the model field's range; None when left empty.

    Raises:
        InputError: letters, decimals, signs or spaces inside, or a value outside the range.
    """
    stripped = text.strip()
    lowest, highest, excluded = field_bounds(model, field)
    if not stripped:
        if required:
            raise InputError(f"{label} is empty: type a whole number in {unit}.")
        return None
    if not _DIGITS.fullmatch(stripped):
        shown = _echo(stripped)
        if re.fullmatch(r"[0-9]+[.,][0-9]+", stripped):
            why = "is not a whole number; type whole numbers only, e.g. 84."
        elif "," in stripped:
            why = "has a comma; type one whole number, e.g. 84."
        elif stripped.startswith(("-", "\u2212")):
            why = f"is negative; type a number {_range_words(lowest, highest, excluded, unit)}."
        elif re.fullmatch(r"[0-9]+\s*[^\s0-9]+.*", stripped):
            why = f"has letters after the number; type the number only (the unit is {unit})."
        elif any(ch.isspace() for ch in stripped):
            why = "has a space inside; type one whole number."
        else:
            why = "is not a number; type digits 0-9 only."
        raise InputError(f'{label}: "{shown}" {why}')
    value = int(stripped)
    too_low = lowest is not None and (value <= lowest if excluded else value < lowest)
    too_high = highest is not None and value > highest
    if too_low or too_high:
        raise InputError(
            f"{label} {value} {unit} is outside what can be recorded "
            f"({_range_words(lowest, highest, excluded, unit)}): check the reading."
        )
    return value


def parse_decimal_field(
    text: str,
    *,
    label: str,
    unit: str,
    model: type[BaseModel] | None = None,
    field: str | None = None,
    required: bool = False,
) -> Decimal | None:
    """A typed decimal read strictly (``core.dosing.parse_decimal_input``) within range.

    Raises:
        InputError: the dosing module's message, or a value outside the model field's range.
    """
    if not text.strip() and not required:
        return None
    try:
        value = parse_decimal_input(text, field_label=label, unit=unit)
    except DoseInputError as exc:
        raise InputError(str(exc)) from None
    if model is not None and field is not None:
        lowest, highest, excluded = field_bounds(model, field)
        too_low = lowest is not None and (value <= lowest if excluded else value < lowest)
        too_high = highest is not None and value > highest
        if too_low or too_high:
            raise InputError(
                f"{label} {value} {unit} is outside what can be recorded "
                f"({_range_words(lowest, highest, excluded, unit)})."
            )
    return value


def required_text(text: str, *, label: str, hint: str) -> str:
    """Stripped text that must not be empty.

    Raises:
        InputError: "<label> is needed: <hint>".
    """
    stripped = text.strip()
    if not stripped:
        raise InputError(f"{label} is needed: {hint}")
    return stripped
