"""The owner's monthly report as an A4 PDF: figures, a table by month, charts drawn by ReportLab,
and the visit rating's NPS by month with its answers (a note under 30 answers)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.domain import nps
from app.domain.dashboard import Dashboard
from app.i18n import translate
from app.printing.fonts import BOLD, REGULAR, register_fonts

ACCENT = colors.HexColor("#2f6f62")
MIN_ROWS_ON_A_PAGE = 2
SERIES = (colors.HexColor("#2f6f62"), colors.HexColor("#e39b3b"), colors.HexColor("#9aa5ad"))


class MonthTable(Table):
    """A table whose page breaks leave at least two months on each side, never one row alone
    on a page (a table too short for that moves to the next page whole)."""

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        # set at every split: ReportLab does not carry the range to the part after a break
        rows = self._nrows  # type: ignore[attr-defined]  # ReportLab's own, not in the stubs
        self._rowSplitRange = (1 + MIN_ROWS_ON_A_PAGE, rows - MIN_ROWS_ON_A_PAGE)
        return super().split(availWidth, availHeight)


class ReportRenderer:
    """Registers the Korean font once and turns a Dashboard into PDF bytes."""

    def __init__(self, language: str = "ko") -> None:
        register_fonts()
        self.language = language if language in ("ko", "en") else "ko"
        self.title = ParagraphStyle("title", fontName=BOLD, fontSize=18, leading=24)
        self.body = ParagraphStyle("body", fontName=REGULAR, fontSize=10, leading=14)
        # a heading stays on the page of what it heads
        self.heading = ParagraphStyle(
            "heading", fontName=BOLD, fontSize=12, leading=18, keepWithNext=1
        )

    def label(self, key: str, **params: object) -> str:
        return translate(self.language, f"report.{key}", **params)

    def text(self, key: str, **params: object) -> str:
        """A sentence of another part of the catalogue (the reports page's NPS keys); the
        minus sign as the font has it (NanumGothic has no U+2212: it would print blank)."""
        return translate(self.language, key, **params).replace("\u2212", "-")

    def render(
        self, board: Dashboard, shop_name: str, nps_months: Sequence[nps.NpsMonth] = ()
    ) -> tuple[bytes, int]:
        buffer = io.BytesIO()
        doc = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=18 * mm,
            rightMargin=18 * mm,
            topMargin=16 * mm,
            bottomMargin=16 * mm,
            title=f"{shop_name} — {self.label('title')}",
        )
        story = [
            Paragraph(f"{shop_name} · {self.label('title')}", self.title),
            Paragraph(self.label("period", first=board.first, last=board.last), self.body),
            Spacer(1, 6 * mm),
            self._summary(board),
            Spacer(1, 6 * mm),
            Paragraph(self.label("chart_members"), self.heading),
            self._members_chart(board),
            Paragraph(self.label("chart_points"), self.heading),
            self._points_chart(board),
            Spacer(1, 4 * mm),
            self._month_table(board),
        ]
        if nps_months:
            story += [
                Spacer(1, 6 * mm),
                Paragraph(self.text("reports.nps"), self.heading),
                self._nps_table(nps_months),
                Spacer(1, 2 * mm),
                Paragraph(self.text("reports.nps_how", n=nps.RELIABLE_ANSWERS), self.body),
            ]
        doc.build(story)
        return buffer.getvalue(), doc.page

    def _won(self, amount: int) -> str:
        return self.label("won", amount=amount)

    def _summary(self, board: Dashboard) -> Table:
        cells = [
            (self.label("members"), f"{board.members:,}"),
            (self.label("new_members"), f"{board.new_members:,}"),
            (self.label("visits"), f"{board.visits:,}"),
            (self.label("average"), self._won(board.average_spend)),
            (self.label("rate"), f"{board.redemption_rate * 100:.1f}%"),
            (self.label("liability"), self._won(board.liability_won)),
        ]
        rows = [[a, b, c, d] for (a, b), (c, d) in zip(cells[::2], cells[1::2], strict=True)]
        table = Table(rows, colWidths=[42 * mm, 45 * mm, 46 * mm, 41 * mm])
        table.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), REGULAR, 10),
                    ("FONT", (1, 0), (1, -1), BOLD, 11),
                    ("FONT", (3, 0), (3, -1), BOLD, 11),
                    ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f1f5f3")),
                    ("BOX", (0, 0), (-1, -1), 0.5, ACCENT),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                ]
            )
        )
        return table

    def _bar_drawing(self, months: list[str], series: list[list[int]], names: list[str]):
        drawing = Drawing(170 * mm, 62 * mm)
        chart = VerticalBarChart()
        chart.x, chart.y, chart.width, chart.height = 14 * mm, 10 * mm, 120 * mm, 48 * mm  # type: ignore[assignment]  # the stubs say int; points are floats
        chart.data = [tuple(s) for s in series]
        chart.categoryAxis.categoryNames = [m[2:] for m in months]
        chart.categoryAxis.labels.fontName = REGULAR
        chart.categoryAxis.labels.fontSize = 7
        chart.valueAxis.labels.fontName = REGULAR
        chart.valueAxis.labels.fontSize = 7
        chart.valueAxis.valueMin = 0
        chart.valueAxis.labelTextFormat = _thousands
        for index, color in enumerate(SERIES[: len(series)]):
            chart.bars[index].fillColor = color
            chart.bars[index].strokeColor = None
        drawing.add(chart)
        legend = Legend()
        legend.x, legend.y = 140 * mm, 50 * mm  # type: ignore[assignment]  # the stubs say int; points are floats
        legend.fontName, legend.fontSize = REGULAR, 8
        legend.colorNamePairs = list(zip(SERIES, names, strict=False))
        drawing.add(legend)
        if not any(any(s) for s in series):
            drawing.add(String(60 * mm, 30 * mm, "—", fontName=REGULAR, fontSize=12))
        return drawing

    def _members_chart(self, board: Dashboard):
        months = [m.month for m in board.months]
        drawing = self._bar_drawing(
            months,
            [[m.new_members for m in board.months], [m.active_members for m in board.months]],
            [self.label("new_members"), self.label("active")],
        )
        return drawing

    def _points_chart(self, board: Dashboard):
        drawing = Drawing(170 * mm, 62 * mm)
        chart = HorizontalLineChart()
        chart.x, chart.y, chart.width, chart.height = 14 * mm, 10 * mm, 120 * mm, 48 * mm  # type: ignore[assignment]  # the stubs say int; points are floats
        chart.data = [
            tuple(m.points_issued for m in board.months),
            tuple(m.points_redeemed for m in board.months),
            tuple(m.points_expired for m in board.months),
        ]
        chart.categoryAxis.categoryNames = [m.month[2:] for m in board.months]
        for axis in (chart.categoryAxis, chart.valueAxis):
            axis.labels.fontName, axis.labels.fontSize = REGULAR, 7
        chart.valueAxis.valueMin = 0
        chart.valueAxis.labelTextFormat = _thousands
        for index, color in enumerate(SERIES):
            chart.lines[index].strokeColor = color
            chart.lines[index].strokeWidth = 1.6
        drawing.add(chart)
        legend = Legend()
        legend.x, legend.y = 140 * mm, 50 * mm  # type: ignore[assignment]  # the stubs say int; points are floats
        legend.fontName, legend.fontSize = REGULAR, 8
        legend.colorNamePairs = list(
            zip(
                SERIES,
                [self.label("issued"), self.label("redeemed"), self.label("expired")],
                strict=True,
            )
        )
        drawing.add(legend)
        return drawing

    def _month_table(self, board: Dashboard) -> Table:
        header = [
            self.label(k)
            for k in ("month", "members", "new_members", "active", "visits", "sales", "issued")
        ] + [self.label("redeemed"), self.label("rate")]
        rows = [header]
        for m in board.months:
            rows.append(
                [
                    m.month,
                    f"{m.members:,}",
                    f"{m.new_members:,}",
                    f"{m.active_members:,}",
                    f"{m.visits:,}",
                    f"{m.sales_amount:,}",
                    f"{m.points_issued:,}",
                    f"{m.points_redeemed:,}",
                    f"{m.redemption_rate * 100:.1f}%",
                ]
            )
        table = MonthTable(rows, repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), REGULAR, 8),
                    ("FONT", (0, 0), (-1, 0), BOLD, 8),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dfe9e5")),
                    ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#c9d3cf")),
                ]
            )
        )
        return table

    def _nps_note(self, month: nps.NpsMonth) -> str:
        if not month.answers:
            return self.text("reports.nps_none")
        if month.few_answers:
            return self.text("reports.nps_few", n=nps.RELIABLE_ANSWERS)
        return ""

    def _nps_table(self, months: Sequence[nps.NpsMonth]) -> Table:
        """Month by month, oldest first like the table above: answers, the two shares, the
        NPS (signed), and the note when there are too few answers to rely on."""
        keys = ("month", "answers", "promoters", "detractors", "score", "note")
        rows: list[list[str]] = [[self.text(f"reports.nps_{key}") for key in keys]]
        for m in months:
            rows.append(
                [
                    m.month,
                    f"{m.answers:,}",
                    f"{m.promoters_pct}%" if m.answers else "—",
                    f"{m.detractors_pct}%" if m.answers else "—",
                    f"{m.nps:+d}" if m.answers else "—",
                    self._nps_note(m),
                ]
            )
        table = MonthTable(
            rows, repeatRows=1, colWidths=[20 * mm, 20 * mm, 30 * mm, 30 * mm, 18 * mm, 56 * mm]
        )
        few = [i for i, m in enumerate(months, start=1) if m.answers and m.few_answers]
        table.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), REGULAR, 8),
                    ("FONT", (0, 0), (-1, 0), BOLD, 8),
                    ("FONT", (4, 1), (4, -1), BOLD, 9),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dfe9e5")),
                    ("ALIGN", (1, 0), (4, -1), "RIGHT"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#c9d3cf")),
                    *[("TEXTCOLOR", (5, i), (5, i), colors.HexColor("#8a5a00")) for i in few],
                ]
            )
        )
        return table


def _thousands(value: float) -> str:
    """An axis value as people write it: 250,000."""
    return f"{round(value):,}"


def render_report(
    board: Dashboard,
    *,
    shop_name: str,
    language: str = "ko",
    nps_months: Sequence[nps.NpsMonth] = (),
) -> tuple[bytes, int]:
    """The report's PDF bytes and its page count; the NPS section when months are given."""
    return ReportRenderer(language).render(board, shop_name, nps_months)
