"""Back office: the neighbourhood coalition (골목 제휴) — its terms and shops, a month's
closing, settlement and statements (saved as PDF and CSV), and the owner's acknowledgement.
Creating or joining a coalition is `dangol partner create/join` (README)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.calendar import add_months
from app.domain.errors import Refused
from app.services import partners
from app.services.context import Context
from app.ui.tasks import ServiceRunner
from app.ui.text import language, refusal, t


class PartnersPage(QWidget):
    def __init__(self, ctx: Context, runner: ServiceRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.runner = ctx, runner
        self.terms = QLabel(objectName="partnerTerms")
        self.terms.setWordWrap(True)
        self.shops = QTableWidget(0, 2, objectName="partnerShops")
        self.shops.setHorizontalHeaderLabels([t("partners.col.shop"), t("partners.col.closed")])
        self.shops.horizontalHeader().setStretchLastSection(True)
        self.shops.setColumnWidth(0, 260)
        self.shops.setMaximumHeight(160)
        today = ctx.local_date(ctx.now())
        self.month = QLineEdit(add_months(today.replace(day=1), -1).strftime("%Y-%m"))
        self.month.setObjectName("partnerMonth")
        self.month.setMaximumWidth(110)
        self.close_button = QPushButton(t("partners.close"), objectName="partnerClose")
        self.settle_button = QPushButton(t("partners.settle"), objectName="partnerSettle")
        self.save_button = QPushButton(t("partners.save"), objectName="partnerSave")
        self.ack_button = QPushButton(t("partners.ack"), objectName="partnerAck")
        self.message = QLabel(objectName="message")
        self.message.setWordWrap(True)
        self.statements = QTableWidget(0, 5, objectName="partnerStatements")
        self.statements.setHorizontalHeaderLabels(
            [
                t("partners.col.other"),
                t("partners.col.ours"),
                t("partners.col.theirs"),
                t("partners.col.net"),
                t("partners.col.acked"),
            ]
        )
        self.statements.horizontalHeader().setStretchLastSection(True)
        self.statements.setColumnWidth(0, 180)
        for column in (1, 2, 3):
            self.statements.setColumnWidth(column, 130)

        program = QGroupBox(t("partners.title"))
        box = QVBoxLayout(program)
        box.addWidget(self.terms)
        box.addWidget(self.shops)
        month = QGroupBox(t("partners.month_box"))
        row = QHBoxLayout()
        row.addWidget(QLabel(t("partners.month")))
        row.addWidget(self.month)
        for button in (self.close_button, self.settle_button, self.save_button, self.ack_button):
            row.addWidget(button)
        row.addStretch(1)
        inner = QVBoxLayout(month)
        inner.addLayout(row)
        inner.addWidget(self.message)
        inner.addWidget(self.statements, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(program)
        layout.addWidget(month, 1)

        self.close_button.clicked.connect(self.close_month)
        self.settle_button.clicked.connect(self.settle)
        self.save_button.clicked.connect(self.save)
        self.ack_button.clicked.connect(self.acknowledge)
        self.refresh()

    def _failed(self, error: BaseException) -> None:
        self.message.setText(refusal(error) if isinstance(error, Refused) else str(error))

    def refresh(self) -> None:
        self.runner.run(lambda: partners.list_program(self.ctx), self._show, self._no_program)

    def _no_program(self, error: BaseException) -> None:
        self.terms.setText(t("partners.none"))
        for button in (self.close_button, self.settle_button, self.save_button, self.ack_button):
            button.setEnabled(False)
        if not (isinstance(error, Refused) and error.code == "partner.not_member"):
            self._failed(error)

    def _show(self, info: partners.PartnerProgramInfo) -> None:
        terms = t(
            "partners.terms",
            name=info.name,
            value=info.point_value,
            rate=info.earn_rate,
            limit=info.offline_limit,
        )
        if not info.online:
            terms += "\n" + t("partners.offline")
        self.terms.setText(terms)
        self.shops.setRowCount(len(info.shops))
        for row, shop in enumerate(info.shops):
            name = shop.name + (t("partners.me") if shop.me else "")
            self.shops.setItem(row, 0, QTableWidgetItem(name))
            closed = shop.closed_through or t("partners.not_closed")
            self.shops.setItem(row, 1, QTableWidgetItem(closed))
        self.runner.run(
            lambda: partners.statement_views(self.ctx, self.month.text()),
            self._statements,
            lambda error: None,  # no statements yet, or the month as typed: nothing to show
        )

    def _statements(self, views: list[partners.StatementView]) -> None:
        self.statements.setRowCount(len(views))
        for row, v in enumerate(views):
            if v.net > 0:
                net = t("partners.they_pay", amount=f"{v.net:,}")
            elif v.net < 0:
                net = t("partners.we_pay", amount=f"{-v.net:,}")
            else:
                net = t("partners.even")
            yes, no = t("partners.yes"), t("partners.no")
            acked = t(
                "partners.acked",
                us=yes if v.acked_by_us else no,
                them=yes if v.acked_by_them else no,
            )
            cells = [
                v.other_shop,
                f"{v.ours_spent_there:,}",
                f"{v.theirs_spent_here:,}",
                net,
                acked,
            ]
            for column, text in enumerate(cells):
                self.statements.setItem(row, column, QTableWidgetItem(text))

    def _after(self, key: str) -> Any:
        def done(_: object) -> None:
            self.message.setText(t(key, month=self.month.text()))
            self.refresh()

        return done

    def close_month(self) -> None:
        month = self.month.text()
        self.runner.run(
            lambda: partners.close_month(self.ctx, month),
            self._after("partners.closed"),
            self._failed,
        )

    def settle(self) -> None:
        month = self.month.text()
        self.runner.run(
            lambda: partners.settle(self.ctx, month),
            self._after("partners.settled"),
            self._failed,
        )

    def acknowledge(self) -> None:
        month = self.month.text()
        self.runner.run(
            lambda: partners.acknowledge(self.ctx, month),
            self._after("partners.acked_done"),
            self._failed,
        )

    def save(self, path: str | None = None) -> None:
        month = self.month.text()
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self, t("partners.save"), f"partner-{month}.pdf", "PDF (*.pdf)"
            )
        if not path:
            return
        pdf = Path(path)
        csv_file = pdf.with_suffix(".csv")
        lang = language()
        self.runner.run(
            lambda: partners.write_statements(
                self.ctx, month, pdf=pdf, csv_file=csv_file, lang=lang
            ),
            lambda result: self.message.setText(t("partners.saved", files=", ".join(result.files))),
            self._failed,
        )
