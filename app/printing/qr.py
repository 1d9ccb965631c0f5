"""QR codes for card tokens: ReportLab's own encoder (numeric mode for digits), drawn in memory."""

from __future__ import annotations

from functools import lru_cache
from itertools import groupby

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.pdfgen.canvas import Canvas

QUIET_ZONE = 4  # modules of white around the symbol, as the standard asks
MIN_MODULE_MM = 0.4
# M up to 16 digits keeps version 1 (21 modules); a longer payload gets Q's extra margin.
SHORT_PAYLOAD = 16


def error_level(payload: str) -> str:
    return "M" if len(payload) <= SHORT_PAYLOAD else "Q"


@lru_cache(maxsize=4096)
def qr_matrix(payload: str, level: str | None = None) -> tuple[tuple[bool, ...], ...]:
    """Dark modules row by row, without the quiet zone (encoded once per payload); the error
    correction by the payload's length unless `level` (L, M, Q, H) is given."""
    widget = QrCodeWidget(payload, barLevel=level or error_level(payload), barBorder=QUIET_ZONE)
    widget.qr.make()  # type: ignore[attr-defined]  # built by the widget; its stubs omit it
    return tuple(tuple(bool(cell) for cell in row) for row in widget.qr.modules)  # type: ignore[attr-defined]


def modules_with_quiet_zone(payload: str, level: str | None = None) -> int:
    return len(qr_matrix(payload, level)) + 2 * QUIET_ZONE


def draw_qr(
    canvas: Canvas, payload: str, x: float, y: float, size: float, level: str | None = None
) -> None:
    """The symbol with its quiet zone in the square (x, y, size) in points: a white square,
    then one path of dark runs (whole runs, so no hairline gaps between modules)."""
    matrix = qr_matrix(payload, level)
    module = size / (len(matrix) + 2 * QUIET_ZONE)
    canvas.saveState()
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    path = canvas.beginPath()
    for r, row in enumerate(matrix):
        top = y + size - (QUIET_ZONE + r + 1) * module
        column = 0
        for dark, run in groupby(row):
            count = len(list(run))
            if dark:
                path.rect(x + (QUIET_ZONE + column) * module, top, count * module, module)
            column += count
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()
