"""The audit log page: who did what and when, filtered, a page at a time, and its seal checked."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.i18n import codes
from app.services import audit, staff
from app.services.audit import AuditFilter, AuditRow, ChainCheck
from app.services.audit import AuditPage as LogPage
from app.services.context import Context
from app.services.staff import StaffMember
from app.ui.backoffice.settings_page import error_text, field_error, page_title
from app.ui.tasks import ServiceRunner
from app.ui.text import language, t

PAGE_SIZE = 100
COLUMNS = ("when", "who", "action", "about")
DAYS_SHOWN = 30


def action_phrase(action: str) -> str:
    """'staff.add' -> '직원 추가'; an action this version does not know shows as it is."""
    return codes.audit_action(language(), action)


def about_text(row: AuditRow) -> str:
    """What the action was about: a staff member's name, or the detail in a few words."""
    parts = [codes.staff_name(language(), row.target_name)] if row.target_name else []
    return " · ".join(parts + codes.audit_detail(language(), row.detail))


class AuditModel(QAbstractTableModel):
    """One page of audit rows, read only."""

    def __init__(self, ctx: Context) -> None:
        super().__init__()
        self.ctx = ctx
        self.rows: list[AuditRow] = []

    def set_rows(self, rows: list[AuditRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return t(f"audit.col.{COLUMNS[section]}")
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return None
        row = self.rows[index.row()]
        column = COLUMNS[index.column()]
        if column == "when":
            return self.ctx.local(row.at).strftime("%Y-%m-%d %H:%M:%S")
        if column == "who":
            return codes.staff_name(language(), row.staff_name)
        if column == "action":
            return action_phrase(row.action)
        return about_text(row)


class AuditPage(QWidget):
    def __init__(self, ctx: Context, runner: ServiceRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.runner = ctx, runner
        self.page_number = 0
        self.current: LogPage | None = None
        self._build()
        self.runner.run(lambda: audit.audit_actions(ctx), self._fill_actions)
        self.runner.run(lambda: staff.list_staff(ctx, include_inactive=True), self._fill_staff)
        self.search()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.addWidget(page_title(t("page.audit")))
        layout.addLayout(self._filters())
        self.model = AuditModel(self.ctx)
        self.table = QTableView(objectName="auditTable")
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        layout.addWidget(self.table, 1)
        layout.addLayout(self._pager())
        layout.addLayout(self._verifier())
        self.error = field_error("auditError")
        layout.addWidget(self.error)

    def _filters(self) -> QHBoxLayout:
        row = QHBoxLayout()
        today = self.ctx.local(self.ctx.now()).date()
        self.date_from = self._date_edit("dateFrom", today - timedelta(days=DAYS_SHOWN))
        self.date_to = self._date_edit("dateTo", today)
        self.action = QComboBox(objectName="actionFilter")
        self.action.addItem(t("audit.all_actions"), None)
        self.action.setMinimumWidth(200)
        self.who = QComboBox(objectName="staffFilter")
        self.who.addItem(t("audit.all_staff"), None)
        self.who.setMinimumWidth(140)
        search = QPushButton(t("audit.search"), objectName="auditSearch")
        search.clicked.connect(self.search)
        for widget in (
            QLabel(t("audit.from")),
            self.date_from,
            QLabel(t("audit.to")),
            self.date_to,
            self.action,
            self.who,
            search,
        ):
            row.addWidget(widget)
        row.addStretch(1)
        return row

    def _date_edit(self, name: str, day: date) -> QDateEdit:
        edit = QDateEdit(QDate(day.year, day.month, day.day), objectName=name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        return edit

    def _pager(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.previous = QPushButton(t("audit.previous"), objectName="previousPage")
        self.previous.clicked.connect(lambda: self.go(self.page_number - 1))
        self.next = QPushButton(t("audit.next"), objectName="nextPage")
        self.next.clicked.connect(lambda: self.go(self.page_number + 1))
        self.page_label = QLabel(objectName="pageLabel")
        row.addWidget(self.previous)
        row.addWidget(self.page_label)
        row.addWidget(self.next)
        row.addStretch(1)
        return row

    def _verifier(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.verify_button = QPushButton(t("audit.verify"), objectName="verifyAudit")
        self.verify_button.clicked.connect(self.verify)
        self.verdict = QLabel(objectName="verdict", wordWrap=True)
        row.addWidget(self.verify_button)
        row.addWidget(self.verdict, 1)
        return row

    # --- filters ------------------------------------------------------------------------------

    def _fill_actions(self, actions: list[str]) -> None:
        areas = sorted({a.split(".")[0] for a in actions})
        for area in areas:
            self.action.addItem(codes.audit_area(language(), area), area)
        for action in actions:
            self.action.addItem("  " + action_phrase(action), action)

    def _fill_staff(self, members: list[StaffMember]) -> None:
        for member in members:
            self.who.addItem(codes.staff_name(language(), member.name), str(member.id))

    def wanted(self) -> AuditFilter:
        """The local dates chosen, as UTC moments: from the first day's start to after the last."""
        first, last = self.date_from.date().toPython(), self.date_to.date().toPython()
        assert isinstance(first, date) and isinstance(last, date)
        start = datetime.combine(first, time(0), tzinfo=self.ctx.zone)
        end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=self.ctx.zone)
        who = self.who.currentData()
        return AuditFilter(start, end, self.action.currentData(), uuid.UUID(who) if who else None)

    def search(self) -> None:
        self.go(0)

    def go(self, page: int) -> None:
        wanted = self.wanted()
        self.error.hide()
        self.runner.run(
            lambda: audit.list_audit(self.ctx, wanted, page=max(0, page), page_size=PAGE_SIZE),
            self.show_page,
            self._failed,
        )

    def show_page(self, found: LogPage) -> None:
        self.current, self.page_number = found, found.page
        self.model.set_rows(found.rows)
        self.page_label.setText(
            t("audit.page", page=found.page + 1, pages=found.pages, total=f"{found.total:,}")
        )
        self.previous.setEnabled(found.page > 0)
        self.next.setEnabled(found.page + 1 < found.pages)

    # --- the seal ---------------------------------------------------------------------------

    def verify(self) -> None:
        self.verify_button.setEnabled(False)
        self.verdict.setText(t("busy"))
        self.runner.run(lambda: audit.check_audit(self.ctx), self.show_verdict, self._failed)

    def show_verdict(self, check: ChainCheck) -> None:
        self.verify_button.setEnabled(True)
        if check.intact:
            self.verdict.setStyleSheet("color: #2b8a3e; font-weight: bold;")
            self.verdict.setText(t("audit.intact", rows=f"{check.rows:,}"))
        else:
            self.verdict.setStyleSheet("color: #c92a2a; font-weight: bold;")
            if check.truncated:
                self.verdict.setText(
                    t(
                        "audit.truncated",
                        rows=f"{check.rows:,}",
                        expected=f"{check.expected_rows or 0:,}",
                    )
                )
            elif check.first_broken is None:
                self.verdict.setText(t("audit.replaced"))
            else:
                self.verdict.setText(t("audit.broken", row=check.rows, id=str(check.first_broken)))

    def _failed(self, error: BaseException) -> None:
        self.verify_button.setEnabled(True)
        self.error.setText(error_text(error))
        self.error.show()
