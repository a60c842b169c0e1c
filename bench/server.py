"""The unit record on PostgreSQL: append cost against raw psycopg, and the live board's delay.

Both run on a throwaway cluster (tests/server/pg_cluster.py) with ``fsync = on`` and
``synchronous_commit = on``, reached over its unix socket.

* ``server_append``: ``ServerStore.append`` of one observation (the whole save path: BEGIN,
  advisory locks on the chain and the episode, chain head, the episode's rules, seal, sign,
  INSERT event and signature, COMMIT) against a raw psycopg connection made by the same
  ``connect`` (same login, socket, sslmode and ``synchronous_commit``) inserting the same row
  into a table of the same columns with only its primary key, in its own BEGIN … COMMIT.
  Taken alternately, event by event. Target (issue #19): ≤ 2 × the baseline.
* ``board_latency``: another process watches the record as a ward PC does (``RecordWatcher``:
  LISTEN/NOTIFY with polling behind it) and re-reads every episode's state on each change; the
  delay is from the moment a save starts on this process to the moment the other process has
  the new state (both read ``time.time()`` on one machine). Target: ≤ 2 s at the 95th
  percentile.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
import uuid as uuid_module
from pathlib import Path
from typing import Any

from append import PROTOCOL, creation_draft, observation_draft
from common import TESTS, Result, add_path, interleave, ratio_result, scratch_folder, timed

TARGET_RATIO = 2.0
TARGET_LATENCY_MS = 2000.0


def bench_server(*, events: int = 300, changes: int = 40) -> list[Result]:
    add_path(TESTS / "server")
    from pg_cluster import Cluster, why_unavailable

    why = why_unavailable()
    if why is not None:
        raise RuntimeError(f"no PostgreSQL for the server benchmarks: {why}")
    cluster = Cluster(fsync=True)
    try:
        cluster.init()
        cluster.start()
        cluster.setup_record()
        uri = cluster.fresh_database()
        with scratch_folder("server") as folder:
            append = _bench_append(cluster, uri, folder, events)
            latency = _bench_latency(uri, folder, changes)
    finally:
        cluster.remove()
    return [append, latency]


def _bench_append(cluster: Any, uri: str, folder: Path, events: int) -> Result:
    import psycopg

    from mgso4.storage import open_record
    from mgso4.storage.rows import EVENT_COLUMNS, event_to_row
    from mgso4.storage.server.connection import connect
    from mgso4.storage.signing import KeyStore

    admin_uri = cluster.uri("mgso4_dba", uri.split("/")[3].split("?")[0])  # type: ignore[attr-defined]
    columns = ", ".join(
        f"{name} {'bigint' if name == 'seq' else 'text'}"
        + (" PRIMARY KEY" if name == "uuid" else "")
        for name in EVENT_COLUMNS
    )
    with psycopg.connect(admin_uri, autocommit=True) as admin:
        admin.execute(f"CREATE TABLE public.baseline ({columns})")
        admin.execute("GRANT SELECT, INSERT ON public.baseline TO ward_pc")
    store = open_record(uri, keys=KeyStore(folder / "keys"))
    raw = connect(uri)  # the same login, socket, sslmode and synchronous_commit as the store
    try:
        episode_uuid = str(uuid_module.uuid4())
        store.append(creation_draft(episode_uuid), PROTOCOL)
        template = list(event_to_row(store.append(observation_draft(episode_uuid, 0), PROTOCOL)))
        insert = (
            f"INSERT INTO public.baseline ({', '.join(EVENT_COLUMNS)}) "
            f"VALUES ({', '.join('%s' for _ in EVENT_COLUMNS)})"
        )
        minute = [0]

        def app_once() -> float:
            minute[0] += 1
            draft = observation_draft(episode_uuid, minute[0])  # built before timing
            return timed(lambda: store.append(draft, PROTOCOL)) * 1000

        def baseline_once() -> float:
            row = list(template)
            row[0] = str(uuid_module.uuid4())

            def save() -> None:
                with raw.transaction():
                    raw.execute(insert, row)

            return timed(save) * 1000

        app_samples, baseline_samples = interleave(app_once, baseline_once, runs=events, warmup=20)
        synchronous = str(raw.execute("SHOW synchronous_commit").fetchone()[0])
        fsync = str(raw.execute("SHOW fsync").fetchone()[0])
        version = str(raw.execute("SHOW server_version").fetchone()[0])
    finally:
        raw.close()
        store.close()
    return ratio_result(
        key="server_append",
        title="Append one event (observation) to the unit record on PostgreSQL, committed",
        unit="ms",
        app_samples=app_samples,
        baseline_samples=baseline_samples,
        target=TARGET_RATIO,
        baseline_title=(
            "raw psycopg INSERT + COMMIT of the same row, same connection settings "
            "(unix socket, sslmode prefer, synchronous_commit on)"
        ),
        details={
            "events_per_side": events,
            "synchronous_commit": synchronous,
            "fsync": fsync,
            "server_version": version,
        },
    )


WATCHER = r"""
import sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from mgso4.storage import open_record
from mgso4.storage.server.watch import RecordWatcher
from mgso4.storage.signing import KeyStore
store = open_record(sys.argv[1], readonly=True, keys=KeyStore(Path(sys.argv[3])))
def changed(_payload):
    states = store.episode_states()  # what the board re-reads
    count = sum(len(store.events(s.uuid)) for s in states[-1:])
    print(f"{time.time()!r} {count}", flush=True)
watcher = RecordWatcher(sys.argv[1], changed, lambda ok: None)
watcher.start()
watcher.listening.wait(30)
print("ready", flush=True)
sys.stdin.readline()
watcher.stop()
"""


def _bench_latency(uri: str, folder: Path, changes: int) -> Result:
    from mgso4.storage import open_record
    from mgso4.storage.signing import KeyStore

    desktop = str(Path(__file__).resolve().parents[1] / "desktop")
    other = subprocess.Popen(
        [sys.executable, "-c", WATCHER, uri, desktop, str(folder / "other-keys")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert other.stdout is not None and other.stdin is not None
    samples: list[float] = []
    try:
        while other.stdout.readline().strip() != "ready":
            pass
        store = open_record(uri, keys=KeyStore(folder / "latency-keys"))
        episode_uuid = str(uuid_module.uuid4())
        store.append(creation_draft(episode_uuid), PROTOCOL)
        other.stdout.readline()
        saved = 1
        for minute in range(1, changes + 1):
            draft = observation_draft(episode_uuid, minute)
            started = time.time()
            store.append(draft, PROTOCOL)
            saved += 1
            while True:  # the other PC's first re-read that holds this entry
                seen_at, count = other.stdout.readline().split()
                if int(count) >= saved:
                    break
            samples.append((float(seen_at) - started) * 1000)
            time.sleep(0.05)
        store.close()
    finally:
        other.stdin.close()
        other.wait(timeout=30)
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return Result(
        key="board_latency",
        title="Ward board: a save on one PC to the new state on another (two processes)",
        unit="ms",
        app=statistics.median(samples),
        baseline=None,
        ratio=None,
        target=TARGET_LATENCY_MS,
        target_kind="value_max",
        met=p95 <= TARGET_LATENCY_MS,
        app_samples=samples,
        baseline_samples=[],
        baseline_title="",
        notes=[f"95th percentile {p95:.1f} ms over {len(samples)} changes"],
        details={"median_ms": statistics.median(samples), "p95_ms": p95, "changes": changes},
    )
