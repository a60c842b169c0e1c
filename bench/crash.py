"""Crash trials at scale: the store's kill -9 harness, 1,000 trials by default.

``tests/storage/crash_harness.run_trials`` forks two writers per trial that append entries
(single and two-entry actions) as fast as they can, kills both with SIGKILL after a random
5–60 ms, then reopens the record and checks that every entry the app acknowledged as saved
is there, that every action is all-or-nothing, and that ``verify()`` and SQLite's integrity
check pass. Target (issue #8): 0 acknowledged entries lost.
"""

from __future__ import annotations

from common import TESTS, Result, add_path

TARGET_LOST = 0
SEED = 8


def bench_crash(*, trials: int = 1000, writers: int = 2) -> list[Result]:
    """Run the harness; the result is the number of acknowledged entries lost."""
    add_path(TESTS / "storage")
    from crash_harness import run_trials

    outcome = run_trials(trials, writers=writers, seed=SEED)
    lost = outcome.lost
    sound = outcome.verify_ok and outcome.partial_actions == 0
    notes = []
    if not sound:
        notes.append("verify or all-or-nothing check failed: see details.problems")
    return [
        Result(
            key="crash_trials",
            title=f"kill -9 trials ({outcome.trials:,}, {writers} writers each)",
            unit="entries lost",
            app=float(lost),
            baseline=None,
            ratio=None,
            target=float(TARGET_LOST),
            target_kind="equals",
            met=lost == TARGET_LOST and sound,
            app_samples=[float(lost)],
            baseline_title="none: nothing acknowledged may be lost",
            notes=notes,
            details={
                "trials": outcome.trials,
                "acknowledged": outcome.acknowledged,
                "lost": lost,
                "partial_actions": outcome.partial_actions,
                "present_unacknowledged": outcome.present_unacknowledged,
                "interrupted_transactions": outcome.interrupted_transactions,
                "events_in_files": outcome.events_in_file,
                "verify_ok": outcome.verify_ok,
                "harness_seconds": round(outcome.seconds, 1),
                "problems": outcome.problems[:20],
            },
        )
    ]
