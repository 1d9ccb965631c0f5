"""A long ledger's FIFO sums kept between two statuses, brought up to date by the new rows.

The status of a regular with thousands of ledger entries summed all of them at every lookup
(BALANCES_STATEMENT: one pass over the customer's part of the ledger index, ~1.5 ms for
5,000 entries). The ledger is append-only, so on SQLite a customer's position -- the plain
sums and the lots by expiry -- stays right until a row is added; the newest rowid of the
table (one step down its b-tree) tells whether any was, anywhere, by any process. Rows added
since are read by rowid (bounded by the shop's activity, not the customer's history) and
added in; the id of the row at the position's mark must still be the one seen there (a file
restored in place is another history, read again). The lots due by `now` are then a binary
search over the lots' expiries. Only customers with many entries are kept; PostgreSQL (no
rowid) always sums.
"""

from __future__ import annotations

import uuid
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import accumulate
from typing import Any

from sqlalchemy import Integer, Uuid, bindparam, func, literal_column, select

from app.db.lean import Lean, LeanConnection
from app.db.models import LedgerEntry
from app.services.ledger import BALANCES_STATEMENT, EXPIRING_SOON, LedgerSums

KEEP_FROM = 500  # entries from which a customer's position is kept
MAX_GAP = 5000  # rows added to the shop's ledger since a position: beyond, it is read again
KEPT = 64  # positions kept (the regulars of the day)

_ROWID = literal_column("ledger_entries.rowid", Integer)
_CUSTOMER = bindparam("customer_id", type_=Uuid())
# the table's newest row (rowid and id) and the id of the row at a kept position's mark: one
# step down the table's b-tree each. An id that differs at the mark is another history (a
# restored file): the rows up to the mark are no longer the ones summed.
_NEWEST = Lean(
    select(
        _ROWID,
        LedgerEntry.id,
        select(LedgerEntry.id)
        .where(_ROWID.__eq__(bindparam("mark", type_=Integer)))
        .scalar_subquery(),
    )
    .order_by(_ROWID.desc())
    .limit(1)
)
# expires_at as SQLite stores it (text, untyped here: no parsing of thousands of datetimes);
# the lots are compared with `now` in that same form, as the SQL of the sums compares them
_STORED_EXPIRY: Any = literal_column("ledger_entries.expires_at")
_COLUMNS = (_ROWID, LedgerEntry.points, LedgerEntry.stamps, _STORED_EXPIRY)
# the customer's lots by expiry, summed per moment (lots of the same month's end are one
# row): in the order of ix_ledger_customer_expiry, which covers them
_LOTS = Lean(
    select(_STORED_EXPIRY, func.sum(LedgerEntry.points))
    .where(LedgerEntry.customer_id == _CUSTOMER, LedgerEntry.expires_at.is_not(None))
    .group_by(_STORED_EXPIRY)
    .order_by(_STORED_EXPIRY)
)
# the rows added since: by rowid ("+" keeps SQLite off the customer's index, which would
# walk the whole history again)
_SINCE = Lean(
    select(*_COLUMNS).where(
        bindparam("mark", type_=Integer) < _ROWID,
        literal_column("+ledger_entries.customer_id", Uuid()) == _CUSTOMER,
    )
)
# the five sums and the number of rows summed: whether the customer is a regular to keep
_SUMS = Lean(BALANCES_STATEMENT.add_columns(func.count()))
# the same with the table's newest row (rowid and id, _NEWEST's first two), for a customer
# with no kept position: one statement where there were two (a sale, a redemption, a void
# and a status each read them), both in the same state of the table
_TOP = LedgerEntry.__table__.alias("top_entry")
_TOP_ROWID = literal_column("top_entry.rowid", Integer)
_SUMS_AND_NEWEST = Lean(
    BALANCES_STATEMENT.add_columns(
        func.count(),
        select(_TOP_ROWID).select_from(_TOP).order_by(_TOP_ROWID.desc()).limit(1).scalar_subquery(),
        select(_TOP.c.id).order_by(_TOP_ROWID.desc()).limit(1).scalar_subquery(),
    )
)


@dataclass
class Position:
    """One customer's ledger up to rowid `mark`: the plain sums and the lots by expiry."""

    mark: int
    mark_id: uuid.UUID | None  # the id of the row at rowid `mark`
    total: int = 0
    stamps: int = 0
    consumed: int = 0
    expiries: list[Any] = field(default_factory=list)  # sorted, in the stored form
    lots: list[tuple[Any, int]] = field(default_factory=list)  # sorted as expiries
    _due: list[int] = field(default_factory=list)  # due[i]: points of lots[:i]

    def add(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """Add ledger rows (rowid, points, stamps, expires_at) as the FIFO sums count them."""
        new_lots = []
        for _, points, stamps, expires_at in rows:
            self.total += points
            self.stamps += stamps
            if expires_at is None:
                self.consumed -= points
            else:
                new_lots.append((expires_at, points))
        if new_lots or not self._due:
            self.lots.extend(new_lots)
            self.lots.sort()  # already sorted but for the new ones: one pass
            self.expiries = [at for at, _ in self.lots]
            self._due = [0, *accumulate(points for _, points in self.lots)]

    def due_by(self, stored: Any) -> int:
        """Points of the lots that expire by a moment in the stored form (expires_at <= it)."""
        return self._due[bisect_right(self.expiries, stored)]

    def sums(self, now: datetime, stored: Callable[[datetime], Any]) -> LedgerSums:
        """The sums at `now`; `stored` gives a moment as the database stores it."""
        due_now, due_soon = self.due_by(stored(now)), self.due_by(stored(now + EXPIRING_SOON))
        return LedgerSums(self.total, self.stamps, self.consumed, due_now, due_soon, now)


_POSITIONS: OrderedDict[tuple[str, uuid.UUID], Position] = OrderedDict()


def _summed(
    connection: LeanConnection, customer_id: uuid.UUID, now: datetime
) -> tuple[LedgerSums, int]:
    """BALANCES_STATEMENT's sums, and how many entries they summed."""
    row = _SUMS.first(connection, customer_id=customer_id, now=now, soon=now + EXPIRING_SOON)
    assert row is not None  # an aggregate always has its row
    total, stamps, consumed, due_now, due_soon, count = (int(v) for v in row)
    return LedgerSums(total, stamps, consumed, due_now, due_soon, now), count


def _stored(connection: LeanConnection) -> Callable[[datetime], Any]:
    """A moment as the database stores expires_at (the column's bind processing)."""
    process = LedgerEntry.__table__.c.expires_at.type._cached_bind_processor(connection.dialect)
    assert process is not None  # UTCDateTime always converts
    return process


def position_sums(connection: LeanConnection, customer_id: uuid.UUID, now: datetime) -> LedgerSums:
    """The customer's FIFO sums at `now`, as BALANCES_STATEMENT gives them.

    Inside one read snapshot (lean_connection(snapshot=True)) or the caller's transaction."""
    if connection.dialect.name != "sqlite":
        return _summed(connection, customer_id, now)[0]
    key = (connection.database, customer_id)
    kept = _POSITIONS.get(key)
    if kept is None:  # most customers: the sums and the table's newest row by one statement
        row = _SUMS_AND_NEWEST.first(
            connection, customer_id=customer_id, now=now, soon=now + EXPIRING_SOON
        )
        assert row is not None  # an aggregate always has its row
        total, stamps, consumed, due_now, due_soon, count = (int(v) for v in row[:6])
        sums = LedgerSums(total, stamps, consumed, due_now, due_soon, now)
        if count < KEEP_FROM:
            return sums
        return _keep(connection, key, sums, row[6] or 0, row[7], now)
    top = _NEWEST.first(connection, mark=kept.mark)
    newest, newest_id, id_at_mark = top if top is not None else (0, None, None)
    if kept.mark <= newest and newest - kept.mark <= MAX_GAP and id_at_mark == kept.mark_id:
        if newest > kept.mark:
            kept.add(_SINCE.rows(connection, mark=kept.mark, customer_id=customer_id))
            kept.mark, kept.mark_id = newest, newest_id
        _POSITIONS.move_to_end(key)
        return kept.sums(now, _stored(connection))
    _POSITIONS.pop(key, None)
    sums, count = _summed(connection, customer_id, now)
    if count < KEEP_FROM:
        return sums
    return _keep(connection, key, sums, newest, newest_id, now)


def _keep(
    connection: LeanConnection,
    key: tuple[str, uuid.UUID],
    sums: LedgerSums,
    newest: int,
    newest_id: uuid.UUID | None,
    now: datetime,
) -> LedgerSums:
    """Keep a regular's position from its sums, marked at the table's newest row."""
    position = Position(
        mark=newest,
        mark_id=newest_id,
        total=sums.total,
        stamps=sums.stamps,
        consumed=sums.consumed,
        lots=[(at, int(points)) for at, points in _LOTS.rows(connection, customer_id=key[1])],
    )
    position.add([])  # the lots' running sums
    _POSITIONS[key] = position
    while len(_POSITIONS) > KEPT:
        _POSITIONS.popitem(last=False)
    return position.sums(now, _stored(connection))


def forget_positions() -> None:
    """Drop every kept position (a restored file, a test)."""
    _POSITIONS.clear()
