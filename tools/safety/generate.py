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

With ``--crash-trials N`` it first runs N kill -9 trials with the storage tests' harness
(``tests/storage/crash_harness.py``) and records the figures in
``docs/safety/crash-trial.json``; benchmark figures come from ``bench/results.json``
(``make bench``).

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
#: Written by ``generate.py --crash-trials N`` (the storage tests' kill -9 harness).
CRASH_RESULTS: Final = (ROOT / "docs" / "safety" / "crash-trial.json",)
CRASH_SEED: Final = 20260302
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
    lines += crash_lines(_first_json(CRASH_RESULTS))
    lines.append("")
    lines += bench_lines(_first_json(BENCH_RESULTS))
    lines += ["", END]
    return "\n".join(lines)


def crash_lines(found: tuple[Path, Any] | None) -> list[str]:
    """The kill -9 trial figures, or a placeholder when no trial has been recorded."""
    lines = ["**Crash (kill -9) trial:**", ""]
    if found is None:
        return [
            *lines,
            f"- Trials run, entries acknowledged, entries lost, record verified: {PLACEHOLDER} "
            "(or `generate.py --crash-trials 200`)",
        ]
    path, data = found
    if not isinstance(data, dict) or "trials" not in data:
        return [*lines, f"From `{path.relative_to(ROOT)}`:", ""] + [
            f"- {key}: {value}" for key, value in _flatten(data)
        ]
    return [
        *lines,
        f"From `{path.relative_to(ROOT)}` ({data.get('recorded_at', 'date not recorded')}; "
        f"SQLite {data.get('sqlite_version', '?')}, journal mode "
        f"{data.get('journal_mode', '?')}):",
        "",
        f"- Trials: {data['trials']}, each with {data.get('writers', '?')} writer processes "
        "killed with SIGKILL at a random moment while saving.",
        f"- Entries acknowledged to the writer before the kill: {data.get('acknowledged')}; "
        f"**lost: {data.get('lost')}**.",
        f"- Actions saved in part: {data.get('partial_actions')}; record verified (integrity "
        f"and hash chains) after every trial: {'yes' if data.get('verify_ok') else 'NO'}.",
        f"- Transactions cut off mid-way by the kill (rolled back on next open): "
        f"{data.get('interrupted_transactions')}; entries committed but not yet acknowledged "
        f"when killed (kept, as expected): {data.get('present_unacknowledged')}.",
        f"- Problems reported: {len(data.get('problems', []))}.",
    ]


def bench_lines(found: tuple[Path, Any] | None) -> list[str]:
    """The benchmark table from ``bench/results.json``, or a placeholder."""
    lines = ["**Benchmarks** (app against a baseline measured side by side):", ""]
    if found is None:
        return [
            *lines,
            f"- Start-up, saving an entry, PDF rendering, audit at scale: {PLACEHOLDER}",
        ]
    path, data = found
    results = data.get("results", data) if isinstance(data, dict) else data
    if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
        return [*lines, f"From `{path.relative_to(ROOT)}`:", ""] + [
            f"- {key}: {value}" for key, value in _flatten(data)
        ]
    run = data if isinstance(data, dict) else {}
    machine = run.get("machine", {}) if isinstance(run.get("machine"), dict) else {}
    when = f" (run of {run['finished_at']}" if "finished_at" in run else " ("
    when += f", commit `{machine['commit']}`)" if "commit" in machine else ")"
    lines += [
        f"From `{path.relative_to(ROOT)}`{when if when != ' ()' else ''}:",
        "",
        "| Benchmark | App | Baseline | Ratio | Target | Met |",
        "|---|---|---|---|---|---|",
    ]
    for result in results:
        if result.get("error"):
            lines.append(
                f"| {result.get('title', result.get('key', '?'))} | error: {result['error']} "
                "| | | | **NO** |"
            )
            continue
        unit = result.get("unit", "")
        kind = result.get("target_kind", "")
        target = result.get("target")
        target_text = f"ratio ≤ {target}" if kind == "ratio_max" else f"{target} {unit}".strip()
        app = result.get("app")
        baseline = result.get("baseline")
        ratio = result.get("ratio")
        lines.append(
            f"| {result.get('title', result.get('key', '?'))} | "
            f"{'—' if app is None else f'{app} {unit}'} | "
            f"{'—' if baseline is None else f'{baseline} {unit}'} | "
            f"{'—' if ratio is None else ratio} | {target_text} | "
            f"{'yes' if result.get('met') else '**NO**'} |"
        )
    return lines


def run_crash_trials(trials: int) -> Path:
    """Run the storage tests' kill -9 harness and record its figures in CRASH_RESULTS[0]."""
    import dataclasses
    import sqlite3

    for folder in (ROOT / "tests" / "storage", ROOT / "desktop"):
        sys.path.insert(0, str(folder))
    from crash_harness import run_trials  # the harness tests/storage uses

    from mgso4.storage import journal_mode_for

    result = run_trials(trials, writers=2, seed=CRASH_SEED)
    data = dataclasses.asdict(result) | {
        "writers": 2,
        "seed": CRASH_SEED,
        "sqlite_version": sqlite3.sqlite_version,
        "journal_mode": journal_mode_for(sqlite3.sqlite_version),
        "recorded_at": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
    }
    target = CRASH_RESULTS[0]
    target.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return target


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
    parser.add_argument(
        "--crash-trials",
        type=int,
        metavar="N",
        help="also run N kill -9 trials and record the figures for the safety case",
    )
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
    if args.crash_trials:
        written = run_crash_trials(args.crash_trials)
        print(f"wrote {written.relative_to(ROOT)}")
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
