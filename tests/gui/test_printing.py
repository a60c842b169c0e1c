"""Print preview and printing: fixed zoom, PDF made off the GUI thread, pages to the printer."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest
import shiboken6
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialog, QProgressBar, QWidget

from mgso4.core.protocol import ProtocolLibrary, load_preparations_file
from mgso4.gui import printing
from mgso4.gui.printing import PDF_DOCUMENTS, PdfJob, PdfPreviewDialog, print_pdf
from mgso4.reports import render_blank
from mgso4.resources import resource_path

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def blank_pdf() -> bytes:
    protocol = ProtocolLibrary(resource_path("protocols")).load("uk-nice-ng25")
    preparations = load_preparations_file(resource_path("preparations.toml"))
    return render_blank(protocol, preparations, None, unit_name="Test Unit")


def page_count(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def dialog(qtbot) -> PdfPreviewDialog:
    widget = PdfPreviewDialog(title="Preview")
    qtbot.addWidget(widget)
    return widget


def test_preview_shows_the_page_count(dialog: PdfPreviewDialog, blank_pdf: bytes) -> None:
    dialog.set_pdf(blank_pdf)
    assert dialog.document.pageCount() == page_count(blank_pdf)
    assert dialog.page_count_label.text() == f"{page_count(blank_pdf)} pages"


def test_preview_zoom_is_a_fixed_factor_never_a_fit_mode(
    dialog: PdfPreviewDialog, blank_pdf: bytes, qtbot
) -> None:
    dialog.set_pdf(blank_pdf)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.resize(700, 800)
    assert dialog.view.zoomMode() == QPdfView.ZoomMode.Custom
    assert dialog.view.zoomFactor() == printing.PREVIEW_ZOOM
    assert dialog.view.verticalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOn
    assert dialog.view.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOn


def test_print_and_save_wait_for_a_document(dialog: PdfPreviewDialog, blank_pdf: bytes) -> None:
    assert not dialog.print_button.isEnabled()
    assert not dialog.save_button.isEnabled()
    dialog.set_pdf(blank_pdf)
    assert dialog.print_button.isEnabled()
    assert dialog.save_button.isEnabled()


def test_every_control_has_an_accessible_name(dialog: PdfPreviewDialog) -> None:
    controls: list[QWidget] = [
        *dialog.findChildren(QAbstractButton),
        *dialog.findChildren(QProgressBar),
        dialog.view,
    ]
    assert len(controls) >= 5
    assert all(control.accessibleName() for control in controls)


def test_pdf_is_made_on_a_worker_thread_and_reaches_the_dialog(
    dialog: PdfPreviewDialog, blank_pdf: bytes, qtbot
) -> None:
    threads: list[int] = []

    def make() -> bytes:
        threads.append(threading.get_ident())
        return blank_pdf

    with qtbot.waitSignal(dialog.sig_pdf_ready, timeout=10_000) as blocker:
        dialog.start_job(make)
    assert blocker.args[0] == blank_pdf
    assert threads and threads[0] != threading.get_ident()
    assert dialog.page_count_label.text() == f"{page_count(blank_pdf)} pages"
    assert not dialog.progress.isVisible()


def test_busy_bar_shows_until_the_pdf_arrives(
    dialog: PdfPreviewDialog, blank_pdf: bytes, qtbot
) -> None:
    release = threading.Event()

    def make() -> bytes:
        release.wait(10)
        return blank_pdf

    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.start_job(make)
    assert dialog.progress.isVisible()
    assert dialog.progress.maximum() == 0  # busy indicator
    assert not dialog.print_button.isEnabled()
    with qtbot.waitSignal(dialog.sig_pdf_ready, timeout=10_000):
        release.set()
    assert not dialog.progress.isVisible()


def test_failed_generation_shows_the_reason_and_keeps_print_off(
    dialog: PdfPreviewDialog, qtbot
) -> None:
    def make() -> bytes:
        raise ValueError("the protocol file is missing")

    job = PdfJob(make)
    job.sig_failed.connect(dialog._on_job_failed)
    with qtbot.waitSignal(job.sig_failed, timeout=10_000):
        job.start()
    assert "the protocol file is missing" in dialog.status_label.text()
    assert not dialog.print_button.isEnabled()


def test_job_that_returns_no_pdf_fails(qtbot) -> None:
    job = PdfJob(lambda: b"not a pdf")
    with qtbot.waitSignal(job.sig_failed, timeout=10_000) as blocker:
        job.start()
    assert "did not return a PDF" in blocker.args[0]


class FakePrintDialog:
    """Stands in for QPrintDialog so no modal dialog runs in tests."""

    result = QDialog.DialogCode.Accepted

    def __init__(self, printer: QPrinter, parent: QWidget | None = None) -> None:
        self.printer = printer

    def setWindowTitle(self, title: str) -> None:
        pass

    def exec(self) -> QDialog.DialogCode:
        return self.result


@pytest.fixture
def print_to_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Accept the print dialog and send the printer's output to a PDF file."""
    out = tmp_path / "printed.pdf"

    class FilePrinter(QPrinter):
        def __init__(self, mode: QPrinter.PrinterMode) -> None:
            super().__init__(mode)
            self.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            self.setOutputFileName(str(out))

    FakePrintDialog.result = QDialog.DialogCode.Accepted
    monkeypatch.setattr(printing, "QPrintDialog", FakePrintDialog)
    monkeypatch.setattr(printing, "QPrinter", FilePrinter)
    return out


def test_print_sends_every_page_to_the_printer(print_to_file: Path, blank_pdf: bytes) -> None:
    assert print_pdf(None, blank_pdf) is True
    assert page_count(print_to_file.read_bytes()) == page_count(blank_pdf)


def test_cancelled_print_dialog_prints_nothing(print_to_file: Path, blank_pdf: bytes) -> None:
    FakePrintDialog.result = QDialog.DialogCode.Rejected
    assert print_pdf(None, blank_pdf) is False
    assert not print_to_file.exists()


def test_print_button_prints_and_says_so(
    print_to_file: Path, dialog: PdfPreviewDialog, blank_pdf: bytes, qtbot
) -> None:
    dialog.set_pdf(blank_pdf)
    with qtbot.waitSignal(dialog.sig_printed, timeout=10_000):
        qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    assert print_to_file.exists()
    assert dialog.status_label.text() == "Sent to the printer."


def test_print_of_bytes_that_are_not_a_pdf_is_refused(print_to_file: Path) -> None:
    with pytest.raises(printing.PdfError, match="could not be read"):
        print_pdf(None, b"%PDF-1.4 broken")


def test_save_writes_the_shown_pdf(
    dialog: PdfPreviewDialog,
    blank_pdf: bytes,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    qtbot,
) -> None:
    target = tmp_path / "copy"
    monkeypatch.setattr(
        printing.QFileDialog,
        "getSaveFileName",
        staticmethod(lambda *args, **kwargs: (str(target), "PDF documents (*.pdf)")),
    )
    dialog.set_pdf(blank_pdf)
    with qtbot.waitSignal(dialog.sig_saved, timeout=5_000) as blocker:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    saved = Path(blocker.args[0])
    assert saved.name == "copy.pdf"
    assert saved.read_bytes() == blank_pdf


def test_save_cancelled_writes_nothing(
    dialog: PdfPreviewDialog,
    blank_pdf: bytes,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setattr(
        printing.QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: ("", ""))
    )
    dialog.set_pdf(blank_pdf)
    dialog.save_button.click()
    assert list(tmp_path.iterdir()) == []


def test_dialog_title_is_also_its_accessible_name(qtbot) -> None:
    widget = PdfPreviewDialog(title="Handover preview")
    qtbot.addWidget(widget)
    assert widget.windowTitle() == "Handover preview"
    assert widget.accessibleName() == "Handover preview"


# --------------------------------------------------------------------------- issue 16


class _StubPrinter:
    """The parts of a QPrinter that the vector path reads."""

    def __init__(self, queue: str = "ward-1", copies: int = 2) -> None:
        self.queue = queue
        self.copies = copies

    def outputFormat(self) -> QPrinter.OutputFormat:
        return QPrinter.OutputFormat.NativeFormat

    def printerName(self) -> str:
        return self.queue

    def copyCount(self) -> int:
        return self.copies

    def duplex(self) -> QPrinter.DuplexMode:
        return QPrinter.DuplexMode.DuplexNone


def test_print_job_is_named_after_the_pdf_title_not_the_patient(
    print_to_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "reports"))
    from report_builders import PRINTED_AT, UNIT, build_standard

    from mgso4.reports import render_proforma

    protocol = ProtocolLibrary(resource_path("protocols")).load("uk-nice-ng25")
    preparations = load_preparations_file(resource_path("preparations.toml"))
    scenario = build_standard(protocol)
    pdf = render_proforma(
        scenario.state,
        protocol,
        preparations,
        unit_name=UNIT,
        chain_head=scenario.head,
        printed_at=PRINTED_AT,
    )
    names: list[str] = []
    real = QPrinter.setDocName
    monkeypatch.setattr(
        QPrinter, "setDocName", lambda self, name: (names.append(name), real(self, name))[1]
    )
    assert print_pdf(None, pdf) is True
    assert names == [f"MgSO₄ proforma – episode {scenario.state.uuid[:8]}"]
    assert scenario.state.patient.name not in names[0]


def test_printing_to_a_pdf_file_writes_the_pdf_itself_as_vectors(
    print_to_file: Path, blank_pdf: bytes
) -> None:
    # Not 300-dpi images: the file is the document, with its text layer.
    assert print_pdf(None, blank_pdf) is True
    assert print_to_file.read_bytes() == blank_pdf


def test_a_cups_printer_gets_the_pdf_through_lp_with_name_pages_and_copies(
    monkeypatch: pytest.MonkeyPatch, blank_pdf: bytes
) -> None:
    sent: dict[str, object] = {}

    def fake_run(command: list[str], **_: object) -> object:
        sent["command"] = command
        sent["bytes"] = Path(command[-1]).read_bytes()

        class Done:
            returncode = 0
            stdout = "request id is ward-1-7 (1 file(s))"
            stderr = ""

        return Done()

    monkeypatch.setattr(printing.shutil, "which", lambda name: "/usr/bin/lp")
    monkeypatch.setattr(printing.subprocess, "run", fake_run)
    monkeypatch.setattr(printing.sys, "platform", "linux")
    sent_ok = printing._send_as_vectors(
        _StubPrinter(), blank_pdf, "MgSO₄ proforma – episode e0a1b2c3", 1, 2, whole=False
    )
    assert sent_ok is True
    command = sent["command"]
    assert isinstance(command, list)
    assert command[:7] == [
        "/usr/bin/lp",
        "-d",
        "ward-1",
        "-t",
        "MgSO₄ proforma – episode e0a1b2c3",
        "-n",
        "2",
    ]
    assert command[7:9] == ["-P", "2-3"]
    assert sent["bytes"] == blank_pdf
    assert not Path(command[-1]).exists()  # the temporary copy is removed


def test_without_lp_the_raster_path_is_used(
    monkeypatch: pytest.MonkeyPatch, blank_pdf: bytes
) -> None:
    monkeypatch.setattr(printing.shutil, "which", lambda name: None)
    assert printing._send_as_vectors(_StubPrinter(), blank_pdf, "x", 0, 1, whole=True) is False


def test_a_refused_lp_job_says_why(monkeypatch: pytest.MonkeyPatch, blank_pdf: bytes) -> None:
    class Refused:
        returncode = 1
        stdout = ""
        stderr = "lp: The printer or class does not exist.\n"

    monkeypatch.setattr(printing.shutil, "which", lambda name: "/usr/bin/lp")
    monkeypatch.setattr(printing.subprocess, "run", lambda *a, **k: Refused())
    monkeypatch.setattr(printing.sys, "platform", "linux")
    with pytest.raises(printing.PdfError, match="does not exist"):
        printing._send_as_vectors(_StubPrinter(), blank_pdf, "x", 0, 1, whole=True)


def test_pages_are_not_shrunk_when_the_pdf_margins_cover_the_printer_edges(qtbot) -> None:
    from PySide6.QtCore import QMarginsF, QRect, QSize
    from PySide6.QtGui import QPageLayout, QPageSize

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    layout = QPageLayout(
        QPageSize(QPageSize.PageSizeId.A4),
        QPageLayout.Orientation.Portrait,
        QMarginsF(0, 0, 0, 0),
        QPageLayout.Unit.Point,
        QMarginsF(12, 12, 12, 12),  # 4.2 mm unprintable edges: inside the PDF's 7 mm
    )
    printer.setPageLayout(layout)
    assert printing.use_full_page(printer) is True
    sheet = QRect(0, 0, 2480, 3508)  # A4 at 300 dpi
    assert printing.page_target(printer, QSize(2480, 3508), sheet) == sheet
    wide = QPageLayout(
        QPageSize(QPageSize.PageSizeId.A4),
        QPageLayout.Orientation.Portrait,
        QMarginsF(0, 0, 0, 0),
        QPageLayout.Unit.Point,
        QMarginsF(30, 30, 30, 30),  # 10.6 mm: larger than the PDF's margin
    )
    printer.setPageLayout(wide)
    assert printing.use_full_page(printer) is False


# --------------------------------------------------------------------------- the documents


def live_documents() -> int:
    """QtPdf documents alive in the application."""
    app = QApplication.instance()
    assert app is not None
    return len(app.findChildren(QPdfDocument))


def test_previews_one_after_another_reuse_one_document(qtbot, blank_pdf: bytes) -> None:
    # The PDF engine keeps memory for every document it ever opened (0.17-0.19 MB per
    # preview in the soak benchmark), so previews borrow documents instead of making them.
    documents = set()
    before = live_documents()
    for _ in range(5):
        preview = PdfPreviewDialog(title="Preview")
        preview.set_pdf(blank_pdf)
        assert preview.document.pageCount() == page_count(blank_pdf)
        documents.add(id(preview.document))
        preview.deleteLater()
        qtbot.waitUntil(lambda p=preview: not shiboken6.isValid(p), timeout=5_000)

    assert len(documents) == 1
    assert live_documents() <= max(before, 1)


def test_a_preview_deleted_with_its_window_gives_its_document_back(qtbot, blank_pdf: bytes) -> None:
    window = QWidget()
    preview = PdfPreviewDialog(window, title="Preview")
    preview.set_pdf(blank_pdf)
    document = preview.document
    free = PDF_DOCUMENTS.free

    window.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(preview), timeout=5_000)

    assert PDF_DOCUMENTS.free == free + 1
    assert document.pageCount() == 0  # closed: holds no PDF


def test_two_previews_at_once_each_have_their_own_document(
    dialog: PdfPreviewDialog, blank_pdf: bytes, qtbot
) -> None:
    other = PdfPreviewDialog(title="Other")
    qtbot.addWidget(other)
    dialog.set_pdf(blank_pdf)
    other.set_pdf(blank_pdf)

    assert other.document is not dialog.document
    assert dialog.document.pageCount() == other.document.pageCount() == page_count(blank_pdf)


@pytest.mark.parametrize("answer", ["printed", "cancelled", "not a pdf"])
def test_a_print_gives_its_document_back_however_it_ends(
    print_to_file: Path, blank_pdf: bytes, answer: str
) -> None:
    free = PDF_DOCUMENTS.free
    if answer == "cancelled":
        FakePrintDialog.result = QDialog.DialogCode.Rejected
    if answer == "not a pdf":
        with pytest.raises(printing.PdfError):
            print_pdf(None, b"%PDF-1.4 broken")
    else:
        assert print_pdf(None, blank_pdf) is (answer == "printed")

    assert PDF_DOCUMENTS.free == max(free, 1)
