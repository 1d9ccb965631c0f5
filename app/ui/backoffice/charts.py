"""Small QtCharts helpers for the back office: bar and line charts by month, readable labels."""

from __future__ import annotations

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QFont, QPainter

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


def _axes(chart: QChart, categories: list[str], top: float) -> tuple[QBarCategoryAxis, QValueAxis]:
    """Months along the bottom, 0 to a little above the highest value up the left side."""
    x = QBarCategoryAxis()
    x.append(categories)
    _small_labels(x)
    y = QValueAxis()
    y.setRange(0, max(top, 1) * 1.15)
    y.setLabelFormat("%d")
    y.applyNiceNumbers()
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    return x, y


def chart_view(name: str) -> QChartView:
    """A view built once with the page; each refresh puts a new chart in it."""
    view = QChartView(QChart())
    view.setObjectName(name)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(260)
    return view


def show_chart(view: QChartView, chart: QChart) -> None:
    old = view.chart()
    view.setChart(chart)
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
