"""Where a slip goes: Qt's print preview by hand, straight to the printer when automatic."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.domain.slip import PrinterSettings


class SlipPrinter:
    """The counter hands finished slips here; tests put a recorder in its place."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.parent = parent

    def deliver(self, document: bytes, settings: PrinterSettings, *, automatic: bool) -> None:
        from app.printing import qt
        from app.printing.escpos import send_to_device

        if settings.kind == "escpos" and settings.device:
            send_to_device(document, settings.device)
        elif automatic:
            qt.print_pdf(document)
        else:
            qt.preview_pdf(document, self.parent)
