"""Regenerate the generated parts of the clinical safety file.

Usage (from the repository root, with the project's virtual environment)::

    .venv/bin/python tools/safety/generate.py            # write trace.md, soup.md, evidence
    .venv/bin/python tools/safety/generate.py --check    # exit 1 if trace.md or soup.md is stale

Writes:
- ``docs/safety/trace.md``: hazard → controls → tests, from ``docs/safety/hazards/*.yaml``;
- ``docs/safety/soup.md``: third-party components with exact installed versions;
- the block between the GENERATED EVIDENCE markers in ``docs/safety/safety-case.md``: test
  counts by area (from ``pytest --collect-only``), hazard and control counts, and the crash
  trial and benchmark figures when their result files exist.

The hazard log is checked first; the script refuses to write anything from an invalid log.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

sys.path.insert(0, str(Path(__file__).resolve().parent))

import hazard_log
import soup_list

ROOT: Final = hazard_log.ROOT
SAFETY_CASE: Final = ROOT / "docs" / "safety" / "safety-case.md"
BEGIN: Final = "<!-- BEGIN GENERATED EVIDENCE (tools/safety/generate.py) -->"
END: Final = "<!-- END GENERATED EVIDENCE -->"
BENCH_RESULTS: Final = (ROOT / "bench" / "results.json", ROOT / "bench" / "results" / "latest.json")
CRASH_RESULTS: Final = (
    ROOT / "bench" / "crash_trial.json",
    ROOT / "bench" / "results" / "crash_trial.json",
)
PLACEHOLDER: Final = "**to be filled from make bench**"


def _first_json(paths: Sequence[Path]) -> tuple[Path, Any] | None:
    for path in paths:
        if path.is_file():
            try:
                return path, json.loads(path.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError):
                continue
    return None


def _flatten(data: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Leaf values of a JSON document as (dotted key, text) pairs."""
    if isinstance(data, dict):
        pairs: list[tuple[str, str]] = []
        for key in sorted(data):
            pairs += _flatten(data[key], f"{prefix}{key}.")
        return pairs
    if isinstance(data, list):
        return [(prefix.rstrip("."), f"{len(data)} item(s)")]
    return [(prefix.rstrip("."), str(data))]


def evidence_block(hazards: Sequence[hazard_log.Hazard], collection: hazard_log.Collection) -> str:
    """The generated evidence section of the safety case."""
    counts = collection.count_by_area()
    total = sum(counts.values())
    lines = [
        BEGIN,
        "",
        f"_Generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC from the working tree. Regenerate "
        "before signing: `.venv/bin/python tools/safety/generate.py`._",
        "",
        "**Tests collected by area** (`pytest --collect-only`; parametrised cases counted "
        "separately):",
        "",
        "| Area | Tests |",
        "|---|---|",
        *[f"| `tests/{area}` | {count} |" for area, count in counts.items() if area != "."],
    ]
    if "." in counts:
        lines.append(f"| `tests/` (top level: architecture) | {counts['.']} |")
    lines += [f"| **Total** | **{total}** |", ""]
    if collection.errors:
        lines += [
            "**Collection errors at generation time (tests that could not be collected):**",
            "",
            *[f"- `{error}`" for error in collection.errors],
            "",
        ]
    cited = {node for h in hazards for c in h.controls for node in c.verified_by}
    by_type = {
        kind: sum(1 for h in hazards for c in h.controls if c.type == kind)
        for kind in hazard_log.CONTROL_TYPES
    }
    status = {s: sum(1 for h in hazards if h.status == s) for s in hazard_log.STATUSES}
    lines += [
        f"**Hazard log:** {len(hazards)} hazards ({status['open']} open, {status['closed']} "
        f"closed, {status['transferred']} transferred); {sum(by_type.values())} controls "
        f"({by_type['design']} design, {by_type['alert']} alert, {by_type['procedure']} "
        f"procedure, {by_type['training']} training); {len(cited)} distinct tests cited as "
        "verification.",
        "",
        "| Residual risk | Hazards |",
        "|---|---|",
        *[
            f"| {rating} | {sum(1 for h in hazards if h.residual.risk == rating)} |"
            for rating in range(5, 0, -1)
        ],
        "",
    ]
    crash = _first_json(CRASH_RESULTS)
    lines.append("**Crash (kill -9) trial:**")
    lines.append("")
    if crash:
        path, data = crash
        lines += [f"From `{path.relative_to(ROOT)}`:", ""]
        lines += [f"- {key}: {value}" for key, value in _flatten(data)]
    else:
        lines.append(
            f"- Trials run, events acknowledged, events lost, chains broken: {PLACEHOLDER}"
        )
    lines.append("")
    bench = _first_json(BENCH_RESULTS)
    lines.append("**Benchmark ratios:**")
    lines.append("")
    if bench:
        path, data = bench
        lines += [f"From `{path.relative_to(ROOT)}`:", ""]
        lines += [f"- {key}: {value}" for key, value in _flatten(data)]
    else:
        lines.append(f"- Board refresh, episode fold, proforma render, audit query: {PLACEHOLDER}")
    lines += ["", END]
    return "\n".join(lines)


def replace_evidence(text: str, block: str) -> str:
    """``text`` with the generated block replaced (markers must both be present, in order)."""
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise SystemExit(f"{SAFETY_CASE}: the GENERATED EVIDENCE markers are missing")
    return text[:start] + block + text[end + len(END) :]


def main(argv: Sequence[str] | None = None) -> int:
    """Regenerate (or with --check, compare) the generated safety documents."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 if stale")
    args = parser.parse_args(argv)
    try:
        hazards = hazard_log.load_log()
    except hazard_log.HazardLogError as exc:
        print("The hazard log has problems; nothing was written:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 2
    outputs = {
        hazard_log.TRACE_PATH: hazard_log.render_trace(hazards),
        soup_list.SOUP_PATH: soup_list.render_soup(),
    }
    stale = [
        path
        for path, text in outputs.items()
        if not path.is_file() or path.read_text(encoding="utf-8") != text
    ]
    if args.check:
        for path in stale:
            print(f"{path.relative_to(ROOT)} is out of date", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        path.write_text(outputs[path], encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    collection = hazard_log.collect_tests()
    missing = hazard_log.missing_tests(hazards, collection)
    if SAFETY_CASE.is_file():
        text = SAFETY_CASE.read_text(encoding="utf-8")
        SAFETY_CASE.write_text(
            replace_evidence(text, evidence_block(hazards, collection)), encoding="utf-8"
        )
        print(f"updated the evidence block in {SAFETY_CASE.relative_to(ROOT)}")
    for problem in missing:
        print(f"warning: {problem}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
