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

"Print blank proforma…" (Ctrl+Shift+P) makes the blank downtime proforma for the settings'
protocol and default preparation off the GUI thread, shows it in the print preview and logs a
``printed`` event (document "blank", no episode, the chain head read when it was made) only
when the preview sends it to the printer. A case opened from the audit window opens here.
"""

from __future__ import annotations

import logging
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QProcess, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QLabel,
    QMainWindow,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from mgso4.core.episode import EventDraft, EventType, Printed
from mgso4.core.timeutil import format_local, to_local
from mgso4.gui.board.urgency import LOOKS, Urgency
from mgso4.gui.board.view import WardBoard
from mgso4.gui.context import AppContext
from mgso4.gui.episode.action_dialog import actor_text
from mgso4.gui.forms.ui_main_window import Ui_MainWindow
from mgso4.gui.lifetime import delete_on_close
from mgso4.gui.style import set_role
from mgso4.gui.tasks import BackupController, Report, TaskRunner
from mgso4.gui.unit_record import UNAVAILABLE_TEXT, UNAVAILABLE_TITLE, UnitRecordMonitor
from mgso4.gui.widgets.alert_banner import AlertBanner, AlertLevel, BannerAction
from mgso4.gui.widgets.screen_fit import fit_to_screen, scrolling
from mgso4.storage import StoreError
from mgso4.storage.store import DEMO_RECORD, MERGED_RECORD

if TYPE_CHECKING:
    # Imported where first opened, not at start-up: the board shows first.
    from mgso4.gui.episode.view import EpisodeView
    from mgso4.gui.settings_dialog import SettingsDialog
    from mgso4.gui.widgets.user_dialog import UserDialog

LOG = logging.getLogger(__name__)

#: The clock check interval. Short on purpose: it only compares times.
CLOCK_CHECK_MS = 1000

#: The blank downtime proforma's shortcut (Ctrl+P prints the open episode's proforma).
PRINT_BLANK_SHORTCUT = "Ctrl+Shift+P"

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
        # The designer's 1280×800, or less on a smaller screen (a 1280×720 ward PC).
        fit_to_screen(self, 1280, 800)
        self.tasks = tasks or TaskRunner(self)
        self.backups = backups
        self.episode_view: EpisodeView | None = None
        self.active_dialog: QWidget | None = None
        self.audit_window: QWidget | None = None
        #: The episode the open new-episode wizard saved, shown when the wizard closes.
        self._wizard_saved_uuid: str | None = None
        #: The last blank proforma made (PDF bytes) and its preview, once there is one.
        self.last_blank_pdf: bytes | None = None
        self.blank_preview: QDialog | None = None
        #: A blank proforma is being made now (its button stays off meanwhile).
        self._blank_rendering = False

        self.print_blank_button = QPushButton("Print blank proforma…", self.ui.button_bar)
        self.print_blank_button.setObjectName("print_blank_button")
        self.print_blank_button.setAccessibleName("Print blank proforma")
        self.print_blank_button.setAccessibleDescription(
            "The paper form for when the computer is down, with this unit's protocol and "
            "default preparation."
        )
        self.print_blank_button.setToolTip(
            f"Blank downtime proforma for the paper stock ({PRINT_BLANK_SHORTCUT})"
        )
        set_role(self.print_blank_button, "secondary")
        # Beside Audit and Settings (after the stretch): a ward task, not an episode's.
        self.ui.button_bar_layout.insertWidget(
            self.ui.button_bar_layout.indexOf(self.ui.audit_button), self.print_blank_button
        )
        self.open_record_button = QPushButton("Open record…", self.ui.button_bar)
        self.open_record_button.setObjectName("open_record_button")
        self.open_record_button.setAccessibleName("Open another record")
        self.open_record_button.setToolTip(
            "Open another record file in a new window: a unit's merged record, a demo record, "
            "a restored backup (as mgso4 --db FILE)"
        )
        set_role(self.open_record_button, "secondary")
        self.ui.button_bar_layout.insertWidget(
            self.ui.button_bar_layout.indexOf(self.print_blank_button), self.open_record_button
        )
        QWidget.setTabOrder(self.ui.back_button, self.open_record_button)
        QWidget.setTabOrder(self.open_record_button, self.print_blank_button)
        QWidget.setTabOrder(self.print_blank_button, self.ui.audit_button)

        self.board = WardBoard(context, self)
        self.ui.board_frame_layout.addWidget(self.board)
        self.summary_banner = AlertBanner(self, object_name="summary_banner")
        self.store_banner = AlertBanner(self, object_name="store_banner")
        #: A demo or merged record says so for as long as it is open (as training mode does).
        self.record_kind_banner = AlertBanner(self, object_name="record_kind_banner")
        self.ui.alert_layout.addWidget(self.record_kind_banner)
        self.ui.alert_layout.addWidget(self.store_banner)
        self.ui.alert_layout.addWidget(self.summary_banner)
        self.saved_label = QLabel("Nothing saved yet in this session", self)
        self.saved_label.setObjectName("saved_label")
        self.saved_label.setAccessibleName("Save status")
        self.ui.status_bar.addPermanentWidget(self.saved_label)
        self.record_label = QLabel(self)
        self.record_label.setObjectName("record_label")
        self.record_label.setAccessibleName("Record file")
        # A long path must not widen the window past a small screen: the label may be cut
        # short on screen (its tooltip has all of it).
        self.record_label.setMinimumWidth(1)
        self.record_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.ui.status_bar.addWidget(self.record_label, 1)
        # The episode page scrolls when the screen is too small for it (1280×720), so its
        # buttons and banners are never squeezed out of sight.
        self.episode_scroll = scrolling(QWidget(), self.ui.episode_page)
        self.episode_scroll.setObjectName("episode_scroll")
        self.ui.episode_page_layout.addWidget(self.episode_scroll)

        self._apply_mode()
        self.record_kind = ""
        self._show_record_kind()
        self._show_user()
        self.ui.training_banner.setText(TRAINING_BANNER_TEXT)

        self.ui.new_episode_button.clicked.connect(self.new_episode)
        self.ui.open_button.clicked.connect(self._on_open_button_clicked)
        self.ui.back_button.clicked.connect(self.show_board)
        self.ui.audit_button.clicked.connect(self.open_audit)
        self.ui.settings_button.clicked.connect(self.open_settings)
        self.print_blank_button.clicked.connect(self.print_blank_proforma)
        self.open_record_button.clicked.connect(lambda: self.open_record())
        self.ui.change_user_button.clicked.connect(self.change_user)
        self.board.sig_open_requested.connect(self.open_episode)
        self.summary_banner.sig_action.connect(self._on_summary_banner_action)
        QShortcut(QKeySequence("Ctrl+N"), self, self.new_episode)
        QShortcut(QKeySequence("Escape"), self, self.show_board)
        QShortcut(QKeySequence("F5"), self, self.refresh)
        QShortcut(QKeySequence(PRINT_BLANK_SHORTCUT), self, self.print_blank_proforma)
        if backups is not None:
            backups.sig_backup_failed.connect(self._on_backups_failed)
            backups.sig_clock_behind.connect(self._on_backups_clock_behind)
            backups.sig_backup_done.connect(self._on_backups_done)

        context.add_listener(self._on_record_changed)
        # A unit record on a server: other PCs' saves and the server's availability.
        self.unit_record = UnitRecordMonitor.for_store(context.store, self)
        if self.unit_record is not None:
            self.unit_record.sig_changed.connect(self.refresh)
            self.unit_record.sig_availability.connect(self._on_unit_record_availability)
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
        self.record_label.setToolTip(self.record_label.text())

    def _show_record_kind(self) -> None:
        try:
            kind = self.context.store.record_kind()
        except StoreError:
            kind = ""
        self.record_kind = kind
        if kind == DEMO_RECORD:
            self.record_kind_banner.show_message(
                AlertLevel.WARNING,
                "DEMO RECORD — made-up women, not a clinical record",
                f"{self.context.store.path.name} was made by “mgso4 demo-data” for trying the "
                "audit. It takes no clinical entries: open the ward record to record care.",
            )
        elif kind == MERGED_RECORD:
            self.record_kind_banner.show_message(
                AlertLevel.INFO,
                "MERGED RECORD — several ward PCs' entries, for audit",
                f"{self.context.store.path.name} holds the entries of "
                f"{len(self.context.store.workstation_ids())} workstations. New care is "
                "recorded on the ward PC's own record.",
            )
        else:
            self.record_kind_banner.clear()
        self.ui.new_episode_button.setEnabled(kind != DEMO_RECORD)
        self.ui.new_episode_button.setToolTip(
            "A demo record takes no clinical entries." if kind == DEMO_RECORD else ""
        )

    def open_record(self, path: str | None = None) -> bool:
        """Open another record file in a new window of the app (``mgso4 --db FILE``).

        This window and its record stay as they are; the new window opens the chosen file,
        with its own banner when it is a demo or merged record. Returns whether it started.
        """
        if path is None:
            path, _filter = QFileDialog.getOpenFileName(
                self,
                "Open a record",
                str(self.context.store.path.parent),
                "Records (*.sqlite3 *.sqlite *.db);;All files (*)",
            )
        if not path:
            return False
        frozen = getattr(sys, "frozen", False)
        arguments = ["--db", path] if frozen else ["-m", "mgso4", "--db", path]
        if self.context.training and Path(path) == self.context.store.path:
            arguments.append("--training")
        started = QProcess.startDetached(sys.executable, arguments)
        ok = bool(started[0] if isinstance(started, tuple) else started)
        if ok:
            self.ui.status_bar.showMessage(f"Opening {path} in a new window…", 10_000)
        else:
            self.store_banner.show_message(
                AlertLevel.WARNING,
                "The record could not be opened",
                f"A new window for {path} did not start. Open it with: mgso4 --db {path}",
            )
        return ok

    def _show_user(self) -> None:
        user = self.context.user
        self.ui.user_label.setText(
            f"Recording as: {actor_text(user)}" if user else "Recording as: (not set)"
        )

    def change_user(self) -> UserDialog:
        """Ask who is recording (name and role)."""
        from mgso4.gui.widgets.user_dialog import UserDialog

        dialog = delete_on_close(UserDialog(self.context.user, self), self, "active_dialog")
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
        if self.unit_record is not None and not self.unit_record.available:
            self.store_banner.show_message(AlertLevel.CRITICAL, UNAVAILABLE_TITLE, UNAVAILABLE_TEXT)
        elif self.board.load_error:
            self.store_banner.show_message(
                AlertLevel.CRITICAL, "Cannot read the record", self.board.load_error
            )
        else:
            self.store_banner.clear()
        if self.episode_view is not None:
            self.episode_view.reload()
        self.check_clock()

    def _on_unit_record_availability(self, available: bool) -> None:
        if available:
            self.store_banner.clear()
        self.refresh()

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
            self._drop_episode_view()
            self.episode_view = None
        self.ui.page_stack.setCurrentWidget(self.ui.board_page)
        self.ui.title_label.setText(f"Ward board — {self.context.settings.unit_name}")
        self.ui.back_button.setVisible(False)
        self.ui.open_button.setVisible(True)
        self.board.focus_table()

    def _drop_episode_view(self) -> None:
        if self.episode_view is not None and self.episode_scroll.widget() is self.episode_view:
            self.episode_scroll.takeWidget()
        if self.episode_view is not None:
            self.episode_view.hide()
            self.episode_view.deleteLater()

    def open_episode(self, episode_uuid: str) -> EpisodeView:
        """Show one episode (Enter on a board row)."""
        if self.episode_view is not None:
            if self.episode_view.episode_uuid == episode_uuid:
                return self.episode_view
            self._drop_episode_view()
        from mgso4.gui.episode.view import EpisodeView

        view = EpisodeView(self.context, episode_uuid, self.tasks, self)
        self.episode_view = view
        self.episode_scroll.setWidget(view)
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

        The board refreshes when it saves; when it then closes, the saved episode opens. A demo
        record takes no new episodes (the store refuses them too).
        """
        if self.record_kind == DEMO_RECORD:
            self.store_banner.show_message(
                AlertLevel.WARNING,
                "A demo record takes no clinical entries",
                "Open the ward record to record care, or start with --training to practise.",
            )
            return None
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
        wizard = delete_on_close(NewEpisodeWizard(self.context, self), self, "active_dialog")
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
            audit = AuditView(self.context)
            audit.setWindowTitle("Audit — MgSO₄ Preterm Proforma")
            audit.sig_open_episode.connect(self._on_audit_open_episode)
            self.audit_window = audit
        self.audit_window.show()
        self.audit_window.raise_()
        return self.audit_window

    def _on_audit_open_episode(self, episode_uuid: str) -> None:
        self.open_episode_from_audit(episode_uuid)

    def open_episode_from_audit(self, episode_uuid: str) -> EpisodeView | None:
        """Open a case chosen in the audit window, if it is in the open record.

        The main window comes to the front with the episode's page; an episode that is not in
        this record (or cannot be read) is named in a banner instead. While a form is open here
        the page is not changed: closing it under the form would lose what was typed.
        """
        open_forms = [dialog for dialog in self.findChildren(QDialog) if dialog.isVisible()]
        if open_forms:
            self.store_banner.show_message(
                AlertLevel.WARNING,
                "Finish the open form first",
                f"“{open_forms[0].windowTitle()}” is still open. Save or cancel it, then open "
                "the episode from the audit again.",
            )
            self.raise_()
            self.activateWindow()
            return None
        try:
            self.context.store.episode(episode_uuid)
        except StoreError as exc:
            self.store_banner.show_message(AlertLevel.WARNING, "Cannot open that episode", str(exc))
            return None
        view = self.open_episode(episode_uuid)
        self.show()
        self.raise_()
        self.activateWindow()
        return view

    def open_settings(self) -> SettingsDialog:
        """Open the settings dialog."""
        from mgso4.gui.settings_dialog import SettingsDialog

        dialog = delete_on_close(SettingsDialog(self.context, self), self, "active_dialog")
        dialog.sig_settings_saved.connect(self._on_settings_saved)
        self.active_dialog = dialog
        dialog.open()
        return dialog

    def _on_settings_saved(self) -> None:
        self._apply_mode()
        if self.episode_view is None:
            self.show_board()
        self.refresh()

    # ------------------------------------------------------------------ blank proforma

    def print_blank_proforma(self) -> None:
        """Make the blank downtime proforma off the GUI thread, then show the print preview.

        The form carries the settings' protocol (``context.protocol``, the one for new
        episodes), the settings' default preparation and the unit name, as
        ``mgso4 proforma --blank`` does. Asks who is printing first if nobody is recording.
        """
        if self._blank_rendering:
            return
        if self.context.user is None:
            # The print is logged under a name: ask once, then carry on.
            from mgso4.gui.widgets.user_dialog import UserDialog

            dialog = delete_on_close(UserDialog(None, self), self, "active_dialog")
            self.active_dialog = dialog

            def _on_user_dialog_finished(result: int) -> None:
                if result == QDialog.DialogCode.Accepted and dialog.actor is not None:
                    self.context.user = dialog.actor
                    self._show_user()
                    self.print_blank_proforma()

            dialog.finished.connect(_on_user_dialog_finished)
            dialog.open()
            return
        preparations = self.context.preparations
        preparation_id = self.context.settings.default_preparation
        if preparation_id not in preparations.ids:
            self.store_banner.show_message(
                AlertLevel.WARNING,
                "Cannot make the blank proforma",
                f"The default preparation in Settings ({preparation_id}) is not in the "
                f"preparations file (choices: {', '.join(preparations.ids)}). Choose one in "
                "Settings, then print again.",
            )
            return
        try:
            # Read on the GUI thread, where the store is used; the log carries it.
            chain_head = self.context.store.chain_head()
        except StoreError as exc:
            self.store_banner.show_message(AlertLevel.CRITICAL, "Cannot print", str(exc))
            return
        from mgso4.reports import render_blank

        protocol = self.context.protocol
        unit_name = self.context.settings.unit_name

        def work(report: Report) -> bytes:
            return render_blank(protocol, preparations, preparation_id, unit_name=unit_name)

        self._blank_rendering = True
        self.print_blank_button.setEnabled(False)
        self.ui.status_bar.showMessage("Preparing the blank proforma…")
        self.tasks.run(
            "Blank proforma PDF",
            work,
            on_finished=lambda pdf: self._on_blank_rendered(pdf, chain_head),
            on_failed=self._on_blank_failed,
        )

    def _on_blank_rendered(self, pdf: bytes, chain_head: str) -> None:
        if not shiboken6.isValid(self):
            return  # the window closed while the form was being made
        self._blank_finished()
        self.last_blank_pdf = pdf
        self.ui.status_bar.showMessage(
            "Blank proforma ready; logged as printed once it is sent to the printer.", 10_000
        )
        try:
            from mgso4.gui.printing import PdfPreviewDialog
        except ImportError:
            self.store_banner.show_message(
                AlertLevel.WARNING,
                "Print preview not available",
                "This build has no print preview; use mgso4 proforma --blank instead.",
            )
            return
        protocol = self.context.protocol
        dialog = PdfPreviewDialog(
            self,
            title=f"Blank downtime proforma — {protocol.id} {protocol.version}",
            suggested_file_name="blank-proforma.pdf",
        )
        delete_on_close(dialog, self, "active_dialog", "blank_preview")
        dialog.set_pdf(pdf)
        dialog.sig_printed.connect(lambda: self.log_blank_printed(chain_head))
        self.active_dialog = dialog
        self.blank_preview = dialog
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.open()

    def _on_blank_failed(self, message: str) -> None:
        if not shiboken6.isValid(self):
            return
        self._blank_finished()
        self.ui.status_bar.clearMessage()
        self.store_banner.show_message(
            AlertLevel.CRITICAL, "The blank proforma could not be made", message
        )

    def _blank_finished(self) -> None:
        self._blank_rendering = False
        self.print_blank_button.setEnabled(True)

    def log_blank_printed(self, chain_head: str) -> bool:
        """Record a ``printed`` event for a blank proforma (no episode).

        Args:
            chain_head: The record's chain head when the form was made (SHA-256 hex).

        Returns:
            True when the event was saved; False (with a banner saying why) when it was not.
        """
        actor = self.context.user
        if actor is None:
            return False
        draft = EventDraft.make(
            EventType.PRINTED,
            Printed(document="blank", chain_head=chain_head),
            episode_uuid=None,
            occurred_at=self.context.clock(),
            recorded_by=actor,
        )
        try:
            self.context.record([draft], self.context.protocol_ref)
        except StoreError as exc:
            self.store_banner.show_message(
                AlertLevel.CRITICAL,
                "Print not logged",
                f"{exc} The printed blank forms are still valid.",
            )
            return False
        self.ui.status_bar.showMessage(
            f"Blank proforma logged as printed (chain head {chain_head[:12]}).", 10_000
        )
        return True

    # ------------------------------------------------------------------ backups

    def _on_backups_failed(self, message: str) -> None:
        self.store_banner.show_message(AlertLevel.WARNING, "Backup failed", message)

    def _on_backups_clock_behind(self, message: str) -> None:
        self.store_banner.show_message(AlertLevel.WARNING, "The computer's clock is wrong", message)

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
        if self.unit_record is not None:
            self.unit_record.stop()
        if self.backups is not None:
            self.ui.status_bar.showMessage("Backing up before closing…")
            if not self.backups.run_at_exit():
                LOG.warning("the exit backup did not finish in time")
        else:
            self.tasks.wait(30_000)
        super().closeEvent(event)
