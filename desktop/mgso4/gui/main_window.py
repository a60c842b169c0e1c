"""The main window: the ward board, one episode at a time, and the buttons that lead on.

One ``QTimer`` ticks once a second and only checks the clock: it hands ``context.clock()``
to the board and the open episode, which recompute their countdowns from UTC due instants
derived from the record. Nothing is scheduled with a long timer, so due times survive a
restart, a sleeping laptop and a busy event loop. The store is read again only after a
commit (``context.changed()``).

When the new-episode wizard closes after saving, the new episode's page opens: the next
thing the midwife does (the load end, maintenance, observations) is on that episode.

Training mode shows a permanent purple banner with the words "TRAINING MODE — not a clinical
record" above everything, and the window title says so too.
"""

from __future__ import annotations

import logging
from datetime import datetime

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QLabel, QMainWindow, QWidget

from mgso4.core.timeutil import format_local, to_local
from mgso4.gui.board.urgency import LOOKS, Urgency
from mgso4.gui.board.view import WardBoard
from mgso4.gui.context import AppContext
from mgso4.gui.episode.action_dialog import actor_text
from mgso4.gui.episode.view import EpisodeView
from mgso4.gui.forms.ui_main_window import Ui_MainWindow
from mgso4.gui.settings_dialog import SettingsDialog
from mgso4.gui.tasks import BackupController, TaskRunner
from mgso4.gui.widgets.alert_banner import AlertBanner, AlertLevel, BannerAction
from mgso4.gui.widgets.user_dialog import UserDialog

LOG = logging.getLogger(__name__)

#: The clock check interval. Short on purpose: it only compares times.
CLOCK_CHECK_MS = 1000

TRAINING_BANNER_TEXT = (
    "TRAINING MODE — not a clinical record. Practice entries only; synthetic test numbers "
    "(starting with 9) only."
)


class MainWindow(QMainWindow):
    """Ward board, episode page, and the app's buttons."""

    sig_clock_checked = Signal(object)
    """The clock was checked (the aware UTC time used)."""

    def __init__(
        self,
        context: AppContext,
        *,
        backups: BackupController | None = None,
        tasks: TaskRunner | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.ui = Ui_MainWindow()
        self.ui.setupUi(self)
        self.tasks = tasks or TaskRunner(self)
        self.backups = backups
        self.episode_view: EpisodeView | None = None
        self.active_dialog: QWidget | None = None
        self.audit_window: QWidget | None = None
        #: The episode the open new-episode wizard saved, shown when the wizard closes.
        self._wizard_saved_uuid: str | None = None

        self.board = WardBoard(context, self)
        self.ui.board_frame_layout.addWidget(self.board)
        self.summary_banner = AlertBanner(self, object_name="summary_banner")
        self.store_banner = AlertBanner(self, object_name="store_banner")
        self.ui.alert_layout.addWidget(self.store_banner)
        self.ui.alert_layout.addWidget(self.summary_banner)
        self.saved_label = QLabel("Nothing saved yet in this session", self)
        self.saved_label.setObjectName("saved_label")
        self.saved_label.setAccessibleName("Save status")
        self.ui.status_bar.addPermanentWidget(self.saved_label)
        self.record_label = QLabel(self)
        self.record_label.setObjectName("record_label")
        self.record_label.setAccessibleName("Record file")
        self.ui.status_bar.addWidget(self.record_label, 1)

        self._apply_mode()
        self._show_user()
        self.ui.training_banner.setText(TRAINING_BANNER_TEXT)

        self.ui.new_episode_button.clicked.connect(self.new_episode)
        self.ui.open_button.clicked.connect(self._on_open_button_clicked)
        self.ui.back_button.clicked.connect(self.show_board)
        self.ui.audit_button.clicked.connect(self.open_audit)
        self.ui.settings_button.clicked.connect(self.open_settings)
        self.ui.change_user_button.clicked.connect(self.change_user)
        self.board.sig_open_requested.connect(self.open_episode)
        self.summary_banner.sig_action.connect(self._on_summary_banner_action)
        QShortcut(QKeySequence("Ctrl+N"), self, self.new_episode)
        QShortcut(QKeySequence("Escape"), self, self.show_board)
        QShortcut(QKeySequence("F5"), self, self.refresh)
        if backups is not None:
            backups.sig_backup_failed.connect(self._on_backups_failed)
            backups.sig_backup_done.connect(self._on_backups_done)

        context.add_listener(self._on_record_changed)
        self.clock_timer = QTimer(self)
        self.clock_timer.setObjectName("clock_timer")
        self.clock_timer.setInterval(CLOCK_CHECK_MS)
        self.clock_timer.timeout.connect(self.check_clock)
        self.clock_timer.start()
        self.show_board()
        self.refresh()

    # ------------------------------------------------------------------ mode and user

    def _apply_mode(self) -> None:
        unit = self.context.settings.unit_name
        training = self.context.training
        self.ui.training_banner.setVisible(training)
        title = "MgSO₄ Preterm Proforma"
        if training:
            title = f"TRAINING — {title}"
        self.setWindowTitle(f"{title} — {unit}")
        self.record_label.setText(
            f"Record: {self.context.store.path}"
            + (" (training record)" if training else "")
            + f" · protocol for new episodes: {self.context.protocol.id} "
            f"{self.context.protocol.version}"
        )

    def _show_user(self) -> None:
        user = self.context.user
        self.ui.user_label.setText(
            f"Recording as: {actor_text(user)}" if user else "Recording as: (not set)"
        )

    def change_user(self) -> UserDialog:
        """Ask who is recording (name and role)."""
        dialog = UserDialog(self.context.user, self)
        self.active_dialog = dialog

        def _on_finished(result: int) -> None:
            if result == QDialog.DialogCode.Accepted and dialog.actor is not None:
                self.context.user = dialog.actor
                self._show_user()

        dialog.finished.connect(_on_finished)
        dialog.open()
        return dialog

    # ------------------------------------------------------------------ clock

    def check_clock(self) -> datetime:
        """Compare the clock with every due instant; the only thing the timer does."""
        now = self.context.clock()
        local = to_local(now, self.context.tz)
        self.ui.clock_label.setText(format_local(now, self.context.tz))
        self.ui.clock_label.setAccessibleName(f"Time now {local:%H:%M}")
        self.board.tick(now)
        if self.episode_view is not None:
            self.episode_view.tick(now)
        self._show_summary()
        if self.backups is not None:
            self.backups.maybe_run(now)
        self.sig_clock_checked.emit(now)
        return now

    def _show_summary(self) -> None:
        rows = [row for row in self.board.rows if row.urgency.overdue]
        if self.episode_view is not None:
            # The open episode shows its own alerts; the summary covers the others.
            rows = [row for row in rows if row.episode_uuid != self.episode_view.episode_uuid]
        if not rows:
            self.summary_banner.clear()
            return
        worst = min(rows, key=lambda r: (r.urgency, r.sort_key))
        level = LOOKS[worst.urgency].alert_level
        count = len(rows)
        who = "; ".join(f"{r.name}: {r.next_label} {r.countdown}" for r in rows[:3])
        more = f" and {count - 3} more" if count > 3 else ""
        plural = "episode has" if count == 1 else "episodes have"
        others = "other " if self.episode_view is not None else ""
        title = f"{count} {others}{plural} something overdue"
        if worst.urgency is Urgency.URGENT:
            title += " for more than 15 min"
        self.summary_banner.show_message(
            level,
            title,
            f"{who}{more}. Open the episode to act or acknowledge.",
            (BannerAction("open", f"Open {worst.name}"),),
        )
        self._summary_target = worst.episode_uuid

    def _on_summary_banner_action(self, action: str) -> None:
        if action == "open":
            self.open_episode(self._summary_target)

    # ------------------------------------------------------------------ record

    def refresh(self) -> None:
        """Re-read the board (and the open episode) from the store."""
        self.board.refresh()
        if self.board.load_error:
            self.store_banner.show_message(
                AlertLevel.CRITICAL, "Cannot read the record", self.board.load_error
            )
        else:
            self.store_banner.clear()
        if self.episode_view is not None:
            self.episode_view.reload()
        self.check_clock()

    def _on_record_changed(self) -> None:
        # Called after every COMMIT: only then does the status line say "Saved".
        saved_at = self.context.last_saved_at or self.context.clock()
        local = to_local(saved_at, self.context.tz)
        self.saved_label.setText(f"Saved {local:%H:%M}")
        self.saved_label.setAccessibleName(f"Saved at {local:%H:%M}")
        self._show_user()
        self.refresh()

    # ------------------------------------------------------------------ pages

    def show_board(self) -> None:
        """Show the ward board (Esc)."""
        if self.episode_view is not None:
            self.ui.episode_page_layout.removeWidget(self.episode_view)
            self.episode_view.deleteLater()
            self.episode_view = None
        self.ui.page_stack.setCurrentWidget(self.ui.board_page)
        self.ui.title_label.setText(f"Ward board — {self.context.settings.unit_name}")
        self.ui.back_button.setVisible(False)
        self.ui.open_button.setVisible(True)
        self.board.focus_table()

    def open_episode(self, episode_uuid: str) -> EpisodeView:
        """Show one episode (Enter on a board row)."""
        if self.episode_view is not None:
            if self.episode_view.episode_uuid == episode_uuid:
                return self.episode_view
            self.ui.episode_page_layout.removeWidget(self.episode_view)
            self.episode_view.deleteLater()
        view = EpisodeView(self.context, episode_uuid, self.tasks, self)
        self.episode_view = view
        self.ui.episode_page_layout.addWidget(view)
        self.ui.page_stack.setCurrentWidget(self.ui.episode_page)
        name = view.state.patient.name if view.state else "episode"
        self.ui.title_label.setText(f"Episode — {name}")
        self.ui.back_button.setVisible(True)
        self.ui.open_button.setVisible(False)
        view.buttons["observations"].setFocus()
        return view

    def _on_open_button_clicked(self) -> None:
        selected = self.board.selected_uuid()
        if selected is not None:
            self.open_episode(selected)
        else:
            self.board.focus_table()

    def new_episode(self) -> QWidget | None:
        """Open the new-episode wizard (Ctrl+N).

        The board refreshes when it saves; when it then closes, the saved episode opens.
        """
        try:
            from mgso4.gui.wizard import NewEpisodeWizard
        except ImportError as exc:
            LOG.warning("new-episode wizard not available: %s", exc)
            self.store_banner.show_message(
                AlertLevel.WARNING,
                "New episode is not available",
                "The new-episode screens are missing from this installation.",
            )
            return None
        wizard = NewEpisodeWizard(self.context, self)
        self._wizard_saved_uuid = None
        wizard.sig_episode_saved.connect(self._on_wizard_episode_saved)
        wizard.finished.connect(self._on_wizard_finished)
        self.active_dialog = wizard
        wizard.open()
        return wizard

    def _on_wizard_episode_saved(self, episode_uuid: str) -> None:
        self._wizard_saved_uuid = episode_uuid
        self.refresh()
        self.board.select(episode_uuid)

    def _on_wizard_finished(self, _result: int) -> None:
        # However the wizard closed (Close, Enter, the window's X), a saved episode opens;
        # a wizard closed without saving leaves the page as it was.
        episode_uuid, self._wizard_saved_uuid = self._wizard_saved_uuid, None
        if episode_uuid is not None:
            self.open_episode(episode_uuid)

    def open_audit(self) -> QWidget | None:
        """Open the audit view, if this build has it."""
        try:
            from mgso4.gui.audit import AuditView
        except ImportError as exc:
            LOG.info("audit view not available: %s", exc)
            self.store_banner.show_message(
                AlertLevel.INFO, "Audit is not available", "This build has no audit screens."
            )
            return None
        if self.audit_window is None:
            self.audit_window = AuditView(self.context)
            self.audit_window.setWindowTitle("Audit — MgSO₄ Preterm Proforma")
        self.audit_window.show()
        self.audit_window.raise_()
        return self.audit_window

    def open_settings(self) -> SettingsDialog:
        """Open the settings dialog."""
        dialog = SettingsDialog(self.context, self)
        dialog.sig_settings_saved.connect(self._on_settings_saved)
        self.active_dialog = dialog
        dialog.open()
        return dialog

    def _on_settings_saved(self) -> None:
        self._apply_mode()
        if self.episode_view is None:
            self.show_board()
        self.refresh()

    # ------------------------------------------------------------------ backups

    def _on_backups_failed(self, message: str) -> None:
        self.store_banner.show_message(AlertLevel.WARNING, "Backup failed", message)

    def _on_backups_done(self, path: str) -> None:
        if self.store_banner.isVisible() and self.store_banner.title_text.startswith(
            "WARNING: Backup failed"
        ):
            self.store_banner.clear()
        self.ui.status_bar.showMessage(f"Backup written: {path}", 10_000)

    # ------------------------------------------------------------------ closing

    def closeEvent(self, event: QCloseEvent) -> None:
        """Stop the clock, back up (a clean exit), stop listening."""
        self.clock_timer.stop()
        self.context.remove_listener(self._on_record_changed)
        if self.backups is not None:
            self.ui.status_bar.showMessage("Backing up before closing…")
            if not self.backups.run_at_exit():
                LOG.warning("the exit backup did not finish in time")
        else:
            self.tasks.wait(30_000)
        super().closeEvent(event)
