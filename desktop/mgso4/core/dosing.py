"""Doses, volumes and pump rates; hard and soft limits; the stop time; repeat courses.

All arithmetic is Decimal. The formulas (reference.md §3.2, DERIVED):

- loading volume (mL) = dose (g) ÷ concentration (g/mL);
- loading rate (mL/h) = volume (mL) × 60 ÷ duration (min);
- maintenance rate (mL/h) = rate (g/h) ÷ concentration (g/mL);
- delivered g/h = concentration (g/mL) × rate (mL/h).

Two rules are fixed, not settings (decisions.md §3; reference.md §10):

- g/h is always computed from concentration × mL/h and never typed: a source lists 2.5 mL/h of
  a 20% solution as "1 g/hour" when it delivers 0.5 g/h (reference §3.2 trap);
- IV magnesium sulfate is given at 20% w/v (0.2 g/mL) or weaker [D1][D5].

Computed volumes, rates and hours are rounded to 2 decimal places (the precision accepted
from the keyboard); when rounding changes a value the plan says so in its warnings.

Times are aware datetimes; every duration is real elapsed time computed in UTC, so a BST/GMT
change never stretches or shrinks the 24 h (decisions.md §12).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from pydantic import ConfigDict

from mgso4.core.model import CoreModel
from mgso4.core.protocol import (
    MAX_IV_CONCENTRATION_G_PER_ML,
    Preparation,
    PreparationStage,
    Protocol,
)
from mgso4.core.timeutil import elapsed_hours, ensure_utc
from mgso4.core.vocab import ConditionId

#: Places kept in computed volumes, rates and hours (and accepted from the keyboard).
DECIMAL_PLACES = 2
_QUANTUM = Decimal(1).scaleb(-DECIMAL_PLACES)

#: Share of the protocol's cumulative-exposure limit at which the repeat-course check warns.
#: The MHRA links more than 5–7 days' cumulative exposure to neonatal bone, calcium and
#: magnesium effects [M1]; decisions.md §8 says to warn "as cumulative exposure nears" the
#: protocol's days (5 by default). "Nears" is set here at 80%: 96 h of a 120 h limit.
CUMULATIVE_WARNING_FRACTION = Decimal("0.8")

_HOURS_PER_DAY = Decimal(24)
_MINUTES_PER_HOUR = Decimal(60)
_MICROSECONDS_PER_HOUR = Decimal(3_600_000_000)


class DoseInputError(ValueError):
    """A typed number that cannot be accepted; the message is written for the user."""


class _Frozen(CoreModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --------------------------------------------------------------------------- formatting


def plain(value: Decimal) -> str:
    """A Decimal as plain text without exponent or trailing zeros: 20.00 -> "20", 0.50 -> "0.5"."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def percent_label(concentration_g_per_ml: Decimal) -> str:
    """A w/v concentration as a percentage: 0.2 g/mL -> "20%", 0.08 g/mL -> "8%"."""
    return f"{plain(concentration_g_per_ml * 100)}%"


def _tidy(value: Decimal) -> Decimal:
    """Exact value without trailing zeros or exponent (Decimal("20.00") -> Decimal("20"))."""
    return Decimal(plain(value))


def _rounded(value: Decimal, what: str, unit: str, warnings: list[str]) -> Decimal:
    """Round to 2 decimal places; record a warning if that changed the value."""
    result = _tidy(value.quantize(_QUANTUM, rounding=ROUND_HALF_UP))
    if result != value:
        exponent = value.as_tuple().exponent
        exact = plain(value) if isinstance(exponent, int) and exponent >= -6 else f"{value:.6f}…"
        warnings.append(
            f"The {what} is rounded to {plain(result)} {unit} (exactly {exact}); "
            "check the pump setting."
        )
    return result


# --------------------------------------------------------------------------- plans


class LoadingPlan(_Frozen):
    """What to draw up and how to run the loading dose.

    ``volume_ml`` = dose ÷ concentration; ``rate_ml_per_h`` = volume × 60 ÷ duration (min).
    """

    dose_g: Decimal
    duration_min: Decimal
    volume_ml: Decimal
    rate_ml_per_h: Decimal
    concentration_g_per_ml: Decimal
    concentration_label: str
    container: str
    make_up: str
    preparation_id: str
    warnings: tuple[str, ...] = ()
    #: The pump's volume to be infused when the container holds more than the load (§15).
    vtbi_ml: Decimal | None = None


class MaintenancePlan(_Frozen):
    """What to run as the maintenance infusion and how long each container lasts.

    ``rate_ml_per_h`` = g/h ÷ concentration; ``hours_per_container`` = container grams ÷ g/h.
    """

    rate_g_per_h: Decimal
    rate_ml_per_h: Decimal
    concentration_g_per_ml: Decimal
    concentration_label: str
    container: str
    container_volume_ml: Decimal
    container_dose_g: Decimal
    hours_per_container: Decimal
    max_hours: Decimal
    stop_anchor: Literal["maintenance-start", "load-start"]
    make_up: str
    preparation_id: str
    optional: bool = False
    warnings: tuple[str, ...] = ()


def _require_positive(value: Decimal, what: str, unit: str) -> None:
    if not isinstance(value, Decimal):
        # Floats carry binary rounding (0.1 + 0.2 != 0.3): doses are Decimal end to end.
        raise DoseInputError(f"The {what} must be an exact Decimal number, not {value!r}.")
    if not value.is_finite() or value <= 0:
        raise DoseInputError(f"The {what} must be more than 0 {unit} (got {value}).")


def _require_iv_concentration(stage: PreparationStage) -> None:
    # The preparation file is validated on load; this guards a stage built some other way.
    if stage.concentration_g_per_ml > MAX_IV_CONCENTRATION_G_PER_ML:
        raise DoseInputError(
            f"{percent_label(stage.concentration_g_per_ml)} is stronger than 20%: IV magnesium "
            "sulfate must be diluted to 20% or less [D1][D5]."
        )


def loading_plan(
    protocol: Protocol,
    preparation: Preparation,
    *,
    dose_g: Decimal | None = None,
    duration_min: Decimal | None = None,
) -> LoadingPlan:
    """The loading dose as volume and pump rate for a preparation.

    Args:
        protocol: Gives the default dose (g) and duration (min), e.g. 4 g over 15 min
            ([N1] 1.10.4 for the UK default).
        preparation: Gives the loading concentration (g/mL) and container.
        dose_g: A different dose in grams (check it with :func:`check_loading` first).
        duration_min: A different duration in minutes, e.g. a unit's 20 or 30 min preset.

    Returns:
        The plan; 4 g of 20% over 15 min is 20 mL at 80 mL/h (decisions.md §3).

    Raises:
        DoseInputError: A dose or duration that is not more than 0.
    """
    dose = protocol.loading.dose_g.value if dose_g is None else dose_g
    duration = protocol.loading.duration_min.value if duration_min is None else duration_min
    _require_positive(dose, "loading dose", "g")
    _require_positive(duration, "loading duration", "min")
    stage = preparation.loading
    _require_iv_concentration(stage)
    warnings = list(preparation.warnings)
    exact_volume = dose / stage.concentration_g_per_ml
    volume = _rounded(exact_volume, "loading volume", "mL", warnings)
    rate = _rounded(exact_volume * _MINUTES_PER_HOUR / duration, "loading rate", "mL/h", warnings)
    if exact_volume > stage.container_volume_ml and stage.diluted_from_g_per_ml is None:
        count = containers_needed(dose, stage.container_dose_g)
        warnings.append(
            f"{plain(dose)} g needs {plain(volume)} mL of "
            f"{percent_label(stage.concentration_g_per_ml)}, more than one {stage.container} "
            f"({plain(stage.container_volume_ml)} mL): {count} are needed."
        )
    vtbi = volume if stage.diluted_from_g_per_ml is None and holds_more_than(stage, dose) else None
    if vtbi is not None:
        minutes = stage.container_volume_ml * _MINUTES_PER_HOUR / rate
        warnings.append(
            f"The {stage.container} holds {plain(stage.container_dose_g)} g, more than the "
            f"{plain(dose)} g load: set VTBI {plain(vtbi)} mL (the pump's volume to be infused) "
            "so that it stops after the load, and change the rate to the maintenance rate when "
            "the load ends, checked by a second person. A missed change "
            f"runs the whole {plain(stage.container_dose_g)} g in "
            f"{plain(minutes.quantize(Decimal(1)))} min."
        )
    return LoadingPlan(
        dose_g=_tidy(dose),
        duration_min=_tidy(duration),
        volume_ml=volume,
        rate_ml_per_h=rate,
        concentration_g_per_ml=_tidy(stage.concentration_g_per_ml),
        concentration_label=stage.concentration_label,
        container=stage.container,
        make_up=loading_make_up(stage, _tidy(dose), volume),
        preparation_id=preparation.id,
        warnings=tuple(warnings),
        vtbi_ml=vtbi,
    )


def holds_more_than(stage: PreparationStage, dose_g: Decimal) -> bool:
    """The stage's container holds more than ``dose_g`` (an 8% bag for a 4 g load): the pump
    must be volume-limited to the dose (decisions.md §15)."""
    return stage.container_dose_g > dose_g


def _stock_ml(stage: PreparationStage, dose_g: Decimal) -> Decimal:
    assert stage.diluted_from_g_per_ml is not None
    return _tidy((dose_g / stage.diluted_from_g_per_ml).quantize(Decimal("0.01")))


def _stock_label(stage: PreparationStage) -> str:
    stock = stage.diluted_from_g_per_ml
    assert stock is not None
    return stage.diluted_from_label or percent_label(stock)


def loading_make_up(stage: PreparationStage, dose_g: Decimal, volume_ml: Decimal) -> str:
    """How to make up the loading dose, computed from the dose and the container.

    Ward dilution: the stock volume (dose ÷ stock g/mL) and the diluent to the load volume
    (6 g of 20% from 50%: 12 mL of 50% + 18 mL sodium chloride 0.9% = 30 mL). A container
    holding more than the load: the volume to take, with VTBI. Less: how many containers.
    """
    percent = percent_label(stage.concentration_g_per_ml)
    if stage.diluted_from_g_per_ml is not None:
        stock = _stock_ml(stage, dose_g)
        text = (
            f"{plain(stock)} mL of {_stock_label(stage)} ({plain(dose_g)} g) + "
            f"{plain(_tidy(volume_ml - stock))} mL {stage.diluent} = "
            f"{plain(volume_ml)} mL of {percent}"
        )
        if volume_ml > stage.container_volume_ml:
            text += (
                f" (more than the {plain(stage.container_volume_ml)} mL syringe: use a larger one)"
            )
        return text
    if holds_more_than(stage, dose_g):
        return (
            f"{plain(volume_ml)} mL ({plain(dose_g)} g) from the {stage.container}: set VTBI "
            f"{plain(volume_ml)} mL on the pump"
        )
    if volume_ml == stage.container_volume_ml:
        return f"{plain(volume_ml)} mL: one {stage.container}"
    full = int(volume_ml // stage.container_volume_ml)
    rest = _tidy(volume_ml - full * stage.container_volume_ml)
    text = f"{plain(volume_ml)} mL ({plain(dose_g)} g): {full} × {stage.container}"
    if rest:
        rest_g = _tidy(rest * stage.concentration_g_per_ml)
        text += f" + {plain(rest)} mL ({plain(rest_g)} g) from another"
    return text


def maintenance_make_up(stage: PreparationStage, rate_ml_per_h: Decimal) -> str:
    """How to make up (or run on) the maintenance container, computed from the container."""
    if stage.diluted_from_g_per_ml is not None:
        stock = _stock_ml(stage, stage.container_dose_g)
        return (
            f"{plain(stock)} mL of {_stock_label(stage)} ({plain(stage.container_dose_g)} g) + "
            f"{plain(_tidy(stage.container_volume_ml - stock))} mL {stage.diluent} = "
            f"{plain(stage.container_volume_ml)} mL of "
            f"{percent_label(stage.concentration_g_per_ml)}"
        )
    if stage.same_container_as_load:
        return (
            f"Runs on from the load's {stage.container}: when the load ends, change the pump "
            f"rate to {plain(rate_ml_per_h)} mL/h, checked by a second person"
        )
    return ""


def maintenance_plan(protocol: Protocol, preparation: Preparation) -> MaintenancePlan:
    """The maintenance infusion as a pump rate for a preparation.

    Args:
        protocol: Gives the rate (g/h), the maximum hours and the stop anchor
            (1 g/h for up to 24 h from the start of maintenance by default, [N1] 1.10.4 and
            decisions.md §4).
        preparation: Gives the maintenance concentration (g/mL) and container.

    Returns:
        The plan; 1 g/h of 20% is 5 mL/h, of 10% 10 mL/h, of 8% 12.5 mL/h (decisions.md §3).
    """
    stage = preparation.maintenance
    _require_iv_concentration(stage)
    rate_g = protocol.maintenance.rate_g_per_h.value
    warnings = list(preparation.warnings)
    rate_ml = _rounded(rate_g / stage.concentration_g_per_ml, "maintenance rate", "mL/h", warnings)
    if stage.same_container_as_load:
        warnings.append(
            f"Maintenance runs on from the load's {stage.container}: change the rate to "
            f"{plain(rate_ml)} mL/h when the load ends, checked by a second person "
            "."
        )
    hours = _rounded(stage.container_dose_g / rate_g, "time per container", "h", warnings)
    return MaintenancePlan(
        rate_g_per_h=_tidy(rate_g),
        rate_ml_per_h=rate_ml,
        concentration_g_per_ml=_tidy(stage.concentration_g_per_ml),
        concentration_label=stage.concentration_label,
        container=stage.container,
        container_volume_ml=_tidy(stage.container_volume_ml),
        container_dose_g=_tidy(stage.container_dose_g),
        hours_per_container=hours,
        max_hours=_tidy(protocol.maintenance.max_hours.value),
        stop_anchor=protocol.maintenance.stop_anchor,
        make_up=maintenance_make_up(stage, rate_ml) or stage.make_up,
        preparation_id=preparation.id,
        optional=protocol.maintenance.optional,
        warnings=tuple(warnings),
    )


def rate_g_per_h(concentration_g_per_ml: Decimal, rate_ml_per_h: Decimal) -> Decimal:
    """Grams per hour delivered: concentration (g/mL) × pump rate (mL/h).

    Always computed, never typed (reference §3.2 trap): 2.5 mL/h of 20% is 0.5 g/h, whatever
    a label says.

    Raises:
        DoseInputError: A concentration that is not more than 0 or a negative rate.
    """
    _require_positive(concentration_g_per_ml, "concentration", "g/mL")
    if not rate_ml_per_h.is_finite() or rate_ml_per_h < 0:
        raise DoseInputError(f"A pump rate cannot be negative (got {rate_ml_per_h} mL/h).")
    return _tidy(concentration_g_per_ml * rate_ml_per_h)


def grams_for_rate(
    concentration_g_per_ml: Decimal, rate_ml_per_h: Decimal, hours: Decimal
) -> Decimal:
    """Grams delivered by a pump rate over a number of hours (concentration × mL/h × h)."""
    if not hours.is_finite() or hours < 0:
        raise DoseInputError(f"Hours cannot be negative (got {hours}).")
    return _tidy(rate_g_per_h(concentration_g_per_ml, rate_ml_per_h) * hours)


def full_course_grams(protocol: Protocol) -> Decimal:
    """Grams in a full course: load + rate × maximum hours (4 + 24 × 1 = 28 g for the UK)."""
    maintenance = protocol.maintenance
    return _tidy(
        protocol.loading.dose_g.value + maintenance.rate_g_per_h.value * maintenance.max_hours.value
    )


def containers_needed(total_g: Decimal, container_dose_g: Decimal) -> int:
    """Whole containers needed for a number of grams (rounded up).

    Example (WC-12): 24 g of maintenance from 5 g/50 mL syringes is 4.8, so 5 syringes.
    """
    _require_positive(container_dose_g, "container dose", "g")
    if not total_g.is_finite() or total_g < 0:
        raise DoseInputError(f"The total cannot be negative (got {total_g} g).")
    return math.ceil(total_g / container_dose_g)


# --------------------------------------------------------------------------- limits


class LimitCheck(_Frozen):
    """The result of checking an entry against the protocol's limits.

    ``refuse``: a hard limit or fixed rule is broken; the entry cannot be recorded.
    ``confirm``: a soft limit or a departure from the protocol; the user must confirm it.
    ``ok``: nothing to say. ``messages`` explain each finding with numbers and units.
    """

    level: Literal["ok", "confirm", "refuse"]
    messages: tuple[str, ...] = ()

    @property
    def refused(self) -> bool:
        """A hard limit refuses the entry."""
        return self.level == "refuse"

    @property
    def needs_confirmation(self) -> bool:
        """A soft limit asks the user to confirm."""
        return self.level == "confirm"


def _combine(refusals: Sequence[str], confirmations: Sequence[str]) -> LimitCheck:
    if refusals:
        return LimitCheck(level="refuse", messages=(*refusals, *confirmations))
    if confirmations:
        return LimitCheck(level="confirm", messages=tuple(confirmations))
    return LimitCheck(level="ok")


def check_loading(protocol: Protocol, dose_g: Decimal, duration_min: Decimal) -> LimitCheck:
    """Check a loading dose and its duration against the protocol.

    Refused (hard limits): a dose of 0 or less, or above ``limits.loading_dose_g_hard_max``
    (6 g by default, the highest loading dose in any regimen read [A4]); a duration of 0 or
    less, or shorter than ``limits.loading_duration_min_hard_min`` (5 min, [D1]).
    Confirm: a dose above ``loading_dose_g_soft_max`` or a duration shorter than
    ``loading_duration_min_soft_min``; and a dose smaller, or a duration longer, than the
    protocol's own (these can be typing slips too: "0.4" for "4", "150" for "15").

    Args:
        protocol: The unit protocol.
        dose_g: Loading dose in grams.
        duration_min: Loading duration in minutes.
    """
    limits = protocol.limits
    refusals: list[str] = []
    confirmations: list[str] = []
    protocol_dose = protocol.loading.dose_g.value
    protocol_duration = protocol.loading.duration_min.value
    hard_dose = limits.loading_dose_g_hard_max.value
    soft_dose = limits.loading_dose_g_soft_max.value
    hard_min = limits.loading_duration_min_hard_min.value
    soft_min = limits.loading_duration_min_soft_min.value

    if dose_g <= 0:
        refusals.append(f"A loading dose of {plain(dose_g)} g is not a dose: refused.")
    elif dose_g > hard_dose:
        refusals.append(
            f"A loading dose of {plain(dose_g)} g is more than the hard limit of "
            f"{plain(hard_dose)} g: refused. Check for a decimal point or a dose typed in "
            "another unit."
        )
    elif dose_g > soft_dose:
        confirmations.append(
            f"A loading dose of {plain(dose_g)} g is more than the soft limit of "
            f"{plain(soft_dose)} g (protocol dose {plain(protocol_dose)} g): confirm it is "
            "intended."
        )
    elif dose_g < protocol_dose:
        confirmations.append(
            f"A loading dose of {plain(dose_g)} g is less than the protocol's "
            f"{plain(protocol_dose)} g: confirm it is intended."
        )

    if duration_min <= 0:
        refusals.append(f"A loading time of {plain(duration_min)} min is not possible: refused.")
    elif duration_min < hard_min:
        refusals.append(
            f"A loading dose over {plain(duration_min)} min is faster than the hard limit of "
            f"at least {plain(hard_min)} min: refused."
        )
    elif duration_min < soft_min:
        confirmations.append(
            f"A loading dose over {plain(duration_min)} min is faster than the soft limit of "
            f"{plain(soft_min)} min (protocol {plain(protocol_duration)} min): confirm it is "
            "intended."
        )
    elif duration_min > protocol_duration:
        confirmations.append(
            f"A loading dose over {plain(duration_min)} min is slower than the protocol's "
            f"{plain(protocol_duration)} min: confirm it is intended."
        )
    return _combine(refusals, confirmations)


def check_maintenance_rate(
    protocol: Protocol, concentration_g_per_ml: Decimal, rate_ml_per_h: Decimal
) -> LimitCheck:
    """Check a maintenance pump rate at a concentration against the protocol.

    The delivered g/h is computed (concentration × mL/h), never taken from a label.
    Refused: a concentration above 20% (fixed rule, [D1][D5]) or of 0 or less; a rate of
    0 or less (stopping is recorded as a stop, not as a rate); a delivered g/h above
    ``limits.maintenance_g_per_h_hard_max`` (2 g/h by default, [A4]).
    Confirm: a delivered g/h above ``maintenance_g_per_h_soft_max``, or below the protocol's
    rate (a reduced rate, e.g. for oliguria [N1] 1.10.6, is allowed but shown in g/h).

    Args:
        protocol: The unit protocol.
        concentration_g_per_ml: Concentration of the running solution, g/mL.
        rate_ml_per_h: Pump rate, mL/h.
    """
    if concentration_g_per_ml <= 0:
        return _combine(
            [f"A concentration of {plain(concentration_g_per_ml)} g/mL is not possible: refused."],
            [],
        )
    strength = percent_label(concentration_g_per_ml)
    if concentration_g_per_ml > MAX_IV_CONCENTRATION_G_PER_ML:
        return _combine(
            [
                f"{strength} ({plain(concentration_g_per_ml)} g/mL) is stronger than 20%: IV "
                "magnesium sulfate must be diluted to 20% or less [D1][D5]. Refused."
            ],
            [],
        )
    if rate_ml_per_h <= 0:
        return _combine(
            [
                f"A rate of {plain(rate_ml_per_h)} mL/h is refused: to stop the infusion, "
                "record a stop."
            ],
            [],
        )
    delivered = rate_g_per_h(concentration_g_per_ml, rate_ml_per_h)
    limits = protocol.limits
    hard = limits.maintenance_g_per_h_hard_max.value
    soft = limits.maintenance_g_per_h_soft_max.value
    protocol_rate = protocol.maintenance.rate_g_per_h.value
    said = f"{plain(rate_ml_per_h)} mL/h of {strength} is {plain(delivered)} g/h"
    if delivered > hard:
        return _combine(
            [
                f"{said}, more than the hard limit of {plain(hard)} g/h: refused. Check for a "
                "decimal point or a rate typed for another concentration."
            ],
            [],
        )
    if delivered > soft:
        return _combine(
            [],
            [
                f"{said}, more than the soft limit of {plain(soft)} g/h (protocol "
                f"{plain(protocol_rate)} g/h): confirm it is intended."
            ],
        )
    if delivered < protocol_rate:
        return _combine(
            [],
            [
                f"{said}, less than the protocol's {plain(protocol_rate)} g/h: confirm this "
                "reduced rate is intended."
            ],
        )
    return _combine([], [])


# --------------------------------------------------------------------------- typed numbers

_VALID_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?", re.ASCII)
_ECHO_LIMIT = 20


def parse_decimal_input(text: str, *, field_label: str, unit: str) -> Decimal:
    """Read a number typed by the user, strictly; never guess what was meant.

    Accepted: digits with at most one decimal point and at most 2 decimal places, e.g. "4",
    "4.0", "12.5", "0.25"; spaces around the number are ignored. Whether the value is allowed
    (e.g. 0, or 40 mL/h of 20%) is for the limit checks, not for this function.

    Args:
        text: What was typed.
        field_label: The field's name in the user's words, e.g. "Maintenance rate".
        unit: The unit shown beside the field, e.g. "mL/h".

    Returns:
        The number as an exact Decimal.

    Raises:
        DoseInputError: With a message saying what is wrong and how to write it, for:
            empty text, a comma ("4,0" — decimal or thousands?), two points ("1..5"), a sign
            ("-1", "+5"), an exponent ("1e3"), a space inside ("1 5"), a unit typed in the box,
            a missing digit before or after the point (".5", "5."), more than 2 decimal places,
            digits from other scripts, or anything else that is not a number.
    """
    if not isinstance(text, str):
        raise DoseInputError(f"{field_label}: type a number in {unit}.")
    stripped = text.strip()
    shown = stripped if len(stripped) <= _ECHO_LIMIT else stripped[:_ECHO_LIMIT] + "…"
    prefix = f'{field_label}: "{shown}"'
    if not stripped:
        raise DoseInputError(f"{field_label} is empty: type a number in {unit}, e.g. 4.0.")
    if _VALID_NUMBER.fullmatch(stripped):
        places = len(stripped.partition(".")[2])
        if places > DECIMAL_PLACES:
            raise DoseInputError(
                f"{prefix} has {places} decimal places; use at most {DECIMAL_PLACES} "
                f"(e.g. {plain(Decimal(stripped).quantize(_QUANTUM, rounding=ROUND_HALF_UP))} "
                f"{unit}) and check the number."
            )
        return Decimal(stripped)
    raise DoseInputError(f"{prefix} {_why_not_a_number(stripped, unit)}")


def _why_not_a_number(text: str, unit: str) -> str:
    """The specific reason a typed text is not accepted (checked in order of likelihood)."""
    if "," in text:
        return "has a comma; use a point for decimals, e.g. 4.0, and no thousands separators."
    if any(ch.isdigit() and not ("0" <= ch <= "9") for ch in text):
        return "uses digits other than 0-9; type the number with 0-9."
    if re.fullmatch(r"[0-9]*\.?[0-9]+[eE][+-]?[0-9]+", text):
        return "is written with an exponent; type the number in full, e.g. 1000."
    if re.fullmatch(r"[0-9.]+\s*[^\s0-9.,+-]+.*", text):
        return f"has letters after the number; type the number only (the unit is {unit})."
    if any(ch.isspace() for ch in text):
        return "has a space inside; type one number, e.g. 12.5."
    if text.startswith(("-", "\u2212")) and len(text) > 1:
        return f"is negative; type an amount of 0 or more in {unit}."
    if text.startswith("+") and len(text) > 1:
        return f"has a plus sign; type the number alone, e.g. {text[1:] or '4'}."
    if text.count(".") > 1:
        return "has more than one decimal point; type one number, e.g. 1.5."
    if text.startswith(".") and text[1:].isdigit():
        return f"has no digit before the point; write 0{text}."
    if text.endswith(".") and text[:-1].isdigit():
        return f"ends with a point; write {text[:-1]} or {text}0."
    return f"is not a number; type a number in {unit}, e.g. 4.0."


# --------------------------------------------------------------------------- stop time


def _hours(value: Decimal) -> timedelta:
    return timedelta(microseconds=int((value * _MICROSECONDS_PER_HOUR).to_integral_value()))


def stop_due_at(
    protocol: Protocol,
    *,
    load_started_at: datetime | None,
    maintenance_started_at: datetime | None,
) -> datetime | None:
    """When the infusion reaches the protocol's maximum duration, as an aware UTC datetime.

    The clock starts at the protocol's anchor: the start of maintenance (default) or the start
    of the loading dose (decisions.md §4; which one NICE means is UNVERIFIED, reference §1.3).
    The duration is ``maintenance.max_hours`` of real elapsed time, computed in UTC.

    Stopping at birth ("birth or 24 h, whichever first", [N1] 1.10.4) is the caller's part:
    it compares this time with the birth, and must not stop at birth when
    :func:`stops_at_birth` is False (pre-eclampsia, [N3]).

    Returns:
        The due time, or None when the anchor event has not been recorded (no time is guessed
        from the other start: a stop time later than the true one would be unsafe).

    Raises:
        ValueError: A naive datetime (no zone).
    """
    anchor = protocol.maintenance.stop_anchor
    started = maintenance_started_at if anchor == "maintenance-start" else load_started_at
    if load_started_at is not None:
        ensure_utc(load_started_at, "loading start time")
    if started is None:
        return None
    start_utc = ensure_utc(started, f"{anchor.replace('-', ' ')} time")
    return start_utc + _hours(protocol.maintenance.max_hours.value)


def stops_at_birth(protocol: Protocol, conditions: Iterable[ConditionId]) -> bool:
    """Whether the infusion stops at birth for this woman.

    Pre-eclampsia alone changes nothing (decisions.md §4: NG133 1.5.11 sends neuroprotection
    back to NG25, and NG133 does not say "24 h after birth"): only a decision recording severe
    pre-eclampsia or eclampsia as its own indication, by a named senior with the team's stop
    plan, replaces the stop at birth (``core.monitoring.stop_plan``). False when the protocol
    lists another of her conditions as ``other-regimen``; otherwise the protocol's
    ``maintenance.stop_at_birth``.
    """
    chosen = set(conditions)
    for condition_id in chosen:
        if condition_id is ConditionId.PRE_ECLAMPSIA:
            continue
        rule = protocol.condition(condition_id)
        if rule is not None and rule.kind == "other-regimen":
            return False
    return protocol.maintenance.stop_at_birth


# --------------------------------------------------------------------------- repeat courses


class RepeatCheck(_Frozen):
    """Whether a new course may be recorded now, and what to tell the user."""

    allowed: bool
    needs_senior: bool
    messages: tuple[str, ...] = ()


def check_repeat_course(
    protocol: Protocol,
    *,
    previous_stops: Sequence[datetime],
    now: datetime,
    cumulative_hours: Decimal,
) -> RepeatCheck:
    """Check a repeat course (decisions.md §8; reference §6.4).

    Rules:
        - No previous course: not a repeat; allowed, no senior step from this rule.
        - Every repeat needs a named senior confirmation (fixed, decisions.md §8).
        - If the protocol does not allow a repeat course, it is refused; a senior may decide
          outside the protocol, and the app records that decision but does not offer it.
        - More than ``repeat_course.min_gap_hours`` (6 h by default, [T1] local) must have
          passed since the last infusion ended; exactly 6 h is refused.
        - A warning (never a refusal) when ``cumulative_hours`` reaches
          ``CUMULATIVE_WARNING_FRACTION`` (80%) of ``repeat_course.cumulative_warning_days``
          (5 days by default, [M1]): from 96 h of 120 h.

    Args:
        protocol: The unit protocol.
        previous_stops: When each earlier course's infusion ended (aware datetimes).
        now: The time of the check (aware).
        cumulative_hours: Infusion hours across all earlier courses.

    Raises:
        ValueError: A naive datetime, negative hours, or ``now`` before the last stop.
    """
    if not cumulative_hours.is_finite() or cumulative_hours < 0:
        raise ValueError(f"Cumulative hours cannot be negative (got {cumulative_hours}).")
    now_utc = ensure_utc(now, "time of the check")
    if not previous_stops:
        return RepeatCheck(allowed=True, needs_senior=False)
    rule = protocol.repeat_course
    last_stop = max(ensure_utc(stop, "end of the last infusion") for stop in previous_stops)
    if now_utc < last_stop:
        raise ValueError("The time of the check is before the last infusion ended.")
    messages: list[str] = [
        f"This would be course {len(previous_stops) + 1}: a repeat course needs a named "
        "senior confirmation."
    ]
    allowed = True
    if not rule.allowed:
        allowed = False
        messages.append(
            f"The {protocol.name} protocol does not support a repeat course ({rule.source}). "
            "A senior clinician may still decide outside the protocol; the app only records "
            "that decision."
        )
    gap = elapsed_hours(last_stop, now_utc)
    min_gap = rule.min_gap_hours.value
    if gap <= min_gap:
        allowed = False
        messages.append(
            f"The last infusion ended {plain(gap.quantize(Decimal('0.1')))} h ago; a repeat "
            f"course needs more than {plain(min_gap)} h since the last infusion ended "
            f"({rule.min_gap_hours.source}): refused for now."
        )
    limit_hours = rule.cumulative_warning_days.value * _HOURS_PER_DAY
    if cumulative_hours >= limit_hours * CUMULATIVE_WARNING_FRACTION:
        days = (cumulative_hours / _HOURS_PER_DAY).quantize(Decimal("0.1"))
        messages.append(
            f"Cumulative MgSO4 exposure is already {plain(cumulative_hours)} h "
            f"({plain(days)} days), near or beyond "
            f"{plain(rule.cumulative_warning_days.value)} days: more than 5-7 days is linked "
            "to neonatal low calcium, high magnesium and bone effects "
            f"({rule.cumulative_warning_days.source}); tell the neonatal team so the baby's "
            "calcium and magnesium can be checked."
        )
    return RepeatCheck(allowed=allowed, needs_senior=True, messages=tuple(messages))
