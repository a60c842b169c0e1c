"""The PERIPrem Optimisation Tool paste block: the tool's columns, vocabulary and skip rules."""

from __future__ import annotations

import csv
import string
from dataclasses import replace
from pathlib import Path

import pytest

from mgso4.audit.data import AuditData, load_audit_data
from mgso4.audit.facts import BabyRow, GestationBand
from mgso4.audit.feedback import YearMonth
from mgso4.audit.periprem import (
    COLUMNS,
    FIRST_DATA_ROW,
    TOOL_BANDS,
    mgso4_answers,
    paste_blocks,
    paste_row,
    write_block,
)

B = GestationBand


@pytest.fixture(scope="module")
def data(small_demo: Path) -> AuditData:
    return load_audit_data(small_demo)


@pytest.fixture(scope="module")
def base(data: AuditData) -> BabyRow:
    return next(row for row in data.rows if row.classification is not None)


def variant(
    base: BabyRow,
    band: GestationBand,
    *,
    given: bool,
    could: bool | None,
    met: bool,
    plurality: int = 1,
) -> BabyRow:
    assert base.classification is not None
    periprem = base.classification.periprem_optimal.model_copy(
        update={"eligible": True, "could_have_been_optimal": could, "met": met}
    )
    classification = base.classification.model_copy(update={"periprem_optimal": periprem})
    episode = replace(base.episode, plurality=plurality, births=base.episode.births[:1])
    return replace(
        base,
        band=band,
        given_before_birth=given,
        classification=classification,
        episode=episode,
    )


def test_columns_are_the_tools_a_to_x_in_order() -> None:
    assert [column.letter for column in COLUMNS] == list(string.ascii_uppercase[:24])
    assert [c.letter for c in COLUMNS if c.held] == ["A", "C", "K", "L", "M"]


def test_gestation_bands_use_the_tools_strings() -> None:
    assert TOOL_BANDS == {
        B.UNDER_24: "<26+6",
        B.FROM_24_TO_26: "<26+6",
        B.WEEK_27: "27 - 27+6",
        B.FROM_28_TO_29: "28 - 29+6",
        B.FROM_30_TO_31: "30 - 31+6",
        B.FROM_32_TO_33: "32 - 33+6",
    }


@pytest.mark.parametrize(
    ("band", "given", "could", "met", "expected"),
    [
        # K, L and M are greyed out from 30+0 (README columns K–M).
        (B.FROM_30_TO_31, True, True, True, ("", "", "")),
        (B.FROM_32_TO_33, False, None, False, ("", "", "")),
        # Not received: "could it have been optimal?" is not asked.
        (B.FROM_28_TO_29, False, False, False, ("No", "", "")),
        (B.FROM_24_TO_26, False, True, False, ("No", "", "")),
        # Received, but when she became eligible is unknown: left for the unit.
        (B.FROM_28_TO_29, True, None, False, ("Yes", "", "")),
        # Could not have been optimal: "was it optimal?" is not asked.
        (B.WEEK_27, True, False, False, ("Yes", "No", "")),
        (B.FROM_24_TO_26, True, True, False, ("Yes", "Yes", "No")),
        (B.UNDER_24, True, True, True, ("Yes", "Yes", "Yes")),
    ],
)
def test_mgso4_questions_follow_the_tools_skip_rules(
    base: BabyRow,
    band: GestationBand,
    given: bool,
    could: bool | None,
    met: bool,
    expected: tuple[str, str, str],
) -> None:
    assert mgso4_answers(variant(base, band, given=given, could=could, met=met)) == expected


def test_row_fills_only_the_columns_we_hold(base: BabyRow) -> None:
    row = paste_row(variant(base, B.WEEK_27, given=True, could=True, met=True, plurality=2))
    cells = dict(zip((c.letter for c in COLUMNS), row.cells, strict=True))
    assert cells["A"] == "27 - 27+6"
    assert cells["C"] == "Multiple"
    assert (cells["K"], cells["L"], cells["M"]) == ("Yes", "Yes", "Yes")
    assert all(cells[c.letter] == "" for c in COLUMNS if not c.held)
    assert "B" in row.to_complete and "A" not in row.to_complete


def test_singleton_is_single(base: BabyRow) -> None:
    row = paste_row(variant(base, B.WEEK_27, given=False, could=None, met=False))
    assert row.cells[2] == "Single"


def test_block_holds_the_months_births_under_34_weeks_per_unit(data: AuditData) -> None:
    month = YearMonth(2026, 8)
    (block,) = paste_blocks(data, month)
    births = [
        r
        for r in data.rows
        if month.first_day <= r.birth_date_local <= month.last_day and not r.episode.training
    ]
    in_tool = [r for r in births if r.classification is not None and r.band in TOOL_BANDS]
    assert len(block.rows) == len(in_tool)
    assert sum(block.left_out.values()) == len(births) - len(in_tool)
    assert paste_blocks(data, month, unit="No such unit") == []


def test_written_block_has_no_header_and_24_columns(data: AuditData, tmp_path: Path) -> None:
    (block,) = paste_blocks(data, YearMonth(2026, 8))
    paste, listing = write_block(block, tmp_path)
    with paste.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert len(rows) == len(block.rows) > 0
    assert all(len(row) == 24 for row in rows)
    assert rows[0][0] in set(TOOL_BANDS.values())  # data from the first line: paste at A10
    with listing.open(newline="", encoding="utf-8") as handle:
        numbered = list(csv.DictReader(handle))
    assert [int(r["excel_row"]) for r in numbered] == list(
        range(FIRST_DATA_ROW, FIRST_DATA_ROW + len(rows))
    )
    assert paste.name == "periprem-2026-08-demo-maternity-unit.csv"
