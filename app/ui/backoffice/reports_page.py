"""Reports: a period of months, the main figures and charts first, heavier analyses as they come."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QDateEdit,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain import nps
from app.domain.dashboard import Dashboard
from app.domain.errors import Refused
from app.services import analytics, passes, ratings, wallet
from app.services.context import Context
from app.ui.backoffice.charts import bar_chart, chart_view, line_chart, short_month, show_chart
from app.ui.tasks import ServiceRunner
from app.ui.text import language, refusal, t, won

FIGURES = (
    "members",
    "new_members",
    "visits",
    "average_spend",
    "frequency",
    "redemption_rate",
    "liability",
    "points",
)


CHARTS = ("chartMembers", "chartVisits", "chartPoints", "chartTiers")


def months_between(first: str, last: str) -> int:
    """How many months from `first` to `last` ("2026-03"), both counted; at least one."""
    (y1, m1), (y2, m2) = ((int(p) for p in x.split("-")) for x in (first, last))
    return max(1, (y2 - y1) * 12 + (m2 - m1) + 1)


def percent(rate: object) -> str:
    return f"{float(rate) * 100:.1f}%"  # type: ignore[arg-type]


def table(name: str, headers: list[str], *, fit: bool = True) -> QTableWidget:
    """A read-only table. `fit`: as tall as its rows, for a page that scrolls (the reports);
    otherwise the table scrolls itself, for a page without a scroll area (a long win-back
    list would make the window taller than the screen)."""
    widget = QTableWidget(0, len(headers))
    widget.setObjectName(name)
    widget.setHorizontalHeaderLabels(headers)
    widget.verticalHeader().setVisible(False)
    widget.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    widget.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    widget.setProperty("fitRows", fit)
    if fit:
        # the page scrolls, not the table: it is as tall as its rows, none cut in half
        widget.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        widget.setSizeAdjustPolicy(QTableWidget.SizeAdjustPolicy.AdjustIgnored)
        fit_rows(widget)
    return widget


def fit_rows(widget: QTableWidget) -> None:
    """Make the table exactly as tall as its header and every row (at least one row's room)."""
    rows = sum(widget.rowHeight(r) for r in range(widget.rowCount()))
    rows = max(rows, widget.verticalHeader().defaultSectionSize())
    bar = widget.horizontalScrollBar()
    scroll = bar.sizeHint().height() if bar.maximum() > 0 else 0
    height = widget.horizontalHeader().sizeHint().height() + rows + 2 * widget.frameWidth()
    widget.setFixedHeight(height + scroll)


def fill(widget: QTableWidget, rows: list[list[str]], *, text_columns: int = 1) -> None:
    """Rows into a table; columns after the first `text_columns` are figures, right-aligned."""
    widget.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            item = QTableWidgetItem(value)
            if c >= text_columns:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            widget.setItem(r, c, item)
    widget.resizeRowsToContents()
    if widget.property("fitRows"):
        fit_rows(widget)


class ReportsPage(QWidget):
    def __init__(self, ctx: Context, runner: ServiceRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.runner = ctx, runner
        self.board: Dashboard | None = None
        self.arrived: set[str] = set()
        layout = QVBoxLayout(self)
        layout.addLayout(self._period_bar())
        self.message = QLabel(objectName="reportsMessage", wordWrap=True)
        layout.addWidget(self.message)
        scroll = QScrollArea(widgetResizable=True)
        self.body = QWidget()
        self.content = QVBoxLayout(self.body)
        scroll.setWidget(self.body)
        layout.addWidget(scroll, 1)
        self._build_figures()
        self.charts = {name: chart_view(name) for name in CHARTS}
        grid = QGridLayout()
        for index, view in enumerate(self.charts.values()):
            grid.addWidget(view, index // 2, index % 2)
        self.content.addLayout(grid)
        self._build_analyses()
        self.refresh()

    # --- layout -------------------------------------------------------------------------

    def _period_bar(self) -> QHBoxLayout:
        today = QDate.fromString(self.ctx.local_date(self.ctx.now()).isoformat(), "yyyy-MM-dd")
        self.first = self._month_edit("reportsFrom", today.addMonths(-11))
        self.last = self._month_edit("reportsTo", today)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(t("reports.from")))
        bar.addWidget(self.first)
        bar.addWidget(QLabel(t("reports.to")))
        bar.addWidget(self.last)
        self.show_button = QPushButton(t("reports.show"), objectName="reportsShow")
        self.show_button.clicked.connect(self.refresh)
        bar.addWidget(self.show_button)
        bar.addStretch(1)
        self.pdf_button = QPushButton(t("reports.pdf"), objectName="reportsPdf")
        self.pdf_button.clicked.connect(lambda: self.export("pdf"))
        self.csv_button = QPushButton(t("reports.csv"), objectName="reportsCsv")
        self.csv_button.clicked.connect(lambda: self.export("csv"))
        bar.addWidget(self.pdf_button)
        bar.addWidget(self.csv_button)
        return bar

    def _month_edit(self, name: str, date: QDate) -> QDateEdit:
        edit = QDateEdit(QDate(date.year(), date.month(), 1), objectName=name)
        edit.setDisplayFormat("yyyy-MM")
        edit.setCalendarPopup(False)
        return edit

    def _build_figures(self) -> None:
        grid = QGridLayout()
        self.figures: dict[str, QLabel] = {}
        for index, key in enumerate(FIGURES):
            card = QFrame(objectName="figureCard")
            card.setFrameShape(QFrame.Shape.StyledPanel)
            box = QVBoxLayout(card)
            caption = QLabel(t(f"reports.{key}"), wordWrap=True)
            caption.setStyleSheet("color: #555;")
            value = QLabel("—", objectName=f"figure_{key}")
            value.setStyleSheet("font-size: 18px; font-weight: bold;")
            box.addWidget(caption)
            box.addWidget(value)
            self.figures[key] = value
            grid.addWidget(card, index // 4, index % 4)
        self.content.addLayout(grid)

    def _build_analyses(self) -> None:
        self.cohorts = table("cohortTable", [])
        # what a cohort counts (analytics.cohort_retention)
        self.cohort_how = QLabel(t("reports.cohort_how"), objectName="cohortHow", wordWrap=True)
        self.cohort_how.setStyleSheet("color: #555;")
        self.churn = QLabel(t("reports.loading"), objectName="churnLabel", wordWrap=True)
        self.clv = QLabel(objectName="clvLabel", wordWrap=True)
        self.clv.setStyleSheet("font-weight: bold;")
        self.clv_how = QLabel(objectName="clvHow", wordWrap=True)
        self.clv_how.setStyleSheet("color: #555;")
        self.top = table(
            "topTable",
            [t(f"reports.top_{k}") for k in ("name", "phone", "spend", "visits")],
        )
        self.campaigns = table(
            "campaignTable",
            [t(f"reports.campaign_{k}") for k in ("name", "period", "sales", "visits", "points")],
        )
        for title, widgets in (
            (
                "reports.cohorts",
                [self.cohorts, self.cohort_how, self.churn, self.clv, self.clv_how],
            ),
            ("reports.top", [self.top]),
            ("reports.campaigns", [self.campaigns]),
            ("reports.nps", self._build_nps()),
            ("reports.passes", self._build_passes()),
        ):
            heading = QLabel(t(title))
            heading.setStyleSheet("font-size: 15px; font-weight: bold; margin-top: 12px;")
            self.content.addWidget(heading)
            for widget in widgets:
                self.content.addWidget(widget)
        self._build_wallet()

    def _build_wallet(self) -> None:
        """The wallet's liability, the shop's cashback and the customers' prepaid money apart
        (they differ for VAT and the books); hidden while no wallet entry exists."""
        columns = ("purse", "issued", "spent", "expired", "returned", "outstanding")
        self.wallet_table = table("walletTable", [t(f"reports.wallet_{k}") for k in columns])
        self.wallet_heading = QLabel(t("reports.wallet"), objectName="walletHeading")
        self.wallet_heading.setStyleSheet("font-size: 15px; font-weight: bold; margin-top: 12px;")
        self.wallet_note = QLabel(objectName="walletNote", wordWrap=True)
        self.wallet_note.setStyleSheet("color: #555;")
        for widget in (self.wallet_heading, self.wallet_table, self.wallet_note):
            widget.hide()
            self.content.addWidget(widget)

    def _show_wallet(self, report: wallet.WalletReport) -> None:
        rows, used = [], False
        for name, purse in (
            (t("reports.wallet_cashback"), report.cashback),
            (t("reports.wallet_prepaid"), report.prepaid),
        ):
            figures = (purse.issued, purse.spent, purse.expired, purse.returned, purse.outstanding)
            rows.append([name, *(won(v) for v in figures)])
            used = used or any(figures)
        fill(self.wallet_table, rows)
        self.wallet_note.setText(
            t("reports.wallet_note", won=won(report.liability_won), members=f"{report.members:,}")
        )
        for widget in (self.wallet_heading, self.wallet_table, self.wallet_note):
            widget.setVisible(used)

    def _build_passes(self) -> list[QWidget]:
        """Subscription passes: open today, use rate, breakage, revenue; new and lapsed by month."""
        self.pass_summary = QLabel(t("reports.loading"), objectName="passSummary", wordWrap=True)
        self.pass_summary.setStyleSheet("font-weight: bold;")
        self.pass_table = table(
            "passTable",
            [t(f"reports.pass_{k}") for k in ("month", "new", "lapsed", "uses", "revenue")],
        )
        return [self.pass_summary, self.pass_table]

    def _show_passes(self, report: passes.PassReport) -> None:
        self.pass_summary.setText(
            t(
                "reports.pass_summary",
                active=report.active,
                paused=report.paused,
                rate=str(report.use_rate),
                breakage=report.breakage,
                breakage_won=won(report.breakage_won),
                revenue=won(report.revenue),
            )
        )
        fill(
            self.pass_table,
            [
                [m.month, str(m.new), str(m.lapsed), str(m.uses), won(m.revenue)]
                for m in report.months
            ],
        )

    def _build_nps(self) -> list[QWidget]:
        """The visit ratings: NPS by month with its answers, and a month's comments."""
        self.nps_table = table(
            "npsTable",
            [
                t("reports.nps_month"),
                t("reports.nps_answers"),
                t("reports.nps_promoters"),
                t("reports.nps_detractors"),
                t("reports.nps_score"),
                t("reports.nps_note"),
            ],
        )
        self.nps_table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.nps_table.cellClicked.connect(lambda row, _column: self._load_comments(row))
        self.nps_how = QLabel(
            t("reports.nps_how", n=nps.RELIABLE_ANSWERS), objectName="npsHow", wordWrap=True
        )
        self.nps_how.setStyleSheet("color: #555;")
        self.comments_title = QLabel(objectName="npsCommentsTitle")
        self.comments_title.setStyleSheet("font-weight: bold; margin-top: 6px;")
        self.comment_table = table(
            "npsComments",
            [t("reports.nps_comment_at"), t("reports.nps_comment_score"), t("reports.nps_comment")],
        )
        header = self.comment_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.nps_months: list[nps.NpsMonth] = []
        self.nps_arrived: set[str] = set()  # "months", then each month whose comments came
        return [self.nps_table, self.nps_how, self.comments_title, self.comment_table]

    # --- loading ------------------------------------------------------------------------

    def period(self) -> tuple[str, str]:
        return self.first.date().toString("yyyy-MM"), self.last.date().toString("yyyy-MM")

    def refresh(self) -> None:
        """Main figures first (one small query), then the heavier analyses one by one."""
        first, last = self.period()
        self.arrived.clear()
        self.nps_arrived.clear()
        self.message.setText("")
        self.churn.setText(t("reports.loading"))
        ctx = self.ctx
        self.runner.run(lambda: analytics.dashboard(ctx, first, last), self._show_board, self._fail)
        # the quick analyses first: cohorts read kept monthly figures, the others scan sales
        self.runner.run(
            lambda: analytics.cohort_retention(ctx, first, last), self._show_cohorts, self._fail
        )
        self.runner.run(
            lambda: analytics.top_customers(ctx, first, last), self._show_top, self._fail
        )
        self.runner.run(lambda: analytics.campaign_results(ctx), self._show_campaigns, self._fail)
        self.runner.run(lambda: wallet.wallet_report(ctx), self._show_wallet, self._fail)
        count = months_between(first, last)
        self.runner.run(
            lambda: ratings.nps_by_month(ctx, count, last=last), self._show_nps, self._fail
        )
        self.runner.run(lambda: passes.pass_report(ctx, first, last), self._show_passes, self._fail)

    def _fail(self, error: BaseException) -> None:
        if isinstance(error, Refused):
            self.message.setText(refusal(error))
        else:
            self.message.setText(t("error.unexpected", error=error))
        self.message.setStyleSheet("color: #b00020;")

    def _show_board(self, board: Dashboard) -> None:
        self.board = board
        values = {
            "members": f"{board.members:,}",
            "new_members": f"{board.new_members:,}",
            "visits": f"{board.visits:,}",
            "average_spend": won(board.average_spend),
            "frequency": t("reports.frequency_value", n=board.visits_per_active),
            "redemption_rate": percent(board.redemption_rate),
            "liability": won(board.liability_won),
            "points": t(
                "reports.points_value",
                issued=f"{board.points_issued:,}",
                redeemed=f"{board.points_redeemed:,}",
                expired=f"{board.points_expired:,}",
            ),
        }
        for key, text in values.items():
            self.figures[key].setText(text)
        self._draw_charts(board)
        self.arrived.add("board")

    def _draw_charts(self, board: Dashboard) -> None:
        months = [short_month(m.month) for m in board.months]

        def by_month(field: str) -> list[int]:
            return [getattr(m, field) for m in board.months]

        codes = list(board.tier_counts)
        charts = {
            "chartMembers": bar_chart(
                t("reports.chart_members"),
                months,
                [
                    (t("reports.new_members"), by_month("new_members")),
                    (t("reports.active"), by_month("active_members")),
                ],
            ),
            "chartVisits": line_chart(
                t("reports.chart_visits"),
                months,
                [
                    (t("reports.visits"), by_month("visits")),
                    (t("reports.members_total"), by_month("members")),
                ],
            ),
            "chartPoints": bar_chart(
                t("reports.chart_points"),
                months,
                [
                    (t("reports.issued"), by_month("points_issued")),
                    (t("reports.redeemed"), by_month("points_redeemed")),
                    (t("reports.expired"), by_month("points_expired")),
                ],
            ),
            "chartTiers": bar_chart(
                t("reports.chart_tiers", month=board.last),
                [board.tier_names.get(c, c) for c in codes],
                [(t("reports.members_total"), [board.tier_counts[c] for c in codes])],
            ),
        }
        for name, chart in charts.items():
            show_chart(self.charts[name], chart)

    def _show_cohorts(self, result: analytics.CohortTable) -> None:
        width = max((len(c.active) for c in result.cohorts), default=0)
        headers = [t("reports.cohort_month"), t("reports.cohort_size")] + [
            t("reports.cohort_offset", n=k) for k in range(1, width)
        ]
        self.cohorts.setColumnCount(len(headers))
        self.cohorts.setHorizontalHeaderLabels(headers)
        rows = []
        for c in result.cohorts:
            cells = [percent(c.retention(k)) if c.size else "—" for k in range(1, len(c.active))]
            rows.append([c.month, f"{c.size:,}", *cells])
        fill(self.cohorts, rows)
        self.churn.setText(
            t(
                "reports.churn",
                churn=f"{float(result.monthly_churn) * 100:.1f}",
                months=result.lifetime_months,
            )
        )
        monthly = self.board.monthly_value if self.board else 0
        self.clv.setText(t("reports.clv", won=won(result.lifetime_value)))
        self.clv_how.setText(t("reports.clv_how", monthly=won(monthly)))
        self.arrived.add("cohorts")

    def _show_top(self, people: list[analytics.TopCustomer]) -> None:
        fill(
            self.top,
            [[p.name or t("cust.no_name"), p.phone, won(p.spend), f"{p.visits:,}"] for p in people],
            text_columns=2,
        )
        self.arrived.add("top")

    def _show_campaigns(self, results: list[analytics.CampaignResult]) -> None:
        rows = []
        for r in results:
            period = (
                f"{r.start:%y.%m.%d}~{r.end:%m.%d} ({r.before_start:%m.%d}~{r.before_end:%m.%d})"
            )
            rows.append(
                [
                    r.name,
                    period,
                    self._compare(r, "sales", won),
                    self._compare(r, "visits", lambda n: f"{n:,}"),
                    self._compare(r, "points", lambda n: f"{n:,}"),
                ]
            )
        if not rows:
            rows = [[t("reports.no_campaigns"), "", "", "", ""]]
        fill(self.campaigns, rows, text_columns=2)
        self.arrived.add("campaigns")

    @staticmethod
    def _compare(result: analytics.CampaignResult, field: str, show) -> str:
        change = result.change(field)
        return t(
            "reports.campaign_cell",
            during=show(getattr(result.during, field)),
            before=show(getattr(result.before, field)),
            change=f"{float(change) * 100:+.0f}%" if change is not None else "—",
        )

    def _show_nps(self, months: list[nps.NpsMonth]) -> None:
        self.nps_months = months
        rows = [
            [
                m.month,
                f"{m.answers:,}",
                f"{m.promoters_pct}%" if m.answers else "—",
                f"{m.detractors_pct}%" if m.answers else "—",
                f"{m.nps:+d}" if m.answers else "—",
                self._nps_note(m),
            ]
            for m in reversed(months)  # the newest month first, as its comments below
        ]
        fill(self.nps_table, rows)
        self.nps_arrived.add("months")
        for row in range(self.nps_table.rowCount()):  # the warning is words, left-aligned
            item = self.nps_table.item(row, 5)
            if item is not None:
                item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self._load_comments(0)

    @staticmethod
    def _nps_note(month: nps.NpsMonth) -> str:
        """No answers, or too few to go by (a warning), or nothing to say."""
        if not month.answers:
            return t("reports.nps_none")
        return t("reports.nps_few", n=nps.RELIABLE_ANSWERS) if month.few_answers else ""

    def _load_comments(self, row: int) -> None:
        """The comments of the month in that row of the NPS table."""
        if not 0 <= row < len(self.nps_months):
            return
        month = self.nps_months[len(self.nps_months) - 1 - row].month
        self.comments_title.setText(t("reports.nps_comments", month=month))
        ctx = self.ctx
        self.runner.run(
            lambda: ratings.comments(ctx, month),
            lambda found: self._show_comments(month, found),
            self._fail,
        )

    def _show_comments(self, month: str, found: list[ratings.RatingComment]) -> None:
        rows = [
            [f"{self.ctx.local(c.at):%m-%d %H:%M}", str(c.score), c.comment] for c in found
        ] or [["", "", t("reports.nps_no_comments", month=month)]]
        fill(self.comment_table, rows, text_columns=3)
        self.nps_arrived.add(month)

    # --- exports ------------------------------------------------------------------------

    def ask_save_path(self, suggested: str) -> Path | None:
        """The file to write (tests replace this)."""
        name, _ = QFileDialog.getSaveFileName(self, t("reports.pdf"), suggested)
        return Path(name) if name else None

    def export(self, kind: str) -> None:
        first, last = self.period()
        path = self.ask_save_path(f"report_{first}_{last}.{kind}")
        if path is None:
            return
        ctx, lang = self.ctx, language()
        if kind == "pdf":
            job = lambda: analytics.export_report_pdf(ctx, first, last, path, language=lang)  # noqa: E731
        else:
            job = lambda: analytics.export_report_csv(ctx, first, last, path, language=lang)  # noqa: E731
        self.runner.run(job, lambda _: self._saved(path), self._fail)

    def _saved(self, path: Path) -> None:
        self.message.setStyleSheet("color: #2f6f62;")
        self.message.setText(t("reports.saved", file=path.name))
