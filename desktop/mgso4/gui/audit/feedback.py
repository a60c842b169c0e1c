"""The audit view's **Print feedback sheet…**: ask, make off the GUI thread, preview, log.

The sheet's content and PDF come from ``audit.feedback`` (every figure from the audit's
metrics); this module only asks for the choices, runs the work through the view's task helper
(``gui.tasks``), shows the result in the app's print preview (``gui.printing``) and records an
``exported`` entry, with the QI lead's "what we will try next month", each time the sheet is
printed or saved from the preview.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, cast

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QWidget

from mgso4.audit.data import AuditData
from mgso4.audit.feedback import (
    FeedbackOptions,
    FeedbackSheet,
    YearMonth,
    build_feedback,
)
from mgso4.audit.feedback_pdf import feedback_pdf
from mgso4.audit.pseudonym import load_or_create_key
from mgso4.audit.sql import chain_heads
from mgso4.core.episode import EventDraft, EventType, Exported
from mgso4.core.timeutil import utcnow
from mgso4.gui.audit.feedback_dialog import FeedbackDialog
from mgso4.gui.context import AppContext
from mgso4.gui.lifetime import delete_on_close
from mgso4.gui.style import ToneName
from mgso4.gui.widgets.user_dialog import UserDialog
from mgso4.storage import StoreError

if TYPE_CHECKING:
    from mgso4.gui.printing import PdfPreviewDialog

#: Format recorded in the ``exported`` entry.
EXPORT_FORMAT = "feedback-sheet-pdf"

Work = Callable[[Callable[[str, int, int], None], threading.Event], Any]


class FeedbackHost(Protocol):
    """What the sheet needs from the audit view."""

    data: AuditData | None
    context: AppContext
    workstation_combo: QComboBox


def make_feedback_sheet(data: AuditData, options: FeedbackOptions) -> tuple[FeedbackSheet, bytes]:
    """The sheet's content and its PDF (touches no widget: runs on a worker thread)."""
    sheet = build_feedback(
        data,
        options,
        key=load_or_create_key(),
        made_at=utcnow(),
        chain_heads=chain_heads(data.path),
    )
    return sheet, feedback_pdf(sheet)


class FeedbackPrinter:
    """The **Print feedback sheet…** action of one audit view.

    Args:
        view: The audit view (its record, context and workstation choice).
        start: The view's way of running work off the GUI thread with progress and Cancel.
        say: The view's status line.
    """

    def __init__(
        self,
        view: QWidget,
        *,
        start: Callable[[str, Work, Callable[[Any], None]], None],
        say: Callable[[str, ToneName], None],
    ) -> None:
        self._view = view
        self._start = start
        self._say = say
        self.dialog: FeedbackDialog | None = None
        self.preview: PdfPreviewDialog | None = None
        self.last_sheet: FeedbackSheet | None = None

    @property
    def _host(self) -> FeedbackHost:
        return cast(FeedbackHost, self._view)

    def ask(self) -> FeedbackDialog | None:
        """Ask for the month and choices (the dialog is modal to the view, not blocking)."""
        host = self._host
        data = host.data
        if data is None or data.birth_date_range is None:
            self._say("No births in this record yet: there is nothing to feed back.", ToneName.INFO)
            return None
        if host.context.user is None:
            user = UserDialog(None, self._view)
            if user.exec() != UserDialog.DialogCode.Accepted or user.actor is None:
                return None
            host.context.user = user.actor
        first, last = (YearMonth.of(day) for day in data.birth_date_range)
        count = (last.year - first.year) * 12 + last.month - first.month + 1
        months = [last.plus(-index) for index in range(count)]  # newest first
        workstation = host.workstation_combo.currentData()
        dialog = FeedbackDialog(
            months,
            host.context.settings,
            workstations=frozenset() if workstation is None else frozenset({str(workstation)}),
            parent=self._view,
        )
        delete_on_close(dialog, self, "dialog")
        dialog.sig_chosen.connect(lambda options: self._on_dialog_chosen(dialog, options))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _on_dialog_chosen(self, dialog: FeedbackDialog, options: FeedbackOptions) -> None:
        context = self._host.context
        if dialog.remember_check.isChecked():
            from mgso4.settings import save_settings

            settings = dialog.unit_settings()
            try:
                save_settings(settings, context.settings_path)
            except OSError as exc:
                self._say(f"The unit's settings were not saved: {exc}", ToneName.WARNING)
            else:
                context.settings = settings
        data = self._host.data
        if data is None:
            return

        def work(progress: Callable[[str, int, int], None], cancel: threading.Event) -> Any:
            progress("Making the feedback sheet", 0, 1)
            return make_feedback_sheet(data, options)

        self._start("Making the feedback sheet", work, self._on_made)

    def _on_made(self, made: tuple[FeedbackSheet, bytes]) -> None:
        sheet, pdf = made
        self.last_sheet = sheet
        try:
            from mgso4.gui.printing import PdfPreviewDialog
        except ImportError:
            self._say(
                "This build has no print preview; use mgso4 feedback to make the sheet.",
                ToneName.WARNING,
            )
            return
        preview = PdfPreviewDialog(
            self._view,
            title=f"Feedback sheet — {sheet.month.label}",
            suggested_file_name=f"mgso4-feedback-{sheet.month.iso}.pdf",
        )
        preview.setObjectName("feedback_preview")
        delete_on_close(preview, self, "preview")
        # The sheet is landscape: as wide as the page at 100 %, never taller than the screen.
        room = self._view.screen().availableGeometry()
        preview.resize(min(1240, room.width() - 40), min(900, room.height() - 60))
        preview.set_pdf(pdf)
        preview.sig_printed.connect(lambda: self.log_exported(sheet))
        preview.sig_saved.connect(lambda _path: self.log_exported(sheet))
        self.preview = preview
        self._say(
            f"Feedback sheet for {sheet.month.label} ready; it is logged as exported when "
            "printed or saved.",
            ToneName.OK,
        )
        preview.setWindowModality(Qt.WindowModality.WindowModal)
        preview.open()

    def log_exported(self, sheet: FeedbackSheet) -> bool:
        """Record that the sheet left the screen (printed or saved), with next month's plan."""
        context = self._host.context
        actor = context.user
        if actor is None:
            return False
        draft = EventDraft.make(
            EventType.EXPORTED,
            Exported(
                format=EXPORT_FORMAT,
                identifiable=False,
                rows=sheet.babies_in_month,
                note=sheet.options.note,
            ),
            episode_uuid=None,
            occurred_at=context.clock(),
            recorded_by=actor,
        )
        try:
            context.record([draft], context.protocol_ref)
        except StoreError as exc:
            self._say(f"The feedback sheet was not logged: {exc}", ToneName.WARNING)
            return False
        self._say(f"Feedback sheet for {sheet.month.label} logged as exported.", ToneName.OK)
        return True
