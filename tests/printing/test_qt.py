"""Qt print support: a slip painted into a QPrinter writing a PDF file."""

from __future__ import annotations

import pypdf
import pytest

from app.printing.slip_pdf import slip_pdf
from app.services.context import Context
from app.services.slips import slip_for
from tests.printing.conftest import mm, render_pages


@pytest.mark.parametrize("width", [58, 80])
def test_slip_through_a_qprinter(qtbot, store_shop: Context, sale, tmp_path, width: int) -> None:
    from PySide6.QtPrintSupport import QPrinter

    from app.printing.qt import match_page_size, paint_pdf, pdf_document

    source = slip_pdf(slip_for(store_shop, str(sale.sale_id)), width)
    out = tmp_path / "through-qt.pdf"
    document = pdf_document(source)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out))
    match_page_size(document, printer)
    assert paint_pdf(document, printer) == 1

    reader = pypdf.PdfReader(out)
    assert len(reader.pages) == 1
    original = pypdf.PdfReader(__import__("io").BytesIO(source)).pages[0].mediabox
    box = reader.pages[0].mediabox
    assert abs(mm(box.width) - width) < 0.5
    assert abs(mm(box.height) - mm(original.height)) < 0.5
    # the painted page is not blank: dark pixels where the slip has text
    image = render_pages(out.read_bytes(), dpi=100)[0].convert("L")
    dark = sum(image.histogram()[:100])
    assert dark > 1000


def test_save_as_pdf_helper(qtbot, store_shop: Context, sale, tmp_path) -> None:
    from app.printing.qt import save_as_pdf

    out = tmp_path / "saved.pdf"
    assert save_as_pdf(slip_pdf(slip_for(store_shop, str(sale.sale_id)), 80), out) == 1
    assert out.read_bytes().startswith(b"%PDF")


def test_preview_dialog_paints_pages(qtbot, store_shop: Context, sale, monkeypatch) -> None:
    from PySide6.QtPrintSupport import QPrintPreviewDialog

    from app.printing import qt

    painted: list[int] = []

    def fake_exec(dialog: QPrintPreviewDialog) -> int:
        # what the dialog does on show: ask for the pages on its own printer
        dialog.paintRequested.emit(dialog.printer())
        painted.append(dialog.printer().pageLayout().fullRectPoints().width())
        return 1

    monkeypatch.setattr(QPrintPreviewDialog, "exec", fake_exec)
    assert qt.preview_pdf(slip_pdf(slip_for(store_shop, str(sale.sale_id)), 58)) is True
    assert len(painted) == 1 and abs(painted[0] - 58 * 72 / 25.4) < 2
