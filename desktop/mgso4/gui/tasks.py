"""The one way long work (PDF rendering, backups, exports, merges) leaves the GUI thread.

A task is a plain function that takes a ``report(percent, message)`` callback and returns a
value. It runs on a thread pool; its result, failure and progress come back to the GUI thread
as queued Qt signals on a :class:`TaskHandle`. Background code never touches widgets: it only
returns values or raises.

Long pure-Python work (an export or a merge of a whole unit's record) runs instead in a child
process (:meth:`TaskRunner.run_process`, ``mgso4.audit.worker``): on a thread it would hold the
interpreter lock and the screen would stall behind it. The same handle reports its progress
and result; a timer on the GUI thread reads the child's short messages from a pipe, and
:meth:`ProcessHandle.cancel` ends the child at once and removes any temporary file it left.

A failure reaches the GUI as a sentence: a ``StoreError`` (or any error whose ``str`` is
written for the user, listed in :data:`USER_FACING_ERRORS`) as it is; anything else as "could
not finish" with the error's type, while the traceback goes to the log, never the screen.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

from mgso4.core.protocol import ProtocolError
from mgso4.storage import BackupScheduler, Store, StoreError
from mgso4.storage.backup import last_backup_at

LOG = logging.getLogger(__name__)

#: Errors whose message is already a sentence for the user.
USER_FACING_ERRORS: tuple[type[BaseException], ...] = (StoreError, ProtocolError, OSError)

#: ``report(percent 0-100, message)``: how a task says how far it has got.
Report = Callable[[int, str], None]

#: How often the GUI thread reads a child process's messages, in ms (a frame is ~16 ms).
POLL_MS: Final = 15


def unexpected_failure(name: str, kind: str, message: str) -> str:
    """What the user reads when a task fails with an error not written for them."""
    return (
        f"{name} could not finish ({kind}: {message}). "
        "Nothing on screen was changed; try again, and tell IT if it happens again."
    )


class TaskHandle(QObject):
    """The GUI-thread end of one background task."""

    sig_progress = Signal(int, str)
    """How far the task has got: percent (0-100) and a short message."""
    sig_finished = Signal(object)
    """The task returned this value."""
    sig_failed = Signal(str)
    """The task failed; the message is for the user."""

    # Emitted by the worker thread. They reach the slots below through queued connections
    # (the handle lives on the GUI thread), so the public signals, and every callback connected
    # to them, always run on the GUI thread.
    _sig_worker_progress = Signal(int, str)
    _sig_worker_finished = Signal(object)
    _sig_worker_failed = Signal(str)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.done = False
        self.result: Any = None
        self.error: str | None = None
        self._sig_worker_progress.connect(self._on_worker_progress)
        self._sig_worker_finished.connect(self._on_worker_finished)
        self._sig_worker_failed.connect(self._on_worker_failed)

    @Slot(int, str)
    def _on_worker_progress(self, percent: int, message: str) -> None:
        self.sig_progress.emit(percent, message)

    @Slot(object)
    def _on_worker_finished(self, result: Any) -> None:
        self.done, self.result = True, result
        self.sig_finished.emit(result)

    @Slot(str)
    def _on_worker_failed(self, message: str) -> None:
        self.done, self.error = True, message
        self.sig_failed.emit(message)


class _Leftovers:
    """What a child process may leave if it is ended before it returns, and how to clean it.

    Plain Python (no Qt): it is also used at interpreter exit, when Qt objects may be gone.
    """

    def __init__(
        self,
        process: Any,
        outputs: tuple[Path, ...],
        after_end: Callable[[], None] | None,
    ) -> None:
        from mgso4.audit.progress import temporary_files_of

        self.process = process
        self.outputs = outputs
        self.after_end = after_end
        # Temporary files already there belong to someone else and are never removed.
        self.present = {path for out in outputs for path in temporary_files_of(out)}

    def clean_up(self) -> None:
        """Remove the child's temporary files; then the job's own clean-up (``after_end``)."""
        from mgso4.audit.progress import temporary_files_of

        for out in self.outputs:
            for path in temporary_files_of(out) - self.present:
                try:
                    path.unlink(missing_ok=True)
                except OSError as exc:
                    LOG.warning("temporary file %s of an ended task not removed: %s", path, exc)
        if self.after_end is not None:
            try:
                self.after_end()
            except Exception:
                LOG.exception("clean-up after an ended task failed")


#: Children still working, for :func:`_end_children_at_exit`.
_UNFINISHED: set[_Leftovers] = set()


def _end_children_at_exit() -> None:
    """The app is closing with work still running: end it and clean up what it leaves."""
    for leftovers in list(_UNFINISHED):
        if leftovers.process.is_alive():
            leftovers.process.terminate()
        leftovers.process.join(5)
        leftovers.clean_up()
    _UNFINISHED.clear()


class ProcessHandle(TaskHandle):
    """The GUI-thread end of a task run in a child process; :meth:`cancel` ends it at once.

    A refusal from the child (``mgso4.audit.worker.Refused``: the audit's own refusals and
    cancel) arrives through ``sig_finished`` as that value, as a thread task returns it.
    """

    sig_cancelled = Signal(str)
    """The task was cancelled (its process ended); the message says what was left."""

    def __init__(
        self,
        name: str,
        job: Callable[..., Any],
        args: tuple[Any, ...],
        *,
        cancelled: str,
        outputs: Sequence[Path] = (),
        after_end: Callable[[], None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        # Imported here: the audit package is not needed to paint the board at start-up.
        from mgso4.audit.worker import run_job

        super().__init__(name, parent)
        self.cancelled_message = cancelled
        self.progress_reports = 0
        self._cleanup: threading.Thread | None = None
        self._cancelling = False
        context = multiprocessing.get_context("spawn")
        self._receiver, sender = context.Pipe(duplex=False)
        self._process = context.Process(
            target=run_job, args=(sender, job, args), name=f"mgso4: {name}", daemon=True
        )
        self._leftovers = _Leftovers(self._process, tuple(outputs), after_end)
        if not _UNFINISHED:
            # Registered after multiprocessing's own exit handler, so it runs first.
            atexit.unregister(_end_children_at_exit)
            atexit.register(_end_children_at_exit)
        _UNFINISHED.add(self._leftovers)
        self._outcome: tuple[Any, ...] | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        try:
            self._process.start()
        except OSError as exc:  # no process could be started (memory, process limits)
            self._outcome = ("failed", "user", f"{name} could not start: {exc}.")
        finally:
            sender.close()  # the child holds its own copy; EOF here when it ends
        self._timer.start()

    @property
    def pid(self) -> int | None:
        """The child's process id (None once it has been reaped)."""
        return self._process.pid

    def cancel(self) -> None:
        """End the child now; the handle reports ``sig_cancelled`` once it has gone."""
        if self.done or self._cancelling:
            return
        self._cancelling = True
        self._process.terminate()
        self._on_timer_timeout()

    @Slot()
    def _on_timer_timeout(self) -> None:
        if self.done:
            return
        if self._cleanup is not None:
            if not self._cleanup.is_alive():
                self._ended_early()
            return
        self._read_messages()
        if self._outcome is not None and not self._cancelling:
            self._finish(self._outcome)
            return
        if self._process.is_alive():
            return
        self._process.join()
        if self._outcome is not None:  # it finished before the cancel reached it
            self._finish(self._outcome)
            return
        # Ended from outside (cancel, or a crash): what it left is cleaned up off this thread
        # (removing files, rolling back a record's journal), then the end is reported.
        self._cleanup = threading.Thread(
            target=self._leftovers.clean_up, name=f"{self.name}: clean up"
        )
        self._cleanup.start()

    def _ended_early(self) -> None:
        if self._cancelling:
            self._end()
            self.error = self.cancelled_message
            self.sig_cancelled.emit(self.cancelled_message)
        else:
            code = self._process.exitcode
            self._finish(("failed", "ended", f"the worker process stopped with code {code}"))

    def _read_messages(self) -> None:
        try:
            while self._outcome is None and self._receiver.poll():
                message = self._receiver.recv()
                if message[0] == "progress":
                    self.progress_reports += 1
                    if not self._cancelling:
                        self.sig_progress.emit(int(message[1]), str(message[2]))
                else:
                    self._outcome = message
        except (EOFError, OSError):
            pass  # the child has gone; is_alive() says so next

    def _finish(self, outcome: tuple[Any, ...]) -> None:
        from mgso4.audit.worker import Refused

        self._end()
        if outcome[0] == "done":
            self._on_worker_finished(outcome[1])
        elif outcome[0] == "refused":
            self._on_worker_finished(Refused(str(outcome[1]), cancelled=bool(outcome[2])))
        elif outcome[1] == "user":
            self._on_worker_failed(str(outcome[2]))
        else:
            LOG.error("background process %s failed: %s: %s", self.name, outcome[1], outcome[2])
            self._on_worker_failed(unexpected_failure(self.name, str(outcome[1]), str(outcome[2])))

    def _end(self) -> None:
        self.done = True
        self._timer.stop()
        self._receiver.close()
        _UNFINISHED.discard(self._leftovers)


class _Runnable(QRunnable):
    def __init__(self, handle: TaskHandle, work: Callable[[Report], Any]) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._handle = handle
        self._work = work

    def run(self) -> None:
        handle = self._handle
        try:
            result = self._work(
                lambda percent, message: handle._sig_worker_progress.emit(percent, message)
            )
        except USER_FACING_ERRORS as exc:
            handle._sig_worker_failed.emit(str(exc))
        except Exception as exc:
            LOG.exception("background task %s failed", handle.name)
            handle._sig_worker_failed.emit(
                unexpected_failure(handle.name, type(exc).__name__, str(exc))
            )
        else:
            handle._sig_worker_finished.emit(result)


class TaskRunner(QObject):
    """Runs tasks on its own thread pool and keeps each handle alive until it reports."""

    sig_busy_changed = Signal(bool)
    """True when the first task starts, False when the last one ends."""

    def __init__(self, parent: QObject | None = None, *, max_threads: int = 2) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._running: set[TaskHandle] = set()

    @property
    def busy(self) -> bool:
        """Some task has not reported yet."""
        return bool(self._running)

    def run(
        self,
        name: str,
        work: Callable[[Report], Any],
        *,
        on_finished: Callable[[Any], None] | None = None,
        on_failed: Callable[[str], None] | None = None,
        on_progress: Callable[[int, str], None] | None = None,
    ) -> TaskHandle:
        """Start ``work(report)`` off the GUI thread; callbacks run on the GUI thread.

        Args:
            name: What the task does, in words ("Backup", "Proforma PDF"); used in messages.
            work: The function; it must not touch widgets.
            on_finished: Called with the return value.
            on_failed: Called with a message for the user.
            on_progress: Called with (percent, message).
        """
        handle = TaskHandle(name, self)
        if on_progress is not None:
            handle.sig_progress.connect(on_progress)
        handle.sig_finished.connect(self._on_handle_done)
        handle.sig_failed.connect(self._on_handle_done)
        if on_finished is not None:
            handle.sig_finished.connect(on_finished)
        if on_failed is not None:
            handle.sig_failed.connect(on_failed)
        was_busy = self.busy
        self._running.add(handle)
        if not was_busy:
            self.sig_busy_changed.emit(True)
        self._pool.start(_Runnable(handle, work))
        return handle

    def run_process(
        self,
        name: str,
        job: Callable[..., Any],
        args: tuple[Any, ...],
        *,
        cancelled: str,
        outputs: Sequence[Path] = (),
        after_end: Callable[[], None] | None = None,
        on_finished: Callable[[Any], None] | None = None,
        on_failed: Callable[[str], None] | None = None,
        on_progress: Callable[[int, str], None] | None = None,
        on_cancelled: Callable[[str], None] | None = None,
    ) -> ProcessHandle:
        """Start ``job(progress, *args)`` in a child process (``mgso4.audit.worker``).

        ``job`` must be a module-level function and ``args`` plain values: both are sent to a
        fresh interpreter. Callbacks run on the GUI thread, as for :meth:`run`.

        Args:
            name: What the task does, in words; used in messages.
            job: The function, e.g. ``mgso4.audit.worker.export_job``.
            args: Its arguments after ``progress``.
            cancelled: What the user reads when the task is cancelled.
            outputs: Files the job writes through ``audit.progress.atomic_outputs``: their
                temporary files are removed if the child is ended before it could.
            after_end: Called (on a thread, before the end is reported) when the child was
                ended before it returned: cleaning up what it could not (a record's journal).
            on_finished: Called with the return value (or a ``Refused``).
            on_failed: Called with a message for the user.
            on_progress: Called with (percent, message).
            on_cancelled: Called with ``cancelled`` once the child has gone.
        """
        handle = ProcessHandle(
            name, job, args, cancelled=cancelled, outputs=outputs, after_end=after_end, parent=self
        )
        if on_progress is not None:
            handle.sig_progress.connect(on_progress)
        for signal in (handle.sig_finished, handle.sig_failed, handle.sig_cancelled):
            signal.connect(self._on_handle_done)
        if on_finished is not None:
            handle.sig_finished.connect(on_finished)
        if on_failed is not None:
            handle.sig_failed.connect(on_failed)
        if on_cancelled is not None:
            handle.sig_cancelled.connect(on_cancelled)
        was_busy = self.busy
        self._running.add(handle)
        if not was_busy:
            self.sig_busy_changed.emit(True)
        return handle

    def cancel_processes(self) -> None:
        """End every child process still running (the app is closing)."""
        for handle in list(self._running):
            if isinstance(handle, ProcessHandle):
                handle.cancel()

    def wait(self, timeout_ms: int = 30_000) -> bool:
        """Block until every started task has returned (used at exit); True if all did."""
        return self._pool.waitForDone(timeout_ms)

    @Slot()
    def _on_handle_done(self) -> None:
        handle = self.sender()
        if not isinstance(handle, TaskHandle):
            return
        self._running.discard(handle)
        # Later slots of this same emission still run; the object goes on the next loop turn.
        handle.deleteLater()
        if not self._running:
            self.sig_busy_changed.emit(False)


class BackupController(QObject):
    """Backups of the open record: at start, at a clean exit and daily, off the GUI thread.

    The daily check is not a long timer: the main window's once-a-second clock check calls
    :meth:`maybe_run`, which compares the clock with the newest backup's time (so a laptop
    that slept through the night backs up as soon as it wakes). The policy is the store's
    ``BackupScheduler``; the copy is the store's verified ``backup``.
    """

    sig_backup_done = Signal(str)
    """A backup was written and verified (its path)."""
    sig_backup_failed = Signal(str)
    """A backup failed; the message is for the user."""
    sig_clock_behind = Signal(str)
    """A backup was written, but the clock is behind the record's newest entry."""

    def __init__(
        self,
        store: Store,
        folder: Path,
        *,
        keep: int,
        clock: Callable[[], datetime],
        runner: TaskRunner,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.folder = folder
        self.keep = keep
        self._clock = clock
        self._runner = runner
        self._scheduler = BackupScheduler()
        self._running: TaskHandle | None = None
        self.last_error: str | None = None
        try:
            self.last_backup_at: datetime | None = (
                last_backup_at(folder) if folder.is_dir() else None
            )
        except OSError:
            self.last_backup_at = None

    @property
    def running(self) -> bool:
        """A backup is being written now."""
        return self._running is not None

    def run_now(self) -> TaskHandle | None:
        """Start a backup unless one is running; returns its handle."""
        if self._running is not None:
            return None
        store, folder, keep = self.store, self.folder, self.keep
        started_at = self._clock()

        def work(report: Report) -> str:
            report(0, "Backing up the record")
            return str(store.backup(folder, keep=keep))

        def finished(path: object) -> None:
            self._running = None
            self.last_backup_at = started_at
            self.last_error = None
            self.sig_backup_done.emit(str(path))
            if store.last_backup_warning:
                self.sig_clock_behind.emit(store.last_backup_warning)

        def failed(message: str) -> None:
            self._running = None
            # A failed attempt still counts as the day's try, so a full disk does not get
            # a new attempt every second; the banner says what happened.
            self.last_backup_at = started_at
            self.last_error = message
            self.sig_backup_failed.emit(message)

        self._running = self._runner.run("Backup", work, on_finished=finished, on_failed=failed)
        return self._running

    def maybe_run(self, now: datetime) -> TaskHandle | None:
        """Start the daily backup if one is due at ``now``."""
        if self._running is None and self._scheduler.due(now, self.last_backup_at):
            return self.run_now()
        return None

    def run_at_exit(self, timeout_ms: int = 60_000) -> bool:
        """Back up before the app closes and wait for it; True if it finished in time."""
        self.run_now()
        return self._runner.wait(timeout_ms)
