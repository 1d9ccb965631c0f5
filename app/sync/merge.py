"""Applying rows from elsewhere: immutable rows merge by id, mutable ones field by field.

The same code runs on the central database (a register's push) and on a register (a pull),
so every database reaches the same state by the same rules, whatever order rows arrive in.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    String,
    Table,
    Uuid,
    case,
    func,
    literal_column,
    or_,
    select,
    update,
)

from app.db.base import BUSINESS_INFO, Base, new_id
from app.db.models import SyncChange, SyncFieldClock
from app.domain.keys import is_derived
from app.sync.tracking import FOLLOWS_CUSTOMER, MUTABLE_TABLES

Clock = tuple[int, str]  # (hybrid logical clock, origin register hex): compared as a tuple
ZERO: Clock = (0, "")
CHUNK = 500
# A merged record stays merged: these fields no longer follow ordinary edits.
MERGE_FIELDS = ("status", "merged_into_id", "phone", "phone_last4")
ALIVE = ("active", "withdrawn")


def table(name: str) -> Table:
    return Base.metadata.tables[name]


def business_of(connection: Connection) -> uuid.UUID | None:
    """The business a central connection works for; None on a register (one business)."""
    business = connection.info.get(BUSINESS_INFO)
    return business if isinstance(business, uuid.UUID) else None


def of_business(business: uuid.UUID | None, t: Table | str) -> list[ColumnElement[bool]]:
    """The condition that keeps a central read to one business's rows (none on a register).
    The column is not in the models: a register's tables have none."""
    if business is None:
        return []
    name = t if isinstance(t, str) else t.name
    return [literal_column(f'"{name}".business_id', Uuid()) == business]


def feed_top(connection: Connection) -> int:
    """The newest number of the connection's business's change feed (0 when empty)."""
    newest = select(func.coalesce(func.max(SyncChange.seq), 0)).where(
        *of_business(business_of(connection), "sync_changes")
    )
    return int(connection.scalar(newest) or 0)


def chunks(items: list[Any], size: int = CHUNK) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def insert_for(connection: Connection) -> Callable[..., Any]:
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


def renamed_once_key(once_key: str | None, created_under: uuid.UUID) -> str | None:
    """A once-only bonus that moves to another record keeps its own key (both histories stay)."""
    if once_key is None or "@" in once_key:
        return once_key
    return f"{once_key[:27]}@{created_under.hex}"


@dataclass
class Change:
    """A mutable row written here; decided_here: by this database's own rule (a merge)."""

    table: str
    before: dict[str, Any] | None
    after: dict[str, Any]
    decided_here: bool = False


@dataclass
class Applied:
    """What one batch changed, for the change feed and for the running figures."""

    inserted: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    changed: list[Change] = field(default_factory=list)
    rejected: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    # customer records that became merged here: (loser, winner) -- decided by this database
    merges: list[tuple[uuid.UUID, uuid.UUID]] = field(default_factory=list)
    max_clock: int = 0
    # rows with a derived id (app.domain.keys) written here too, that took the central
    # database's version on a pull: (table, the version this database had, the central one)
    adopted: list[tuple[str, dict[str, Any], dict[str, Any]]] = field(default_factory=list)


class Applier:
    """Merges rows into one database inside the caller's transaction."""

    def __init__(self, connection: Connection, *, adopt_derived: bool = False) -> None:
        self.connection = connection
        # on a pull: a row of a derived id this database wrote itself takes the central
        # version (the central database keeps the first pushed), so every copy is the same
        self.adopt_derived = adopt_derived
        self.insert = insert_for(connection)
        self.applied = Applied()
        self.business = business_of(connection)
        self._roots: dict[uuid.UUID, uuid.UUID] = {}
        # rows another row's merge rewrote (a phone taken, a record merged): read them again
        self._rewritten: set[uuid.UUID] = set()
        # field clocks to write at the end of a chunk (each row once a chunk: _grouped)
        self._clocks: list[dict[str, Any]] = []

    def _mine(self, t: Table | str) -> list[ColumnElement[bool]]:
        return of_business(self.business, t)

    # --- customers that were merged ---------------------------------------------------

    def root_of(self, customer_id: uuid.UUID | None) -> uuid.UUID | None:
        """The record a customer now lives on in (follows merged_into_id to its end)."""
        if customer_id is None:
            return None
        if customer_id in self._roots:
            return self._roots[customer_id]
        customers = table("customers")
        current, seen = customer_id, set()
        while current not in seen:
            seen.add(current)
            row = self.connection.execute(
                select(customers.c.status, customers.c.merged_into_id).where(
                    customers.c.id == current, *self._mine(customers)
                )
            ).first()
            if row is None or row.status != "merged" or row.merged_into_id is None:
                break
            current = row.merged_into_id
        self._roots[customer_id] = current
        return current

    def _follow(self, name: str, row: dict[str, Any]) -> dict[str, Any]:
        """Rows of a merged customer are kept on the record that lives on."""
        if name not in FOLLOWS_CUSTOMER or row.get("customer_id") is None:
            return row
        root = self.root_of(row["customer_id"])
        if root == row["customer_id"]:
            return row
        created_under = row["customer_id"]
        row = dict(row, customer_id=root)
        if name == "ledger_entries":
            row["once_key"] = renamed_once_key(row.get("once_key"), created_under)
        return row

    def rehome(self, loser: uuid.UUID, winner: uuid.UUID) -> None:
        """Move everything of the losing record to the winner: same rule everywhere."""
        self._roots.clear()
        root = self.root_of(winner) or winner
        for name in FOLLOWS_CUSTOMER:
            t = table(name)
            values: dict[str, Any] = {"customer_id": root}
            if name == "ledger_entries":
                values["once_key"] = _renamed_sql(t, loser)
            self.connection.execute(
                update(t).where(t.c.customer_id == loser, *self._mine(t)).values(**values)
            )

    # --- immutable rows ----------------------------------------------------------------

    def insert_rows(self, name: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Insert rows not there yet; an existing id is the same row (pushed twice).

        One prebuilt INSERT .. ON CONFLICT DO NOTHING RETURNING id per table, run as an
        executemany over a chunk's rows (compiled once, not a statement of its own per size)."""
        t = table(name)
        inserted: list[dict[str, Any]] = []
        for part in chunks(rows):
            part = [self._follow(name, row) for row in part]
            ids = [row["id"] for row in part]
            present = set(
                self.connection.scalars(select(t.c.id).where(t.c.id.in_(ids), *self._mine(t)))
            )
            if self.adopt_derived:
                self._adopt(name, [r for r in part if r["id"] in present and is_derived(r["id"])])
            fresh = [row for row in part if row["id"] not in present]
            if not fresh:
                continue
            done = self._insert_fresh(t, fresh)
            for row in fresh:
                if row["id"] in done:
                    inserted.append(row)
                else:  # another row already holds one of its unique keys
                    self.applied.rejected.append((name, row))
        self.applied.inserted.setdefault(name, []).extend(inserted)
        return inserted

    def _insert_fresh(self, t: Table, rows: list[dict[str, Any]]) -> set[uuid.UUID]:
        """The ids of the rows inserted (the others met a unique key already held)."""
        stmt = _insert_returning(self.connection, t)
        done: set[uuid.UUID] = set()
        for group in _same_keys(rows):  # an executemany binds the same columns for every row
            done |= set(self.connection.execute(stmt, group).scalars())
        return done

    def _adopt(self, name: str, rows: list[dict[str, Any]]) -> None:
        """Two registers wrote the same fact (a member's evaluation for a period, the expiry
        of the same lots): the central version replaces this database's own."""
        if not rows:
            return
        t = table(name)
        mine = {
            row.id: dict(row._mapping)
            for row in self.connection.execute(
                select(t).where(t.c.id.in_([r["id"] for r in rows]), *self._mine(t))
            )
        }
        for row in rows:
            before = mine.get(row["id"])
            if before is None or all(before.get(k) == v for k, v in row.items()):
                continue
            values = {k: v for k, v in row.items() if k != "id"}
            self.connection.execute(
                update(t).where(t.c.id == row["id"], *self._mine(t)).values(**values)
            )
            self.applied.adopted.append((name, before, {**before, **values}))

    # --- mutable rows --------------------------------------------------------------------

    def clocks_of(self, name: str, ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, Clock]]:
        c = SyncFieldClock.__table__.c
        out: dict[uuid.UUID, dict[str, Clock]] = {}
        for part in chunks(ids):
            rows = self.connection.execute(
                select(c.row_id, c.field, c.hlc, c.origin).where(
                    c.tbl == name, c.row_id.in_(part), *self._mine(SyncFieldClock.__tablename__)
                )
            )
            for row_id, fld, hlc, origin in rows:
                out.setdefault(row_id, {})[fld] = (int(hlc), origin)
        return out

    def merge_rows(
        self, name: str, rows: list[dict[str, Any]], clocks: dict[uuid.UUID, dict[str, Clock]]
    ) -> None:
        t = table(name)
        for part in chunks(rows):
            ids = [row["id"] for row in part]
            local = {
                row.id: dict(row._mapping)
                for row in self.connection.execute(select(t).where(t.c.id.in_(ids), *self._mine(t)))
            }
            local_clocks = self.clocks_of(name, ids)
            for row in part:
                row = self._follow(name, row)
                incoming = clocks.get(row["id"], {})
                for clock in incoming.values():
                    self.applied.max_clock = max(self.applied.max_clock, clock[0])
                before = local.get(row["id"])
                if row["id"] in self._rewritten:  # changed since the chunk was read
                    found = self.connection.execute(
                        select(t).where(t.c.id == row["id"], *self._mine(t))
                    ).first()
                    before = dict(found._mapping) if found is not None else None
                if before is None:
                    self._insert_mutable(name, row, incoming)
                else:
                    self._merge_fields(name, before, row, incoming, local_clocks.get(row["id"], {}))
            self.flush_clocks()

    def _insert_mutable(self, name: str, row: dict[str, Any], clocks: dict[str, Clock]) -> None:
        loser = None
        if name == "customers":
            row, loser = self._settle_phone(row)
        self.connection.execute(self.insert(table(name)).values(row))
        self._store_clocks(name, row["id"], clocks)
        self.applied.changed.append(Change(name, None, row))
        if name == "customers":
            self._after_customer_write(None, row, loser)

    def _merge_fields(
        self,
        name: str,
        before: dict[str, Any],
        row: dict[str, Any],
        incoming: dict[str, Clock],
        local: dict[str, Clock],
    ) -> None:
        updates: dict[str, Any] = {}
        winning: dict[str, Clock] = {}
        for column, value in row.items():
            if column == "id":
                continue
            theirs = incoming.get(column, incoming.get("*", ZERO))
            ours = local.get(column, local.get("*", ZERO))
            if theirs > ours:
                winning[column] = theirs
                if value != before.get(column):
                    updates[column] = value
        loser = None
        if name == "customers":
            updates = _merged_stays_merged(before, row, updates)
            after, loser = self._settle_phone({**before, **updates})
            updates = {k: v for k, v in after.items() if v != before.get(k)}
        if updates:
            t = table(name)
            self.connection.execute(
                update(t).where(t.c.id == before["id"], *self._mine(t)).values(**updates)
            )
            self.applied.changed.append(Change(name, before, {**before, **updates}))
        if winning:
            self._store_clocks(name, before["id"], winning)
        if name == "customers":
            self._after_customer_write(before, {**before, **updates}, loser)

    def _settle_phone(self, row: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """One phone, one living customer: the smaller id keeps it, the other merges into it.

        Returns the row to write, and the other holder when it is the one that loses (its
        phone is cleared here, before the row is written, so the unique index holds)."""
        phone = row.get("phone")
        if phone is None or row.get("status") not in ALIVE:
            return row, None
        customers = table("customers")
        holder = self.connection.execute(
            select(customers).where(
                customers.c.phone == phone, customers.c.id != row["id"], *self._mine(customers)
            )
        ).first()
        if holder is None:
            return row, None
        if holder.id < row["id"]:
            return dict(row, **_merged_into(holder.id)), None
        # its phone goes now (the unique index); it merges once the winner row exists
        self._rewritten.add(holder.id)
        self.connection.execute(
            update(customers)
            .where(customers.c.id == holder.id, *self._mine(customers))
            .values(phone=None, phone_last4=None)
        )
        return row, dict(holder._mapping)

    def _after_customer_write(
        self, before: dict[str, Any] | None, after: dict[str, Any], loser: dict[str, Any] | None
    ) -> None:
        """Move the rows of whichever record just merged, once both records are written."""
        was_merged = before is not None and before["status"] == "merged"
        if after["status"] == "merged" and not was_merged and after["merged_into_id"]:
            self.applied.merges.append((after["id"], after["merged_into_id"]))
            self.rehome(after["id"], after["merged_into_id"])
        if loser is not None:
            customers = table("customers")
            values = _merged_into(after["id"])
            self.connection.execute(
                update(customers)
                .where(customers.c.id == loser["id"], *self._mine(customers))
                .values(**values)
            )
            self.applied.changed.append(
                Change("customers", loser, {**loser, **values}, decided_here=True)
            )
            self.applied.merges.append((loser["id"], after["id"]))
            self.rehome(loser["id"], after["id"])

    def _store_clocks(self, name: str, row_id: uuid.UUID, clocks: dict[str, Clock]) -> None:
        """Kept for the end of the chunk (flush_clocks): one executemany for all its rows."""
        self._clocks.extend(
            {"tbl": name, "row_id": row_id, "field": f, "hlc": c[0], "origin": c[1]}
            for f, c in clocks.items()
        )

    def flush_clocks(self) -> None:
        """The field clocks of the rows merged since the last flush, in one statement."""
        if not self._clocks:
            return
        key = (self.connection.dialect.name, "sync_field_clocks", bool(self.business))
        stmt = _PREBUILT.get(key)
        if stmt is None:
            t = SyncFieldClock.__table__
            stmt = self.insert(t)
            stmt = stmt.on_conflict_do_update(
                # the central key leads with the business (migration 0027)
                index_elements=[
                    *(["business_id"] if self.business else []),
                    "tbl",
                    "row_id",
                    "field",
                ],
                set_={"hlc": stmt.excluded.hlc, "origin": stmt.excluded.origin},
            )
            _PREBUILT[key] = stmt
        pending, self._clocks = self._clocks, []
        self.connection.execute(stmt, pending)

    # --- one table, whichever kind ---------------------------------------------------------

    def apply(
        self,
        name: str,
        rows: list[dict[str, Any]],
        clocks: dict[uuid.UUID, dict[str, Clock]] | None = None,
    ) -> None:
        if name in MUTABLE_TABLES:
            self.merge_rows(name, rows, clocks or {})
        else:
            self.insert_rows(name, rows)

    def record_rejections(self, register_id: uuid.UUID | None, now: datetime) -> list[uuid.UUID]:
        """Rows refused for a unique key another row holds: kept for the owner to see."""
        if not self.applied.rejected:
            return []
        rows = [
            {
                "id": new_id(),
                "at": now,
                "kind": "duplicate",
                "tbl": name,
                "row_id": row["id"],
                "detail": json.dumps(_plain(row), ensure_ascii=False, sort_keys=True),
                "register_id": register_id,
            }
            for name, row in self.applied.rejected
        ]
        self.connection.execute(self.insert(table("sync_conflicts")).values(rows))
        return [row["id"] for row in rows]


# (dialect, table[, central]) -> its prebuilt insert (.. returning id, or the clocks' upsert)
_PREBUILT: dict[tuple[Any, ...], Any] = {}


def _insert_returning(connection: Connection, t: Table) -> Any:
    """INSERT .. ON CONFLICT DO NOTHING RETURNING id, built once per dialect and table."""
    key = (connection.dialect.name, t.name)
    stmt = _PREBUILT.get(key)
    if stmt is None:
        stmt = insert_for(connection)(t).on_conflict_do_nothing().returning(t.c.id)
        _PREBUILT[key] = stmt
    return stmt


def _same_keys(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Rows grouped by their columns, in order (one group when they come from one table)."""
    groups: dict[frozenset[str], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(frozenset(row), []).append(row)
    return list(groups.values())


def _merged_into(winner: uuid.UUID) -> dict[str, Any]:
    return {"status": "merged", "merged_into_id": winner, "phone": None, "phone_last4": None}


def _merged_stays_merged(
    before: dict[str, Any], row: dict[str, Any], updates: dict[str, Any]
) -> dict[str, Any]:
    """'merged' absorbs: once merged anywhere, merged everywhere, whatever the clocks say."""
    if before["status"] == "merged":
        return {k: v for k, v in updates.items() if k not in MERGE_FIELDS}
    if row.get("status") == "merged":
        return {**updates, **{k: row[k] for k in MERGE_FIELDS if row[k] != before.get(k)}}
    return updates


def _renamed_sql(t: Table, loser: uuid.UUID):
    prefix = func.substr(t.c.once_key, 1, 27, type_=String())
    return case(
        (or_(t.c.once_key.is_(None), t.c.once_key.like("%@%")), t.c.once_key),
        else_=prefix + ("@" + loser.hex),
    )


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime) else str(v)) for k, v in row.items()}
