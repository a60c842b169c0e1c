"""How numbers, units, people and identifiers are written on paper."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from mgso4.core.episode import Actor, Patient
from mgso4.core.vocab import IdentifierType, Role
from mgso4.reports.text import (
    esc,
    grams,
    identifier,
    local_time,
    number,
    person,
    rate_with_grams,
)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("80"), "80"),
        (Decimal("80.00"), "80"),
        (Decimal("12.50"), "12.5"),
        (Decimal("0.2"), "0.2"),
        (Decimal("0.08"), "0.08"),
        (Decimal(20) * 60 / 7, "≈ 171.43"),
    ],
)
def test_numbers_print_without_exponent_or_trailing_zeros_and_rounding_is_shown(
    value: Decimal, text: str
) -> None:
    assert number(value) == text


def test_grams_are_printed_to_two_places() -> None:
    assert grams(Decimal("14.416666")) == "14.42 g"


def test_g_per_h_is_shown_as_its_computation() -> None:
    # reference §3.2 trap: 2.5 mL/h of 20% is 0.5 g/h whatever a label says.
    assert rate_with_grams(Decimal("2.5"), Decimal("0.2")) == "2.5 mL/h × 0.2 g/mL = 0.5 g/h"


def test_times_show_date_and_zone_on_both_sides_of_the_clock_change() -> None:
    assert local_time(datetime(2026, 3, 29, 0, 59, tzinfo=UTC)) == "Sun 29 Mar 2026 00:59 GMT"
    assert local_time(datetime(2026, 3, 29, 1, 0, tzinfo=UTC)) == "Sun 29 Mar 2026 02:00 BST"


def test_nhs_and_chi_numbers_are_grouped_3_3_4() -> None:
    nhs = Patient(id_type=IdentifierType.NHS, identifier="9434765919", name="A")
    chi = Patient(id_type=IdentifierType.CHI, identifier="0101011237", name="B")
    assert identifier(nhs) == "NHS number 943 476 5919"
    assert identifier(chi) == "CHI number 010 101 1237"


def test_identifier_failing_its_check_is_printed_with_a_warning() -> None:
    patient = Patient(id_type=IdentifierType.NHS, identifier="9434765918", name="A")
    assert identifier(patient) == "NHS number 9434765918 (fails the number check: verify)"


def test_person_carries_the_role() -> None:
    assert person(Actor(name="Sam Patel", role=Role.MIDWIFE)) == "Sam Patel (midwife)"


def test_markup_characters_are_escaped_and_mgso4_gets_its_subscript() -> None:
    assert esc("MgSO4 & <b>") == "MgSO₄ &amp; &lt;b&gt;"
