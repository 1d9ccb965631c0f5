"""지표·세그먼트 (issue 19): the KPIs of a month against the month before (CSV), the RFM grid of
counts and spend with the named segments, and the experiments with their result."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.domain import rfm
from app.domain.errors import Refused
from app.domain.experiments import (
    MAX_BONUS,
    MAX_STAMP_GOAL,
    CampaignOffer,
    check_campaign_offer,
)
from app.domain.money import format_figure
from app.i18n import N_
from app.services import experiments, kpis, segments
from app.services.context import Context
from app.ui.backoffice.reports_page import fill, table
from app.ui.tasks import ServiceRunner
from app.ui.text import language, refusal, t, won

WORDS = (  # keys the form builds from its choices
    N_("insight.kind.campaign"),
    N_("insight.kind.stamp_goal"),
    N_("insight.design.holdout"),
    N_("insight.design.variant"),
    N_("insight.form.multiplier"),
    N_("insight.form.bonus"),
    N_("insight.form.goal"),
)


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
        self.content.addWidget(self._experiment_form())

    def _experiment_form(self) -> QGroupBox:
        """A new experiment whose campaign or stamp goal Dangol applies to its group itself."""
        box = QGroupBox(t("insight.new_experiment"), objectName="experimentForm")
        form = QFormLayout(box)
        self.experiment_name = QLineEdit(objectName="experimentName", maxLength=100)
        form.addRow(t("insight.form.name"), self.experiment_name)
        self.experiment_kind = QComboBox(objectName="experimentKind")
        for kind in ("campaign", "stamp_goal"):
            self.experiment_kind.addItem(t(f"insight.kind.{kind}"), kind)
        form.addRow(t("insight.form.kind"), self.experiment_kind)
        self.experiment_design = QComboBox(objectName="experimentDesign")
        for design in ("holdout", "variant"):
            self.experiment_design.addItem(t(f"insight.design.{design}"), design)
        form.addRow(t("insight.form.design"), self.experiment_design)
        self.experiment_percent = QSpinBox(objectName="experimentPercent", minimum=1, maximum=99)
        self.experiment_percent.setValue(50)
        self.experiment_percent.setSuffix(" %")
        form.addRow(t("insight.form.percent"), self.experiment_percent)
        today = QDate.fromString(self.ctx.local_date(self.ctx.now()).isoformat(), "yyyy-MM-dd")
        days = QHBoxLayout()
        self.experiment_start = QDateEdit(today, objectName="experimentStart", calendarPopup=True)
        self.experiment_end = QDateEdit(
            today.addDays(13), objectName="experimentEnd", calendarPopup=True
        )
        for edit in (self.experiment_start, self.experiment_end):
            edit.setDisplayFormat("yyyy-MM-dd")
        days.addWidget(self.experiment_start)
        days.addWidget(QLabel("~"))
        days.addWidget(self.experiment_end)
        days.addStretch(1)
        form.addRow(t("insight.form.days"), days)
        self.offer_rows: dict[str, list[QWidget]] = {"campaign": [], "stamp_goal": []}
        self.offer_fields: dict[str, tuple[QLineEdit, QSpinBox, QSpinBox]] = {}
        self.b_rows: list[QWidget] = []
        for group in ("A", "B"):
            multiplier = QLineEdit(
                objectName=f"experimentMultiplier{group}",
                placeholderText="2" if group == "A" else "1",
            )
            bonus = QSpinBox(objectName=f"experimentBonus{group}", maximum=MAX_BONUS)
            bonus.setSingleStep(100)
            bonus.setSuffix(" P")
            goal = QSpinBox(objectName=f"experimentGoal{group}", minimum=1, maximum=MAX_STAMP_GOAL)
            goal.setValue(10)  # the usual card; the owner sets the group's
            self.offer_fields[group] = (multiplier, bonus, goal)
            for kind, key, field in (
                ("campaign", "insight.form.multiplier", multiplier),
                ("campaign", "insight.form.bonus", bonus),
                ("stamp_goal", "insight.form.goal", goal),
            ):
                label = QLabel(t(key, group=group))
                form.addRow(label, field)
                self.offer_rows[kind] += [label, field]
                if group == "B":
                    self.b_rows += [label, field]
        hint = QLabel(t("insight.form.hint"), objectName="experimentHint", wordWrap=True)
        hint.setStyleSheet("color: #555;")
        form.addRow(hint)
        self.experiment_create = QPushButton(
            t("insight.form.create"), objectName="experimentCreate"
        )
        self.experiment_create.clicked.connect(self.create_experiment)
        form.addRow(self.experiment_create)
        self.experiment_kind.currentIndexChanged.connect(self._offer_fields_shown)
        self.experiment_design.currentIndexChanged.connect(self._offer_fields_shown)
        self._offer_fields_shown()
        return box

    def _offer_fields_shown(self) -> None:
        kind = self.experiment_kind.currentData()
        variant = self.experiment_design.currentData() == "variant"
        for each, widgets in self.offer_rows.items():
            for widget in widgets:
                widget.setVisible(each == kind and (variant or widget not in self.b_rows))

    def _campaign_of(self, group: str) -> CampaignOffer:
        multiplier, bonus, _ = self.offer_fields[group]
        text = multiplier.text().strip()
        times: Decimal | None = None
        if text:
            try:
                times = Decimal(text.replace(",", "."))
            except ArithmeticError:
                times = Decimal(0)  # not a number: the multiplier's refusal says what fits
            if not times.is_finite():
                times = Decimal(0)
        return check_campaign_offer(times, bonus.value() or None)

    def create_experiment(self) -> None:
        """Create it from the form; a refusal is said above the page, nothing is made."""
        kind = self.experiment_kind.currentData()
        variant = self.experiment_design.currentData() == "variant"
        try:
            offers: dict[str, Any] = {}
            if kind == "campaign":
                offers["campaign"] = self._campaign_of("A")
                if variant:
                    offers["campaign_b"] = self._campaign_of("B")
            else:
                offers["stamp_goal"] = self.offer_fields["A"][2].value()
                if variant:
                    offers["stamp_goal_b"] = self.offer_fields["B"][2].value()
        except Refused as refused:
            self._fail(refused)
            return
        ctx = self.ctx
        name = self.experiment_name.text()
        start = self.experiment_start.date().toPython()
        end = self.experiment_end.date().toPython()
        design, percent = self.experiment_design.currentData(), self.experiment_percent.value()

        def create() -> experiments.ExperimentLine:
            return experiments.create_experiment(
                ctx, name, kind, start, end, design=design, treatment_percent=percent, **offers
            )

        self.message.setText("")
        self.runner.run(create, self._created, self._fail)

    def _created(self, line: experiments.ExperimentLine) -> None:
        self.message.setStyleSheet("")
        self.message.setText(t("insight.experiment_created", name=line.name))
        self.experiment_name.clear()
        ctx = self.ctx
        self.runner.run(lambda: _experiment_reports(ctx), self._show_experiments, self._fail)

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
