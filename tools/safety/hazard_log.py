"""The hazard log: schema, DCB0129 risk matrix, loader, checker and trace-matrix renderer.

One YAML file per hazard in ``docs/safety/hazards/`` (``HAZ-NNN-<slug>.yaml``). Files are never
deleted, only closed, so the numbers run 1..N without a gap. The schema is described for people
in ``docs/safety/hazard.schema.md``; this module is the executable form of the same rules and
``tests/safety/test_safety_trace.py`` runs it over the log.

Nothing here imports the application: the checker must work even when the application does not.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import yaml

ROOT: Final = Path(__file__).resolve().parents[2]
HAZARD_DIR: Final = ROOT / "docs" / "safety" / "hazards"
TRACE_PATH: Final = ROOT / "docs" / "safety" / "trace.md"

#: DCB0129 severity (consequence) categories, 1 = least severe.
SEVERITY: Final[Mapping[int, str]] = {
    1: "Minor",
    2: "Significant",
    3: "Considerable",
    4: "Major",
    5: "Catastrophic",
}

#: DCB0129 likelihood categories, 1 = least likely.
LIKELIHOOD: Final[Mapping[int, str]] = {
    1: "Very low",
    2: "Low",
    3: "Medium",
    4: "High",
    5: "Very high",
}

#: The DCB0129 5×5 clinical risk matrix: RISK_MATRIX[likelihood][severity] -> risk rating 1–5.
#: Rows are likelihood (Very low .. Very high), columns severity (Minor .. Catastrophic), as in
#: the NHS Digital implementation guidance for DCB0129/DCB0160.
RISK_MATRIX: Final[Mapping[int, Mapping[int, int]]] = {
    5: {1: 3, 2: 4, 3: 4, 4: 5, 5: 5},
    4: {1: 2, 2: 3, 3: 3, 4: 4, 5: 5},
    3: {1: 2, 2: 2, 3: 3, 4: 3, 5: 4},
    2: {1: 1, 2: 2, 3: 2, 4: 3, 5: 4},
    1: {1: 1, 2: 1, 3: 2, 4: 2, 5: 3},
}

#: What each risk rating means for acceptance (DCB0129 guidance wording, paraphrased).
RISK_ACCEPTABILITY: Final[Mapping[int, str]] = {
    1: "Acceptable; no further action required",
    2: "Acceptable where the cost of further reduction outweighs the benefit",
    3: "Undesirable; acceptable only when further reduction is impractical (CSO agreement)",
    4: "Unacceptable; mandatory elimination or control",
    5: "Unacceptable",
}

#: Control types in the order controls must be listed: design removes the hazard, an alert
#: tells the user, a procedure or training relies on people.
CONTROL_TYPES: Final = ("design", "alert", "procedure", "training")
TESTED_CONTROL_TYPES: Final = frozenset({"design", "alert"})
STATUSES: Final = ("open", "closed", "transferred")

#: Residual risk at or above this may not be left open.
UNACCEPTABLE_RISK: Final = 4

HAZARD_ID = re.compile(r"^HAZ-(\d{3})$")
FILE_NAME = re.compile(r"^(HAZ-\d{3})-([a-z0-9]+(?:-[a-z0-9]+)*)\.yaml$")
#: A pytest node id under tests/: path::[Class::]test_name[optional params].
TEST_ID = re.compile(
    r"^tests/(?:[A-Za-z0-9_]+/)*test_[A-Za-z0-9_]+\.py"
    r"::(?:[A-Za-z_][A-Za-z0-9_]*::)*[A-Za-z_][A-Za-z0-9_]*(?:\[.+\])?$"
)

REQUIRED_FIELDS: Final = (
    "id",
    "title",
    "hazard",
    "causes",
    "effects",
    "harm",
    "initial",
    "controls",
    "residual",
    "status",
    "owner",
    "notes",
)
OPTIONAL_FIELDS: Final = ("sources", "transferred_to", "related")
CONTROL_REQUIRED: Final = ("id", "type", "description", "verified_by")
CONTROL_OPTIONAL: Final = ("verification", "planned")


class HazardLogError(Exception):
    """A hazard file that does not meet the schema; ``problems`` lists every fault."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


def risk_rating(severity: int, likelihood: int) -> int:
    """The DCB0129 risk rating (1–5) for a severity and a likelihood, each 1–5."""
    if severity not in SEVERITY or likelihood not in LIKELIHOOD:
        raise ValueError(f"severity and likelihood must be 1–5, got {severity}, {likelihood}")
    return RISK_MATRIX[likelihood][severity]


@dataclass(frozen=True)
class Assessment:
    """One risk assessment: severity × likelihood -> risk."""

    severity: int
    likelihood: int
    risk: int

    @property
    def label(self) -> str:
        """E.g. ``Major (4) × Low (2) → 3``."""
        return (
            f"{SEVERITY[self.severity]} ({self.severity}) × "
            f"{LIKELIHOOD[self.likelihood]} ({self.likelihood}) → {self.risk}"
        )


@dataclass(frozen=True)
class Control:
    """A risk control and the tests (pytest node ids) that show it works."""

    id: str
    type: str
    description: str
    verified_by: tuple[str, ...]
    verification: str | None
    planned: bool


@dataclass(frozen=True)
class Hazard:
    """One hazard file, validated."""

    id: str
    slug: str
    path: Path
    title: str
    hazard: str
    causes: tuple[str, ...]
    effects: str
    harm: str
    initial: Assessment
    controls: tuple[Control, ...]
    residual: Assessment
    status: str
    owner: str
    notes: str
    sources: tuple[str, ...]
    transferred_to: str | None
    related: tuple[str, ...]

    @property
    def number(self) -> int:
        """The NNN of HAZ-NNN."""
        return int(self.id.removeprefix("HAZ-"))


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _is_int(value: object) -> bool:
    # bool is an int subclass; "true" must not pass as a severity.
    return isinstance(value, int) and not isinstance(value, bool)


def _check_assessment(value: object, where: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{where}: must be a mapping with severity, likelihood and risk"]
    problems: list[str] = []
    keys = {"severity", "likelihood", "risk"}
    missing = keys - value.keys()
    extra = value.keys() - keys
    if missing:
        problems.append(f"{where}: missing {', '.join(sorted(missing))}")
    if extra:
        problems.append(f"{where}: unknown field(s) {', '.join(sorted(map(str, extra)))}")
    for key in sorted(keys & value.keys()):
        if not _is_int(value[key]) or not 1 <= value[key] <= 5:
            problems.append(f"{where}.{key}: must be a whole number 1–5, got {value[key]!r}")
    if problems:
        return problems
    expected = risk_rating(value["severity"], value["likelihood"])
    if value["risk"] != expected:
        problems.append(
            f"{where}.risk: is {value['risk']} but the DCB0129 matrix gives {expected} for "
            f"{SEVERITY[value['severity']]} × {LIKELIHOOD[value['likelihood']]}"
        )
    return problems


def _check_control(value: object, where: str, expected_id: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{where}: must be a mapping"]
    problems: list[str] = []
    for key in CONTROL_REQUIRED:
        if key not in value:
            problems.append(f"{where}: missing {key}")
    extra = value.keys() - set(CONTROL_REQUIRED) - set(CONTROL_OPTIONAL)
    if extra:
        problems.append(f"{where}: unknown field(s) {', '.join(sorted(map(str, extra)))}")
    if "id" in value and value["id"] != expected_id:
        problems.append(
            f"{where}.id: must be {expected_id!r} (numbered in order), got {value['id']!r}"
        )
    control_type = value.get("type")
    if "type" in value and control_type not in CONTROL_TYPES:
        problems.append(
            f"{where}.type: must be one of {', '.join(CONTROL_TYPES)}, got {control_type!r}"
        )
    if "description" in value and not _text(value["description"]):
        problems.append(f"{where}.description: must be non-empty text")
    planned = value.get("planned", False)
    if not isinstance(planned, bool):
        problems.append(f"{where}.planned: must be true or false")
        planned = False
    verified_by = value.get("verified_by")
    if "verified_by" in value:
        if not isinstance(verified_by, list):
            problems.append(f"{where}.verified_by: must be a list (use [] for none)")
            verified_by = []
        for index, node in enumerate(verified_by):
            if not isinstance(node, str) or not TEST_ID.match(node):
                problems.append(
                    f"{where}.verified_by[{index}]: {node!r} is not a pytest node id like "
                    "'tests/core/test_dosing.py::test_name'"
                )
        if len(set(map(str, verified_by))) != len(verified_by):
            problems.append(f"{where}.verified_by: lists a test twice")
    verification = value.get("verification")
    if verification is not None and not _text(verification):
        problems.append(f"{where}.verification: must be non-empty text when given")
    if isinstance(verified_by, list) and not verified_by:
        if control_type in TESTED_CONTROL_TYPES and not planned:
            problems.append(
                f"{where}: a {control_type} control needs at least one test in verified_by "
                "(or planned: true while it is being built, with the hazard left open)"
            )
        if control_type in ("procedure", "training") and not (
            isinstance(verification, str) and verification.strip().startswith("procedure")
        ):
            problems.append(
                f"{where}: a {control_type} control without tests must say how it is checked "
                "in 'verification', starting with \"procedure\""
            )
    if planned and verified_by:
        problems.append(f"{where}: planned: true but tests are cited; drop 'planned'")
    return problems


def _check_text_list(value: object, where: str, *, allow_empty: bool = False) -> list[str]:
    if not isinstance(value, list) or (not value and not allow_empty):
        return [f"{where}: must be a {'' if allow_empty else 'non-empty '}list of text"]
    return [
        f"{where}[{index}]: must be non-empty text"
        for index, item in enumerate(value)
        if not _text(item)
    ]


def validate(data: object, file_name: str) -> list[str]:
    """Every way ``data`` (one parsed hazard file) breaks the schema; [] when it is valid.

    Args:
        data: the parsed YAML document.
        file_name: the file's name, which must be ``<id>-<slug>.yaml``.
    """
    name_match = FILE_NAME.match(file_name)
    problems: list[str] = []
    if not name_match:
        problems.append(f"{file_name}: file name must be HAZ-NNN-<lower-case-slug>.yaml")
    if not isinstance(data, dict):
        return [*problems, f"{file_name}: must be a YAML mapping"]
    for key in REQUIRED_FIELDS:
        if key not in data:
            problems.append(f"{file_name}: missing field {key!r}")
    extra = data.keys() - set(REQUIRED_FIELDS) - set(OPTIONAL_FIELDS)
    if extra:
        problems.append(f"{file_name}: unknown field(s) {', '.join(sorted(map(str, extra)))}")
    hazard_id = data.get("id")
    if "id" in data:
        if not isinstance(hazard_id, str) or not HAZARD_ID.match(hazard_id):
            problems.append(f"{file_name}: id must look like HAZ-001, got {hazard_id!r}")
        elif name_match and name_match.group(1) != hazard_id:
            problems.append(f"{file_name}: id {hazard_id} does not match the file name")
    for key in ("title", "hazard", "effects", "harm", "owner", "notes"):
        if key in data and not _text(data[key]):
            problems.append(f"{file_name}: {key} must be non-empty text")
    if "causes" in data:
        problems += _check_text_list(data["causes"], f"{file_name}: causes")
    for key in ("sources", "related"):
        if key in data:
            problems += _check_text_list(data[key], f"{file_name}: {key}")
    for key in ("initial", "residual"):
        if key in data:
            problems += _check_assessment(data[key], f"{file_name}: {key}")
    status = data.get("status")
    if "status" in data and status not in STATUSES:
        problems.append(f"{file_name}: status must be one of {', '.join(STATUSES)}, got {status!r}")
    if status == "transferred" and not _text(data.get("transferred_to")):
        problems.append(
            f"{file_name}: a transferred hazard must name who holds it in transferred_to"
        )
    if "transferred_to" in data and status != "transferred":
        problems.append(f"{file_name}: transferred_to is only for status: transferred")
    controls = data.get("controls")
    if "controls" in data:
        if not isinstance(controls, list) or not controls:
            problems.append(f"{file_name}: controls must be a non-empty list")
        else:
            prefix = hazard_id if isinstance(hazard_id, str) else "HAZ-???"
            ranks: list[int] = []
            for index, control in enumerate(controls, start=1):
                problems += _check_control(
                    control, f"{file_name}: controls[{index}]", f"{prefix}.C{index}"
                )
                if isinstance(control, dict) and control.get("type") in CONTROL_TYPES:
                    ranks.append(CONTROL_TYPES.index(control["type"]))
            if ranks != sorted(ranks):
                problems.append(
                    f"{file_name}: controls must be ordered design, alert, procedure, training"
                )
            planned = any(isinstance(c, dict) and c.get("planned") for c in controls)
            if planned and status != "open":
                problems.append(f"{file_name}: a hazard with a planned control must stay open")
    initial, residual = data.get("initial"), data.get("residual")
    if (
        isinstance(initial, dict)
        and isinstance(residual, dict)
        and _is_int(initial.get("risk"))
        and _is_int(residual.get("risk"))
        and residual["risk"] > initial["risk"]
    ):
        problems.append(f"{file_name}: residual risk is higher than the initial risk")
    if isinstance(residual, dict) and _is_int(residual.get("risk")):
        if status == "open" and residual["risk"] >= UNACCEPTABLE_RISK:
            problems.append(
                f"{file_name}: residual risk {residual['risk']} is unacceptable and the hazard "
                "is open; add controls or stop the release"
            )
        if status == "closed" and residual["risk"] >= UNACCEPTABLE_RISK:
            problems.append(f"{file_name}: cannot be closed with residual risk {residual['risk']}")
    return problems


def _assessment(value: Mapping[str, int]) -> Assessment:
    return Assessment(value["severity"], value["likelihood"], value["risk"])


def parse(data: Mapping[str, Any], path: Path) -> Hazard:
    """Build a :class:`Hazard` from data that :func:`validate` accepted."""
    name_match = FILE_NAME.match(path.name)
    assert name_match is not None
    return Hazard(
        id=data["id"],
        slug=name_match.group(2),
        path=path,
        title=data["title"].strip(),
        hazard=data["hazard"].strip(),
        causes=tuple(cause.strip() for cause in data["causes"]),
        effects=data["effects"].strip(),
        harm=data["harm"].strip(),
        initial=_assessment(data["initial"]),
        controls=tuple(
            Control(
                id=control["id"],
                type=control["type"],
                description=control["description"].strip(),
                verified_by=tuple(control["verified_by"]),
                verification=(control.get("verification") or None),
                planned=bool(control.get("planned", False)),
            )
            for control in data["controls"]
        ),
        residual=_assessment(data["residual"]),
        status=data["status"],
        owner=data["owner"].strip(),
        notes=data["notes"].strip(),
        sources=tuple(data.get("sources", ())),
        transferred_to=data.get("transferred_to"),
        related=tuple(data.get("related", ())),
    )


def read_file(path: Path) -> object:
    """The parsed YAML of one hazard file."""
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def hazard_files(folder: Path = HAZARD_DIR) -> list[Path]:
    """Every ``*.yaml`` in the hazard folder, sorted by name."""
    return sorted(folder.glob("*.yaml"))


def load_log(folder: Path = HAZARD_DIR) -> list[Hazard]:
    """Load and check the whole log.

    Raises:
        HazardLogError: listing every problem in every file, and gaps or duplicates in the
            numbering (a gap means a hazard file was deleted; hazards are closed, never deleted).
    """
    problems: list[str] = []
    hazards: list[Hazard] = []
    for path in hazard_files(folder):
        try:
            data = read_file(path)
        except yaml.YAMLError as exc:
            problems.append(f"{path.name}: not valid YAML: {exc}")
            continue
        file_problems = validate(data, path.name)
        if file_problems:
            problems += file_problems
            continue
        assert isinstance(data, dict)
        hazards.append(parse(data, path))
    problems += numbering_problems(hazard_ids(folder))
    if problems:
        raise HazardLogError(problems)
    return hazards


def hazard_ids(folder: Path = HAZARD_DIR) -> list[str]:
    """The HAZ ids taken from the file names in the hazard folder."""
    ids = []
    for path in hazard_files(folder):
        match = FILE_NAME.match(path.name)
        if match:
            ids.append(match.group(1))
    return ids


def numbering_problems(ids: Sequence[str]) -> list[str]:
    """Duplicates and gaps in HAZ numbers (they must run 1..N)."""
    if not ids:
        return ["the hazard log is empty"]
    problems = [f"{hazard_id} is used by more than one file" for hazard_id in _duplicates(ids)]
    numbers = sorted({int(hazard_id.removeprefix("HAZ-")) for hazard_id in ids})
    missing = sorted(set(range(1, numbers[-1] + 1)) - set(numbers))
    problems += [
        f"HAZ-{number:03d} is missing: hazards are closed, never deleted" for number in missing
    ]
    return problems


def _duplicates(items: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    repeated: list[str] = []
    for item in items:
        if item in seen and item not in repeated:
            repeated.append(item)
        seen.add(item)
    return repeated


# -- the test suite -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Collection:
    """The node ids pytest collects, and any collection errors it reported."""

    node_ids: frozenset[str]
    errors: tuple[str, ...]

    def has(self, cited: str) -> bool:
        """Whether a cited id exists; an id without ``[params]`` matches any parametrisation."""
        if cited in self.node_ids:
            return True
        if "[" in cited:
            return False
        return any(node.startswith(cited + "[") for node in self.node_ids)

    def count_by_area(self) -> dict[str, int]:
        """Collected tests per folder under tests/ (``.`` for files directly in tests/)."""
        counts: dict[str, int] = {}
        for node in self.node_ids:
            parts = node.split("::", 1)[0].split("/")
            area = parts[1] if len(parts) > 2 else "."
            counts[area] = counts.get(area, 0) + 1
        return dict(sorted(counts.items()))


def collect_tests(root: Path = ROOT) -> Collection:
    """Run ``pytest --collect-only -q`` once, in a subprocess, and parse the node ids."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    node_ids = set()
    errors = []
    for line in result.stdout.splitlines():
        if line.startswith("tests/") and "::" in line:
            node_ids.add(line.strip())
        elif line.startswith("ERROR "):
            errors.append(line.removeprefix("ERROR ").strip())
    if result.returncode not in (0, 5) and not errors:
        errors.append(f"pytest --collect-only exited with {result.returncode}")
    return Collection(frozenset(node_ids), tuple(errors))


def missing_tests(hazards: Sequence[Hazard], collection: Collection) -> list[str]:
    """Each cited test id that the suite does not contain, with the control citing it."""
    return [
        f"{control.id}: cites {node}, which is not in the test suite"
        for hazard in hazards
        for control in hazard.controls
        for node in control.verified_by
        if not collection.has(node)
    ]


# -- the trace matrix ---------------------------------------------------------------------------


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell (one line, pipes escaped)."""
    return " ".join(text.split()).replace("|", "\\|")


def render_trace(hazards: Sequence[Hazard]) -> str:
    """``docs/safety/trace.md``: hazard → controls → tests, from the hazard files only."""
    lines = [
        "# Trace matrix: hazards → controls → tests",
        "",
        "GENERATED by `tools/safety/generate.py` from `docs/safety/hazards/*.yaml`. Do not edit "
        "by hand: edit the hazard file and regenerate. `tests/safety/test_safety_trace.py` fails "
        "when this file is out of date or cites a test that does not exist.",
        "",
        "Risk ratings use the DCB0129 matrix (see `hazard.schema.md`). Residual risk is the "
        "risk with every listed control in place.",
        "",
        "## Summary",
        "",
        "| Hazard | Title | Initial risk | Residual risk | Status | Controls "
        "(design/alert/procedure/training) | Tests cited |",
        "|---|---|---|---|---|---|---|",
    ]
    for hazard in hazards:
        counts = "/".join(
            str(sum(1 for c in hazard.controls if c.type == kind)) for kind in CONTROL_TYPES
        )
        tests = sum(len(c.verified_by) for c in hazard.controls)
        lines.append(
            f"| [{hazard.id}](#{hazard.id.lower()}) | {_cell(hazard.title)} | "
            f"{hazard.initial.risk} | {hazard.residual.risk} | {hazard.status} | {counts} | "
            f"{tests} |"
        )
    lines += [
        "",
        "## Residual risk profile",
        "",
        "| Residual risk | Meaning | Hazards |",
        "|---|---|---|",
    ]
    for rating in sorted(RISK_ACCEPTABILITY, reverse=True):
        ids = [h.id for h in hazards if h.residual.risk == rating]
        lines.append(
            f"| {rating} | {RISK_ACCEPTABILITY[rating]} | {', '.join(ids) if ids else '—'} |"
        )
    planned = [(h, c) for h in hazards for c in h.controls if c.planned]
    lines += ["", "## Controls not yet verified by a test", ""]
    if planned:
        lines += [f"- {c.id} ({h.id}, {c.type}): {_cell(c.description)}" for h, c in planned]
    else:
        lines.append("None: every design and alert control cites at least one test.")
    for hazard in hazards:
        lines += [
            "",
            f"## {hazard.id}",
            "",
            f"**{_cell(hazard.title)}** — file `{hazard.path.name}`, status **{hazard.status}**, "
            f"owner {_cell(hazard.owner)}.",
            "",
            f"- Initial: {hazard.initial.label}",
            f"- Residual: {hazard.residual.label}",
        ]
        if hazard.transferred_to:
            lines.append(f"- Transferred to: {_cell(hazard.transferred_to)}")
        lines += ["", "| Control | Type | Description | Verified by |", "|---|---|---|---|"]
        for control in hazard.controls:
            if control.verified_by:
                evidence = "<br>".join(f"`{node}`" for node in control.verified_by)
            elif control.planned:
                evidence = "**PLANNED — no test yet**"
            else:
                evidence = _cell(control.verification or "")
            lines.append(
                f"| {control.id} | {control.type} | {_cell(control.description)} | {evidence} |"
            )
    return "\n".join(lines) + "\n"
