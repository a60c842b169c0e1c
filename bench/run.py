"""``make bench``: run every benchmark, then write bench/results.json and the README table.

Settings (environment):

- ``BENCH_EPISODES`` demo episodes for the audit benchmarks (default 100,000);
- ``BENCH_BUDGET_S`` seconds the whole run may take (default 780: 13 minutes, leaving time
  within the 15-minute budget for ``make`` to set up a fresh clone's venv). The audit
  benchmarks run last and get what is left; if the requested episodes cannot be written in
  their share, fewer are written and the results say so;
- ``BENCH_RUNS`` fresh processes per side for start-up and memory (default 7),
  ``BENCH_PDF_RUNS`` documents per side (default 21), ``BENCH_AUDIT_RUNS`` runs per side of
  the audit benchmarks (default 3), ``BENCH_WIZARD_RUNS`` standard cases (default 5);
- ``BENCH_CRASH_TRIALS`` kill -9 trials (default 1,000);
- ``BENCH_SOAK_CYCLES`` open → close cycles per dialog in the soak (default 100) and
  ``BENCH_IDLE_S`` seconds the idle board's CPU is measured for (default 30);
- ``BENCH_MERGE_EPISODES`` episodes in each of the two records the GUI-stall benchmark merges
  (default 10,000; ``BENCH_STALLS=0`` leaves the stall benchmark out of the audit run);
- ``BENCH_AUDIT_RECORD`` an existing demo record (``write_demo_data``, seed 8) for the audit
  benchmarks to measure instead of writing one (the demo generation is then not measured);
- ``BENCH_ONLY`` comma-separated benchmarks to run (startup, append, pdf, interaction, crash,
  soak, board_scale, server, audit; and ``stalls``, the GUI-stall benchmark alone: its records
  are kept in ``BENCH_STALL_DIR`` between runs, ``STALL_ROUNDS`` rounds (3), ``STALL_THREAD=1``
  also measures the old thread-pool way beside it); a partial run writes
  bench/out/results-partial.json and leaves the committed results alone.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

from common import Result, env_int  # noqa: E402  (bench/ put on the path above)

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MGSO4_NO_BACKUP_THREAD", "1")

#: Share of the time left for the audit benchmarks that writing the demo record may take
#: (measured: writing 100,000 episodes takes about 1.7 × the three runs of metrics and export).
DEMO_SHARE = 0.6
#: The GUI-stall results, measured on the audit benchmark's demo record (bench/stalls.py).
STALL_KEYS = ("stall_proforma", "stall_export", "stall_merge")
#: Benchmarks, in running order, with the result keys each gives (used when one fails).
ORDER: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("startup", ("startup", "idle_memory")),
    ("append", ("append",)),
    ("pdf", ("pdf",)),
    ("interaction", ("inputs_to_loading", "inputs_to_maintenance", "wizard_page_change")),
    ("crash", ("crash_trials",)),
    ("soak", ("soak_rss", "soak_handles", "idle_cpu")),
    ("board_scale", ("board_first_paint_history", "open_episode_history")),
    ("server", ("server_append", "board_latency")),
    ("audit", ("demo_generation", "audit_metrics", "audit_csv", "audit_csv_first", *STALL_KEYS)),
)


def failed(keys: tuple[str, ...], error: str) -> list[Result]:
    """Placeholder results for a benchmark that raised (the run goes on)."""
    return [
        Result(
            key=key,
            title=key,
            unit="",
            app=None,
            baseline=None,
            ratio=None,
            target=0.0,
            target_kind="value_max",
            met=False,
            error=error,
        )
        for key in keys
    ]


def main() -> int:
    """Run the benchmarks; return 0 (targets missed are results, not failures)."""
    started = time.perf_counter()
    budget_s = float(env_int("BENCH_BUDGET_S", 780))
    episodes = env_int("BENCH_EPISODES", 100_000)
    runs = env_int("BENCH_RUNS", 7)
    pdf_runs = env_int("BENCH_PDF_RUNS", 21)
    audit_runs = env_int("BENCH_AUDIT_RUNS", 3)
    wizard_runs = env_int("BENCH_WIZARD_RUNS", 5)
    crash_trials = env_int("BENCH_CRASH_TRIALS", 1000)
    soak_cycles = env_int("BENCH_SOAK_CYCLES", 100)
    merge_episodes = env_int("BENCH_MERGE_EPISODES", 10_000)
    with_stalls = os.environ.get("BENCH_STALLS", "1") != "0"
    idle_seconds = env_int("BENCH_IDLE_S", 30)
    only = {name.strip() for name in os.environ.get("BENCH_ONLY", "").split(",") if name.strip()}
    # The stall benchmark runs inside the audit one in a full run; alone only when named.
    order = (*ORDER, ("stalls", STALL_KEYS)) if "stalls" in only else ORDER
    unknown = only - {name for name, _ in order}
    if unknown:
        raise SystemExit(f"BENCH_ONLY names unknown benchmarks: {', '.join(sorted(unknown))}")

    def audit() -> list[Result]:
        from audit_scale import bench_audit

        left = budget_s - (time.perf_counter() - started)

        def stalls(record: Path, folder: Path) -> list[Result]:
            from stalls import bench_stalls

            try:
                return bench_stalls(
                    export_record=record, folder=folder, merge_episodes=merge_episodes
                )
            except Exception as exc:  # reported; the audit results stand
                traceback.print_exc()
                return failed(STALL_KEYS, f"{type(exc).__name__}: {exc}")

        reused = os.environ.get("BENCH_AUDIT_RECORD", "").strip()
        return bench_audit(
            record=Path(reused) if reused else None,
            episodes=episodes,
            runs=audit_runs,
            demo_budget_s=left * DEMO_SHARE,
            after=stalls if with_stalls else None,
        )

    def stalls_alone() -> list[Result]:
        from stalls import bench_stalls_alone

        return bench_stalls_alone(episodes=episodes, merge_episodes=merge_episodes)

    def startup() -> list[Result]:
        from startup import bench_startup

        return bench_startup(runs=runs)

    def append() -> list[Result]:
        from append import bench_append

        return bench_append()

    def pdf() -> list[Result]:
        from pdf import bench_pdf

        return bench_pdf(runs=pdf_runs)

    def interaction() -> list[Result]:
        from interaction import bench_interaction

        return bench_interaction(runs=wizard_runs)

    def soak() -> list[Result]:
        from soak import bench_soak

        return bench_soak(cycles=soak_cycles, idle_seconds=float(idle_seconds))

    def board_scale() -> list[Result]:
        from board_scale import bench_board_scale

        return bench_board_scale(runs=runs)

    def crash() -> list[Result]:
        from crash import bench_crash

        return bench_crash(trials=crash_trials)

    def server() -> list[Result]:
        from server import bench_server

        return bench_server()

    benchmarks: dict[str, Callable[[], list[Result]]] = {
        "startup": startup,
        "append": append,
        "pdf": pdf,
        "interaction": interaction,
        "crash": crash,
        "soak": soak,
        "board_scale": board_scale,
        "server": server,
        "audit": audit,
        "stalls": stalls_alone,
    }
    results: list[Result] = []
    for name, keys in order:
        if only and name not in only:
            continue
        print(f"[{time.perf_counter() - started:6.0f} s] {name} ...", flush=True)
        began = time.perf_counter()
        try:
            produced = benchmarks[name]()
        except Exception as exc:  # a failed benchmark is reported; the others still run
            traceback.print_exc()
            produced = failed(keys, f"{type(exc).__name__}: {exc}")
        took = time.perf_counter() - began
        for result in produced:
            result.seconds = took
            print(f"         {summary(result)}", flush=True)
        results.extend(produced)
    total = time.perf_counter() - started
    print(f"[{total:6.0f} s] done", flush=True)

    from report import machine, now_text, write

    run = {
        "finished_at": now_text(),
        "total_seconds": round(total, 1),
        "budget_seconds": budget_s,
        "settings": {
            "BENCH_EPISODES": episodes,
            "BENCH_RUNS": runs,
            "BENCH_PDF_RUNS": pdf_runs,
            "BENCH_AUDIT_RUNS": audit_runs,
            "BENCH_WIZARD_RUNS": wizard_runs,
            "BENCH_CRASH_TRIALS": crash_trials,
            "BENCH_SOAK_CYCLES": soak_cycles,
            "BENCH_MERGE_EPISODES": merge_episodes,
            "BENCH_IDLE_S": idle_seconds,
        },
        "machine": machine(),
        "notes": [],
    }
    if total > budget_s:
        run["notes"].append(f"the run took {total:.0f} s, over its {budget_s:.0f} s budget")
    if only:
        out = BENCH_DIR / "out"
        out.mkdir(exist_ok=True)
        payload = {**run, "results": [result.as_dict() for result in results]}
        target = out / "results-partial.json"
        target.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", "utf-8")
        print(f"partial run: wrote {target}")
        return 0
    write(results, run)
    print(f"wrote {BENCH_DIR / 'results.json'} and the table in {BENCH_DIR / 'README.md'}")
    return 0


def summary(result: Result) -> str:
    """One line per result for the console."""
    if result.error:
        return f"{result.key}: ERROR {result.error}"
    ratio = f" ratio {result.ratio:.2f}" if result.ratio is not None else ""
    baseline = f" vs {result.baseline:.4g}" if result.baseline is not None else ""
    verdict = "met" if result.met else "MISSED"
    return (
        f"{result.key}: {result.app:.4g}{baseline} {result.unit}{ratio} "
        f"(target {result.target:g}, {verdict})"
    )


if __name__ == "__main__":
    sys.exit(main())
