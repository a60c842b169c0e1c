"""Jobs for the child processes of ``TaskRunner.run_process`` in tests.

They are module-level functions of an importable module, as a "spawn" child needs. Each stands
for a phase of real work that never looks at a cancel flag (the old thread-based tasks had such
phases: cancel then waited for them to end), so only ending the process can stop it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mgso4.audit.merge import merge_into
from mgso4.audit.progress import ProgressCallback, atomic_outputs
from mgso4.audit.worker import ExportJob, export_outputs


def _forever() -> None:
    threading.Event().wait()  # a phase that never checks for cancel


def counted(progress: ProgressCallback, steps: int) -> int:
    """Report ``steps`` steps, then return how many."""
    for step in range(1, steps + 1):
        progress("Counting", step, steps)
    return steps


def raises(progress: ProgressCallback, kind: str, message: str) -> None:
    """Raise the named error (``audit.worker`` turns it into a message)."""
    from mgso4.audit.progress import AuditError
    from mgso4.storage import StoreError

    errors: dict[str, type[Exception]] = {
        "audit": AuditError,
        "store": StoreError,
        "os": OSError,
        "runtime": RuntimeError,
    }
    raise errors[kind](message)


def dies(progress: ProgressCallback, code: int) -> None:
    """End the process at once, as a crash would."""
    os._exit(code)


def export_then_hang(progress: ProgressCallback, asked: ExportJob) -> None:
    """Write half of an export's files through ``atomic_outputs``, report, then never end."""
    with atomic_outputs(*export_outputs(asked)) as temporaries:
        for temporary in temporaries:
            temporary.write_text("half an export", encoding="utf-8")
        progress("Writing rows", 1, 2)
        _forever()


def merge_then_hang(
    progress: ProgressCallback, target: str, sources: Sequence[str], trust: Sequence[str]
) -> Any:
    """The real merge, stopped for good in the middle of copying its last source's entries
    (inside that source's transaction, thousands of entries written, none committed)."""
    last = f"Merging {Path(sources[-1]).name}"

    def hang_in_the_last_copy(stage: str, done: int, total: int) -> None:
        progress(stage, done, total)
        if stage == last and 0 < done < total:
            _forever()

    return merge_into(
        Path(target), [Path(source) for source in sources], progress=hang_in_the_last_copy
    )
