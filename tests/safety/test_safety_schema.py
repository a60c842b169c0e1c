"""The hazard-log checker itself: the DCB0129 matrix and each schema rule refuses what it should.

These tests feed the checker deliberately broken hazards, so a checker that accepted anything
would fail here rather than pass the real log silently.
"""

from __future__ import annotations

import copy
import re
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "safety"))

import hazard_log  # noqa: E402

SCHEMA_DOC = ROOT / "docs" / "safety" / "hazard.schema.md"
NAME = "HAZ-003-decimal-entry.yaml"


def _valid() -> dict[str, Any]:
    return {
        "id": "HAZ-003",
        "title": "Decimal entry",
        "hazard": "A tenfold rate is accepted.",
        "causes": ["5 typed as 50"],
        "effects": "Pump runs ten times too fast.",
        "harm": "Magnesium toxicity.",
        "initial": {"severity": 4, "likelihood": 3, "risk": 3},
        "controls": [
            {
                "id": "HAZ-003.C1",
                "type": "design",
                "description": "Hard limit.",
                "verified_by": ["tests/core/test_dosing.py::test_limits"],
            },
            {
                "id": "HAZ-003.C2",
                "type": "procedure",
                "description": "Second checker.",
                "verified_by": [],
                "verification": "procedure: IV policy",
            },
        ],
        "residual": {"severity": 4, "likelihood": 1, "risk": 2},
        "status": "open",
        "owner": "Manufacturer CSO",
        "notes": "Rationale.",
    }


def _problems(data: dict[str, Any], name: str = NAME) -> str:
    return "\n".join(hazard_log.validate(data, name))


# --- the DCB0129 matrix -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("severity", "likelihood", "risk"),
    [
        (1, 1, 1),  # Minor, Very low
        (5, 1, 3),  # Catastrophic, Very low
        (1, 5, 3),  # Minor, Very high
        (5, 5, 5),  # Catastrophic, Very high
        (4, 3, 3),  # Major, Medium
        (4, 4, 4),  # Major, High
        (5, 3, 4),  # Catastrophic, Medium
        (2, 5, 4),  # Significant, Very high
        (3, 2, 2),  # Considerable, Low
        (4, 2, 3),  # Major, Low
    ],
)
def test_risk_rating_follows_the_dcb0129_matrix(severity: int, likelihood: int, risk: int) -> None:
    assert hazard_log.risk_rating(severity, likelihood) == risk


def test_risk_never_falls_as_severity_or_likelihood_rises() -> None:
    for severity in range(1, 6):
        for likelihood in range(1, 6):
            rating = hazard_log.risk_rating(severity, likelihood)
            if severity < 5:
                assert hazard_log.risk_rating(severity + 1, likelihood) >= rating
            if likelihood < 5:
                assert hazard_log.risk_rating(severity, likelihood + 1) >= rating


@pytest.mark.parametrize(("severity", "likelihood"), [(0, 3), (6, 3), (3, 0), (3, 6)])
def test_risk_rating_refuses_values_outside_1_to_5(severity: int, likelihood: int) -> None:
    with pytest.raises(ValueError, match="1–5"):
        hazard_log.risk_rating(severity, likelihood)


def test_the_schema_document_shows_the_same_matrix_as_the_checker() -> None:
    text = SCHEMA_DOC.read_text(encoding="utf-8")
    rows = re.findall(
        r"^\| [A-Za-z ]+ \((\d)\) \| (\d) \| (\d) \| (\d) \| (\d) \| (\d) \|$", text, re.M
    )
    assert {int(row[0]): [int(cell) for cell in row[1:]] for row in rows} == {
        likelihood: [hazard_log.RISK_MATRIX[likelihood][severity] for severity in range(1, 6)]
        for likelihood in range(1, 6)
    }


# --- a valid hazard, including the schema document's own example ------------------------------


def test_a_complete_hazard_is_valid() -> None:
    assert _problems(_valid()) == ""


def test_the_example_in_the_schema_document_is_valid() -> None:
    text = SCHEMA_DOC.read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(.*?)```", text, re.S)
    assert example is not None
    data = yaml.safe_load(example.group(1))
    assert hazard_log.validate(data, "HAZ-003-decimal-entry.yaml") == []


# --- each rule refuses ------------------------------------------------------------------------


@pytest.mark.parametrize("field", hazard_log.REQUIRED_FIELDS)
def test_a_missing_field_is_named(field: str) -> None:
    data = _valid()
    del data[field]
    assert f"missing field {field!r}" in _problems(data)


def test_an_unknown_field_is_named() -> None:
    data = _valid() | {"severity": 4}
    assert "unknown field(s) severity" in _problems(data)


def test_a_risk_that_differs_from_the_matrix_is_refused_with_the_matrix_value() -> None:
    data = _valid()
    data["residual"] = {"severity": 4, "likelihood": 1, "risk": 1}
    assert "residual.risk: is 1 but the DCB0129 matrix gives 2 for Major × Very low" in _problems(
        data
    )


@pytest.mark.parametrize("value", [0, 6, "3", True, 2.5])
def test_severity_must_be_a_whole_number_1_to_5(value: object) -> None:
    data = _valid()
    data["initial"] = {"severity": value, "likelihood": 3, "risk": 3}
    assert "initial.severity: must be a whole number 1–5" in _problems(data)


def test_an_open_hazard_with_residual_risk_4_is_refused() -> None:
    data = _valid()
    data["initial"] = {"severity": 4, "likelihood": 4, "risk": 4}
    data["residual"] = {"severity": 4, "likelihood": 4, "risk": 4}
    assert "residual risk 4 is unacceptable and the hazard is open" in _problems(data)


def test_an_open_hazard_with_residual_risk_3_is_accepted() -> None:
    data = _valid()
    data["residual"] = {"severity": 4, "likelihood": 2, "risk": 3}
    assert _problems(data) == ""


def test_residual_risk_above_initial_risk_is_refused() -> None:
    data = _valid()
    data["initial"] = {"severity": 4, "likelihood": 1, "risk": 2}
    data["residual"] = {"severity": 4, "likelihood": 2, "risk": 3}
    assert "residual risk is higher than the initial risk" in _problems(data)


def test_a_design_control_without_tests_is_refused() -> None:
    data = _valid()
    data["controls"][0]["verified_by"] = []
    assert "a design control needs at least one test" in _problems(data)


def test_an_alert_control_without_tests_is_refused() -> None:
    data = _valid()
    data["controls"][0] |= {"type": "alert", "verified_by": []}
    assert "a alert control needs at least one test" in _problems(data)


def test_a_planned_design_control_without_tests_is_accepted_while_open() -> None:
    data = _valid()
    data["controls"][0] |= {"verified_by": [], "planned": True}
    assert _problems(data) == ""


def test_a_planned_control_keeps_the_hazard_open() -> None:
    data = _valid()
    data["controls"][0] |= {"verified_by": [], "planned": True}
    data["status"] = "closed"
    assert "a hazard with a planned control must stay open" in _problems(data)


def test_a_planned_control_that_cites_tests_is_refused() -> None:
    data = _valid()
    data["controls"][0]["planned"] = True
    assert "planned: true but tests are cited" in _problems(data)


def test_a_procedure_control_without_tests_must_say_how_it_is_checked() -> None:
    data = _valid()
    del data["controls"][1]["verification"]
    assert 'starting with "procedure"' in _problems(data)


def test_a_training_control_with_a_vague_verification_is_refused() -> None:
    data = _valid()
    data["controls"][1] |= {"type": "training", "verification": "see training"}
    assert 'starting with "procedure"' in _problems(data)


def test_controls_out_of_type_order_are_refused() -> None:
    data = _valid()
    data["controls"] = list(reversed(data["controls"]))
    for number, control in enumerate(data["controls"], start=1):
        control["id"] = f"HAZ-003.C{number}"
    assert "controls must be ordered design, alert, procedure, training" in _problems(data)


def test_control_ids_must_be_numbered_in_order() -> None:
    data = _valid()
    data["controls"][1]["id"] = "HAZ-003.C3"
    assert "must be 'HAZ-003.C2'" in _problems(data)


def test_an_unknown_control_type_is_refused() -> None:
    data = _valid()
    data["controls"][0]["type"] = "label"
    assert "type: must be one of design, alert, procedure, training" in _problems(data)


@pytest.mark.parametrize(
    "node",
    [
        "test_dosing.py::test_limits",
        "tests/core/test_dosing.py",
        "tests/core/dosing.py::test_limits",
        "tests/core/test_dosing.py:test_limits",
        "tests/core/test_dosing.py::",
    ],
)
def test_a_citation_that_is_not_a_pytest_node_id_is_refused(node: str) -> None:
    data = _valid()
    data["controls"][0]["verified_by"] = [node]
    assert "is not a pytest node id" in _problems(data)


@pytest.mark.parametrize(
    "node",
    [
        "tests/core/test_dosing.py::test_limits",
        "tests/core/test_dosing.py::test_limits[0.2-5-ok]",
        "tests/gui/test_board.py::TestBoard::test_overdue_is_marked",
        "tests/test_architecture.py::test_checker_detects_a_forbidden_import",
    ],
)
def test_pytest_node_ids_are_accepted_as_citations(node: str) -> None:
    data = _valid()
    data["controls"][0]["verified_by"] = [node]
    assert _problems(data) == ""


def test_the_same_test_cited_twice_in_one_control_is_refused() -> None:
    data = _valid()
    data["controls"][0]["verified_by"] *= 2
    assert "lists a test twice" in _problems(data)


def test_a_file_name_that_does_not_match_the_id_is_refused() -> None:
    assert "does not match the file name" in _problems(_valid(), "HAZ-004-decimal-entry.yaml")


@pytest.mark.parametrize("name", ["HAZ-3-x.yaml", "HAZ-003_x.yaml", "HAZ-003-X.yaml", "h.yaml"])
def test_a_badly_formed_file_name_is_refused(name: str) -> None:
    assert "file name must be HAZ-NNN-<lower-case-slug>.yaml" in _problems(_valid(), name)


def test_an_unknown_status_is_refused() -> None:
    data = _valid() | {"status": "mitigated"}
    assert "status must be one of open, closed, transferred" in _problems(data)


def test_a_transferred_hazard_must_name_who_holds_it() -> None:
    data = _valid() | {"status": "transferred"}
    assert "must name who holds it in transferred_to" in _problems(data)


def test_a_transferred_hazard_naming_its_holder_is_valid() -> None:
    data = _valid() | {"status": "transferred", "transferred_to": "Deploying trust"}
    assert _problems(data) == ""


def test_a_closed_hazard_with_unacceptable_residual_risk_is_refused() -> None:
    data = _valid() | {"status": "closed"}
    data["initial"] = {"severity": 5, "likelihood": 3, "risk": 4}
    data["residual"] = {"severity": 5, "likelihood": 3, "risk": 4}
    assert "cannot be closed with residual risk 4" in _problems(data)


def test_empty_causes_are_refused() -> None:
    data = _valid() | {"causes": []}
    assert "causes: must be a non-empty list of text" in _problems(data)


def test_a_document_that_is_not_a_mapping_is_refused() -> None:
    assert hazard_log.validate(["not", "a", "mapping"], NAME) == [f"{NAME}: must be a YAML mapping"]


def test_validation_does_not_change_the_data() -> None:
    data = _valid()
    before = copy.deepcopy(data)
    hazard_log.validate(data, NAME)
    assert data == before


# --- numbering --------------------------------------------------------------------------------


def test_a_gap_in_the_numbers_says_hazards_are_never_deleted() -> None:
    assert hazard_log.numbering_problems(["HAZ-001", "HAZ-003"]) == [
        "HAZ-002 is missing: hazards are closed, never deleted"
    ]


def test_a_number_used_twice_is_refused() -> None:
    assert "HAZ-001 is used by more than one file" in hazard_log.numbering_problems(
        ["HAZ-001", "HAZ-001"]
    )


def test_an_unbroken_sequence_has_no_numbering_problem() -> None:
    assert hazard_log.numbering_problems(["HAZ-002", "HAZ-001", "HAZ-003"]) == []


def test_load_log_reports_a_deleted_hazard(tmp_path: Path) -> None:
    for number in (1, 3):
        data = _valid()
        data["id"] = f"HAZ-{number:03d}"
        for index, control in enumerate(data["controls"], start=1):
            control["id"] = f"HAZ-{number:03d}.C{index}"
        (tmp_path / f"HAZ-{number:03d}-x.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(hazard_log.HazardLogError, match="HAZ-002 is missing"):
        hazard_log.load_log(tmp_path)


# --- matching cited ids against the collection ------------------------------------------------


COLLECTED = hazard_log.Collection(
    frozenset(
        {
            "tests/core/test_dosing.py::test_limits[0.2-5-ok]",
            "tests/core/test_dosing.py::test_limits[0.2-50-refuse]",
            "tests/core/test_dosing.py::test_plain",
            "tests/core/test_dosing.py::test_plain_two",
        }
    ),
    (),
)


@pytest.mark.parametrize(
    ("cited", "found"),
    [
        ("tests/core/test_dosing.py::test_plain", True),
        ("tests/core/test_dosing.py::test_limits", True),  # any parametrisation
        ("tests/core/test_dosing.py::test_limits[0.2-50-refuse]", True),
        ("tests/core/test_dosing.py::test_limits[0.2-9-ok]", False),
        ("tests/core/test_dosing.py::test_pla", False),  # a prefix is not a test
        ("tests/core/test_other.py::test_plain", False),
    ],
)
def test_a_cited_id_is_found_only_if_collected(cited: str, found: bool) -> None:
    assert COLLECTED.has(cited) is found


def test_tests_are_counted_by_area() -> None:
    collection = hazard_log.Collection(
        frozenset({"tests/core/test_a.py::t1", "tests/core/test_a.py::t2", "tests/test_b.py::t"}),
        (),
    )
    assert collection.count_by_area() == {".": 1, "core": 2}
