"""Push a register's outbox to the central database and pull what the others wrote.

Push: the outbox, oldest first, in ONE server transaction that also appends to the change
feed; the outbox is emptied only after that commit. Pull: the feed after the register's
watermark, read in one snapshot, applied in ONE local transaction that also moves the
watermark. A cut anywhere repeats work at most, and every step is idempotent.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Connection, Engine, Table, case, delete, func, select, text, update
from sqlalchemy.orm import Session

from app.db.engine import Database
from app.db.models import SyncChange, SyncClock, SyncOutbox
from app.sync import central_figures
from app.sync.merge import (
    Applied,
    Applier,
    Clock,
    business_of,
    chunks,
    feed_top,
    of_business,
    table,
)
from app.sync.tracking import MUTABLE_TABLES, SYNCED_TABLES

# one change feed writer at a time PER BUSINESS (the row of its feed head, held to the commit):
# its feed numbers then become visible in order; other businesses never wait on it
FEED_LOCK = (
    "SELECT seq FROM sync_feed_heads "
    "WHERE business_id = current_setting('dangol.business')::uuid FOR UPDATE"
)
# the same for a business named by a bound id (a distributed engine routes it to one shard)
FEED_LOCK_OF = "SELECT seq FROM sync_feed_heads WHERE business_id = :b FOR UPDATE"
# the next n numbers of the business's feed (the last of them returned), under the same lock
FEED_TAKE = "UPDATE sync_feed_heads SET seq = seq + :n WHERE business_id = :b RETURNING seq"
CHANNEL = "dangol_sync"
FEED_CHUNK = 5000
# the audit entry of a sync run: moving it is not a change worth another entry (no ping-pong)
SYNC_RUN = "sync.run"


@dataclass(frozen=True)
class PushResult:
    rows: int  # rows sent
    applied: int  # rows that were new or changed something on the server
    rejected: int
    noise: int = 0  # of rows: audit entries of sync runs


@dataclass(frozen=True)
class PullResult:
    rows: int
    merges: int
    watermark: int
    touched_customers: frozenset[uuid.UUID]
    noise: int = 0  # of rows: audit entries of sync runs


def sync_run_entries(
    batch: list[tuple[str, list[dict[str, Any]], dict[uuid.UUID, dict[str, Clock]]]],
) -> int:
    """How many rows of a batch are the audit entries of sync runs."""
    return sum(
        1
        for name, rows, _ in batch
        if name == "audit_log"
        for row in rows
        if row.get("action") == SYNC_RUN
    )


# --- reading rows ------------------------------------------------------------------------


def read_rows(connection: Connection, name: str, ids: list[uuid.UUID]) -> list[dict[str, Any]]:
    """The rows' current values, in the order of ids."""
    t = table(name)
    found: dict[uuid.UUID, dict[str, Any]] = {}
    for part in chunks(ids):
        for row in connection.execute(
            select(t).where(t.c.id.in_(part), *of_business(business_of(connection), t))
        ):
            found[row.id] = dict(row._mapping)
    return [found[i] for i in ids if i in found]


def _grouped(changes: Iterable[tuple[str, uuid.UUID]]) -> list[tuple[str, list[uuid.UUID]]]:
    """Row ids per table in dependency order, each id once, first mention first."""
    per_table: dict[str, dict[uuid.UUID, None]] = {}
    for name, row_id in changes:
        per_table.setdefault(name, {})[row_id] = None
    return [(name, list(per_table[name])) for name in SYNCED_TABLES if name in per_table]


def _batch(
    connection: Connection, changes: Iterable[tuple[str, uuid.UUID]]
) -> list[tuple[str, list[dict[str, Any]], dict[uuid.UUID, dict[str, Clock]]]]:
    out = []
    clocks_reader = Applier(connection)
    for name, ids in _grouped(changes):
        rows = read_rows(connection, name, ids)
        clocks = clocks_reader.clocks_of(name, ids) if name in MUTABLE_TABLES else {}
        out.append((name, rows, clocks))
    return out


# --- push ----------------------------------------------------------------------------------


def push(
    local: Database, server: Engine, register_id: uuid.UUID, limit: int = 50_000
) -> PushResult:
    """Send the outbox; emptied only for what the server committed."""
    with local.read() as session:
        entries = session.execute(
            select(SyncOutbox.seq, SyncOutbox.tbl, SyncOutbox.row_id)
            .order_by(SyncOutbox.seq)
            .limit(limit)
        ).all()
        if not entries:
            return PushResult(0, 0, 0)
        batch = _batch(session.connection(), ((e.tbl, e.row_id) for e in entries))
    last_seq = entries[-1].seq
    with server.begin() as connection:
        applied = apply_on_server(connection, batch, register_id)
    with local.write() as session:
        session.execute(delete(SyncOutbox).where(SyncOutbox.seq <= last_seq))
    sent = sum(len(rows) for _, rows, _ in batch)
    changed = sum(len(v) for v in applied.inserted.values()) + len(applied.changed)
    return PushResult(sent, changed, len(applied.rejected), sync_run_entries(batch))


def apply_on_server(
    connection: Connection,
    batch: list[tuple[str, list[dict[str, Any]], dict[uuid.UUID, dict[str, Clock]]]],
    register_id: uuid.UUID | None,
) -> Applied:
    """Merge a batch into the central database and append what changed to the feed."""
    business = business_of(connection)
    if business is not None:
        connection.execute(text(FEED_LOCK_OF), {"b": business})
    else:  # a connection not set to a business: refused by the server (no dangol.business)
        connection.execute(text(FEED_LOCK))
    applier = Applier(connection)
    for name, rows, clocks in batch:
        applier.apply(name, rows, clocks)
    conflict_ids = applier.record_rejections(register_id, datetime.now(UTC))
    feed = [
        {"tbl": name, "row_id": row["id"], "origin": register_id}
        for name, rows in applier.applied.inserted.items()
        for row in rows
    ]
    feed += [
        {
            "tbl": change.table,
            "row_id": change.after["id"],
            "origin": None if change.decided_here else register_id,
        }
        for change in applier.applied.changed
    ]
    feed += [{"tbl": "sync_conflicts", "row_id": i, "origin": None} for i in conflict_ids]
    # a batch of nothing but sync runs' audit entries wakes no one: it goes with the next pull
    only_runs = sync_run_entries(batch) == sum(len(rows) for _, rows, _ in batch)
    append_feed(connection, feed, notify=not only_runs)
    central_figures.after_push(connection, applier.applied, register_id, len(feed))
    return applier.applied


def append_feed(connection: Connection, feed: list[dict[str, Any]], notify: bool = True) -> None:
    """Into the change feed; centrally numbered from the business's own head (FEED_TAKE)."""
    business = business_of(connection)
    if feed and business is not None:
        last = int(
            connection.execute(text(FEED_TAKE), {"n": len(feed), "b": business}).scalar_one()
        )
        first = last - len(feed) + 1
        feed = [dict(row, seq=first + i) for i, row in enumerate(feed)]
    for part in chunks(feed, FEED_CHUNK):
        connection.execute(cast(Table, SyncChange.__table__).insert(), part)
    if feed and notify:
        connection.execute(text(f"NOTIFY {CHANNEL}"))


# --- pull ----------------------------------------------------------------------------------


def watermark(session: Session) -> int:
    return int(session.scalar(select(SyncClock.pulled_seq).where(SyncClock.id == 1)) or 0)


def pull(
    local: Database,
    server: Engine,
    register_id: uuid.UUID,
    on_applied: Any = None,
    on_first: Any = None,
) -> PullResult:
    """Everything the others wrote since the watermark, applied in one local transaction.

    The feed's first chunk is read from the central database BEFORE the local write lock is
    taken: the counter never waits on that network read (most pulls of a chain are one chunk).
    on_applied(session, applied) runs inside that transaction (the running figures);
    on_first(session, snapshot, register_id), on the first pull, may take the figures from
    the central database instead (True: then on_applied is not called)."""
    with local.read() as session:
        since = watermark(session)
    # nothing new is one statement (autocommit, no snapshot): most pulls of a chain find nothing
    with server.connect().execution_options(isolation_level="AUTOCOMMIT") as peek:
        if feed_top(peek) <= since:
            return PullResult(0, 0, since, frozenset())
    snapshot = server.connect().execution_options(isolation_level="REPEATABLE READ")
    try:
        with snapshot.begin():
            top = feed_top(snapshot)
            if top <= since:
                return PullResult(0, 0, since, frozenset())
            first = _read_chunk(snapshot, register_id, since, min(since + FEED_CHUNK, top))
            return _apply_feed(
                local, snapshot, register_id, since, top, on_applied, on_first, first
            )
    finally:
        snapshot.close()


Batch = list[tuple[str, list[dict[str, Any]], dict[uuid.UUID, dict[str, Clock]]]]


@dataclass(frozen=True)
class _Chunk:
    """Feed numbers (start, end] read in the pull's snapshot, with the rows they name."""

    start: int
    end: int
    batch: Batch


def _read_chunk(snapshot: Connection, register_id: uuid.UUID, start: int, end: int) -> _Chunk:
    c = SyncChange.__table__.c
    changes = snapshot.execute(
        select(c.tbl, c.row_id)
        .where(
            *of_business(business_of(snapshot), "sync_changes"),
            c.seq > start,
            c.seq <= end,
            (c.origin.is_(None)) | (c.origin != register_id),
        )
        .order_by(c.seq)
    ).all()
    batch = _batch(snapshot, ((ch.tbl, ch.row_id) for ch in changes)) if changes else []
    return _Chunk(start, end, batch)


def _apply_feed(
    local: Database,
    snapshot: Connection,
    register_id: uuid.UUID,
    since: int,
    top: int,
    on_applied: Any,
    on_first: Any = None,
    first: _Chunk | None = None,
) -> PullResult:
    """The feed (since, top] applied under the local write lock; `first`, its first chunk
    read before the lock was taken. Another pull that ran meanwhile (the worker's and a
    manual one) may have moved the watermark: then only what it did not apply is applied,
    and the watermark only ever moves forward."""
    rows = merges = noise = 0
    touched: set[uuid.UUID] = set()
    newest_clock = 0
    with local.write() as session:
        now_at = watermark(session)
        if now_at >= top:  # another pull applied all of it while this one read
            return PullResult(0, 0, now_at, frozenset())
        if now_at != since:  # moved forward meanwhile: the chunk read before may overlap it
            since, first = now_at, None
        connection = session.connection()
        connection.execute(text("PRAGMA defer_foreign_keys = ON"))
        connection.execute(update(SyncClock).where(SyncClock.id == 1).values(applying=1))
        if since == 0 and on_first is not None and on_first(session, snapshot, register_id):
            on_applied = None  # the figures came whole from the central database
        cursor = since
        while cursor < top:
            end = min(cursor + FEED_CHUNK, top)
            if first is not None and first.start == cursor and first.end == end:
                chunk, first = first, None  # read before the lock: applied once, here
            else:
                chunk = _read_chunk(snapshot, register_id, cursor, end)
            cursor = end
            if not chunk.batch:
                continue
            applier = Applier(connection, adopt_derived=True)
            for name, batch_rows, clocks in chunk.batch:
                applier.apply(name, batch_rows, clocks)
            rows += sum(len(r) for _, r, _ in chunk.batch)
            noise += sync_run_entries(chunk.batch)
            merges += len(applier.applied.merges)
            touched |= _customers_of(applier.applied)
            newest_clock = max(newest_clock, applier.applied.max_clock)
            if on_applied is not None:
                on_applied(session, applier.applied)
        _advance_clock(connection, newest_clock)  # once a pull
        connection.execute(
            update(SyncClock)
            .where(SyncClock.id == 1)
            .values(
                applying=0,
                # forward only, whatever ran between this pull's read and its lock
                pulled_seq=case((SyncClock.pulled_seq < top, top), else_=SyncClock.pulled_seq),
            )
        )
    return PullResult(rows, merges, top, frozenset(touched), noise)


def _customers_of(applied: Applied) -> set[uuid.UUID]:
    out = {row["customer_id"] for row in applied.inserted.get("ledger_entries", [])}
    out |= {loser for loser, _ in applied.merges} | {winner for _, winner in applied.merges}
    return out


def _advance_clock(connection: Connection, seen: int) -> None:
    """The receive rule of the hybrid clock: never behind a change already seen."""
    if seen:
        connection.execute(
            update(SyncClock).where(SyncClock.id == 1, SyncClock.hlc < seen).values(hlc=seen)
        )


def pending(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(SyncOutbox)) or 0)
