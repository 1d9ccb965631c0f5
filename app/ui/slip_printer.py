"""Where a slip goes: Qt's print preview by hand, straight to the printer when automatic."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.services.slips import PrinterSettings


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


def render_slip(shop, action_id: str) -> tuple[bytes, PrinterSettings]:
    """The slip of an action as the owner's printer wants it (runs on the database thread)."""
    from app.services.slips import printer_settings, slip_for

    printer = printer_settings(shop)
    slip = slip_for(shop, action_id)
    if printer.kind == "escpos" and printer.device:
        from app.printing.escpos import slip_escpos

        return slip_escpos(slip, printer.width), printer
    from app.printing.slip_pdf import slip_pdf

    return slip_pdf(slip, printer.width), printer
