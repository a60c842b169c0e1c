"""The in-utero transfer handover: one page with what was given and what to do next."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from report_builders import (
    PRINTED_AT,
    UNIT,
    EpisodeBuilder,
    Scenario,
    build_wc1,
    create,
    pdf_pages,
    pdf_text,
    utc,
)

from mgso4.core.protocol import PreparationSet, Protocol
from mgso4.reports import ReportInputError, render_handover

TRANSFER_PRINT = utc(29, 3, 10)


def render(scenario: Scenario, protocol: Protocol, preparations: PreparationSet, at=TRANSFER_PRINT):
    return render_handover(
        scenario.state,
        protocol,
        preparations,
        unit_name=UNIT,
        chain_head=scenario.head,
        printed_at=at,
    )


@pytest.fixture(scope="module")
def transfer_text(transfer: Scenario, protocol: Protocol, preparations: PreparationSet) -> str:
    return pdf_text(render(transfer, protocol, preparations))


@pytest.mark.parametrize("name", ["transfer", "standard", "long_scenario"])
def test_handover_is_exactly_one_page(
    request: pytest.FixtureRequest, protocol: Protocol, preparations: PreparationSet, name: str
) -> None:
    scenario: Scenario = request.getfixturevalue(name)
    pages = pdf_pages(render(scenario, protocol, preparations, at=utc(31, 9, 0)))
    assert len(pages) == 1
    assert "Page 1 of 1" in pages[0]


def test_what_was_given_and_when(transfer_text: str) -> None:
    assert "4 g = 20 mL of 0.2 g/mL (20% w/v) at 80 mL/h over 15 min" in transfer_text
    assert "Sat 28 Mar 2026 22:00 GMT / Sat 28 Mar 2026 22:15 GMT" in transfer_text
    assert "Maintenance started Sat 28 Mar 2026 22:15 GMT" in transfer_text
    assert "5 mL/h × 0.2 g/mL = 1 g/h" in transfer_text


def test_cumulative_grams_run_to_the_transfer_stop(transfer_text: str) -> None:
    # 4 g + 4.75 h at 1 g/h (22:15 to 03:00 UTC) = 8.75 g.
    assert "8.75 g to Sun 29 Mar 2026 04:00 BST" in transfer_text


def test_time_stopped_for_transfer(transfer_text: str) -> None:
    assert "Stopped for transfer at Sun 29 Mar 2026 04:00 BST" in transfer_text


def test_last_observations_are_shown(transfer_text: str) -> None:
    assert "Sun 29 Mar 2026 03:15 BST 88 118/72 16 present 120 mL in 4 h 98" in transfer_text


def test_next_observations_and_24_hour_limit_are_given(transfer_text: str) -> None:
    # Last full set 02:15 UTC + 4 h = 06:15 UTC = 07:15 BST; maintenance 22:15 GMT + 24 h of
    # real time = 22:15 UTC on the 29th = 23:15 BST.
    assert "next due Sun 29 Mar 2026 07:15 BST" in transfer_text
    assert "stop at birth or by Sun 29 Mar 2026 23:15 BST" in transfer_text


def test_receiving_unit_is_told_to_follow_its_own_protocol_and_keep_the_antidote(
    transfer_text: str,
) -> None:
    assert "according to the receiving unit's own protocol" in transfer_text
    assert "Antidote available: Calcium gluconate 10%" in transfer_text


def test_running_infusion_is_said_to_be_running(
    protocol: Protocol, preparations: PreparationSet, long_scenario: Scenario
) -> None:
    text = pdf_text(render(long_scenario, protocol, preparations, at=utc(29, 5, 0)))
    assert "STILL RUNNING at the time of printing" in text


def test_long_record_is_cut_with_a_pointer_to_the_proforma(
    protocol: Protocol, preparations: PreparationSet, long_scenario: Scenario
) -> None:
    text = pdf_text(render(long_scenario, protocol, preparations, at=utc(31, 9, 0)))
    assert "45 earlier sets are on the full proforma." in text


def test_episode_without_mgso4_says_none_started(
    protocol: Protocol, preparations: PreparationSet
) -> None:
    builder = EpisodeBuilder(protocol)
    create(builder)
    text = pdf_text(
        render_handover(
            builder.state(),
            protocol,
            preparations,
            unit_name=UNIT,
            chain_head=builder.head,
            printed_at=TRANSFER_PRINT,
        )
    )
    assert "No MgSO₄ has been started." in text


def test_chain_head_passed_in_is_printed(transfer: Scenario, transfer_text: str) -> None:
    assert transfer.head in transfer_text


def test_bad_chain_head_is_refused(
    transfer: Scenario, protocol: Protocol, preparations: PreparationSet
) -> None:
    with pytest.raises(ReportInputError):
        render_handover(
            transfer.state,
            protocol,
            preparations,
            unit_name=UNIT,
            chain_head="not-a-hash",
            printed_at=TRANSFER_PRINT,
        )


def _handover_text(scenario: Scenario, protocol: Protocol, preparations: PreparationSet) -> str:
    return pdf_text(
        render_handover(
            scenario.state,
            protocol,
            preparations,
            unit_name=UNIT,
            chain_head=scenario.head,
            printed_at=PRINTED_AT,
        )
    )


def test_gestation_today_is_shown_when_an_edd_is_recorded(transfer_text: str) -> None:
    # EDD 20 Jun 2026, printed Sun 29 Mar 2026: 28+1.
    assert "Gestation today: 28+1 weeks; 2 babies expected" in transfer_text


def test_all_babies_born_and_stopped_gives_no_next_observations_or_restart(
    protocol: Protocol, preparations: PreparationSet
) -> None:
    text = _handover_text(build_wc1(protocol), protocol, preparations)
    assert "The baby is born" in text
    assert "The infusion was stopped at Tue 10 Mar 2026 16:05 GMT" in text
    assert "next due" not in text
    assert "Continue or restart" not in text
    assert "do not continue or restart it without a new decision" in text
    assert "Gestation today" not in text


def test_pdf_title_is_kind_and_episode_not_the_patient(
    transfer: Scenario, protocol: Protocol, preparations: PreparationSet
) -> None:
    data = render_handover(
        transfer.state,
        protocol,
        preparations,
        unit_name=UNIT,
        chain_head=transfer.head,
        printed_at=PRINTED_AT,
    )
    title = PdfReader(io.BytesIO(data)).metadata.title
    assert title == "MgSO₄ transfer handover – episode a7b8c9d0"
    assert transfer.state.patient.name not in (title or "")
