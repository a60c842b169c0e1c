"""The printed feedback sheet read back (pdfplumber): its figures are the report's, it is one
landscape page in the embedded DejaVu fonts, and nothing on it identifies a patient."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pdfplumber
import pytest

from mgso4.audit.data import AuditData, compute_metrics, load_audit_data
from mgso4.audit.demo import write_demo_data
from mgso4.audit.feedback import (
    MAX_CASE_ROWS,
    MAX_NOTE_LENGTH,
    FeedbackOptions,
    FeedbackSheet,
    YearMonth,
    build_feedback,
)
from mgso4.audit.feedback_pdf import feedback_pdf

KEY = bytes(range(32))
MADE_AT = datetime(2026, 11, 2, 9, 15, tzinfo=UTC)
MONTH = YearMonth(2026, 9)


@pytest.fixture(scope="module")
def record(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("feedback-sheet") / "demo.sqlite3"
    write_demo_data(path, episodes=900, seed=20)
    return path


@pytest.fixture(scope="module")
def data(record: Path) -> AuditData:
    return load_audit_data(record)


def make(data: AuditData, **options: object) -> tuple[FeedbackSheet, bytes]:
    sheet = build_feedback(
        data,
        FeedbackOptions(month=MONTH, **options),  # type: ignore[arg-type]
        key=KEY,
        made_at=MADE_AT,
        chain_heads={"ws": "a" * 64},
    )
    return sheet, feedback_pdf(sheet)


@pytest.fixture(scope="module")
def made(data: AuditData) -> tuple[FeedbackSheet, bytes]:
    return make(data, note="Grab box in triage; remind the registrar at handover.")


def text_of(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return "\n".join(page.extract_text() or "" for page in document.pages)


def headline_table(pdf: bytes) -> list[list[str]]:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        tables = document.pages[0].extract_tables()
    # The section heading above the table is drawn as a shaded box: start at the table's header.
    for table in tables:
        for index, row in enumerate(table):
            if row and row[0] == "Measure":
                return [[(cell or "").replace("\n", " ") for cell in r] for r in table[index:]]
    raise AssertionError("no headline table on the sheet")


def report_measures(path: Path, first: date, last: date) -> dict[str, dict[str, object]]:
    """The measures as ``mgso4 report --from first --to last --json`` prints them."""
    measures = compute_metrics(path, date_from=first, date_to=last).as_dict()["measures"]
    assert isinstance(measures, dict)
    return measures


def shown(measure: dict[str, object]) -> str:
    """A report measure as the sheet prints it: "81.1 % 30/37" ("—" without a percentage)."""
    percentage = measure["percentage"]
    text = "—" if percentage is None else f"{percentage:.1f} %"
    return f"{text} {measure['numerator']}/{measure['denominator']}"


def test_sheet_is_one_landscape_a4_page(made: tuple[FeedbackSheet, bytes]) -> None:
    with pdfplumber.open(io.BytesIO(made[1])) as document:
        assert len(document.pages) == 1
        page = document.pages[0]
        assert (round(page.width), round(page.height)) == (842, 595)


def test_every_headline_figure_is_the_reports_figure_for_the_same_month(
    made: tuple[FeedbackSheet, bytes], record: Path
) -> None:
    sheet, pdf = made
    rows = headline_table(pdf)
    assert rows[0][:4] == ["Measure", "September 2026", "August 2026", "12 months to Sep 26"]
    periods = [
        (MONTH.first_day, MONTH.last_day),
        (date(2026, 8, 1), date(2026, 8, 31)),
        (date(2025, 10, 1), date(2026, 9, 30)),
    ]
    expected = [report_measures(record, first, last) for first, last in periods]
    body = rows[1:]
    assert len(body) == len(sheet.headline)
    for printed, row in zip(body, sheet.headline, strict=True):
        assert printed[0] == expected[0][row.key]["label"]
        assert printed[1:4] == [shown(measures[row.key]) for measures in expected]
    assert body[0][4] == "85 % (stretch 95 %)"


def test_case_counts_on_the_sheet_are_the_reports(
    made: tuple[FeedbackSheet, bytes], record: Path
) -> None:
    text = " ".join(text_of(made[1]).split())
    metrics = compute_metrics(record, date_from=MONTH.first_day, date_to=MONTH.last_day)
    report = metrics.as_dict()
    not_met = sum(int(r["count"]) for r in report["nnap_not_met_reasons"])  # type: ignore[attr-defined, index]
    late = sum(int(r["count"]) for r in report["timing_classes"] if r["code"] == "G-LATE")  # type: ignore[attr-defined, index]
    eligible = report["measures"]["nnap"]["denominator"]  # type: ignore[index]
    assert (
        f"Not given in the 24 h window: {not_met} of {eligible} eligible babies; given late "
        f"(started < 4 h before birth; counts for NNAP, not optimal): {late}."
    ) in text
    references = re.findall(r"\b([0-9a-f]{8})-(\d)\b", text)
    assert len(references) == min(not_met + late, MAX_CASE_ROWS)


def test_no_identifier_from_the_demo_record_appears_on_the_sheet(
    made: tuple[FeedbackSheet, bytes], data: AuditData
) -> None:
    pdf = made[1]
    text = text_of(pdf)
    digits = re.sub(r"\D", "", text)
    squashed = re.sub(r"\s", "", text)
    found = []
    for episode in data.episodes:
        if episode.identifier in digits:
            found.append(f"NHS/CHI number {episode.identifier}")
        for part in episode.name.split():
            if len(part) > 2 and re.search(rf"\b{re.escape(part)}\b", text, re.IGNORECASE):
                found.append(f"name {part}")
        if episode.date_of_birth is not None:
            dob = episode.date_of_birth
            for form in (dob.isoformat(), dob.strftime("%d/%m/%Y"), dob.strftime("%d%m%Y")):
                if form in squashed:
                    found.append(f"date of birth {form}")
        if episode.episode_uuid in squashed or episode.episode_uuid[:8] in squashed:
            found.append(f"episode id {episode.episode_uuid}")
        if episode.not_given_text and episode.not_given_text in text:
            found.append("free text")
    assert found == []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        metadata = " ".join(str(value) for value in document.metadata.values())
    assert not any(episode.name in metadata for episode in data.episodes)


def test_sheet_uses_only_the_embedded_dejavu_fonts(made: tuple[FeedbackSheet, bytes]) -> None:
    with pdfplumber.open(io.BytesIO(made[1])) as document:
        fonts = {char["fontname"].split("+")[-1] for char in document.pages[0].chars}
    assert fonts <= {"DejaVuSans", "DejaVuSans-Bold"}


def test_the_plan_for_next_month_is_printed(made: tuple[FeedbackSheet, bytes]) -> None:
    text = " ".join(text_of(made[1]).split())
    assert "Grab box in triage; remind the registrar at handover." in text


def test_a_long_plan_and_many_cases_still_fit_one_page(data: AuditData) -> None:
    note = ("Review every case at the Friday huddle with the neonatal lead. " * 20)[
        :MAX_NOTE_LENGTH
    ]
    sheet, pdf = make(data, note=note)
    assert len(sheet.cases) > MAX_CASE_ROWS  # the demo month has more cases than the list shows
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        assert len(document.pages) == 1
    text = " ".join(text_of(pdf).split())
    assert f"and {len(sheet.cases) - MAX_CASE_ROWS} more" in text


def counts_in(pdf: bytes) -> list[int]:
    """Every plain count in the headline's figure cells (not "<k" or ">k")."""
    cells = [cell for row in headline_table(pdf)[1:] for cell in row[1:4]]
    fractions = [cell.rsplit(" ", 1)[-1] for cell in cells]
    return [int(n) for text in fractions for n in re.findall(r"(?<![<>\d])(\d+)", text)]


def test_suppressed_sheet_shows_small_counts_as_less_than_k(
    made: tuple[FeedbackSheet, bytes], data: AuditData
) -> None:
    assert min(counts_in(made[1])) < 5  # without suppression this month has small counts
    _, pdf = make(data, suppress_below=5)
    assert min(counts_in(pdf)) >= 5
    text = " ".join(text_of(pdf).split())
    assert "Case list not shown: small-number suppression is on" in text
    assert not re.search(r"\b[0-9a-f]{8}-\d\b", text)
    assert "Small numbers: counts below 5 shown as <5" in text


def test_sheet_says_why_there_are_no_limits(data: AuditData) -> None:
    from mgso4.audit.spc import SpcSettings

    _, pdf = make(data, spc=SpcSettings(min_denominator=1000))
    text = " ".join(text_of(pdf).split())
    assert "No limits or signals drawn:" in text
    assert "print with quarters or a rolling 12 months" in text
