"""Membership cards: CR80 front (store, QR of the token, grouped number) and back (the rules).

The design is drawn into any box (a CR80 card, or a cell of a business-card sheet) and scales
with it; every text block sits in a frame that shrinks its content rather than overflow.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from functools import lru_cache
from typing import Literal
from xml.sax.saxutils import escape

from reportlab.lib.colors import Color, HexColor, black
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Frame, KeepInFrame, Paragraph, Spacer

from app.domain.card import format_card_token
from app.domain.card_face import CardData
from app.domain.program import Program
from app.i18n import translate
from app.printing.fonts import BOLD, REGULAR, register_fonts
from app.printing.qr import MIN_MODULE_MM, QUIET_ZONE, draw_qr, modules_with_quiet_zone
from app.printing.sheets import Box

CR80 = (85.60, 53.98)  # mm
ACCENT = HexColor("#0B5D5B")
GREY = HexColor("#555555")
SAFE_MM = 3.5  # nothing printed closer to the cut than this (feeds are ±1-2 mm off)
QR_MODULE_MM = 0.9  # at full CR80 size; never below MIN_MODULE_MM on a sheet


def scale_of(width_mm: float, height_mm: float) -> float:
    return min(width_mm / CR80[0], height_mm / CR80[1])


def qr_size_mm(card: CardData, scale: float) -> float:
    module = max(QR_MODULE_MM * scale, MIN_MODULE_MM + 0.05)
    return modules_with_quiet_zone(card.token) * module


HINT_PT = 5.6
NUMBER_PT = 10.0
EDGE_MM = 0.5  # the QR's white margin stops this far inside the cut
PT_MM = 25.4 / 72


def _line_mm(points: float) -> float:
    return points * 1.25 * PT_MM + 0.4


def front_layout(card: CardData, at: Box) -> dict[str, Box]:
    """Where each part of the front goes, in mm from the page's top-left corner.

    Text stays inside the safe area; the QR's printed modules do too, and its white quiet
    zone, which may reach into the safe band, still ends inside the cut.
    """
    s = scale_of(at.width, at.height)
    safe = at.inset(SAFE_MM * s)
    size = qr_size_mm(card, s)
    quiet = size * QUIET_ZONE / modules_with_quiet_zone(card.token)
    qr = Box(at.right - EDGE_MM * s - size, at.y + EDGE_MM * s, size, size)
    code = qr.inset(quiet)
    hint_h = _line_mm(HINT_PT * s)
    hint = Box(code.x - s, code.bottom + 0.8 * s, safe.right - code.x + s, hint_h)
    number_h = _line_mm(NUMBER_PT * s)
    number = Box(safe.x, safe.bottom - number_h, safe.width * 0.7, number_h)
    header = Box(safe.x, safe.y, code.x - 3 * s - safe.x, safe.height * 0.6)
    rule = Box(safe.x, number.y - 2.2 * s, 12 * s, 0)
    return {"qr": qr, "code": code, "hint": hint, "header": header, "number": number, "rule": rule}


def pdf_rect(box: Box, page_height: float) -> tuple[float, float, float, float]:
    """A Box in mm from the top-left as ReportLab's (x, y, width, height) in points."""
    return box.x * mm, (page_height - box.bottom) * mm, box.width * mm, box.height * mm


def _percent(value: Decimal) -> str:
    return f"{value.normalize():f}%"


def rules_lines(program: Program, lang: str = "ko") -> list[str]:
    """The program in short, for the back of the card."""
    stamps = program.stamps
    per_key = "card.per_visit" if stamps.per == "visit" else "card.per_item"
    per = translate(lang, per_key)
    rates = " · ".join(f"{lv.name} {_percent(lv.earn_percent)}" for lv in program.tiers.levels)
    points = program.points
    unit = f"{points.redeem_unit:,}"
    use = (
        translate(lang, "card.use_from", minimum=f"{points.min_redeem:,}", unit=unit)
        if points.min_redeem
        else translate(lang, "card.use_unit", unit=unit)
    )
    expiry = (
        translate(lang, "card.expiry", months=points.expiry_months)
        if points.expiry_months
        else translate(lang, "card.expiry_none")
    )
    lines = [
        translate(lang, "card.stamp_rule", per=per, goal=stamps.goal, reward=stamps.reward),
        translate(lang, "card.rates", rates=rates),
        use,
        expiry,
    ]
    if len(program.tiers.levels) > 1:
        lines.append(translate(lang, "card.tier_rule", months=program.tiers.window_months))
    return lines


@lru_cache(maxsize=8)
def _logo(path: str) -> ImageReader | None:
    try:
        return ImageReader(path)
    except (OSError, ValueError):
        return None


class CardRenderer:
    """Draws card faces into boxes on a canvas; styles are made per scale and kept."""

    def __init__(self) -> None:
        register_fonts()
        self._styles: dict[tuple[str, float], ParagraphStyle] = {}

    def style(
        self,
        name: str,
        size: float,
        *,
        bold: bool = False,
        color: Color = black,
        align: Literal[0, 1, 2, 4] = 0,
    ) -> ParagraphStyle:
        key = (f"{name}-{bold}-{align}", round(size, 2))
        style = self._styles.get(key)
        if style is None:
            style = self._styles[key] = ParagraphStyle(
                f"{name}-{size:.2f}",
                fontName=BOLD if bold else REGULAR,
                fontSize=size,
                leading=size * 1.25,
                textColor=color,
                alignment=align,
            )
        return style

    def _frame(
        self, canvas: Canvas, box: tuple[float, float, float, float], story: list[Flowable]
    ) -> None:
        x, y, width, height = box
        frame = Frame(x, y, width, height, 0, 0, 0, 0, showBoundary=0)
        frame.addFromList([KeepInFrame(width, height, story, mode="shrink")], canvas)

    def front(self, canvas: Canvas, card: CardData, at: Box, page_height: float) -> None:
        """The front in box `at` (mm from the page's top-left)."""
        s = scale_of(at.width, at.height)
        boxes = front_layout(card, at)
        qr = boxes["qr"]
        x, y, size, _ = pdf_rect(qr, page_height)
        draw_qr(canvas, card.token, x, y, size)
        hint_style = self.style("hint", HINT_PT * s, color=GREY, align=TA_CENTER)
        hint = Paragraph(translate(card.language, "card.hint"), hint_style)
        self._frame(canvas, pdf_rect(boxes["hint"], page_height), [hint])
        self._front_header(canvas, card, s, pdf_rect(boxes["header"], page_height))
        number_style = self.style("number", NUMBER_PT * s, bold=True)
        number = Paragraph(format_card_token(card.token), number_style)
        self._frame(canvas, pdf_rect(boxes["number"], page_height), [number])
        rule_x, rule_y, rule_w, _ = pdf_rect(boxes["rule"], page_height)
        canvas.setStrokeColor(ACCENT)
        canvas.setLineWidth(0.8 * s)
        canvas.line(rule_x, rule_y, rule_x + rule_w, rule_y)

    def _front_header(
        self, canvas: Canvas, card: CardData, s: float, box: tuple[float, float, float, float]
    ) -> None:
        left, bottom, width, height = box
        logo = _logo(card.logo_path) if card.logo_path else None
        if logo is not None:
            side = 10 * s * mm
            canvas.drawImage(
                logo,
                left,
                bottom + height - side,
                side,
                side,
                preserveAspectRatio=True,
                anchor="nw",
                mask="auto",
            )
            left, width = left + side + 2 * s * mm, width - side - 2 * s * mm
        story: list[Flowable] = [
            Paragraph(
                escape(card.store.name), self.style("store", 13 * s, bold=True, color=ACCENT)
            ),
            Spacer(1, 0.8 * s * mm),
            Paragraph(
                translate(card.language, "card.kicker"), self.style("kicker", 6.5 * s, color=GREY)
            ),
        ]
        if card.customer_name:
            story += [
                Spacer(1, 3 * s * mm),
                Paragraph(
                    translate(card.language, "card.member", name=escape(card.customer_name)),
                    self.style("who", 10 * s),
                ),
            ]
        self._frame(canvas, (left, bottom + height * 0.4, width, height * 0.6), story)

    def back(self, canvas: Canvas, card: CardData, at: Box, page_height: float) -> None:
        s = scale_of(at.width, at.height)
        safe = at.inset(SAFE_MM * s)
        left, bottom = safe.x * mm, (page_height - safe.bottom) * mm
        width, height = safe.width * mm, safe.height * mm
        body = self.style("rule", 6.6 * s)
        story: list[Flowable] = [
            Paragraph(
                translate(card.language, "card.rules_title"),
                self.style("title", 9 * s, bold=True, color=ACCENT),
            ),
            Spacer(1, 1.2 * s * mm),
        ]
        story += [
            Paragraph(f"• {escape(line)}", body, bulletText=None)
            for line in rules_lines(card.program, card.language)
        ]
        story += [
            Spacer(1, 1.2 * s * mm),
            Paragraph(
                translate(card.language, "card.lost"),
                self.style("lost", 5.8 * s, color=GREY),
            ),
        ]
        contact = " · ".join(x for x in (card.store.name, card.store.phone) if x)
        footer = self.style("contact", 6.2 * s, bold=True, color=ACCENT, align=TA_LEFT)
        foot_h = 6.2 * s * 1.25 + 1
        self._frame(canvas, (left, bottom + foot_h + s * mm, width, height - foot_h), story)
        self._frame(canvas, (left, bottom, width, foot_h), [Paragraph(escape(contact), footer)])


_RENDERER: CardRenderer | None = None


def renderer() -> CardRenderer:
    global _RENDERER
    if _RENDERER is None:
        _RENDERER = CardRenderer()
    return _RENDERER


def new_canvas(buffer: io.BytesIO, size: tuple[float, float], title: str) -> Canvas:
    register_fonts()
    canvas = Canvas(buffer, pagesize=size, invariant=1)
    canvas.setTitle(title)
    canvas.setCreator("Dangol")
    return canvas


def card_pdf(card: CardData, *, back: bool = True) -> bytes:
    """One CR80 card: page 1 the front, page 2 the back (for card printers, 300 dpi)."""
    buffer = io.BytesIO()
    size = (CR80[0] * mm, CR80[1] * mm)
    canvas = new_canvas(buffer, size, translate(card.language, "card.document"))
    whole = Box(0, 0, *CR80)
    renderer().front(canvas, card, whole, CR80[1])
    canvas.showPage()
    if back:
        renderer().back(canvas, card, whole, CR80[1])
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def cards_pdf(cards: Sequence[CardData]) -> bytes:
    """Several CR80 cards, front then back each."""
    buffer = io.BytesIO()
    canvas = new_canvas(buffer, (CR80[0] * mm, CR80[1] * mm), translate("ko", "card.document"))
    whole = Box(0, 0, *CR80)
    for card in cards:
        renderer().front(canvas, card, whole, CR80[1])
        canvas.showPage()
        renderer().back(canvas, card, whole, CR80[1])
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
