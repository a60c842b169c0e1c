"""Kill -9 harness: writers are killed at random moments; nothing acknowledged may be lost.

A writer opens the record, creates an episode and then appends entries (single entries and
two-entry actions) as fast as it can. Before each action it writes ``intent <uuids>`` and,
only after ``append``/``append_many`` has returned, ``ack <uuids>`` to its own file (one
``write`` per line, which a SIGKILL cannot tear: the kernel keeps what was written). The
parent kills every writer with SIGKILL after a random 5–60 ms, reopens the record and checks:

* every acknowledged entry is present (nothing the app called "saved" is lost);
* every action is all-or-nothing (an intended two-entry action is wholly present or absent);
* ``verify()`` and SQLite's integrity check pass.

Writers are forked from a "zygote" process that has already imported the app, so a trial
costs milliseconds rather than an interpreter start-up; the zygote itself is started with
``subprocess`` and has no database open when it forks. POSIX only (fork, SIGKILL).

Usable from the benchmark suite: ``run_trials(n_trials, writers=2, seed=...)``.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid as uuid_module
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import storage_builders as build  # noqa: E402  (sets up the import path for mgso4)

from mgso4.storage import Store, StoreError, is_server_spec, open_record  # noqa: E402
from mgso4.storage.spec import spec_path  # noqa: E402

#: Random delay before the kill, in milliseconds.
KILL_DELAY_MS = (5, 60)


@dataclass
class TrialResult:
    """What a run of trials found."""

    trials: int
    acknowledged: int
    lost: int
    verify_ok: bool
    partial_actions: int = 0
    present_unacknowledged: int = 0
    #: Trials whose kill left a rollback journal behind (a transaction cut off mid-way;
    #: rollback-journal mode only).
    interrupted_transactions: int = 0
    #: Events in the record files at the end (all of them, when several were used).
    events_in_file: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- writer


def writer_main(
    db_path: str, ack_path: str, seed: int, count: int, shared_episode: str = ""
) -> int:
    """Append entries until killed (or ``count`` actions done); return an exit status.

    A unit record on a server (``db_path`` a ``postgresql://`` URI) is written as a PC of its
    own (a workstation id of its own); ``shared_episode`` appends to that existing episode
    instead of a new one.
    """
    rng = random.Random(seed)
    ack = os.open(ack_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)

    def line(text: str) -> None:
        os.write(ack, (text + "\n").encode("ascii"))

    try:
        own = {"workstation_id": str(uuid_module.uuid4())} if is_server_spec(db_path) else {}
        store = open_record(db_path, busy_timeout_s=30.0, check_location_safe=False, **own)
        start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
        if shared_episode:
            episode_uuid = shared_episode
            line("ack")
        else:
            episode_uuid = str(uuid_module.uuid4())
            creation = build.created(episode_uuid, at=start)
            line(f"intent {creation.uuid}")
            store.append(creation, build.PROTOCOL)
            line(f"ack {creation.uuid}")
        done = 0
        while count <= 0 or done < count:
            done += 1
            at = start + timedelta(minutes=done)
            if rng.random() < 0.3:
                drafts = [
                    build.observation(episode_uuid, at=at, pulse_per_min=rng.randint(60, 120)),
                    build.note(episode_uuid, f"action {done}", at=at),
                ]
            else:
                drafts = [build.observation(episode_uuid, at=at, pulse_per_min=80)]
            uuids = " ".join(d.uuid for d in drafts)
            line(f"intent {uuids}")
            if len(drafts) == 1:
                store.append(drafts[0], build.PROTOCOL)
            else:
                store.append_many(drafts, build.PROTOCOL)
            line(f"ack {uuids}")
        store.close()
    except StoreError as exc:
        line(f"error {type(exc).__name__}")
        return 3
    return 0


def _zygote() -> None:
    """Serve ``spawn``/``reap`` requests on stdin; fork writers on demand."""
    try:  # the server store too, so a writer to a unit record starts as fast as one to a file
        import psycopg  # noqa: F401

        import mgso4.storage.server.store  # noqa: F401
    except ImportError:
        pass
    while True:
        request = sys.stdin.readline()
        if not request:
            return
        parts = request.split()
        if not parts:
            continue
        if parts[0] == "spawn":
            db_path, ack_path, seed, count = parts[1], parts[2], int(parts[3]), int(parts[4])
            shared = parts[5] if len(parts) > 5 else ""
            pid = os.fork()
            if pid == 0:  # the writer: never returns into this loop
                status = 1
                try:
                    status = writer_main(db_path, ack_path, seed, count, shared)
                finally:
                    os._exit(status)
            sys.stdout.write(f"{pid}\n")
        elif parts[0] == "reap":
            _, status = os.waitpid(int(parts[1]), 0)
            sys.stdout.write(f"{status}\n")
        elif parts[0] == "quit":
            return
        sys.stdout.flush()


# --------------------------------------------------------------------------- parent


class Zygote:
    """A pre-imported process that forks writers."""

    def __init__(self) -> None:
        if os.name != "posix":  # pragma: no cover
            raise RuntimeError("the crash harness needs fork and SIGKILL (POSIX)")
        self._process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--zygote"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )

    def _ask(self, request: str) -> str:
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(request + "\n")
        self._process.stdin.flush()
        answer = self._process.stdout.readline()
        if not answer:
            raise RuntimeError("the writer zygote stopped")
        return answer.strip()

    def spawn(
        self, db_path: Path | str, ack_path: Path, seed: int, count: int = 0, shared: str = ""
    ) -> int:
        """Fork a writer; return its pid."""
        return int(self._ask(f"spawn {db_path} {ack_path} {seed} {count} {shared}".rstrip()))

    def reap(self, pid: int) -> int:
        """Wait for a writer to end; return its wait status."""
        return int(self._ask(f"reap {pid}"))

    def close(self) -> None:
        """Stop the zygote."""
        assert self._process.stdin is not None
        self._process.stdin.write("quit\n")
        self._process.stdin.close()
        self._process.wait(timeout=30)
        if self._process.stdout is not None:
            self._process.stdout.close()


@contextmanager
def zygote() -> Iterator[Zygote]:
    """A zygote for the duration of a block."""
    process = Zygote()
    try:
        yield process
    finally:
        process.close()


def read_ack_file(path: Path) -> tuple[list[list[str]], list[list[str]], list[str]]:
    """(intended actions, acknowledged actions, errors) from a writer's file; only whole lines."""
    intents: list[list[str]] = []
    acks: list[list[str]] = []
    errors: list[str] = []
    if not path.exists():
        return intents, acks, errors
    text = path.read_text(encoding="ascii")
    for entry in text.split("\n")[:-1]:  # the last piece is empty or a torn line
        kind, _, rest = entry.partition(" ")
        if kind == "intent":
            intents.append(rest.split())
        elif kind == "ack" and rest:
            acks.append(rest.split())
        elif kind == "error":
            errors.append(rest)
    return intents, acks, errors


def present_uuids(store: Store, uuids: list[str]) -> set[str]:
    """Which of these event uuids are in the record."""
    present = set()
    for event_uuid in uuids:
        if store.event(event_uuid) is not None:
            present.add(event_uuid)
    return present


def run_trials(
    n_trials: int,
    writers: int = 2,
    seed: int = 0,
    *,
    db_path: Path | str | None = None,
    kill_delay_ms: tuple[int, int] = KILL_DELAY_MS,
    trials_per_file: int = 25,
) -> TrialResult:
    """Run kill -9 trials against one record file, checking it after every trial.

    Args:
        n_trials: how many trials (each: start writers, kill them, check).
        writers: writer processes per trial.
        seed: makes kill times and writer choices repeatable.
        db_path: the record to use (new temporary ones when None).
        kill_delay_ms: range of the random delay before SIGKILL.
        trials_per_file: trials run against one temporary record before a new one is
            started, which keeps each full verify short (a given ``db_path`` is used for all).
    """
    if isinstance(db_path, str):
        db_path = spec_path(db_path)
    rng = random.Random(seed)
    started = time.perf_counter()
    result = TrialResult(trials=0, acknowledged=0, lost=0, verify_ok=True)
    with tempfile.TemporaryDirectory(prefix="mgso4-crash-") as scratch:
        folder = Path(scratch)
        path = folder / "record.sqlite3"
        with zygote() as forker:
            for trial in range(n_trials):
                if trial % max(1, trials_per_file) == 0:
                    if db_path is None:
                        result.events_in_file += _events_in(path)
                        path = folder / f"record-{trial}.sqlite3"
                    else:
                        path = db_path
                    open_record(path, check_location_safe=False).close()  # before any writer
                ack_paths = [folder / f"ack-{trial}-{w}.txt" for w in range(writers)]
                pids = [
                    forker.spawn(path, ack_path, rng.randrange(1 << 30)) for ack_path in ack_paths
                ]
                time.sleep(rng.uniform(*kill_delay_ms) / 1000)  # the random moment of the kill
                for pid in pids:
                    os.kill(pid, signal.SIGKILL)
                for pid in pids:
                    forker.reap(pid)
                if Path(f"{path}-journal").exists():
                    result.interrupted_transactions += 1
                _check_trial(path, ack_paths, result)
                result.trials += 1
                for ack_path in ack_paths:
                    ack_path.unlink(missing_ok=True)
        result.events_in_file += _events_in(path)
    result.seconds = time.perf_counter() - started
    return result


def _events_in(path: Path) -> int:
    if not is_server_spec(path) and not path.exists():
        return 0
    with open_record(path, check_location_safe=False) as store:
        return store.counts()["events"]


def _check_trial(path: Path, ack_paths: list[Path], result: TrialResult) -> None:
    with open_record(path, check_location_safe=False) as store:
        for ack_path in ack_paths:
            intents, acks, errors = read_ack_file(ack_path)
            result.problems.extend(f"writer error: {error}" for error in errors)
            acknowledged = [u for action in acks for u in action]
            present = present_uuids(store, [u for action in intents for u in action])
            result.acknowledged += len(acknowledged)
            lost = [u for u in acknowledged if u not in present]
            result.lost += len(lost)
            result.problems.extend(f"lost acknowledged entry {u}" for u in lost)
            acked = set(acknowledged)
            for action in intents:
                found = [u in present for u in action]
                if any(found) and not all(found):
                    result.partial_actions += 1
                    result.problems.append(f"half-saved action {action}")
                result.present_unacknowledged += sum(
                    1 for u in action if u in present and u not in acked
                )
        report = store.verify()
        if not report.ok or report.integrity != "ok":
            result.verify_ok = False
            result.problems.extend(report.problems)


if __name__ == "__main__":
    if sys.argv[1:] == ["--zygote"]:
        _zygote()
    else:
        trials = int(sys.argv[1]) if len(sys.argv) > 1 else 200
        print(run_trials(trials, seed=int(time.time())))
