"""Plain-text formatting shared by every printed document: numbers, units, times, people.

Units are always written next to the number and never mixed (design.md "Units"): g, g/h, mL,
mL/h, g/mL. Times are shown in local time with the date and the zone (decisions.md §12).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from html import escape as _html_escape
from typing import Final
from zoneinfo import ZoneInfo

from mgso4.core.episode import Actor, Patient
from mgso4.core.gestation import DatingMethod, GestationalAge
from mgso4.core.identifiers import check_identifier
from mgso4.core.timeutil import LONDON, format_local
from mgso4.core.vocab import IdentifierType, Role

#: The product's name as printed; the subscript four is a real glyph (U+2084).
PRODUCT_NAME: Final = "MgSO₄ Preterm Proforma"

_MONTHS: Final = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)

_ROLE_LABELS: Final = {
    Role.MIDWIFE: "midwife",
    Role.OBSTETRICIAN: "obstetrician",
    Role.ANAESTHETIST: "anaesthetist",
    Role.NEONATOLOGIST: "neonatologist",
    Role.STUDENT: "student",
    Role.AUDITOR: "auditor",
    Role.OTHER: "other",
}

DATING_LABELS: Final = {
    DatingMethod.WEEKS_DAYS: "Stated gestation (weeks+days)",
    DatingMethod.AGREED_EDD: "Agreed EDD",
    DatingMethod.LMP: "Last menstrual period (LMP)",
}

IDENTIFIER_LABELS: Final = {
    IdentifierType.NHS: "NHS number",
    IdentifierType.CHI: "CHI number",
}

_TWO_PLACES: Final = Decimal("0.01")


def typeset(text: object) -> str:
    """Text as printed: the plain "MgSO4" and "SpO2" of protocol files, core messages and notes
    get their real subscripts.

    A typographic change only (the same names), so the paper always reads "MgSO₄" and "SpO₂".
    """
    return str(text).replace("MgSO4", "MgSO₄").replace("SpO2", "SpO₂")


def esc(text: object) -> str:
    """Text made safe for reportlab paragraph markup (``&``, ``<``, ``>`` escaped)."""
    return _html_escape(typeset(text), quote=False)


def number(value: Decimal | int) -> str:
    """A dose, volume or rate without trailing zeros: 80, 12.5, 0.2 (never 8E+1).

    Values that need more than two decimal places are rounded half-up to two and marked with
    "≈", so a rounded figure is never printed as if exact.
    """
    decimal_value = Decimal(value)
    rounded = decimal_value.quantize(_TWO_PLACES, rounding=ROUND_HALF_UP)
    text = _plain(rounded)
    return text if rounded == decimal_value else f"≈ {text}"


def _plain(value: Decimal) -> str:
    normalised = value.normalize()
    text = format(normalised, "f")
    return "0" if text in ("-0", "") else text


def grams(value: Decimal) -> str:
    """Grams to two decimal places, e.g. "14.42 g" (cumulative totals are never exact)."""
    return f"{_plain(value.quantize(_TWO_PLACES, rounding=ROUND_HALF_UP))} g"


def local_time(moment: datetime | None, tz: ZoneInfo = LONDON) -> str:
    """An instant in local time with date and zone, e.g. "Sun 29 Mar 2026 03:15 BST"."""
    if moment is None:
        return "not recorded"
    return format_local(moment, tz)


def short_time(moment: datetime | None, tz: ZoneInfo = LONDON, *, year: int | None = None) -> str:
    """An instant as "10 Mar 10:00 GMT": the weekday left out, and the year only when it is not
    ``year`` (the year the document states once), so dense tables stay on one line."""
    if moment is None:
        return "not recorded"
    _weekday, day, month, full_year, clock, zone = format_local(moment, tz).split(" ")
    shown = (
        f"{day} {month}"
        if year is not None and str(year) == full_year
        else (f"{day} {month} {full_year}")
    )
    return f"{shown} {clock} {zone}"


def calendar_date(day: date | None) -> str:
    """A calendar date as "1 Jan 1990" (English month names, whatever the machine's locale)."""
    if day is None:
        return "not recorded"
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year:04d}"


def person(actor: Actor | None) -> str:
    """A person with their role, e.g. "Jane Smith (midwife)"."""
    if actor is None:
        return "not recorded"
    return f"{actor.name} ({_ROLE_LABELS.get(actor.role, str(actor.role))})"


def identifier(patient: Patient) -> str:
    """The patient's identifier with its type, e.g. "NHS number 943 476 5919".

    A stored number that no longer passes the check is printed as its ten digits with a note,
    never hidden, so the paper still matches the record.
    """
    label = IDENTIFIER_LABELS.get(patient.id_type, "Identifier")
    check = check_identifier(patient.identifier, patient.id_type)
    if check.display is not None:
        return f"{label} {check.display}"
    return f"{label} {patient.identifier} (fails the number check: verify)"


def gestation(value: GestationalAge | None) -> str:
    """Completed weeks+days, e.g. "27+3 weeks", or "not known"."""
    if value is None:
        return "not known (dating does not give it)"
    return f"{value.label} weeks"


def concentration(g_per_ml: Decimal) -> str:
    """A concentration in g/mL with its w/v percentage, e.g. "0.2 g/mL (20% w/v)"."""
    return f"{number(g_per_ml)} g/mL ({number(g_per_ml * 100)}% w/v)"


def rate_with_grams(rate_ml_per_h: Decimal, concentration_g_per_ml: Decimal) -> str:
    """A pump rate with the g/h it delivers, computed (reference §3.2: never a typed label).

    Example: ``"5 mL/h × 0.2 g/mL = 1 g/h"``.
    """
    grams_per_h = rate_ml_per_h * concentration_g_per_ml
    return (
        f"{number(rate_ml_per_h)} mL/h × {number(concentration_g_per_ml)} g/mL "
        f"= {number(grams_per_h)} g/h"
    )


def yes_no(value: bool) -> str:
    """ "Yes" or "No"."""
    return "Yes" if value else "No"


def short_uuid(uuid: str) -> str:
    """The first eight characters of an event or episode id, for cross-reference on paper."""
    return uuid[:8]
