"""The hazard log is valid, cites real tests, accepts no open unacceptable risk, and the trace
matrix (docs/safety/trace.md) is up to date.

The test suite is collected once per session with ``pytest --collect-only`` in a subprocess;
every test id a hazard cites must be in that collection.
"""

from __future__ import annotations

import difflib
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "safety"))

import hazard_log  # noqa: E402

SAFETY_DOCS = ROOT / "docs" / "safety"
REGENERATE = "regenerate with: .venv/bin/python tools/safety/generate.py"


@pytest.fixture(scope="session")
def collection() -> hazard_log.Collection:
    """The node ids of the whole suite, collected once."""
    return hazard_log.collect_tests(ROOT)


@pytest.fixture(scope="module")
def hazards() -> list[hazard_log.Hazard]:
    return hazard_log.load_log()


@pytest.mark.parametrize("path", hazard_log.hazard_files(), ids=lambda path: path.stem[:7])
def test_hazard_file_meets_the_schema(path: Path) -> None:
    problems = hazard_log.validate(hazard_log.read_file(path), path.name)
    assert problems == []


def test_hazard_numbers_run_from_one_without_a_gap() -> None:
    assert hazard_log.numbering_problems(hazard_log.hazard_ids()) == []


def test_initial_and_residual_risk_equal_the_dcb0129_matrix(
    hazards: list[hazard_log.Hazard],
) -> None:
    wrong = [
        f"{hazard.id} {label}: {assessment.label}, matrix gives "
        f"{hazard_log.risk_rating(assessment.severity, assessment.likelihood)}"
        for hazard in hazards
        for label, assessment in (("initial", hazard.initial), ("residual", hazard.residual))
        if assessment.risk != hazard_log.risk_rating(assessment.severity, assessment.likelihood)
    ]
    assert wrong == []


def test_no_open_hazard_has_a_residual_risk_of_4_or_more(
    hazards: list[hazard_log.Hazard],
) -> None:
    unacceptable = [
        f"{h.id} residual {h.residual.risk}"
        for h in hazards
        if h.status == "open" and h.residual.risk >= hazard_log.UNACCEPTABLE_RISK
    ]
    assert unacceptable == []


def test_every_design_and_alert_control_cites_a_test_unless_still_planned(
    hazards: list[hazard_log.Hazard],
) -> None:
    untested = [
        control.id
        for hazard in hazards
        for control in hazard.controls
        if control.type in hazard_log.TESTED_CONTROL_TYPES
        and not control.verified_by
        and not control.planned
    ]
    assert untested == []


def test_a_hazard_with_a_planned_control_is_still_open(hazards: list[hazard_log.Hazard]) -> None:
    closed_with_planned = [
        h.id for h in hazards if h.status != "open" and any(c.planned for c in h.controls)
    ]
    assert closed_with_planned == []


def test_procedure_and_training_controls_without_tests_say_how_they_are_checked(
    hazards: list[hazard_log.Hazard],
) -> None:
    unverifiable = [
        control.id
        for hazard in hazards
        for control in hazard.controls
        if control.type in ("procedure", "training")
        and not control.verified_by
        and not (control.verification or "").startswith("procedure")
    ]
    assert unverifiable == []


def test_every_cited_test_exists_in_the_suite(
    hazards: list[hazard_log.Hazard], collection: hazard_log.Collection
) -> None:
    missing = hazard_log.missing_tests(hazards, collection)
    context = "\ncollection errors:\n" + "\n".join(collection.errors) if collection.errors else ""
    assert missing == [], "\n".join(missing) + context


def test_trace_matrix_is_up_to_date(hazards: list[hazard_log.Hazard]) -> None:
    expected = hazard_log.render_trace(hazards)
    actual = hazard_log.TRACE_PATH.read_text(encoding="utf-8")
    diff = "".join(
        difflib.unified_diff(
            actual.splitlines(keepends=True),
            expected.splitlines(keepends=True),
            "trace.md (committed)",
            "trace.md (from the hazard files)",
            n=1,
        )
    )
    assert actual == expected, f"docs/safety/trace.md is out of date; {REGENERATE}\n{diff}"


@pytest.mark.parametrize(
    "document", ["intended-use.md", "deployment.md", "safety-case.md", "hazard.schema.md"]
)
def test_documents_cite_only_hazards_in_the_log(
    document: str, hazards: list[hazard_log.Hazard]
) -> None:
    known = {hazard.id for hazard in hazards}
    cited = set(re.findall(r"HAZ-\d{3}", (SAFETY_DOCS / document).read_text(encoding="utf-8")))
    assert cited - known == set()


def test_safety_case_lists_exactly_the_hazards_with_residual_risk_3_or_more(
    hazards: list[hazard_log.Hazard],
) -> None:
    text = (SAFETY_DOCS / "safety-case.md").read_text(encoding="utf-8")
    section = text.split("## 5. Residual risks", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| (HAZ-\d{3}) ", section, re.M))
    expected = {h.id for h in hazards if h.residual.risk >= 3 and h.status != "transferred"}
    assert listed == expected


def test_safety_case_has_the_generated_evidence_block() -> None:
    text = (SAFETY_DOCS / "safety-case.md").read_text(encoding="utf-8")
    begin = text.find("<!-- BEGIN GENERATED EVIDENCE")
    assert 0 <= begin < text.find("<!-- END GENERATED EVIDENCE -->")
