"""The back office's Customers page: search, filter and scroll a million members, open one."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import Refused
from app.services import settings
from app.services.context import Context
from app.services.customer_admin import SORTS, STATUSES, CustomerFilter, tier_choices
from app.ui.backoffice.customer_detail import CustomerDetailDialog
from app.ui.backoffice.customer_model import CustomerTableModel
from app.ui.tasks import ServiceRunner
from app.ui.text import refusal, t

SEARCH_DELAY_MS = 300


class CustomersPage(QWidget):
    def __init__(self, ctx: Context, runner: ServiceRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.runner = ctx, runner
        self.detail: CustomerDetailDialog | None = None
        self.model = CustomerTableModel(ctx, runner.run, parent=self)
        self.model.page_loaded.connect(self._show_count)
        self.model.failed.connect(self._show_failure)
        self._build()
        self._typing = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._typing.timeout.connect(self.refresh)
        runner.run(lambda: tier_choices(ctx), self._fill_tiers, self._show_failure)
        self.refresh()

    def _build(self) -> None:
        self.search = QLineEdit(objectName="customerSearch", clearButtonEnabled=True)
        self.search.setPlaceholderText(t("cust.search"))
        self.search.setMinimumWidth(320)
        self.search.textChanged.connect(lambda _: self._typing.start())
        self.search.returnPressed.connect(self.refresh)
        self.sort = self._combo("customerSort", [(s, t(f"cust.sort.{s}")) for s in SORTS])
        self.tier = self._combo("tierFilter", [("", t("cust.any"))])
        self.status = self._combo(
            "statusFilter",
            [(s, t(f"cust.status.{s}")) for s in STATUSES] + [("", t("cust.any"))],
        )
        self.marketing = self._combo(
            "marketingFilter",
            [("", t("cust.any")), ("yes", t("cust.marketing.yes")), ("no", t("cust.marketing.no"))],
        )
        self.renewal = QCheckBox(t("cust.renewal"), objectName="renewalDue")
        months = settings.setting(self.ctx, "marketing_renewal_months")
        self.renewal.setToolTip(t("cust.renewal_tip", months=months))
        self.renewal.toggled.connect(self.refresh)
        self.error = QLabel(objectName="fieldError", wordWrap=True)
        self.error.hide()
        self.count = QLabel(objectName="customerCount")
        self.table = self._table()

        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        for label, combo in (
            ("cust.sort", self.sort),
            ("cust.tier", self.tier),
            ("cust.status", self.status),
            ("cust.marketing", self.marketing),
        ):
            bar.addWidget(QLabel(t(label)))
            bar.addWidget(combo)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        below = QHBoxLayout()
        below.addWidget(self.renewal)
        below.addStretch(1)
        below.addWidget(self.count)
        layout.addWidget(self.error)
        layout.addLayout(below)
        layout.addWidget(self.table, 1)
        layout.addWidget(QLabel(t("cust.open_hint"), objectName="hint"))

    def _combo(self, name: str, items: list[tuple[str, str]]) -> QComboBox:
        combo = QComboBox(objectName=name)
        for value, label in items:
            combo.addItem(label, value)
        combo.currentIndexChanged.connect(lambda _: self.refresh())
        return combo

    def _table(self) -> QTableView:
        table = QTableView(objectName="customerTable")
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setAlternatingRowColors(True)
        table.verticalHeader().hide()
        # fixed row heights and column widths: no measuring of a million rows while scrolling
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        table.verticalHeader().setDefaultSectionSize(30)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((110, 150, 100, 100, 70, 110, 110, 80)):
            header.resizeSection(column, width)
        header.setStretchLastSection(True)
        table.doubleClicked.connect(self.open_row)
        return table

    def _fill_tiers(self, tiers: list[tuple[str, str]]) -> None:
        self.tier.blockSignals(True)
        for code, name in tiers:
            self.tier.addItem(name, code)
        self.tier.blockSignals(False)

    # --- the list ------------------------------------------------------------------------

    def current_filter(self) -> CustomerFilter:
        marketing = {"yes": True, "no": False}.get(self.marketing.currentData())
        return CustomerFilter(
            query=self.search.text(),
            tier=self.tier.currentData() or None,
            status=self.status.currentData() or None,
            marketing=marketing,
            renewal_due=self.renewal.isChecked(),
        )

    def refresh(self) -> None:
        if not hasattr(self, "table"):
            return  # combos fire while the page is still being built
        self._typing.stop()
        self.error.hide()
        self.count.setText(t("cust.loading"))
        self.model.show_query(self.current_filter(), self.sort.currentData())

    def _show_count(self, rows: int) -> None:
        key = "cust.shown_all" if self.model.exhausted else "cust.shown"
        self.count.setText(t(key, n=rows))

    def _show_failure(self, error: object) -> None:
        text = refusal(error) if isinstance(error, Refused) else t("error.unexpected", error=error)
        self.error.setText(text)
        self.error.show()
        self.count.setText("")

    # --- one member ----------------------------------------------------------------------

    def open_row(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        if self.detail is not None:
            self.detail.close()
        self.detail = CustomerDetailDialog(
            self.ctx, self.runner, self.model.customer_id(index.row()), self
        )
        self.detail.changed.connect(self.refresh)
        self.detail.show()
