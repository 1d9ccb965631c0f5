"""The customer list as a table model that fetches the next keyset page as the owner scrolls."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from app.services.context import Context
from app.services.customer_admin import (
    PAGE_SIZE,
    CustomerFilter,
    CustomerRow,
    browse_customers,
)
from app.ui.text import t

# runner.run(fn, on_done, on_error): the window's ServiceRunner, or a plain call in model tests
Run = Callable[[Callable[[], Any], Callable[[Any], None], Callable[[BaseException], None]], None]
Index = QModelIndex | QPersistentModelIndex

COLUMNS = ("name", "phone", "tier", "points", "stamps", "last_visit", "enrolled", "status")
NUMERIC = {"points", "stamps"}
ID_ROLE = Qt.ItemDataRole.UserRole


class CustomerTableModel(QAbstractTableModel):
    """Rows arrive a page at a time from `browse_customers`; a new filter starts over."""

    page_loaded = Signal(int)  # rows held now
    failed = Signal(object)  # the error of a page that could not be read

    def __init__(
        self, ctx: Context, run: Run, page_size: int = PAGE_SIZE, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx, self._run, self.page_size = ctx, run, page_size
        # not `sort`: that is the Qt method a view calls to sort the model
        self.filters, self.order = CustomerFilter(), "newest"
        self.rows: list[CustomerRow] = []
        self.exhausted = False
        self.loading = False
        self._generation = 0

    # --- what to show --------------------------------------------------------------------

    def show_query(self, filters: CustomerFilter, sort: str) -> None:
        """Start over with a new filter and order; the first page is asked for at once."""
        self.beginResetModel()
        self.filters, self.order = filters, sort
        self.rows = []
        self.exhausted = False
        self.loading = False
        self._generation += 1  # pages still on their way for the old query are dropped
        self.endResetModel()
        self.fetchMore(QModelIndex())

    def customer_id(self, row: int) -> uuid.UUID:
        return self.rows[row].id

    # --- fetching ------------------------------------------------------------------------

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self.exhausted and not self.loading

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self.exhausted or self.loading:
            return
        self.loading = True
        generation, filters, sort = self._generation, self.filters, self.order
        after = self.rows[-1].key if self.rows else None
        self._run(
            lambda: browse_customers(self.ctx, filters, sort, after, self.page_size),
            lambda page: self._arrived(generation, page),
            lambda error: self._refused(generation, error),
        )

    def _arrived(self, generation: int, page: list[CustomerRow]) -> None:
        if generation != self._generation:
            return
        if len(page) < self.page_size:
            self.exhausted = True
        if page:
            first = len(self.rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
            self.rows.extend(page)
            self.endInsertRows()
        # only now: a view may ask for more from inside the insertion signals
        self.loading = False
        self.page_loaded.emit(len(self.rows))

    def _refused(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self.loading = False
        self.exhausted = True
        self.failed.emit(error)

    # --- the table -----------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(COLUMNS)
        ):
            return t(f"cust.col.{COLUMNS[section]}")
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row, column = self.rows[index.row()], COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == ID_ROLE:
            return str(row.id)
        return None

    def _text(self, row: CustomerRow, column: str) -> str:
        if column == "name":
            return row.name_masked or t("cust.no_name")
        if column == "phone":
            return row.phone_masked or t("cust.none")
        if column == "tier":
            return row.tier_name
        if column == "points":
            return f"{row.points:,}"
        if column == "stamps":
            return str(row.stamps)
        if column == "last_visit":
            return self._day(row.last_visit)
        if column == "enrolled":
            return self._day(row.enrolled_at)
        return t(f"cust.status.{row.status}")

    def _day(self, moment: datetime | None) -> str:
        return self.ctx.local_date(moment).isoformat() if moment else t("cust.none")
