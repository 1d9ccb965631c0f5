"""Cards on A4 business-card sheets (10 a page), and the test page that prints the cut lines."""

from __future__ import annotations

import io
from collections.abc import Sequence

from reportlab.lib.colors import HexColor, black
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from app.domain.card_face import CardData
from app.i18n import translate
from app.printing.card import new_canvas, renderer
from app.printing.fonts import BOLD, REGULAR
from app.printing.sheets import Box, SheetLayout

CUT = HexColor("#C0392B")


def pages_needed(count: int, layout: SheetLayout) -> int:
    return -(-count // layout.per_page)


def sheet_pdf(cards: Sequence[CardData], layout: SheetLayout, *, backs: bool = False) -> bytes:
    """Fronts, 10 a page in the layout's cells; with backs, each page is followed by its backs
    placed for turning the sheet over on its long edge."""
    buffer = io.BytesIO()
    canvas = new_canvas(
        buffer, (layout.page_width * mm, layout.page_height * mm), translate("ko", "card.document")
    )
    draw = renderer()
    for start in range(0, len(cards), layout.per_page):
        page = cards[start : start + layout.per_page]
        for i, card in enumerate(page):
            draw.front(canvas, card, layout.cell(i), layout.page_height)
        canvas.showPage()
        if backs:
            for i, card in enumerate(page):
                draw.back(canvas, card, layout.mirrored_cell(i), layout.page_height)
            canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _outline(canvas: Canvas, box: Box, page_height: float) -> None:
    canvas.rect(box.x * mm, (page_height - box.bottom) * mm, box.width * mm, box.height * mm)


def _label(canvas: Canvas, index: int, box: Box, page_height: float) -> None:
    cx = (box.x + box.width / 2) * mm
    cy = (page_height - box.y - box.height / 2) * mm
    canvas.setFillColor(black)
    canvas.setFont(BOLD, 16)
    canvas.drawCentredString(cx, cy + 2 * mm, str(index + 1))
    canvas.setFont(REGULAR, 7)
    canvas.drawCentredString(cx, cy - 3 * mm, f"{box.width:g} × {box.height:g} mm")


def _ruler(canvas: Canvas, x: float, y: float) -> None:
    """A 100 mm ruler: if it does not measure 100 mm, the printer scaled the page."""
    canvas.setStrokeColor(black)
    canvas.setLineWidth(0.4)
    canvas.line(x * mm, y * mm, (x + 100) * mm, y * mm)
    for tick in range(0, 101, 5):
        length = 2.5 if tick % 10 == 0 else 1.2
        canvas.line((x + tick) * mm, y * mm, (x + tick) * mm, (y + length) * mm)
    canvas.setFont(REGULAR, 6)
    canvas.drawString((x + 101.5) * mm, y * mm, "100 mm")


def _instructions(canvas: Canvas, layout: SheetLayout, lang: str) -> None:
    h = layout.page_height
    canvas.setFillColor(black)
    canvas.setFont(BOLD, 9)
    title = translate(
        lang,
        "sheet.test_title",
        name=layout.name,
        width=f"{layout.card_width:g}",
        height=f"{layout.card_height:g}",
        x=f"{layout.offset_x:+.1f}",
        y=f"{layout.offset_y:+.1f}",
    )
    canvas.drawString(12 * mm, (h - 9) * mm, title)
    canvas.setFont(REGULAR, 7)
    lines = [
        translate(lang, "sheet.test_scale"),
        translate(lang, "sheet.test_adjust"),
        translate(lang, "sheet.test_example", name=layout.name),
    ]
    # below the last row: the bottom margin of both built-in sheets has room for it
    for n, line in enumerate(lines):
        canvas.drawString(12 * mm, (15.0 - n * 3.2) * mm, line)
    _ruler(canvas, 12, 4.5)


def alignment_page_pdf(layout: SheetLayout, lang: str = "ko") -> bytes:
    """One page: every cut outline in red with its number, how to adjust, and a ruler."""
    buffer = io.BytesIO()
    canvas = new_canvas(
        buffer,
        (layout.page_width * mm, layout.page_height * mm),
        translate(lang, "sheet.test_document"),
    )
    h = layout.page_height
    canvas.setStrokeColor(CUT)
    canvas.setLineWidth(0.35)
    for i, box in enumerate(layout.cells()):
        canvas.setStrokeColor(CUT)
        _outline(canvas, box, h)
        _label(canvas, i, box, h)
    _instructions(canvas, layout, lang)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
