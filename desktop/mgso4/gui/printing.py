"""Print preview and printing of the proforma PDFs.

:class:`PdfPreviewDialog` shows a PDF (completed proforma, blank form, handover) in a
``QPdfView`` with a fixed zoom and fixed scroll-bar policies. The fit modes (FitToWidth,
FitInView) are never used: with PySide6 6.12 they re-enter layout on every resize and can stall
the event loop. The PDF is made off the GUI thread by a :class:`PdfJob` on a thread pool; the
dialog shows a busy bar until the bytes arrive.

:func:`print_pdf` prints the PDF's own pages through the system print dialog. The print job is
named after the PDF's Title (the document kind and the episode reference, never the patient's
name: it shows in print queues). Where the platform allows, the PDF itself goes to the printer
as vectors: to a CUPS printer through ``lp`` (with the chosen pages and copies), to a PDF file
as the bytes themselves. Otherwise each page is rendered with ``QPdfDocument.render`` into a
``QPainter`` on the ``QPrinter`` (raster, 300 dpi); the page is placed at actual size on the
whole sheet when the printer's unprintable edges fit inside the PDF's own margins, and fitted
into the printable area only when they do not. Paper and preview come from the same PDF bytes.

Previews and prints borrow their ``QPdfDocument`` from :data:`PDF_DOCUMENTS` and give it back
when done, instead of making one each time: see :class:`PdfDocumentPool`.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import shiboken6
from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QCoreApplication,
    QIODevice,
    QObject,
    QRect,
    QSize,
    Qt,
    QThreadPool,
    Signal,
    Slot,
)
from PySide6.QtGui import QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mgso4.gui.widgets.screen_fit import fit_to_screen
from mgso4.reports import write_pdf_atomically

LOG = logging.getLogger(__name__)

#: Preview zoom: 100%. A fixed factor, never a fit mode (see the module docstring).
PREVIEW_ZOOM = 1.0

#: Highest resolution a page is rasterised at for printing. Printers report up to 1200 dpi;
#: an A4 page at that resolution is over 500 MB of pixels, while 300 dpi is sharp on paper.
MAX_PRINT_DPI = 300

_POINTS_PER_INCH = 72.0

#: The smallest margin the app's documents keep on every edge (the footer sits 7 mm from the
#: bottom; the banner 8 mm from the top; the sides 14 mm). A printer whose unprintable edges
#: are within this prints the page at actual size.
PDF_MARGIN_MM = 7.0

#: The print job's name when the PDF has no Title.
DEFAULT_JOB_NAME = "MgSO₄ document"

#: Seconds ``lp`` may take to queue a job.
LP_TIMEOUT_S = 30


class PdfError(RuntimeError):
    """A PDF that cannot be shown or printed; the message is for the user."""


@dataclass
class LentPdfDocument:
    """A document of the :class:`PdfDocumentPool`, lent to one preview or print."""

    document: QPdfDocument
    _pool: PdfDocumentPool = field(repr=False)
    _buffer: QBuffer | None = field(default=None, repr=False)
    returned: bool = False

    def load(self, pdf_bytes: bytes) -> bool:
        """Show these bytes in the document; True when they read as a PDF of one page or more.

        The bytes are read from a buffer that lives as long as the document needs it (until
        the next load or the return), whatever happens to the widget showing it.
        """
        buffer = QBuffer(self.document)
        buffer.setData(QByteArray(pdf_bytes))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.close()
        self.document.load(buffer)
        self._drop_buffer()
        self._buffer = buffer
        return self.document.status() == QPdfDocument.Status.Ready and (
            self.document.pageCount() > 0
        )

    def give_back(self, *_: object) -> None:
        """Close the document and return it to the pool (once; later calls do nothing)."""
        if self.returned:
            return
        self.returned = True
        if not shiboken6.isValid(self.document):
            return  # the application is being torn down
        self.document.close()
        self._drop_buffer()
        self._pool.take_back(self.document)

    def _drop_buffer(self) -> None:
        if self._buffer is not None and shiboken6.isValid(self._buffer):
            self._buffer.close()
            self._buffer.deleteLater()
        self._buffer = None


class PdfDocumentPool:
    """QtPdf documents lent to previews and prints and taken back, for the app's lifetime.

    QtPdf's PDF engine keeps a region of its memory for every document it has opened, even
    after the document is deleted: a preview made and closed 100 times grew the app by
    0.17-0.19 MB each time (about 150 KB resident in a new 1.7 MB region of the engine's
    own address pool per document, found with ``/proc/self/smaps``; not the C heap, not
    Python's). Reusing a few documents keeps it flat. A document serves one borrower at a
    time, holds nothing once given back, and is a child of the application, so it is
    deleted with it.
    """

    def __init__(self) -> None:
        self._free: list[QPdfDocument] = []

    def borrow(self) -> LentPdfDocument:
        """A closed document for one preview or print (a new one only when none is free)."""
        while self._free:
            document = self._free.pop()
            if shiboken6.isValid(document):
                return LentPdfDocument(document, self)
        app = QCoreApplication.instance()
        return LentPdfDocument(QPdfDocument(app) if app is not None else QPdfDocument(), self)

    def take_back(self, document: QPdfDocument) -> None:
        """A closed document back in the pool."""
        if not any(free is document for free in self._free):
            self._free.append(document)

    @property
    def free(self) -> int:
        """Documents ready to lend."""
        return len(self._free)


#: The app's one pool of PDF documents.
PDF_DOCUMENTS = PdfDocumentPool()


def load_pdf(pdf_bytes: bytes, parent: QObject | None = None) -> tuple[QPdfDocument, QBuffer]:
    """Open PDF bytes as a ``QPdfDocument``.

    The buffer is returned too: the document reads from it, so the caller keeps both alive.

    Raises:
        PdfError: The bytes are not a readable PDF.
    """
    buffer = QBuffer(parent)
    buffer.setData(QByteArray(pdf_bytes))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument(parent) if parent is not None else QPdfDocument()
    document.load(buffer)
    if document.status() != QPdfDocument.Status.Ready or document.pageCount() < 1:
        raise PdfError(f"The document could not be read as a PDF ({document.error().name}).")
    return document, buffer


def job_name(document: QPdfDocument) -> str:
    """The print job's name: the PDF's Title (document kind and episode reference)."""
    title = document.metaData(QPdfDocument.MetaDataField.Title)
    text = str(title).strip() if title else ""
    return text or DEFAULT_JOB_NAME


def _page_range(document: QPdfDocument, printer: QPrinter) -> tuple[int, int]:
    """First and last page index (0-based) the user chose."""
    first, last = 0, document.pageCount() - 1
    if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
        first = printer.fromPage() - 1
        last = min(last, max(first, printer.toPage() - 1))
    return first, last


def use_full_page(printer: QPrinter) -> bool:
    """Place pages on the whole sheet at actual size: the printer's unprintable edges all fit
    inside the PDF's own margins (so nothing is lost and nothing needs shrinking)."""
    edges = printer.pageLayout().minimumMargins()  # points
    limit = PDF_MARGIN_MM / 25.4 * _POINTS_PER_INCH
    return max(edges.left(), edges.top(), edges.right(), edges.bottom()) <= limit


def page_target(printer: QPrinter, page_pixels: QSize, area: QRect) -> QRect:
    """Where a page image goes: the painter's whole area, keeping the page's shape."""
    scaled = page_pixels.scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
    return QRect(area.x(), area.y(), scaled.width(), scaled.height())


def _render_pages(document: QPdfDocument, printer: QPrinter) -> int:
    """Paint the chosen pages of the document onto the printer; returns pages printed."""
    first, last = _page_range(document, printer)
    # On the whole sheet the PDF's own margins are kept at actual size; the printable-area
    # fit would shrink every page by the printer's unprintable edges a second time.
    printer.setFullPage(use_full_page(printer))
    dpi = min(printer.resolution(), MAX_PRINT_DPI)
    painter = QPainter()
    if not painter.begin(printer):
        raise PdfError("The printer could not be started; check it is connected and ready.")
    printed = 0
    try:
        for index in range(first, last + 1):
            if printed:
                printer.newPage()
            points = document.pagePointSize(index)
            pixels = QSize(
                round(points.width() / _POINTS_PER_INCH * dpi),
                round(points.height() / _POINTS_PER_INCH * dpi),
            )
            image = document.render(index, pixels)
            # The whole sheet (full page) or the printable area, keeping the page's shape.
            painter.drawImage(page_target(printer, pixels, painter.viewport()), image)
            printed += 1
    finally:
        painter.end()
    return printed


def print_pdf(parent: QWidget | None, pdf_bytes: bytes) -> bool:
    """Print a PDF's pages through the system print dialog.

    Args:
        parent: The window the print dialog belongs to.
        pdf_bytes: The document to print.

    Returns:
        True when the pages were sent to the printer, False when the user cancelled.

    Raises:
        PdfError: The bytes are not a readable PDF or the printer could not be started.
    """
    lent = PDF_DOCUMENTS.borrow()
    try:
        return _print_document(parent, lent, pdf_bytes)
    finally:
        lent.give_back()


def _print_document(parent: QWidget | None, lent: LentPdfDocument, pdf_bytes: bytes) -> bool:
    if not lent.load(pdf_bytes):
        raise PdfError(f"The document could not be read as a PDF ({lent.document.error().name}).")
    document = lent.document
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    name = job_name(document)
    printer.setDocName(name)
    printer.setFromTo(1, document.pageCount())
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("Print")
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    first, last = _page_range(document, printer)
    whole = first == 0 and last == document.pageCount() - 1
    if _send_as_vectors(printer, pdf_bytes, name, first, last, whole=whole):
        LOG.info("Sent %d page(s) as the PDF itself", last - first + 1)
        return True
    pages = _render_pages(document, printer)
    LOG.info("Printed %d page(s) as images", pages)
    return True


def _send_as_vectors(
    printer: QPrinter, pdf_bytes: bytes, name: str, first: int, last: int, *, whole: bool
) -> bool:
    """Send the PDF itself (text and lines as vectors) where the platform allows; False when
    the raster path must be used.

    A PDF file chosen in the print dialog gets the bytes themselves (whole document only); a
    CUPS printer gets the PDF through ``lp`` with the chosen pages and copies.

    Raises:
        PdfError: ``lp`` refused the job (its message says why).
    """
    if printer.outputFormat() == QPrinter.OutputFormat.PdfFormat:
        target = printer.outputFileName()
        if not target or not whole:
            return False
        write_pdf_atomically(pdf_bytes, Path(target))
        return True
    lp = shutil.which("lp")
    queue = printer.printerName()
    if sys.platform == "win32" or lp is None or not queue:
        return False
    command = [lp, "-d", queue, "-t", name, "-n", str(max(1, printer.copyCount()))]
    if not whole:
        command += ["-P", f"{first + 1}-{last + 1}"]
    if printer.duplex() in (
        QPrinter.DuplexMode.DuplexLongSide,
        QPrinter.DuplexMode.DuplexAuto,
    ):
        command += ["-o", "sides=two-sided-long-edge"]
    handle, temp = tempfile.mkstemp(prefix="mgso4-print-", suffix=".pdf")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(pdf_bytes)
        result = subprocess.run(
            [*command, "--", temp],
            capture_output=True,
            text=True,
            timeout=LP_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        LOG.warning("lp could not be run (%s); printing as images", exc)
        return False
    finally:
        Path(temp).unlink(missing_ok=True)
    if result.returncode != 0:
        message = (result.stderr or result.stdout).strip().splitlines()
        raise PdfError(
            "The printer refused the job: " + (message[0] if message else "no reason given")
        )
    return True


class PdfJob(QObject):
    """Makes a PDF on a worker thread and hands the bytes back on the GUI thread.

    The work is a plain function returning PDF bytes (e.g. a ``functools.partial`` of
    ``render_proforma``); it never touches widgets. The signals are emitted from the worker
    thread and reach slots on the GUI thread through queued connections, because this object
    lives on the GUI thread.
    """

    sig_progress = Signal(str)
    """What the job is doing, in a few words."""
    sig_finished = Signal(object)
    """The PDF bytes."""
    sig_failed = Signal(str)
    """The job failed; the message is for the user."""

    def __init__(self, make_pdf: Callable[[], bytes], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._make_pdf = make_pdf
        self.running = False

    def start(self, pool: QThreadPool | None = None) -> None:
        """Run the job on the pool (the global pool by default)."""
        self.running = True
        (pool or QThreadPool.globalInstance()).start(self.run)

    def run(self) -> None:
        """The worker-thread body: make the PDF and report the outcome by signal."""
        self.sig_progress.emit("Preparing the PDF…")
        try:
            data = self._make_pdf()
            if not isinstance(data, bytes) or not data.startswith(b"%PDF-"):
                raise PdfError("The document maker did not return a PDF.")
        except Exception as exc:
            LOG.exception("PDF generation failed")
            self.running = False
            self.sig_failed.emit(f"The PDF could not be made: {exc}")
            return
        self.running = False
        self.sig_finished.emit(data)


class PdfPreviewDialog(QDialog):
    """Preview a PDF at a fixed zoom, then print it, save it, or close.

    Give it bytes with :meth:`set_pdf`, or a function that makes them with :meth:`start_job`
    (run off the GUI thread, with a busy bar until done).
    """

    sig_pdf_ready = Signal(object)
    """The PDF bytes are loaded into the preview."""
    sig_printed = Signal()
    """The PDF was sent to the printer."""
    sig_saved = Signal(str)
    """The PDF was saved to this path."""

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        title: str = "Print preview",
        suggested_file_name: str = "proforma.pdf",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        fit_to_screen(self, 900, 1000)
        self._pdf_bytes: bytes | None = None
        self._job: PdfJob | None = None
        self._suggested_file_name = suggested_file_name

        # Borrowed, not made: see PdfDocumentPool. Given back when the dialog is deleted
        # (its view, a child, is gone by then).
        self._lent = PDF_DOCUMENTS.borrow()
        self.destroyed.connect(self._lent.give_back)
        self.document = self._lent.document
        self.view = QPdfView(self)
        self.view.setAccessibleName("PDF preview")
        self.view.setAccessibleDescription("The document as it will print, page by page.")
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(PREVIEW_ZOOM)
        # Fixed policies: scroll bars that come and go would re-run the layout on each change.
        self.view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.view.setDocument(self.document)

        self.status_label = QLabel("No document yet.", self)
        self.status_label.setAccessibleName("Preview status")
        self.page_count_label = QLabel("", self)
        self.page_count_label.setAccessibleName("Page count")
        self.progress = QProgressBar(self)
        self.progress.setAccessibleName("Preparing the PDF")
        self.progress.setRange(0, 0)  # busy indicator: no percentage is known
        self.progress.setTextVisible(False)
        self.progress.setVisible(False)

        self.print_button = QPushButton("&Print…", self)
        self.print_button.setAccessibleName("Print")
        self.print_button.setAccessibleDescription("Choose a printer and print every page.")
        self.save_button = QPushButton("&Save PDF…", self)
        self.save_button.setAccessibleName("Save PDF")
        self.save_button.setAccessibleDescription("Save the document as a PDF file.")
        self.close_button = QPushButton("&Close", self)
        self.close_button.setAccessibleName("Close")
        buttons = QDialogButtonBox(self)
        buttons.setAccessibleName("Preview actions")
        buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.RejectRole)

        status_row = QHBoxLayout()
        status_row.addWidget(self.status_label, 1)
        status_row.addWidget(self.progress)
        status_row.addWidget(self.page_count_label)
        layout = QVBoxLayout(self)
        layout.addLayout(status_row)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)

        self.print_button.clicked.connect(self._on_print_clicked)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.close_button.clicked.connect(self.reject)
        self._set_ready(False)
        self.close_button.setFocus()

    # ------------------------------------------------------------------ public

    @property
    def pdf_bytes(self) -> bytes | None:
        """The document shown, or None before one arrives."""
        return self._pdf_bytes

    def set_pdf(self, pdf_bytes: bytes) -> None:
        """Show a PDF in the preview."""
        if not self._lent.load(pdf_bytes):
            self._show_failure("The document could not be read as a PDF.")
            return
        self._pdf_bytes = pdf_bytes
        pages = self.document.pageCount()
        self.page_count_label.setText(f"{pages} page" + ("" if pages == 1 else "s"))
        self.status_label.setText("Ready to print.")
        self.progress.setVisible(False)
        self._set_ready(True)
        self.sig_pdf_ready.emit(pdf_bytes)

    def start_job(self, make_pdf: Callable[[], bytes], pool: QThreadPool | None = None) -> PdfJob:
        """Make the PDF off the GUI thread; the preview fills in when it is done."""
        # No Qt parent: the worker may still hold the job when the dialog closes; Qt drops the
        # connections to a destroyed dialog, and Python keeps the job alive until run() ends.
        job = PdfJob(make_pdf)
        job.sig_progress.connect(self._on_job_progress)
        job.sig_finished.connect(self._on_job_finished)
        job.sig_failed.connect(self._on_job_failed)
        self._job = job
        self._set_ready(False)
        self.progress.setVisible(True)
        self.status_label.setText("Preparing the PDF…")
        job.start(pool)
        return job

    # ------------------------------------------------------------------ slots

    @Slot(str)
    def _on_job_progress(self, message: str) -> None:
        self.status_label.setText(message)

    @Slot(object)
    def _on_job_finished(self, pdf_bytes: object) -> None:
        assert isinstance(pdf_bytes, bytes)
        self.set_pdf(pdf_bytes)

    @Slot(str)
    def _on_job_failed(self, message: str) -> None:
        self._show_failure(message)

    @Slot()
    def _on_print_clicked(self) -> None:
        if self._pdf_bytes is None:
            return
        try:
            printed = print_pdf(self, self._pdf_bytes)
        except PdfError as exc:
            QMessageBox.critical(self, "Print", str(exc))
            return
        if printed:
            self.status_label.setText("Sent to the printer.")
            self.sig_printed.emit()

    @Slot()
    def _on_save_clicked(self) -> None:
        if self._pdf_bytes is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Save PDF", self._suggested_file_name, "PDF documents (*.pdf)"
        )
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        try:
            write_pdf_atomically(self._pdf_bytes, Path(path))
        except OSError as exc:
            QMessageBox.critical(self, "Save PDF", f"The PDF was not saved to {path}: {exc}")
            return
        self.status_label.setText(f"Saved to {path}.")
        self.sig_saved.emit(path)

    # ------------------------------------------------------------------ helpers

    def _set_ready(self, ready: bool) -> None:
        self.print_button.setEnabled(ready)
        self.save_button.setEnabled(ready)

    def _show_failure(self, message: str) -> None:
        self.progress.setVisible(False)
        self.status_label.setText(message)
        self._set_ready(False)
