"""Every character printed is in the embedded DejaVu fonts, so nothing can print as a box."""

from __future__ import annotations

import pytest
from fontTools.ttLib import TTFont
from report_builders import PRINTED_AT, UNIT, Scenario, pdf_text, utc

from mgso4.core.protocol import PreparationSet, Protocol
from mgso4.reports import render_blank, render_handover, render_proforma
from mgso4.reports.fonts import FONT_FILES, font_path


@pytest.fixture(scope="module")
def covered() -> dict[str, set[int]]:
    return {face: set(TTFont(font_path(face)).getBestCmap()) for face in FONT_FILES}


@pytest.fixture(scope="module")
def documents(
    standard: Scenario,
    transfer: Scenario,
    long_scenario: Scenario,
    protocol: Protocol,
    preparations: PreparationSet,
) -> dict[str, str]:
    texts = {
        "proforma": pdf_text(
            render_proforma(
                standard.state,
                protocol,
                preparations,
                unit_name=UNIT,
                chain_head=standard.head,
                printed_at=PRINTED_AT,
            )
        ),
        "handover": pdf_text(
            render_handover(
                transfer.state,
                protocol,
                preparations,
                unit_name=UNIT,
                chain_head=transfer.head,
                printed_at=utc(29, 3, 10),
            )
        ),
        "long": pdf_text(
            render_proforma(
                long_scenario.state,
                protocol,
                preparations,
                unit_name=UNIT,
                chain_head=long_scenario.head,
                printed_at=utc(31, 9, 0),
            )
        ),
    }
    for preparation_id in preparations.ids:
        texts[f"blank-{preparation_id}"] = pdf_text(
            render_blank(protocol, preparations, preparation_id, unit_name=UNIT)
        )
    return texts


@pytest.mark.parametrize("face", list(FONT_FILES))
def test_every_printed_character_is_in_each_dejavu_face(
    documents: dict[str, str], covered: dict[str, set[int]], face: str
) -> None:
    missing = {
        (name, char)
        for name, text in documents.items()
        for char in set(text)
        if not char.isspace() and ord(char) not in covered[face]
    }
    assert missing == set()


def test_the_special_glyphs_are_really_printed(documents: dict[str, str]) -> None:
    everything = " ".join(documents.values())
    for glyph in ("₄", "₂", "▼", "☐", "×", "–", "—"):
        assert glyph in everything


def test_fonts_register_once_however_often_asked() -> None:
    from reportlab.pdfbase import pdfmetrics

    from mgso4.reports.fonts import REGULAR, ensure_fonts

    ensure_fonts()
    first = pdfmetrics.getFont(REGULAR)
    ensure_fonts()
    assert pdfmetrics.getFont(REGULAR) is first
