"""Long episodes paginate with the patient banner and a correct "Page x of y" on every page."""

from __future__ import annotations

import pytest
from report_builders import PRINTED_AT, UNIT, Scenario, build_wc1, pdf_pages, utc

from mgso4.core.protocol import PreparationSet, Protocol
from mgso4.reports import render_proforma


@pytest.fixture(scope="module")
def long_pages(long_scenario: Scenario, protocol: Protocol, preparations: PreparationSet):
    return pdf_pages(
        render_proforma(
            long_scenario.state,
            protocol,
            preparations,
            unit_name=UNIT,
            chain_head=long_scenario.head,
            printed_at=utc(31, 9, 0),
        )
    )


def test_long_record_runs_to_several_pages(long_pages: list[str]) -> None:
    assert len(long_pages) >= 5


def test_every_page_carries_name_and_identifier(long_pages: list[str]) -> None:
    for page in long_pages:
        assert "Bethany Long-Record" in page
        assert "NHS number 943 476 5919" in page


def test_every_page_is_numbered_out_of_the_total(long_pages: list[str]) -> None:
    total = len(long_pages)
    for number, page in enumerate(long_pages, start=1):
        assert f"Page {number} of {total}" in page
        other_numbers = [f"Page {n} of {total}" for n in range(1, total + 1) if n != number]
        assert not any(label in page for label in other_numbers)


def test_every_page_carries_the_chain_head_reference_and_the_last_the_full_head(
    long_pages: list[str], long_scenario: Scenario
) -> None:
    assert all(long_scenario.head[:12] in page for page in long_pages)
    assert long_scenario.head in long_pages[-1]
    assert not any(long_scenario.head in page for page in long_pages[:-1])


def test_all_48_observations_and_30_corrections_are_printed(long_pages: list[str]) -> None:
    text = " ".join(" ".join(page.split()) for page in long_pages)
    for number in range(1, 31):
        assert f"Correction number {number} " in text
    # The last observation: 22:30 UTC on 28 Mar + 47 h = 21:30 UTC on 30 Mar = 22:30 BST.
    assert "30 Mar 22:30 BST" in text


def test_short_record_says_page_1_of_its_own_total(
    standard: Scenario, protocol: Protocol, preparations: PreparationSet
) -> None:
    pages = pdf_pages(
        render_proforma(
            standard.state,
            protocol,
            preparations,
            unit_name=UNIT,
            chain_head=standard.head,
            printed_at=PRINTED_AT,
        )
    )
    assert f"Page 1 of {len(pages)}" in pages[0]


def test_standard_case_prints_on_two_pages(
    protocol: Protocol, preparations: PreparationSet
) -> None:
    # WC-1 with six observation sets, one syringe change and one birth: the paper proformas
    # that wards use fit on two A4 pages, and so must this one (issue 16).
    scenario = build_wc1(protocol)
    pages = pdf_pages(
        render_proforma(
            scenario.state,
            protocol,
            preparations,
            unit_name=UNIT,
            chain_head=scenario.head,
            printed_at=PRINTED_AT,
        )
    )
    assert len(pages) <= 2
    # Page 1 is the clinical page; the observations start page 2.
    assert "Loading, maintenance and stop" in pages[0]
    assert "Observations" not in pages[0].split("Loading, maintenance and stop")[-1]
    assert "Observations" in pages[-1]
    for value in scenario.expected_text:
        assert value in " ".join(" ".join(p.split()) for p in pages)
