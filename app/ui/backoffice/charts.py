"""Small QtCharts helpers for the back office: bar and line charts by month, readable labels."""

from __future__ import annotations

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QCategoryAxis,
    QChart,
    QChartView,
    QLineSeries,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QResizeEvent

PALETTE = ("#2f6f62", "#e39b3b", "#8a9aa5", "#b5525c")


def _chart(title: str) -> QChart:
    chart = QChart()
    chart.setTitle(title)
    font = QFont(chart.titleFont())
    font.setPointSize(11)
    font.setBold(True)
    chart.setTitleFont(font)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    return chart


def nice_ticks(top: int, *, most: int = 5) -> list[int]:
    """0, step, 2 step, ... up to at least a little above `top`, with a round step (1, 2, 2.5 or
    5 times a power of ten) and at most `most` steps: the left axis's values."""
    wanted = top + max(top // 8, 1)  # a little room above the highest bar
    power = 1
    while True:
        for step in (power, 2 * power, 5 * power // 2, 5 * power):
            if step and -(-wanted // step) <= most:
                return [i * step for i in range(-(-wanted // step) + 1)]
        power *= 10


def _axes(chart: QChart, categories: list[str], top: int) -> tuple[QBarCategoryAxis, QCategoryAxis]:
    """Months along the bottom; up the left side 0 to a little above the highest value, in
    round steps written with separators ("2,000,000")."""
    x = QBarCategoryAxis()
    x.append(categories)
    _small_labels(x)
    y = QCategoryAxis()
    ticks = nice_ticks(top)
    y.setStartValue(0)
    for value in ticks:
        y.append(f"{value:,}", value)
    y.setRange(0, ticks[-1])
    y.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
    _small_labels(y)
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    return x, y


class MonthChartView(QChartView):
    """A chart view whose month labels turn upright when they would not fit side by side (Qt
    would cut them to "2..."), and lie flat again when the view is wide enough."""

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        fit_month_labels(self.chart(), self.width())


def fit_month_labels(chart: QChart, width: int) -> None:
    for axis in chart.axes(Qt.Orientation.Horizontal):
        if not isinstance(axis, QBarCategoryAxis) or not axis.count():
            continue
        metrics = QFontMetrics(axis.labelsFont())
        widest = max(metrics.horizontalAdvance(label) for label in axis.categories())
        # the plot takes the width less the left axis and margins: about 80 pixels
        room = (width - 80) / axis.count()
        axis.setLabelsAngle(0 if widest + 8 <= room else -90)


def chart_view(name: str) -> QChartView:
    """A view built once with the page; each refresh puts a new chart in it."""
    view = MonthChartView(QChart())
    view.setObjectName(name)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(260)
    return view


def show_chart(view: QChartView, chart: QChart) -> None:
    old = view.chart()
    view.setChart(chart)
    fit_month_labels(chart, view.width())
    old.deleteLater()


def _small_labels(axis) -> None:
    font = QFont(axis.labelsFont())
    font.setPointSize(8)
    axis.setLabelsFont(font)


def short_month(month: str) -> str:
    """'2026-03' -> '26.03': twelve of them fit under a chart."""
    return f"{month[2:4]}.{month[5:]}"


def bar_chart(title: str, categories: list[str], series: list[tuple[str, list[int]]]) -> QChart:
    chart = _chart(title)
    bars = QBarSeries()
    for index, (label, values) in enumerate(series):
        bar_set = QBarSet(label)
        bar_set.append([float(v) for v in values])
        bar_set.setColor(QColor(PALETTE[index % len(PALETTE)]))
        bars.append(bar_set)
    chart.addSeries(bars)
    top = max((v for _, values in series for v in values), default=0)
    x, y = _axes(chart, categories, top)
    bars.attachAxis(x)
    bars.attachAxis(y)
    return chart


def line_chart(title: str, categories: list[str], series: list[tuple[str, list[int]]]) -> QChart:
    chart = _chart(title)
    top = max((v for _, values in series for v in values), default=0)
    x, y = _axes(chart, categories, top)
    for index, (label, values) in enumerate(series):
        line = QLineSeries()
        line.setName(label)
        for i, value in enumerate(values):
            line.append(float(i), float(value))
        pen = line.pen()
        pen.setColor(QColor(PALETTE[index % len(PALETTE)]))
        pen.setWidth(2)
        line.setPen(pen)
        chart.addSeries(line)
        line.attachAxis(x)
        line.attachAxis(y)
    return chart
