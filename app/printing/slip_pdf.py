"""The loyalty slip as a PDF for 58 mm and 80 mm roll paper; the page is as long as the slip."""

from __future__ import annotations

import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib.colors import black, white
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    HRFlowable,
    PageTemplate,
    Paragraph,
    Table,
)
from reportlab.platypus.tables import TableStyle

from app.domain.slip import SlipData
from app.printing.fonts import BOLD, REGULAR, register_fonts
from app.printing.qr import draw_qr, modules_with_quiet_zone
from app.printing.slip_layout import (
    Block,
    Progress,
    Qr,
    Row,
    Rule,
    Stamps,
    Text,
    slip_blocks,
    slip_title,
)


@dataclass(frozen=True)
class Paper:
    """Roll paper: its width and what the print head reaches (both in mm), and type sizes in pt."""

    width_mm: int
    printable_mm: int
    sizes: dict[str, float]


PAPERS = {
    58: Paper(58, 48, {"title": 13.0, "big": 10.5, "body": 8.5, "small": 7.0}),
    80: Paper(80, 72, {"title": 16.0, "big": 12.0, "body": 10.0, "small": 8.0}),
}
TOP_MM = 3.0
BOTTOM_MM = 8.0  # room before the cutter
LEADING = 1.3


def paper_for(width: int) -> Paper:
    if width not in PAPERS:
        raise ValueError(f"paper width must be 58 or 80 mm, got {width}")
    return PAPERS[width]


class StampMarks(Flowable):
    """Filled and empty circles, as many rows as the width needs."""

    def __init__(self, filled: int, goal: int, width: float, diameter: float) -> None:
        super().__init__()
        self.filled, self.goal = filled, goal
        self.diameter = diameter
        self.pitch = diameter * 1.3
        rows = max(1, -(-int(goal * self.pitch) // int(width)))
        self.per_row = -(-goal // rows)
        self.rows = -(-goal // self.per_row)
        self.avail = width

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.avail, self.rows * self.pitch + self.diameter * 0.3

    def draw(self) -> None:
        canvas = self.canv
        radius = self.diameter / 2
        row_width = self.per_row * self.pitch
        x0 = (self.avail - row_width) / 2 + self.pitch / 2
        top = self.rows * self.pitch
        canvas.setLineWidth(max(0.8, self.diameter / 14))
        for i in range(self.goal):
            row, col = divmod(i, self.per_row)
            cx = x0 + col * self.pitch
            cy = top - row * self.pitch - self.pitch / 2 + self.diameter * 0.15
            canvas.setStrokeColor(black)
            canvas.setFillColor(black if i < self.filled else white)
            canvas.circle(cx, cy, radius, stroke=1, fill=1)


class ProgressBar(Flowable):
    """How far the window spend has come toward the next tier."""

    def __init__(self, done: int, total: int, width: float, height: float) -> None:
        super().__init__()
        self.done, self.total = done, total
        self.bar_width, self.bar_height = width, height

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.bar_width, self.bar_height + 2 * mm

    def draw(self) -> None:
        canvas = self.canv
        y = 1 * mm
        canvas.setLineWidth(0.8)
        canvas.setStrokeColor(black)
        canvas.setFillColor(white)
        canvas.roundRect(0, y, self.bar_width, self.bar_height, self.bar_height / 2, 1, 1)
        # integer arithmetic for the share; the drawing itself is in points
        share = self.done * 1000 // self.total if self.total else 1000
        if share:
            filled = max(self.bar_height, self.bar_width * share / 1000)
            canvas.setFillColor(black)
            canvas.roundRect(0, y, filled, self.bar_height, self.bar_height / 2, 0, 1)


LINK_LEVEL = "L"  # a link's QR: the lowest correction keeps its modules large on the roll
LINK_MODULE_MM = 0.45


class QrMark(Flowable):
    """A QR code centred in the width, its modules about LINK_MODULE_MM (at most the width)."""

    def __init__(self, payload: str, width: float) -> None:
        super().__init__()
        self.payload, self.avail = payload, width
        modules = modules_with_quiet_zone(payload, LINK_LEVEL)
        self.side = min(width, modules * LINK_MODULE_MM * mm)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.avail, self.side

    def draw(self) -> None:
        draw_qr(self.canv, self.payload, (self.avail - self.side) / 2, 0, self.side, LINK_LEVEL)


class SlipRenderer:
    """Named styles for one paper width; render() returns the PDF bytes of one slip."""

    def __init__(self, width: int = 80) -> None:
        register_fonts()
        self.paper = paper_for(width)
        self.frame_width = self.paper.printable_mm * mm
        self.styles = self._styles()

    def _styles(self) -> dict[str, ParagraphStyle]:
        styles: dict[str, ParagraphStyle] = {}
        for size_name, size in self.paper.sizes.items():
            for bold in (False, True):
                for align_name, align in (("center", TA_CENTER), ("left", TA_LEFT)):
                    key = f"{size_name}-{'bold' if bold else 'regular'}-{align_name}"
                    styles[key] = ParagraphStyle(
                        key,
                        fontName=BOLD if bold else REGULAR,
                        fontSize=size,
                        leading=size * LEADING,
                        alignment=align,  # type: ignore[arg-type]  # TA_CENTER or TA_LEFT
                    )
                right = f"{size_name}-{'bold' if bold else 'regular'}-right"
                styles[right] = ParagraphStyle(
                    right, parent=styles[f"{size_name}-{'bold' if bold else 'regular'}-left"]
                )
                styles[right].alignment = TA_RIGHT
        return styles

    def style(self, size: str, bold: bool, align: str) -> ParagraphStyle:
        return self.styles[f"{size}-{'bold' if bold else 'regular'}-{align}"]

    def flowables(self, slip: SlipData) -> list[Flowable]:
        out: list[Flowable] = []
        rows: list[Row] = []
        for block in slip_blocks(slip):
            if isinstance(block, Row):
                rows.append(block)
                continue
            if rows:
                out.append(self._table(rows))
                rows = []
            if isinstance(block, Qr):
                out.append(QrMark(block.payload, self.frame_width))
                out.append(self._flowable(Text(block.caption, "small")))
                continue
            out.append(self._flowable(block))
        if rows:
            out.append(self._table(rows))
        return out

    def _flowable(self, block: Block) -> Flowable:
        if isinstance(block, Text):
            return Paragraph(escape(block.text), self.style(block.size, block.bold, block.align))
        if isinstance(block, Rule):
            return HRFlowable(
                width="100%",
                thickness=1.2 if block.heavy else 0.5,
                dash=None if block.heavy else [1.5, 1.5],
                color=black,
                spaceBefore=1.8 * mm,
                spaceAfter=1.8 * mm,
            )
        if isinstance(block, Stamps):
            diameter = (4.0 if self.paper.width_mm == 58 else 5.0) * mm
            return StampMarks(block.filled, block.goal, self.frame_width, diameter)
        if isinstance(block, Progress):
            return ProgressBar(block.done, block.total, self.frame_width, 2.2 * mm)
        raise TypeError(f"not a slip block: {block!r}")

    def _table(self, rows: list[Row]) -> Table:
        data = [
            [
                Paragraph(escape(row.label), self.style(row.size, False, "left")),
                Paragraph(escape(row.value), self.style(row.size, row.bold, "right")),
            ]
            for row in rows
        ]
        label_width = self.frame_width * 0.5
        table = Table(data, colWidths=[label_width, self.frame_width - label_width])
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 0.6),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 0.6),
                ]
            )
        )
        return table

    def _height(self, flowables: list[Flowable]) -> float:
        total = 0.0
        for flowable in flowables:
            _, height = flowable.wrap(self.frame_width, 10_000 * mm)
            total += height + flowable.getSpaceBefore() + flowable.getSpaceAfter()
        return total + (TOP_MM + BOTTOM_MM + 2) * mm

    def render(self, slip: SlipData) -> bytes:
        flowables = self.flowables(slip)
        page_width = self.paper.width_mm * mm
        page_height = self._height(flowables)
        side = (self.paper.width_mm - self.paper.printable_mm) / 2 * mm
        frame = Frame(
            side,
            BOTTOM_MM * mm,
            self.frame_width,
            page_height - (TOP_MM + BOTTOM_MM) * mm,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        buffer = io.BytesIO()
        doc = BaseDocTemplate(
            buffer,
            pagesize=(page_width, page_height),
            pageTemplates=[PageTemplate("slip", [frame])],
            title=slip_title(slip),
            author=slip.store.name,
            creator="Dangol",
            invariant=1,
        )
        doc.build(flowables)
        return buffer.getvalue()


_RENDERERS: dict[int, SlipRenderer] = {}


def slip_pdf(slip: SlipData, width: int = 80) -> bytes:
    """One slip as PDF bytes; renderers (styles) are made once per paper width."""
    renderer = _RENDERERS.get(width)
    if renderer is None:
        renderer = _RENDERERS[width] = SlipRenderer(width)
    return renderer.render(slip)
