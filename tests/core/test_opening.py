"""What opening an episode records (core.opening), for the wizard and `mgso4 record` alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from mgso4.core.opening import (
    load_end_to_record,
    load_ends_at,
    maintenance_start_to_record,
    opening_decision,
)
from mgso4.core.vocab import Recommendation

T0 = datetime(2024, 12, 3, 10, 0, tzinfo=UTC)


def test_contraindicated_is_a_decision_not_to_give_whatever_was_chosen() -> None:
    for chose in (None, True, False):
        assert opening_decision(Recommendation.CONTRAINDICATED, chose_to_give=chose) is False


@pytest.mark.parametrize(
    "recommendation", [Recommendation.OFFER, Recommendation.CONSIDER, Recommendation.DISCUSS]
)
def test_a_choice_is_recorded_only_when_it_was_made(recommendation: Recommendation) -> None:
    assert opening_decision(recommendation, chose_to_give=True) is True
    assert opening_decision(recommendation, chose_to_give=False) is False
    assert opening_decision(recommendation, chose_to_give=None) is None


def test_not_indicated_records_no_decision() -> None:
    assert opening_decision(Recommendation.NOT_INDICATED, chose_to_give=False) is None


def test_a_maintenance_start_after_now_or_skipped_is_not_recorded() -> None:
    assert maintenance_start_to_record(T0, skipped=False, now=T0) == T0
    assert maintenance_start_to_record(T0 + timedelta(seconds=1), skipped=False, now=T0) is None
    assert maintenance_start_to_record(T0, skipped=True, now=T0) is None
    assert maintenance_start_to_record(None, skipped=False, now=T0) is None


def test_the_load_end_is_recorded_only_with_a_maintenance_start_at_or_after_it() -> None:
    end = load_ends_at(T0, Decimal("15"))
    assert end == T0 + timedelta(minutes=15)
    assert load_ends_at(T0, Decimal("12.5")) == T0 + timedelta(minutes=12, seconds=30)
    assert load_end_to_record(end, end) == end
    assert load_end_to_record(end, end + timedelta(minutes=5)) == end
    assert load_end_to_record(end, end - timedelta(minutes=1)) is None  # stopped short
    assert load_end_to_record(end, None) is None  # maintenance not recorded yet
    assert load_ends_at(None, Decimal("15")) is None
