"""The audit screen: metric tiles, the babies behind each number, charts, exports and merge.

Reading the record, computing metrics, exporting and merging all run off the GUI thread through
the app's one task helper (``gui.tasks.TaskRunner``), with a progress bar and a Cancel button;
the view stays responsive. Reading and counting run on its thread pool (their result is needed
here); an export or a merge runs in a child process (``mgso4.audit.worker``), so its minutes
of pure Python never hold this thread up, and Cancel ends the child at once (its temporary
files are removed; a merge's unfinished source is rolled back by the database). Background
work only returns values or raises; widgets are touched on the GUI thread only.

This screen counts; it never classifies. Every number comes from ``mgso4.audit`` (which uses
``core.outcome``'s fixed definitions). Names and NHS/CHI numbers are not shown in the lists here:
a case is found by its episode and opened with a double-click.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any, Final, cast

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from PySide6.QtCore import QDate, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from mgso4.audit import charts
from mgso4.audit.data import AuditData, load_audit_data
from mgso4.audit.export import (
    ExportFormat,
    ExportLevel,
    ExportResult,
    PassedVerification,
    suggested_file_name,
)
from mgso4.audit.facts import BabyRef, BabyRow, EpisodeFacts, GestationBand
from mgso4.audit.merge import MERGE_CANCELLED, MergeReport, merge_target_refusal
from mgso4.audit.metrics import Filters, Metrics, OutcomeFilter, anznn_label
from mgso4.audit.progress import AuditError, Cancelled
from mgso4.audit.worker import (
    ExportJob,
    Refused,
    export_job,
    export_outputs,
    merge_job,
    recover_record,
    throttled,
)
from mgso4.core.timeutil import format_local
from mgso4.gui.audit.dialogs import ask_export_reason
from mgso4.gui.audit.feedback import FeedbackPrinter
from mgso4.gui.audit.tiles import MetricTile
from mgso4.gui.context import AppContext
from mgso4.gui.style import ToneName, set_role, set_tone
from mgso4.gui.tasks import Report, TaskRunner
from mgso4.gui.widgets.screen_fit import fit_to_screen
from mgso4.gui.widgets.user_dialog import UserDialog
from mgso4.settings import backup_folder
from mgso4.storage import Store, StoreError
from mgso4.storage.spec import ServerLocation
from mgso4.storage.store import DEMO_WORKSTATION_PREFIX

#: Rows shown in the list of babies behind a number (the export has them all).
MAX_LIST_ROWS: Final = 2000
#: Wait after the last filter change before recounting (typing a date changes it per digit).
RECOUNT_DELAY_MS: Final = 200

#: Tiles: key, title. Percentage tiles use ``Metrics.measures[key]``.
MEASURE_TILES: Final = (
    ("nnap", "NNAP: MgSO₄ in the 24 h before birth (< 30+0)"),
    ("nnap_excluded", "NNAP: excluded, not admitted for neonatal care"),
    ("periprem_received_any", "PERIPrem: received any MgSO₄ before birth (< 30+0)"),
    ("periprem_optimal", "PERIPrem optimal: load > 4 h and < 24 h before birth (< 30+0)"),
    ("periprem_could_have_been_optimal", "PERIPrem: could it have been optimal?"),
    ("periprem_optimal_when_possible", "Optimal when it could have been"),
    ("optimal_timing_possible", "Missed opportunity: optimal timing was possible"),
    ("bapm_optimal", "BAPM optimal: load and ≥ 4 h of infusion in the 24 h before birth"),
    ("qs135_a", "NICE QS135 (a): established labour, received"),
    ("qs135_b", "NICE QS135 (b): planned birth, in the 24 h before"),
)
#: Tiles per row: two rows keep the list and the charts on a 1280 x 720 screen.
TILE_COLUMNS: Final = 7
COUNT_TILES: Final = (
    ("missed", "Missed cases (< 30+0, none given)"),
    ("pending", "Pending: no birth recorded yet"),
    ("problems", "Births that could not be classified"),
)
LIST_COLUMNS: Final = (
    "Episode",
    "Baby",
    "Born (local)",
    "Gestation at birth",
    "MgSO₄ before birth",
    "Load to birth (h)",
    "Outcome",
    "Reason",
)
CHART_TABS: Final = (
    ("run", "NNAP run chart"),
    ("pareto", "Why not given"),
    ("timing", "Load-to-birth timing"),
)
#: The export formats and their file-dialog filters (the exporters run in ``audit.worker``).
EXPORT_FILTERS: Final = {
    "csv": "CSV (*.csv)",
    "xlsx": "Excel workbook (*.xlsx)",
    "fhir": "FHIR R4 Bundle (*.json)",
}
#: The export levels as offered on screen (``audit.export.ExportLevel``).
LEVEL_CHOICES: Final = (
    (
        ExportLevel.SHAREABLE,
        "Shareable — to send outside the unit: no clock times, birth month, small counts withheld",
    ),
    (
        ExportLevel.PSEUDONYMISED,
        "Pseudonymised — this unit's own audit: times kept, still personal data",
    ),
    (
        ExportLevel.IDENTIFIABLE,
        "Identifiable — names and NHS/CHI numbers (purpose and reason recorded)",
    ),
)


@dataclass(frozen=True)
class _Shown:
    """What a recount returns to the GUI thread."""

    generation: int
    metrics: Metrics
    figures: dict[str, Figure]


def _guarded(work: Callable[[], Any]) -> Any:
    """Run work; turn the audit's own refusals and a cancel into a :class:`Refused` value."""
    try:
        return work()
    except Cancelled as exc:
        return Refused(str(exc), cancelled=True)
    except (AuditError, StoreError, ValueError) as exc:
        return Refused(str(exc))


def _record_spec(path: Path) -> str:
    """The open record as a child process opens it: a file path, or the server's URI."""
    return path.uri if isinstance(path, ServerLocation) and path.uri else str(path)


def _qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class TypedDateEdit(QDateEdit):
    """A date box that also takes a whole date typed as YYYY-MM-DD.

    A ``QDateEdit`` edits one part at a time: typing "2026-10-01" changed the month and day
    but left the year as it was. Here digits and dashes typed in a row are read together and
    the date is set when they make a whole date; other keys work as in any date box.
    """

    sig_typing = Signal(str)
    """What has been typed so far ("" when a date was set or typing stopped)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.typed = ""

    def focusInEvent(self, event: QFocusEvent) -> None:
        self.typed = ""
        super().focusInEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        text = event.text()
        plain = not event.modifiers() & ~(
            Qt.KeyboardModifier.KeypadModifier | Qt.KeyboardModifier.ShiftModifier
        )
        if plain and text and (text.isdigit() or text in "-/") and len(self.typed) < 10:
            self.typed += "-" if text == "/" else text
            match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{2})", self.typed)
            if match is not None:
                typed = QDate(int(match[1]), int(match[2]), int(match[3]))
                if typed.isValid():
                    self.setDate(typed)
                    self.typed = ""
            self.sig_typing.emit(self.typed)
            event.accept()
            return
        if event.key() == Qt.Key.Key_Backspace and self.typed:
            self.typed = self.typed[:-1]
            self.sig_typing.emit(self.typed)
            event.accept()
            return
        self.typed = ""
        super().keyPressEvent(event)


#: The audit period presets: label and how to compute (from, to) from today's local date.
PERIOD_PRESETS: tuple[str, ...] = (
    "Last 12 months",
    "Last month",
    "Last quarter",
    "Year to date",
    "Whole record",
    "Dates chosen",
)


def preset_range(name: str, today: date) -> tuple[date, date] | None:
    """The dates of a period preset ending on or before ``today`` (None: not a fixed range)."""
    if name == "Last 12 months":
        day = min(today.day, 28) if today.month == 2 else today.day
        return today.replace(year=today.year - 1, day=day) + timedelta(days=1), today
    if name == "Last month":
        first_this = today.replace(day=1)
        last = first_this - timedelta(days=1)
        return last.replace(day=1), last
    if name == "Last quarter":
        quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        last = quarter_start - timedelta(days=1)
        return date(last.year, 3 * ((last.month - 1) // 3) + 1, 1), last
    if name == "Year to date":
        return date(today.year, 1, 1), today
    return None


def demo_workstations(path: Path) -> list[str]:
    """The demo workstation ids (``mgso4 demo-data``) whose entries a record file holds."""
    try:
        with Store.open(path, readonly=True) as store:
            return [w for w in store.workstation_ids() if w.startswith(DEMO_WORKSTATION_PREFIX)]
    except StoreError:
        return []  # the merge itself names what is wrong with the file


def merge_question(sources: list[Path], target: Path) -> str:
    """The merge confirmation: every file by name, and a warning for demo data."""
    names = "\n".join(f"  • {source}" for source in sources)
    text = (
        f"Copy every entry of these {len(sources)} record file(s):\n{names}\ninto {target}?\n\n"
        "Each file is checked first and refused if it does not verify. Entries are only added, "
        "never changed; merging the same file again changes nothing."
    )
    demo = {source.name: demo_workstations(source) for source in sources}
    demo = {name: ids for name, ids in demo.items() if ids}
    if demo:
        listed = "; ".join(f"{name} ({', '.join(ids)})" for name, ids in demo.items())
        text += (
            f"\n\nWARNING: {listed} hold DEMO data (workstation ids starting “demo-”): made-up "
            "women that would be counted in this record's audit. Merge them only into a demo "
            "record."
        )
    return text


class AuditView(QWidget):
    """Were eligible women given MgSO₄ in time, and why not: numbers, cases, charts, exports."""

    sig_open_episode = Signal(str)
    """The user asked to open this episode (its uuid)."""
    sig_metrics_shown = Signal()
    """New numbers, lists and charts are on screen."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("audit_view")
        self.context = context
        self.data: AuditData | None = None
        self.metrics: Metrics | None = None
        self.figures: dict[str, Figure] = {}
        self.last_export: ExportResult | None = None
        #: The record's full verification an export of this session passed, kept in memory
        #: only: the next export skips the check while the file is byte-for-byte the same.
        self.passed_verification: PassedVerification | None = None
        self.last_merge: MergeReport | None = None
        self._runner = TaskRunner(self, max_threads=1)
        self._cancel: Callable[[], None] | None = None
        self._generation = 0
        self._selected_tile = "nnap"
        self._note = ""
        self._note_tone = ToneName.NEUTRAL
        self._dates_chosen = False
        self._recount_timer = QTimer(self)
        self._recount_timer.setSingleShot(True)
        self._recount_timer.setInterval(RECOUNT_DELAY_MS)
        self._recount_timer.timeout.connect(self.recount)
        self._build()
        self._connect()
        fit_to_screen(self, 1280, 860)
        self.reload()

    # ------------------------------------------------------------------ building

    def _build(self) -> None:
        self.record_label = QLabel(self)
        self.record_label.setObjectName("record_label")
        self.date_from_edit = self._date_edit("date_from_edit", "Born from (local date)")
        self.date_to_edit = self._date_edit("date_to_edit", "Born to (local date)")
        self.period_combo = QComboBox(self)
        self.period_combo.setObjectName("period_combo")
        self.period_combo.setAccessibleName("Period")
        self.period_combo.addItems(list(PERIOD_PRESETS))
        # Until a record with births says otherwise: the last 12 months, never 2000-01-01.
        self._set_dates(preset_range("Last 12 months", self._today()))
        self.band_combo = QComboBox(self)
        self.band_combo.setObjectName("band_combo")
        self.band_combo.setAccessibleName("Gestation band at birth")
        self.band_combo.addItem("All gestations", None)
        for band in GestationBand:
            self.band_combo.addItem(band.label, band)
        self.outcome_combo = QComboBox(self)
        self.outcome_combo.setObjectName("outcome_combo")
        self.outcome_combo.setAccessibleName("Outcome")
        for outcome in OutcomeFilter:
            self.outcome_combo.addItem(outcome.label, outcome)
        self.workstation_combo = QComboBox(self)
        self.workstation_combo.setObjectName("workstation_combo")
        self.workstation_combo.setAccessibleName("Workstation")
        self.workstation_combo.addItem("All workstations", None)
        self.reload_button = self._button("reload_button", "Reload record")
        self.merge_button = self._button("merge_button", "Merge records…")
        set_role(self.merge_button, "secondary")

        # Long choices may be cut short in the closed box (the open list shows them whole), so
        # the filters fit a 1280-px screen.
        for combo in (self.band_combo, self.outcome_combo, self.workstation_combo):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(16)
        # Two rows: the period and the record's buttons, then who is counted.
        self.period_row = QHBoxLayout()
        filters = QHBoxLayout()
        for row, text, widget in (
            (self.period_row, "Period", self.period_combo),
            (self.period_row, "From", self.date_from_edit),
            (self.period_row, "To", self.date_to_edit),
            (filters, "Gestation", self.band_combo),
            (filters, "Outcome", self.outcome_combo),
            (filters, "Workstation", self.workstation_combo),
        ):
            label = QLabel(text, self)
            label.setBuddy(widget)
            row.addWidget(label)
            row.addWidget(widget, 1 if isinstance(widget, QComboBox) else 0)
        self.period_row.addStretch(1)
        self.period_row.addWidget(self.reload_button)
        self.period_row.addWidget(self.merge_button)

        self.progress_bar = QProgressBar(self)
        self.progress_bar.setObjectName("progress_bar")
        self.progress_bar.setAccessibleName("Progress")
        self.progress_bar.setRange(0, 100)
        self.status_label = QLabel("", self)
        self.status_label.setObjectName("status_label")
        self.status_label.setWordWrap(True)
        self.cancel_button = self._button("cancel_button", "Cancel")
        set_role(self.cancel_button, "secondary")
        progress = QHBoxLayout()
        progress.addWidget(self.progress_bar, 1)
        progress.addWidget(self.cancel_button)

        self.tiles: dict[str, MetricTile] = {}
        self._tile_group = QButtonGroup(self)
        tiles = QGridLayout()
        for index, (key, title) in enumerate((*MEASURE_TILES, *COUNT_TILES)):
            tile = MetricTile(key, title, self)
            self.tiles[key] = tile
            self._tile_group.addButton(tile)
            tiles.addWidget(tile, index // TILE_COLUMNS, index % TILE_COLUMNS)
        self.tiles["nnap"].setChecked(True)

        self.list_title = QLabel("", self)
        self.list_title.setObjectName("list_title")
        self.list_title.setWordWrap(True)
        self.list_scope_combo = QComboBox(self)
        self.list_scope_combo.setObjectName("list_scope_combo")
        self.list_scope_combo.setAccessibleName("Which babies to list")
        self.list_scope_combo.addItem("Not met", "not-met")
        self.list_scope_combo.addItem("Met (numerator)", "met")
        self.list_scope_combo.addItem("Everyone counted (denominator)", "all")
        self.case_table = QTableWidget(0, len(LIST_COLUMNS), self)
        self.case_table.setObjectName("case_table")
        self.case_table.setAccessibleName("Babies behind the chosen number")
        self.case_table.setHorizontalHeaderLabels(list(LIST_COLUMNS))
        self.case_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.case_table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.case_table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.case_table.verticalHeader().setVisible(False)
        self.case_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.case_table.horizontalHeader().setStretchLastSection(True)
        self.open_button = self._button("open_episode_button", "Open episode")
        list_header = QHBoxLayout()
        list_header.addWidget(self.list_title, 1)
        list_header.addWidget(self.list_scope_combo)
        list_panel = QWidget(self)
        list_layout = QVBoxLayout(list_panel)
        list_layout.setContentsMargins(0, 0, 0, 0)
        list_layout.addLayout(list_header)
        list_layout.addWidget(self.case_table, 1)
        list_layout.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignRight)

        self.chart_tabs = QTabWidget(self)
        self.chart_tabs.setObjectName("chart_tabs")
        self.chart_tabs.setAccessibleName("Charts")
        self.canvases: dict[str, FigureCanvasQTAgg] = {}
        for key, title in CHART_TABS:
            canvas = FigureCanvasQTAgg(Figure(figsize=charts.FIGURE_SIZE_IN))
            canvas.setObjectName(f"chart_{key}")
            canvas.setAccessibleName(title)
            self.canvases[key] = canvas
            self.chart_tabs.addTab(canvas, title)
        self.save_png_button = self._button("save_png_button", "Save chart as PNG…")
        self.save_pdf_button = self._button("save_pdf_button", "Save chart as PDF…")
        for button in (self.save_png_button, self.save_pdf_button):
            set_role(button, "secondary")
        self.print_feedback_button = self._button("print_feedback_button", "Print feedback sheet…")
        chart_buttons = QHBoxLayout()
        chart_buttons.addWidget(self.print_feedback_button)
        chart_buttons.addStretch(1)
        chart_buttons.addWidget(self.save_png_button)
        chart_buttons.addWidget(self.save_pdf_button)
        chart_panel = QWidget(self)
        chart_layout = QVBoxLayout(chart_panel)
        chart_layout.setContentsMargins(0, 0, 0, 0)
        chart_layout.addWidget(self.chart_tabs, 1)
        chart_layout.addLayout(chart_buttons)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(list_panel)
        splitter.addWidget(chart_panel)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([640, 760])

        self.level_combo = QComboBox(self)
        self.level_combo.setObjectName("level_combo")
        self.level_combo.setAccessibleName("Export level")
        # The words are long; the box may be narrower than them (the list shows them whole).
        self.level_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.level_combo.setMinimumContentsLength(24)
        for level, words in LEVEL_CHOICES:
            self.level_combo.addItem(words, level)
            self.level_combo.setItemData(
                self.level_combo.count() - 1, words, Qt.ItemDataRole.ToolTipRole
            )
        self.export_buttons = {
            "csv": self._button("export_csv_button", "Export CSV…"),
            "xlsx": self._button("export_xlsx_button", "Export XLSX…"),
            "fhir": self._button("export_fhir_button", "Export FHIR…"),
        }
        exports = QHBoxLayout()
        level_label = QLabel("Per-baby data:", self)
        level_label.setBuddy(self.level_combo)
        exports.addWidget(level_label)
        exports.addWidget(self.level_combo, 1)
        for button in self.export_buttons.values():
            exports.addWidget(button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.record_label)
        layout.addLayout(self.period_row)
        layout.addLayout(filters)
        layout.addLayout(progress)
        layout.addWidget(self.status_label)
        layout.addLayout(tiles)
        layout.addWidget(splitter, 1)
        layout.addLayout(exports)

    def _date_edit(self, name: str, accessible: str) -> QDateEdit:
        edit = TypedDateEdit(self)
        edit.sig_typing.connect(self._on_date_typing)
        edit.setObjectName(name)
        edit.setAccessibleName(accessible)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        return edit

    def _button(self, name: str, text: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setAccessibleName(text.rstrip("…"))
        return button

    def _connect(self) -> None:
        self.reload_button.clicked.connect(self.reload)
        self.merge_button.clicked.connect(self._on_merge_button_clicked)
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)
        for edit in (self.date_from_edit, self.date_to_edit):
            edit.dateChanged.connect(self._on_filter_changed)
            edit.dateChanged.connect(self._on_date_chosen)
        self.period_combo.currentTextChanged.connect(self._on_period_chosen)
        for combo in (self.band_combo, self.outcome_combo, self.workstation_combo):
            combo.currentIndexChanged.connect(self._on_filter_changed)
        self._tile_group.buttonClicked.connect(self._on_tile_clicked)
        self.list_scope_combo.currentIndexChanged.connect(self._on_list_scope_changed)
        self.case_table.cellDoubleClicked.connect(self._on_case_table_double_clicked)
        self.open_button.clicked.connect(self._on_open_button_clicked)
        self.save_png_button.clicked.connect(lambda: self.save_chart("png"))
        self.save_pdf_button.clicked.connect(lambda: self.save_chart("pdf"))
        self.feedback = FeedbackPrinter(self, start=self._start, say=self._say)
        self.print_feedback_button.clicked.connect(self.feedback.ask)
        for kind, button in self.export_buttons.items():
            button.clicked.connect(lambda _checked=False, kind=kind: self.export(kind))

    # ------------------------------------------------------------------ background work

    @property
    def busy(self) -> bool:
        """Reading, counting, exporting or merging is under way."""
        return self._runner.busy

    def _start(
        self,
        name: str,
        work: Callable[[Callable[[str, int, int], None], threading.Event], Any],
        done: Callable[[Any], None],
    ) -> None:
        cancel = threading.Event()
        self._cancel = cancel.set
        self._set_busy(True, f"{name}…")

        def run(report: Report) -> Any:
            return _guarded(lambda: work(throttled(report), cancel))

        self._runner.run(
            name,
            run,
            on_finished=self._ended(done),
            on_failed=self._on_task_failed,
            on_progress=self._on_progress,
        )

    def _start_process(
        self,
        name: str,
        job: Callable[..., Any],
        args: tuple[Any, ...],
        done: Callable[[Any], None],
        *,
        cancelled: str,
        outputs: tuple[Path, ...] = (),
        after_end: Callable[[], None] | None = None,
    ) -> None:
        """Run ``job(progress, *args)`` of ``mgso4.audit.worker`` in a child process."""
        self._set_busy(True, f"{name}…")
        handle = self._runner.run_process(
            name,
            job,
            args,
            cancelled=cancelled,
            outputs=outputs,
            after_end=after_end,
            on_finished=self._ended(done),
            on_failed=self._on_task_failed,
            on_progress=self._on_progress,
            on_cancelled=self._on_task_cancelled,
        )
        self._cancel = handle.cancel

    def _ended(self, done: Callable[[Any], None]) -> Callable[[Any], None]:
        def finished(result: Any) -> None:
            self._set_busy(False, "")
            if isinstance(result, Refused):
                self._say(result.message, ToneName.INFO if result.cancelled else ToneName.WARNING)
                return
            done(result)

        return finished

    def _on_task_failed(self, message: str) -> None:
        self._set_busy(False, "")
        self._say(message, ToneName.CRITICAL)

    def _on_task_cancelled(self, message: str) -> None:
        self._set_busy(False, "")
        self._say(message, ToneName.INFO)

    def _set_busy(self, busy: bool, message: str) -> None:
        self.progress_bar.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.cancel_button.setEnabled(busy)
        self.progress_bar.setValue(0)
        for widget in (
            self.reload_button,
            self.merge_button,
            self.save_png_button,
            self.save_pdf_button,
            self.print_feedback_button,
            *self.export_buttons.values(),
        ):
            widget.setEnabled(not busy)
        if busy:
            self._say(message, ToneName.NEUTRAL)

    def _say(self, message: str, tone: ToneName) -> None:
        self.status_label.setText(message)
        set_tone(self.status_label, tone)

    @Slot(int, str)
    def _on_progress(self, percent: int, message: str) -> None:
        self.progress_bar.setValue(percent)
        self.status_label.setText(message)

    def _on_cancel_button_clicked(self) -> None:
        if self._cancel is not None:
            self._cancel()
            self.cancel_button.setEnabled(False)
            self.status_label.setText("Cancelling…")

    # ------------------------------------------------------------------ loading and counting

    def reload(self) -> None:
        """Read the open record again (off the GUI thread) and recount."""
        path = self.context.store.path
        tz = self.context.tz
        self.record_label.setText(f"Record: {path.name}  (times shown in {tz.key})")

        def work(progress: Callable[[str, int, int], None], cancel: threading.Event) -> Any:
            return load_audit_data(path, tz=tz, progress=progress, cancel=cancel)

        self._start("Reading the record", work, self._on_data_loaded)

    def _on_data_loaded(self, data: AuditData) -> None:
        self.data = data
        widgets = (self.date_from_edit, self.date_to_edit, self.workstation_combo)
        for widget in widgets:
            widget.blockSignals(True)
        chosen = self.workstation_combo.currentData()
        self.workstation_combo.clear()
        self.workstation_combo.addItem("All workstations", None)
        for workstation_id in data.workstations:
            self.workstation_combo.addItem(workstation_id, workstation_id)
        self.workstation_combo.setCurrentIndex(max(0, self.workstation_combo.findData(chosen)))
        birth_range = data.birth_date_range
        if birth_range is not None and not self._dates_chosen:
            # The first record with births sets the range once; later reloads keep the user's.
            self._dates_chosen = True
            self.period_combo.setCurrentText("Whole record")
            self._set_dates(birth_range)
        for widget in widgets:
            widget.blockSignals(False)
        self.recount()

    def selection(self) -> tuple[date | None, date | None, Filters]:
        """The date range and filters as chosen on screen."""
        if self.data is None or self.data.birth_date_range is None:
            date_from, date_to = None, None
        else:
            date_from = _pydate(self.date_from_edit.date())
            date_to = _pydate(self.date_to_edit.date())
        # Item data comes back from Qt as plain text; the ids are turned back into their enums.
        band = self.band_combo.currentData()
        outcome = self.outcome_combo.currentData()
        workstation = self.workstation_combo.currentData()
        filters = Filters(
            bands=frozenset() if band is None else frozenset({GestationBand(band)}),
            outcome=OutcomeFilter.ALL if outcome is None else OutcomeFilter(outcome),
            workstations=frozenset() if workstation is None else frozenset({str(workstation)}),
        )
        return date_from, date_to, filters

    def _on_filter_changed(self) -> None:
        self._recount_timer.start()

    def _today(self) -> date:
        return self.context.clock().astimezone(self.context.tz).date()

    def _set_dates(self, dates: tuple[date, date] | None) -> None:
        if dates is None:
            return
        for edit, value in zip((self.date_from_edit, self.date_to_edit), dates, strict=True):
            edit.blockSignals(True)
            edit.setDate(_qdate(value))
            edit.blockSignals(False)

    def _on_period_chosen(self, name: str) -> None:
        """A preset sets both dates (the whole record: its first and last births)."""
        if name == "Whole record":
            birth_range = self.data.birth_date_range if self.data is not None else None
            self._set_dates(birth_range)
        else:
            self._set_dates(preset_range(name, self._today()))
        self._dates_chosen = True
        self._recount_timer.start()

    def _on_date_chosen(self) -> None:
        """A date typed or picked by hand: the period is "Dates chosen"."""
        self._dates_chosen = True
        self.period_combo.blockSignals(True)
        self.period_combo.setCurrentText("Dates chosen")
        self.period_combo.blockSignals(False)

    def _on_date_typing(self, typed: str) -> None:
        if typed:
            self._say(f"Date typed so far: {typed} (as YYYY-MM-DD)", ToneName.NEUTRAL)

    def recount(self) -> None:
        """Count again for the chosen dates and filters (off the GUI thread)."""
        data = self.data
        if data is None:
            return
        date_from, date_to, filters = self.selection()
        if date_from is not None and date_to is not None and date_from > date_to:
            self._say(
                f"The start date {date_from.isoformat()} is after the end date "
                f"{date_to.isoformat()}; change one of them.",
                ToneName.WARNING,
            )
            return
        if self.busy:
            self._recount_timer.start()  # one job at a time; try again shortly
            return
        self._generation += 1
        generation = self._generation

        def work(progress: Callable[[str, int, int], None], cancel: threading.Event) -> Any:
            progress("Counting", 0, 1)
            metrics = data.metrics(date_from=date_from, date_to=date_to, filters=filters)
            figures = {key: charts.CHARTS[key](metrics) for key, _ in CHART_TABS}
            return _Shown(generation, metrics, figures)

        self._start("Counting", work, self._on_counted)

    def _on_counted(self, shown: _Shown) -> None:
        if shown.generation != self._generation:
            return  # the filters changed meanwhile; a newer count follows
        self.metrics = shown.metrics
        self.figures = shown.figures
        self._show_tiles(shown.metrics)
        self._show_charts(shown.figures)
        self._show_list()
        babies, pending = shown.metrics.babies, len(shown.metrics.pending)
        note, tone = self._note, self._note_tone
        self._note, self._note_tone = "", ToneName.NEUTRAL
        self._say(
            f"{note}{babies:,} babies from {shown.metrics.episodes:,} episodes in this selection "
            f"(one row per baby); {pending:,} pending episodes are not counted.",
            tone,
        )
        self.sig_metrics_shown.emit()

    def _show_tiles(self, metrics: Metrics) -> None:
        for key, _ in MEASURE_TILES:
            value = metrics.measures[key]
            self.tiles[key].show_value(value.n, value.d, value.percentage)
        missed = sum(reason.count for reason in metrics.missed_reasons)
        eligible = metrics.measures["nnap"].d
        self.tiles["missed"].show_count(missed, f"of {eligible:,} eligible babies")
        self.tiles["pending"].show_count(len(metrics.pending), "episodes")
        self.tiles["problems"].show_count(len(metrics.problems), "births to correct")

    def _show_charts(self, figures: dict[str, Figure]) -> None:
        current = self.chart_tabs.currentIndex()
        for index, (key, title) in enumerate(CHART_TABS):
            canvas = FigureCanvasQTAgg(figures[key])
            canvas.setObjectName(f"chart_{key}")
            canvas.setAccessibleName(title)
            old = self.canvases[key]
            self.chart_tabs.removeTab(index)
            self.chart_tabs.insertTab(index, canvas, title)
            old.deleteLater()
            self.canvases[key] = canvas
        self.chart_tabs.setCurrentIndex(max(0, current))

    # ------------------------------------------------------------------ the babies behind a number

    def _on_tile_clicked(self, tile: QPushButton) -> None:
        if isinstance(tile, MetricTile):
            self.select_tile(tile.key)

    def select_tile(self, key: str) -> None:
        """List the babies behind one tile."""
        self._selected_tile = key
        self.tiles[key].setChecked(True)
        self._show_list()

    def _on_list_scope_changed(self) -> None:
        self._show_list()

    def _show_list(self) -> None:
        metrics = self.metrics
        self.case_table.setRowCount(0)
        if metrics is None:
            return
        key = self._selected_tile
        scope = self.list_scope_combo.currentData()
        title = self.tiles[key].title
        self.list_scope_combo.setEnabled(key in metrics.measures)
        if key == "pending":
            self._fill_pending(metrics.pending)
            self.list_title.setText(f"{title}: {len(metrics.pending):,} episodes")
            return
        rows: list[BabyRow]
        if key in metrics.measures:
            value = metrics.measures[key]
            wanted: set[BabyRef] = (
                set(value.numerator)
                if scope == "met"
                else set(value.denominator) - set(value.numerator)
                if scope == "not-met"
                else set(value.denominator)
            )
            rows = [row for row in metrics.rows if row.ref in wanted]
        elif key == "missed":
            rows = [row for row in metrics.rows if row.missed]
        else:
            rows = list(metrics.problems)
        shown = rows[:MAX_LIST_ROWS]
        more = (
            f" (showing the first {MAX_LIST_ROWS:,}; the export has them all)"
            if len(rows) > MAX_LIST_ROWS
            else ""
        )
        scope_words = self.list_scope_combo.currentText() if key in metrics.measures else ""
        self.list_title.setText(
            f"{title}{' — ' + scope_words if scope_words else ''}: {len(rows):,} babies{more}"
        )
        self._fill_rows(shown)

    def _fill_rows(self, rows: list[BabyRow]) -> None:
        tz = self.context.tz
        self.case_table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            cl = row.classification
            outcome = (
                row.problem or ""
                if cl is None
                else anznn_label(cl.anznn)
                + (" · optimal" if cl.periprem_optimal.met else "")
                + (" · NNAP met" if cl.nnap.met else "")
            )
            cells = (
                row.episode.episode_uuid[:8],
                str(row.birth.baby),
                format_local(row.birth.born_at, tz),
                row.birth.gestation.label if row.birth.gestation else "unknown",
                "Yes" if row.given_before_birth else "No",
                "" if row.hours_load_to_birth is None else f"{row.hours_load_to_birth:.1f}",
                outcome,
                "" if row.reason is None else row.reason.label,
            )
            self._set_row(index, row.episode.episode_uuid, cells)

    def _fill_pending(self, pending: tuple[EpisodeFacts, ...]) -> None:
        tz = self.context.tz
        shown = pending[:MAX_LIST_ROWS]
        self.case_table.setRowCount(len(shown))
        for index, episode in enumerate(shown):
            cells = (
                episode.episode_uuid[:8],
                "",
                f"created {format_local(episode.created_at, tz)}",
                "",
                "Yes" if any(c.load_started_at for c in episode.courses) else "No",
                "",
                episode.status,
                episode.not_given_code or "",
            )
            self._set_row(index, episode.episode_uuid, cells)

    def _set_row(self, index: int, episode_uuid: str, cells: tuple[str, ...]) -> None:
        for column, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, episode_uuid)
            if column == 0:
                item.setToolTip(episode_uuid)
            self.case_table.setItem(index, column, item)

    def _on_case_table_double_clicked(self, row: int, _column: int) -> None:
        self._open_row(row)

    def _on_open_button_clicked(self) -> None:
        self._open_row(self.case_table.currentRow())

    def _open_row(self, row: int) -> None:
        item = self.case_table.item(row, 0) if row >= 0 else None
        if item is not None:
            self.sig_open_episode.emit(str(item.data(Qt.ItemDataRole.UserRole)))

    # ------------------------------------------------------------------ charts

    def save_chart(self, chart_format: charts.ChartFormat) -> None:
        """Save the chart on the current tab as PNG or PDF (the file dialog asks where)."""
        key = CHART_TABS[max(0, self.chart_tabs.currentIndex())][0]
        figure = self.figures.get(key)
        if figure is None:
            self._say("Nothing to save yet: the record is still being read.", ToneName.INFO)
            return
        suffix = "PNG image (*.png)" if chart_format == "png" else "PDF document (*.pdf)"
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Save chart", f"mgso4-audit-{key}.{chart_format}", suffix
        )
        if not chosen:
            return
        path = Path(chosen)
        if path.suffix.lower() != f".{chart_format}":
            path = path.with_name(f"{path.name}.{chart_format}")
        try:
            charts.save_figure(figure, path, chart_format)
        except (AuditError, OSError) as exc:
            self._say(f"The chart was not saved: {exc}", ToneName.WARNING)
            return
        self._say(f"Chart saved: {path}", ToneName.OK)

    # ------------------------------------------------------------------ exports

    @property
    def export_level(self) -> ExportLevel:
        """The level chosen for the next export."""
        return ExportLevel(self.level_combo.currentData())

    def export(self, kind: str) -> None:
        """Export the selection's babies as CSV, XLSX or FHIR at the chosen level (file dialog;
        purpose and reason for an identifiable export)."""
        data = self.data
        if data is None:
            self._say("Nothing to export yet: the record is still being read.", ToneName.INFO)
            return
        file_filter = EXPORT_FILTERS[kind]
        level = self.export_level
        if kind == "fhir" and level is ExportLevel.SHAREABLE:
            self._say(
                "A FHIR export carries clock times, so it is never shareable: choose CSV or "
                "XLSX to share outside the unit, or the pseudonymised level for FHIR.",
                ToneName.WARNING,
            )
            return
        purpose: str | None = None
        reason: str | None = None
        recorded_by = self.context.user
        if level is ExportLevel.IDENTIFIABLE:
            if recorded_by is None:
                dialog = UserDialog(None, self)
                if dialog.exec() != UserDialog.DialogCode.Accepted or dialog.actor is None:
                    return
                self.context.user = recorded_by = dialog.actor
            answer = ask_export_reason(self)
            if answer is None:
                self._say("Identifiable export cancelled: no reason was given.", ToneName.INFO)
                return
            purpose, reason = answer
        format_key = cast(ExportFormat, kind)
        suggested = suggested_file_name(level, format_key, self.context.clock().date())
        chosen, _ = QFileDialog.getSaveFileName(self, "Export", suggested, file_filter)
        if not chosen:
            return
        date_from, date_to, filters = self.selection()
        # The child reads the record afresh (sending the loaded data across would cost this
        # thread more than the export): its rows and chain heads are of the same moment.
        asked = ExportJob(
            kind=format_key,
            record=_record_spec(self.context.store.path),
            out=chosen,
            level=level.value,
            purpose=purpose,
            reason=reason,
            date_from=date_from,
            date_to=date_to,
            filters=filters,
            tz=self.context.tz,
            recorded_by=recorded_by,
            protocol=self.context.protocol_ref,
            witnesses=(str(backup_folder(self.context.settings, self.context.training)),),
            reuse_verification=self.passed_verification,
        )
        self._start_process(
            f"Exporting {kind.upper()}",
            export_job,
            (asked,),
            self._on_exported,
            cancelled=str(Cancelled("The export")),
            outputs=export_outputs(asked),
        )

    def _on_exported(self, result: ExportResult) -> None:
        self.last_export = result
        if result.passed_verification is not None:
            self.passed_verification = result.passed_verification
        what = "identifiable, recorded in the record" if result.identifiable else result.level.value
        unit = "resources" if result.format == "fhir" else "babies"
        self._say(f"Exported {result.rows:,} {unit} ({what}) to {result.path}", ToneName.OK)
        if result.identifiable:
            self.context.changed()

    # ------------------------------------------------------------------ merge

    def _on_merge_button_clicked(self) -> None:
        # Whether the open record may receive other PCs' entries is
        # ``audit.merge.merge_target_refusal``'s rule, the same for ``mgso4 merge``.
        refusal = merge_target_refusal(self.context.store)
        if refusal is not None:
            self._say(refusal, ToneName.WARNING)
            return
        chosen, _ = QFileDialog.getOpenFileNames(
            self,
            "Choose records to merge into this one",
            "",
            "Records (*.sqlite3 *.db *.sqlite);;All files (*)",
        )
        if not chosen:
            return
        target = self.context.store.path
        answer = QMessageBox.question(
            self, "Merge records", merge_question([Path(item) for item in chosen], target)
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self._merge([Path(item) for item in chosen])

    def _merge(self, sources: list[Path], trust: tuple[str, ...] = ()) -> None:
        target = str(self.context.store.path)
        self._start_process(
            "Merging records",
            merge_job,
            (target, [str(source) for source in sources], tuple(trust)),
            self._on_merged,
            cancelled=str(Cancelled("The merge", MERGE_CANCELLED)),
            after_end=partial(recover_record, target),
        )

    def _on_merged(self, report: MergeReport) -> None:
        self.last_merge = report
        parts = []
        for source in report.sources:
            if source.refused:
                parts.append(source.refused)
            else:
                parts.append(
                    f"{source.path.name}: {source.added:,} entries added, {source.skipped:,} "
                    "already here"
                )
        # The merge summary stays on screen in front of the new counts.
        self._note = f"Merge: {' · '.join(parts)}. "
        self._note_tone = ToneName.OK if report.ok else ToneName.WARNING
        self.context.changed()
        self.reload()
        self._offer_trust(report)

    def _offer_trust(self, report: MergeReport) -> None:
        """Sources refused only for keys not known here: offer to trust them, once checked."""
        pending = [s for s in report.sources if s.refused and s.untrusted and not s.conflicts]
        if not pending:
            return
        labels = sorted({label for source in pending for label in source.untrusted})
        answer = QMessageBox.question(
            self,
            "Workstation keys not known on this computer",
            "These files are signed with keys this computer does not know:\n\n"
            + "\n".join(labels)
            + "\n\nOn each ward PC that wrote them, run “mgso4 verify” and compare the "
            "fingerprints it prints. Trust these keys and merge the files?",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self._merge([source.path for source in pending], trust=tuple(labels))
