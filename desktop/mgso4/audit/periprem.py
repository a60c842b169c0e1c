"""A block of rows to paste into the PERIPrem Optimisation Tool, per birth month and unit.

Units in the PERIPrem programme type one row per baby born before 34+0 into the tool's data
tab ("Tab 2 Data ONLY EDIT THIS TAB"), from row 10. The workbook has formula columns after the
data-entry columns, so it is not generated here: this module writes the data-entry columns
A–X, in the tool's order and vocabulary, as a CSV with no header row, to paste at cell A10.

Source: the tool's column definitions, ``southwest-analytics/periprem_reporting`` README.md
(the stored copy read is at commit 9461983ca5296bfc8092afd497814efd614c574b; the copy at
d79e53a6fc90b070487b401bc2d005252da7cc1a cited in reference [P2] was not stored, so its
identity with this one is UNVERIFIED), and the programme's validation script
``validate_and_import_periprem_data.R`` (rows from Excel row 10; columns A–X).

**What we hold and fill in** (everything else is left empty, for the unit to complete):

- A, gestational age at birth: ``<26+6``, ``27 - 27+6``, ``28 - 29+6``, ``30 - 31+6``,
  ``32 - 33+6`` — from the band at birth (``audit.facts``; births before 24+0 go in ``<26+6``,
  which has no lower bound; 26+6 itself is in ``<26+6``). Babies born at 34+0 or later are
  outside the tool and left out.
- C, singleton or multiple: ``Single`` / ``Multiple``.
- K, "did the mother receive antenatal magnesium sulphate?": ``Yes`` / ``No`` — any course
  started before birth, no 24 h window (decisions.md §10). Blank for 30–31+6 and 32–33+6,
  where the tool greys it out.
- L, "could it have been optimally administered (> 4 h, < 24 h)?": only when K is ``Yes``
  (the tool greys it when K is No). Blank when the time she became eligible is unknown: the
  unit then answers it by hand.
- M, "was it optimally administered (> 4 h, < 24 h)?": only when L is ``Yes``.

Not held, left empty: B birth weight, D invasive ventilation, E active labour at any point
(we hold the situation at the decision only), F place of birth, G–J steroids, N–P
intrapartum antibiotics, Q–X the neonatal elements. **The programme's import drops a row
whose birth weight (B) is empty**, so the unit must enter B on every row.

A second file, ``…-rows.csv``, stays in the unit: for each Excel row it gives the episode (the
short id the audit screen shows) and the baby number, so the empty columns can be completed
from the notes. It is never pasted or sent.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from mgso4.audit.data import AuditData
from mgso4.audit.facts import BabyRow, GestationBand
from mgso4.audit.feedback import YearMonth
from mgso4.audit.metrics import Filters, select_rows
from mgso4.audit.progress import atomic_outputs

#: The tool's data tab and its first data row.
SHEET_NAME: Final = "Tab 2 Data ONLY EDIT THIS TAB"
FIRST_DATA_ROW: Final = 10

#: Our band at birth → the tool's gestation string (column A). Bands not here are outside it.
TOOL_BANDS: Final[dict[GestationBand, str]] = {
    GestationBand.UNDER_24: "<26+6",
    GestationBand.FROM_24_TO_26: "<26+6",
    GestationBand.WEEK_27: "27 - 27+6",
    GestationBand.FROM_28_TO_29: "28 - 29+6",
    GestationBand.FROM_30_TO_31: "30 - 31+6",
    GestationBand.FROM_32_TO_33: "32 - 33+6",
}
#: Bands where the tool greys out the MgSO₄ questions (K, L, M).
NO_MGSO4_BANDS: Final = frozenset({GestationBand.FROM_30_TO_31, GestationBand.FROM_32_TO_33})

YES: Final = "Yes"
NO: Final = "No"
BLANK: Final = ""


@dataclass(frozen=True, slots=True)
class ToolColumn:
    """One data-entry column of the tool."""

    letter: str
    question: str
    held: bool
    note: str = ""


#: Columns A–X in the tool's order (README, "Data Entry Column Definitions").
COLUMNS: Final[tuple[ToolColumn, ...]] = (
    ToolColumn("A", "Gestational age at birth", True, "band at birth"),
    ToolColumn("B", "Birth weight (g)", False, "not recorded here; REQUIRED by the import"),
    ToolColumn("C", "Singleton or multiple?", True, "plurality of the episode"),
    ToolColumn("D", "Did the baby need invasive ventilation?", False, "neonatal record"),
    ToolColumn(
        "E",
        "Was the mother in active labour at any point prior to delivery?",
        False,
        "only the situation at the decision is recorded here",
    ),
    ToolColumn("F", "Born in an appropriate unit for gestation and birth weight?", False),
    ToolColumn("G", "Did the mother receive antenatal steroids?", False),
    ToolColumn("H", "How many doses of antenatal steroids?", False),
    ToolColumn("I", "Could steroids have been optimally administered?", False),
    ToolColumn("J", "Were steroids optimally administered?", False),
    ToolColumn("K", "Did the mother receive antenatal magnesium sulphate?", True, "any course"),
    ToolColumn(
        "L",
        "Could MgSO4 have been optimally administered (>4 h <24 h of birth)?",
        True,
        "only when K is Yes",
    ),
    ToolColumn(
        "M",
        "Was MgSO4 optimally administered (>4 h <24 h of birth)?",
        True,
        "only when L is Yes",
    ),
    ToolColumn("N", "Did the mother receive intrapartum antibiotics?", False),
    ToolColumn("O", "Could antibiotics have been optimally administered?", False),
    ToolColumn("P", "Were antibiotics optimally administered?", False),
    ToolColumn("Q", "Early maternal breast milk information within 2 h?", False),
    ToolColumn("R", "Cord clamped at or after one minute?", False),
    ToolColumn("S", "Normothermic (36.5-37.5 C) within one hour?", False),
    ToolColumn("T", "Volume-targeted synchronised ventilation if ventilated?", False),
    ToolColumn("U", "Caffeine within the first 24 h?", False),
    ToolColumn("V", "Early maternal breast milk within 6 h?", False),
    ToolColumn("W", "Multi-strain probiotic within the first 24 h?", False),
    ToolColumn("X", "Prophylactic hydrocortisone within the first 24 h?", False),
)
_INDEX: Final = {column.letter: index for index, column in enumerate(COLUMNS)}


@dataclass(frozen=True, slots=True)
class PasteRow:
    """One baby's row: the 24 cells A–X, and (for the unit only) which baby it is."""

    cells: tuple[str, ...]
    episode_uuid: str
    baby: int
    gestation: str
    to_complete: tuple[str, ...]


@dataclass(frozen=True)
class PasteBlock:
    """The rows of one unit for one birth month, and the births left out (with why)."""

    unit: str
    month: YearMonth
    rows: tuple[PasteRow, ...]
    left_out: dict[str, int]

    @property
    def stem(self) -> str:
        """File name stem: ``periprem-2026-10-labour-ward``."""
        slug = re.sub(r"[^a-z0-9]+", "-", self.unit.lower()).strip("-") or "unit"
        return f"periprem-{self.month.iso}-{slug}"


def _optimal(row: BabyRow) -> tuple[bool | None, bool]:
    """PERIPrem's (could it have been optimal?, was it optimal?) for one baby [P2]: the
    PERIPrem measure (loading dose started > 4 h and < 24 h before birth), not BAPM's."""
    assert row.classification is not None
    result = row.classification.periprem_optimal
    return result.could_have_been_optimal, result.met


def mgso4_answers(row: BabyRow) -> tuple[str, str, str]:
    """Columns K, L, M for one baby, with the tool's skip rules (README, columns K–M)."""
    if row.band in NO_MGSO4_BANDS:
        return BLANK, BLANK, BLANK
    if not row.given_before_birth:
        return NO, BLANK, BLANK
    could, was = _optimal(row)
    if could is None:
        return YES, BLANK, BLANK
    if not could:
        return YES, NO, BLANK
    return YES, YES, YES if was else NO


def paste_row(row: BabyRow) -> PasteRow:
    """The tool's row for one classified baby in a PERIPrem band."""
    cells = [BLANK] * len(COLUMNS)
    cells[_INDEX["A"]] = TOOL_BANDS[row.band]
    multiple = row.episode.plurality > 1 or len(row.episode.births) > 1
    cells[_INDEX["C"]] = "Multiple" if multiple else "Single"
    received, could, was = mgso4_answers(row)
    cells[_INDEX["K"]], cells[_INDEX["L"]], cells[_INDEX["M"]] = received, could, was
    to_complete = [column.letter for column in COLUMNS if not column.held]
    if received == YES and could == BLANK:
        to_complete.append("L (when she became eligible is not recorded)")
    gestation = "" if row.birth.gestation is None else row.birth.gestation.label
    return PasteRow(
        cells=tuple(cells),
        episode_uuid=row.episode.episode_uuid,
        baby=row.birth.baby,
        gestation=gestation,
        to_complete=tuple(to_complete),
    )


def paste_blocks(
    data: AuditData,
    month: YearMonth,
    *,
    unit: str | None = None,
    workstations: frozenset[str] = frozenset(),
    include_training: bool = False,
) -> list[PasteBlock]:
    """One block per unit (the unit name recorded on each episode) for a month of births.

    Args:
        data: The record, read once.
        month: Local month of birth.
        unit: Only this unit (exact name), or every unit with births that month.
        workstations: Only episodes made on these workstations (empty: all).
        include_training: Count training episodes (never, by default).
    """
    filters = Filters(workstations=workstations, include_training=include_training)
    selected = select_rows(
        data.rows, date_from=month.first_day, date_to=month.last_day, filters=filters
    )
    by_unit: dict[str, list[BabyRow]] = {}
    for row in selected:
        if unit is None or row.episode.unit_name == unit:
            by_unit.setdefault(row.episode.unit_name, []).append(row)
    blocks = []
    for name in sorted(by_unit):
        rows = sorted(by_unit[name], key=lambda r: (r.birth.born_at, r.episode.episode_uuid))
        kept: list[PasteRow] = []
        left_out: dict[str, int] = {}
        for row in rows:
            why = _left_out_because(row)
            if why is None:
                kept.append(paste_row(row))
            else:
                left_out[why] = left_out.get(why, 0) + 1
        blocks.append(PasteBlock(unit=name, month=month, rows=tuple(kept), left_out=left_out))
    return blocks


def _left_out_because(row: BabyRow) -> str | None:
    if row.classification is None:
        return "births that could not be classified (correct them in the episode)"
    if row.band not in TOOL_BANDS:
        return "born at 34+0 or later (outside the tool)"
    return None


def write_block(block: PasteBlock, folder: Path) -> tuple[Path, Path]:
    """Write the paste block and its row list, both whole or neither.

    Returns:
        (paste block CSV, row list CSV).

    Raises:
        AuditError: the folder does not exist.
        OSError: a file cannot be written.
    """
    paste = folder / f"{block.stem}.csv"
    listing = folder / f"{block.stem}-rows.csv"
    with atomic_outputs(paste, listing) as (paste_tmp, listing_tmp):
        with paste_tmp.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(row.cells for row in block.rows)
        with listing_tmp.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(
                ["excel_row", "episode", "baby", "gestation_at_birth", "columns_to_complete"]
            )
            for offset, row in enumerate(block.rows):
                writer.writerow(
                    [
                        FIRST_DATA_ROW + offset,
                        row.episode_uuid[:8],
                        row.baby,
                        row.gestation,
                        " ".join(row.to_complete),
                    ]
                )
    return paste, listing


def column_letters(columns: Sequence[ToolColumn] = COLUMNS) -> str:
    """ "A, C, K, L, M": the columns this block fills."""
    return ", ".join(column.letter for column in columns if column.held)
