"""지표·세그먼트 (issue 19): the KPIs of a month against the month before (CSV), the RFM grid of
counts and spend with the named segments, and the experiments with their result."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QDateEdit,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.domain import rfm
from app.domain.errors import Refused
from app.domain.money import format_figure
from app.i18n import N_
from app.services import experiments, kpis, segments
from app.services.context import Context
from app.ui.backoffice.reports_page import fill, table
from app.ui.tasks import ServiceRunner
from app.ui.text import language, refusal, t, won


def kpi_text(value: Any, unit: str) -> str:
    return format_figure(value, unit, won)


def change_text(kpi: kpis.Kpi) -> str:
    change = kpi.change
    if change is None:
        return "—"
    if kpi.unit == "rate":
        return f"{Decimal(change) * 100:+.1f}%p"
    if kpi.unit == "score":
        return f"{int(change):+d}"
    percent = kpi.change_percent
    return f"{int(change):+,}" + (f" ({percent:+}%)" if percent is not None else "")


def _heading(key: str) -> QLabel:
    label = QLabel(t(key))
    label.setStyleSheet("font-size: 15px; font-weight: bold; margin-top: 12px;")
    return label


class InsightPage(QWidget):
    def __init__(self, ctx: Context, runner: ServiceRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.runner = ctx, runner
        self.board: kpis.KpiBoard | None = None
        self.overview: rfm.RfmOverview | None = None
        self.arrived: set[str] = set()
        layout = QVBoxLayout(self)
        layout.addLayout(self._bar())
        self.message = QLabel(objectName="insightMessage", wordWrap=True)
        layout.addWidget(self.message)
        scroll = QScrollArea(widgetResizable=True)
        body = QWidget()
        self.content = QVBoxLayout(body)
        scroll.setWidget(body)
        layout.addWidget(scroll, 1)
        self._build_kpis()
        self._build_segments()
        self._build_experiments()
        self.content.addStretch(1)
        self.refresh()

    def _bar(self) -> QHBoxLayout:
        today = QDate.fromString(self.ctx.local_date(self.ctx.now()).isoformat(), "yyyy-MM-dd")
        self.month = QDateEdit(QDate(today.year(), today.month(), 1), objectName="kpiMonth")
        self.month.setDisplayFormat("yyyy-MM")
        bar = QHBoxLayout()
        bar.addWidget(QLabel(t("insight.month")))
        bar.addWidget(self.month)
        show = QPushButton(t("reports.show"), objectName="kpiShow")
        show.clicked.connect(self.refresh)
        bar.addWidget(show)
        bar.addStretch(1)
        self.rfm_button = QPushButton(t("insight.rfm_refresh"), objectName="rfmRefresh")
        self.rfm_button.clicked.connect(self.recompute)
        bar.addWidget(self.rfm_button)
        self.csv_button = QPushButton(t("reports.csv"), objectName="kpiCsv")
        self.csv_button.clicked.connect(self.export)
        bar.addWidget(self.csv_button)
        return bar

    def _build_kpis(self) -> None:
        self.content.addWidget(_heading(N_("insight.kpis")))
        grid = QGridLayout()
        self.cards: dict[str, tuple[QLabel, QLabel]] = {}
        for index, key in enumerate(kpis.KEYS):
            card = QFrame(objectName="figureCard")
            card.setFrameShape(QFrame.Shape.StyledPanel)
            box = QVBoxLayout(card)
            caption = QLabel(t(f"kpi.{key}"))
            caption.setStyleSheet("color: #555;")
            value = QLabel("—", objectName=f"kpi_{key}")
            value.setStyleSheet("font-size: 18px; font-weight: bold;")
            change = QLabel("", objectName=f"kpiChange_{key}")
            box.addWidget(caption)
            box.addWidget(value)
            box.addWidget(change)
            self.cards[key] = (value, change)
            grid.addWidget(card, index // 4, index % 4)
        self.content.addLayout(grid)
        how = QLabel(t("insight.kpi_how"), objectName="kpiHow", wordWrap=True)
        how.setStyleSheet("color: #555;")
        self.content.addWidget(how)

    def _build_segments(self) -> None:
        self.content.addWidget(_heading(N_("insight.rfm")))
        self.rfm_state = QLabel(t("reports.loading"), objectName="rfmState", wordWrap=True)
        self.content.addWidget(self.rfm_state)
        self.grid = table("rfmGrid", [t("insight.r_f")] + [f"F{f}" for f in range(1, 6)])
        self.content.addWidget(self.grid)
        self.segment_table = table(
            "segmentTable",
            [t("insight.segment"), t("insight.members"), t("insight.spend")],
        )
        self.content.addWidget(self.segment_table)
        how = QLabel(t("insight.rfm_how"), objectName="rfmHow", wordWrap=True)
        how.setStyleSheet("color: #555;")
        self.content.addWidget(how)

    def _build_experiments(self) -> None:
        self.content.addWidget(_heading(N_("insight.experiments")))
        self.experiment_table = table(
            "experimentTable",
            [
                t("insight.experiment"),
                t("insight.period"),
                t("insight.group_a"),
                t("insight.group_b"),
                t("insight.result"),
            ],
        )
        self.content.addWidget(self.experiment_table)

    # --- loading ------------------------------------------------------------------------

    def selected_month(self) -> str:
        return self.month.date().toString("yyyy-MM")

    def refresh(self) -> None:
        ctx, month = self.ctx, self.selected_month()
        self.arrived.clear()
        self.message.setText("")
        self.runner.run(lambda: kpis.kpi_board(ctx, month), self._show_kpis, self._fail)
        self.runner.run(lambda: segments.rfm_overview(ctx), self._show_rfm, self._fail)
        self.runner.run(lambda: _experiment_reports(ctx), self._show_experiments, self._fail)

    def recompute(self) -> None:
        ctx = self.ctx
        self.rfm_state.setText(t("reports.loading"))
        self.runner.run(
            lambda: (segments.refresh_rfm(ctx), segments.rfm_overview(ctx))[1],
            self._show_rfm,
            self._fail,
        )

    def _fail(self, error: BaseException) -> None:
        if isinstance(error, Refused):
            self.message.setText(refusal(error))
        else:
            self.message.setText(t("error.unexpected", error=error))
        self.message.setStyleSheet("color: #b00020;")

    def _show_kpis(self, board: kpis.KpiBoard) -> None:
        self.board = board
        for kpi in board.kpis:
            value, change = self.cards[kpi.key]
            value.setText(kpi_text(kpi.value, kpi.unit))
            change.setText(
                t(
                    "insight.kpi_change",
                    previous=kpi_text(kpi.previous, kpi.unit),
                    change=change_text(kpi),
                )
            )
        self.arrived.add("kpis")

    def _show_rfm(self, overview: rfm.RfmOverview) -> None:
        self.overview = overview
        if overview.computed_on is None:
            self.rfm_state.setText(t("insight.rfm_never"))
        else:
            self.rfm_state.setText(
                t(
                    "insight.rfm_state",
                    day=overview.computed_on,
                    scored=f"{overview.scored:,}",
                    unscored=f"{overview.unscored:,}",
                )
            )
        rows = []
        for r in range(5, 0, -1):
            row = [f"R{r}"]
            for f in range(1, 6):
                cell = overview.cell(r, f)
                row.append(
                    t("insight.cell", n=f"{cell.members:,}", spend=won(cell.spend))
                    if cell.members
                    else "·"
                )
            rows.append(row)
        fill(self.grid, rows)
        fill(
            self.segment_table,
            [
                [t(f"segment.rfm.{s.code}"), f"{s.members:,}", won(s.spend)]
                for s in overview.segments
            ],
        )
        self.arrived.add("rfm")

    def _show_experiments(self, reports: list[experiments.ExperimentReport]) -> None:
        rows = []
        for report in reports:
            line = report.experiment
            a, b = report.groups
            c = report.returned
            rows.append(
                [
                    line.name,
                    f"{line.start:%m-%d}~{line.end:%m-%d} · "
                    + t(f"experiment.status.{line.status}"),
                    t("insight.group_cell", members=f"{a.members:,}", returned=f"{a.returned:,}"),
                    t("insight.group_cell", members=f"{b.members:,}", returned=f"{b.returned:,}"),
                    t(
                        "insight.result_cell",
                        diff=f"{c.difference_points:+.1f}",
                        p=f"{c.p_value:.3f}",
                        verdict=t(f"experiment.verdict.{c.verdict}"),
                    ),
                ]
            )
        fill(
            self.experiment_table,
            rows or [["", "", "", "", t("insight.no_experiments")]],
            text_columns=5,
        )
        self.arrived.add("experiments")

    # --- export -------------------------------------------------------------------------

    def ask_save_path(self, suggested: str) -> Path | None:
        chosen, _ = QFileDialog.getSaveFileName(self, t("reports.csv"), suggested)
        return Path(chosen) if chosen else None

    def export(self) -> None:
        month = self.selected_month()
        path = self.ask_save_path(f"kpi_{month}.csv")
        if path is None:
            return
        ctx, lang = self.ctx, language()
        self.runner.run(
            lambda: kpis.export_kpis_csv(ctx, month, path, language=lang),
            lambda _: self.message.setText(t("insight.saved", file=path.name)),
            self._fail,
        )


def _experiment_reports(ctx: Context) -> list[experiments.ExperimentReport]:
    return [
        experiments.experiment_report(ctx, str(e.id)) for e in experiments.list_experiments(ctx)
    ]
