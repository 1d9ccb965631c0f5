"""Printing a PDF through the installed printer driver: Qt's print preview, any printer, or PDF.

Qt is imported inside the functions so that the rest of app.printing, the services and the
command line never load PySide6.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtCore import QRect, QSize
    from PySide6.QtPdf import QPdfDocument
    from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
    from PySide6.QtWidgets import QWidget


def pdf_document(pdf: bytes) -> QPdfDocument:
    """The PDF bytes opened with QtPdf (the buffer stays attached to the document)."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtPdf import QPdfDocument

    document = QPdfDocument()
    buffer = QBuffer(document)  # parented: lives exactly as long as the document
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document.load(buffer)
    return document


def match_page_size(document: QPdfDocument, printer: QPrinter) -> None:
    """Give the printer the PDF's own page size (a slip's roll length, a CR80 card), no margins."""
    from PySide6.QtCore import QMarginsF, QSizeF
    from PySide6.QtGui import QPageLayout, QPageSize

    if document.pageCount() == 0:
        return
    points = document.pagePointSize(0)
    millimetres = QSizeF(points.width() * 25.4 / 72, points.height() * 25.4 / 72)
    # ExactMatch: Qt would otherwise snap a slip's length to the nearest standard paper
    exact = QPageSize.SizeMatchPolicy.ExactMatch
    size = QPageSize(millimetres, QPageSize.Unit.Millimeter, "Dangol", exact)
    portrait = QPageLayout.Orientation.Portrait
    printer.setFullPage(True)
    printer.setPageLayout(QPageLayout(size, portrait, QMarginsF(0, 0, 0, 0)))


def paint_pdf(document: QPdfDocument, printer: QPrinter) -> int:
    """Render each page at the printer's resolution and paint it; returns the pages painted."""
    from PySide6.QtCore import QRect, QSize, Qt
    from PySide6.QtGui import QPainter

    count = document.pageCount()
    painter = QPainter()
    if count == 0 or not painter.begin(printer):
        return 0
    try:
        dpi = printer.resolution()
        for index in range(count):
            if index:
                printer.newPage()
            points = document.pagePointSize(index)
            pixels = QSize(round(points.width() * dpi / 72), round(points.height() * dpi / 72))
            target = painter.viewport()
            fitted = pixels.scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
            painter.drawImage(QRect(target.topLeft(), fitted), document.render(index, pixels))
    finally:
        painter.end()
    return count


# the preview's own width: its whole toolbar (about 800 px) and a margin, no "»" overflow
PREVIEW_WIDTH = 960
# a window's title bar above the size asked for (the free area counts the frame too)
TITLE_BAR = 32


def fit_preview(dialog: QWidget, free: QRect | None = None) -> QSize:
    """Size the preview to the screen's free area: its full height and enough width for the
    whole toolbar (never wider than the screen); centred; returns the size given."""
    from PySide6.QtCore import QSize
    from PySide6.QtWidgets import QToolBar

    if free is None:
        anchor = dialog.parentWidget() or dialog
        screen = anchor.screen()
        if screen is None:
            return dialog.size()
        free = screen.availableGeometry()
    toolbar = dialog.findChild(QToolBar)
    wanted = max(PREVIEW_WIDTH, toolbar.sizeHint().width() + 40 if toolbar else 0)
    size = QSize(min(wanted, free.width()), max(free.height() - TITLE_BAR, 200))
    dialog.resize(size)
    dialog.move(free.x() + (free.width() - size.width()) // 2, free.y())
    return size


def preview_dialog(pdf: bytes, parent: QWidget | None = None) -> QPrintPreviewDialog:
    """Qt's print preview of the PDF on a printer of the PDF's page size, sized to the screen."""
    from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog

    document = pdf_document(pdf)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    match_page_size(document, printer)
    dialog = QPrintPreviewDialog(printer, parent)
    dialog.setObjectName("printPreview")
    # the dialog keeps what it paints from: the printer and the document live as long as it does
    dialog._dangol_parts = (printer, document)  # type: ignore[attr-defined]
    dialog.paintRequested.connect(lambda target: paint_pdf(document, target))
    fit_preview(dialog)
    return dialog


def preview_pdf(pdf: bytes, parent: QWidget | None = None) -> bool:
    """Qt's print preview of the PDF; the user prints to any printer (or to PDF) from there."""
    dialog = preview_dialog(pdf, parent)
    try:
        return bool(dialog.exec())
    finally:
        dialog.paintRequested.disconnect()
        dialog.deleteLater()


def print_pdf(pdf: bytes, printer_name: str | None = None) -> int:
    """Straight to an installed printer (the default one without a name); pages printed."""
    from PySide6.QtPrintSupport import QPrinter

    document = pdf_document(pdf)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    if printer_name:
        printer.setPrinterName(printer_name)
    match_page_size(document, printer)
    return paint_pdf(document, printer)


def save_as_pdf(pdf: bytes, path: str | Path) -> int:
    """Through Qt's own PDF printer, the path a driver-less "print to PDF" takes."""
    from PySide6.QtPrintSupport import QPrinter

    document = pdf_document(pdf)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    match_page_size(document, printer)
    return paint_pdf(document, printer)
