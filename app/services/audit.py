"""Reading and verifying the audit log (each row carries the hash of the one before)."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.db.engine import open_copy
from app.db.models import AuditEntry, Staff
from app.db.settings import load_settings
from app.domain.errors import Refused
from app.services.audit_chain import (
    GENESIS_HASH,
    REPLACED,
    RESTORE_ACTION,
    TIP_PREFIX,
    chain_columns,
    hash_holds,
    read_tip,
    tip_key,
)
from app.services.context import Context


@dataclass(frozen=True)
class ChainCheck:
    intact: bool
    rows: int
    registers: int
    first_broken: uuid.UUID | None = None
    truncated: bool = False  # rows are missing from the end (or all of them)
    expected_rows: int | None = None  # how many rows the count kept outside the table knows


def verify_audit_chain(
    ctx: Context,
    *,
    backups: Iterable[Path] = (),
    central: dict[str, tuple[int, str]] | None = None,
) -> ChainCheck:
    """Follow every register's links from the start, recomputing each hash, then hold the
    count against the one kept in the settings, in the given backups' settings and on the
    central server (`central`: tips by key). A tip of a history a restore replaced (the
    restore's own entry names the tip it replaced) is not held against the chain."""
    replaced: dict[str, int] = {}  # register key -> the largest count a restore replaced
    with ctx.db.read() as session:
        by_register: dict[uuid.UUID | None, dict[str, Any]] = {}
        for row in session.execute(select(*chain_columns())).yield_per(5000):
            links = by_register.setdefault(row.register_id, {})
            if row.prev_hash in links:  # two rows claim the same previous row: a fork
                return ChainCheck(False, len(links), len(by_register), row.id)
            links[row.prev_hash] = row
            if row.action == RESTORE_ACTION and row.detail:
                gone = read_tip(json.loads(row.detail).get(REPLACED))
                key = tip_key(row.register_id)
                if gone is not None:
                    replaced[key] = max(replaced.get(key, 0), gone[0])
        kept = {
            key: tip
            for key, value in load_settings(session).items()
            if key.startswith(TIP_PREFIX) and (tip := read_tip(value)) is not None
        }
    remembered = [kept, *(_tips_in_backup(path) for path in backups), central or {}]
    rows = 0
    reached: dict[str, list[str]] = {}  # register key -> hashes in chain order
    for register_id, links in by_register.items():
        order: list[str] = []
        link = GENESIS_HASH
        while link in links:
            row = links.pop(link)
            if not hash_holds(row, row.hash):
                return ChainCheck(False, rows + len(order) + 1, len(by_register), row.id)
            order.append(row.hash)
            link = row.hash
        if links:  # rows no link reaches: one before them was deleted or changed
            orphan = min(links.values(), key=lambda r: r.id)
            return ChainCheck(False, rows + len(order) + 1, len(by_register), orphan.id)
        rows += len(order)
        reached[tip_key(register_id)] = order
    expected = 0
    for key in {k for tips in remembered for k in tips} | set(reached):
        order = reached.get(key, [])
        wanted = max(
            (
                tips[key]
                for tips in remembered
                if key in tips
                # the settings' own count is of this history: never excused
                and (tips is kept or not _replaced(tips[key], order, replaced.get(key, 0)))
            ),
            default=None,
        )
        if wanted is None:
            expected += len(order)
            continue
        count, last = wanted
        expected += max(count, len(order))
        if len(order) < count:
            return ChainCheck(False, rows, len(by_register), None, True, rows - len(order) + count)
        if count and order[count - 1] != last:  # a different history of the same length
            return ChainCheck(False, rows, len(by_register), None, False, None)
    return ChainCheck(True, rows, len(by_register), expected_rows=expected)


def _replaced(tip: tuple[int, str], order: list[str], replaced: int) -> bool:
    """A tip of a history a restore replaced: not on this chain, and no further than it went."""
    count, last = tip
    on_chain = 0 < count <= len(order) and order[count - 1] == last
    return not on_chain and count <= replaced


def check_audit(ctx: Context) -> ChainCheck:
    """The back office's check: the chain against the settings' count, the newest backup in
    the backup folder and, when synced and the server answers, the central count."""
    from app.services import backup_schedule, sync

    try:
        found = backup_schedule.list_backups(ctx)
    except Refused:  # no backup folder (a PostgreSQL shop)
        found = []
    return verify_audit_chain(
        ctx, backups=[b.path for b in found[:1]], central=sync.central_tips(ctx)
    )


def _tips_in_backup(path: Path) -> dict[str, tuple[int, str]]:
    """The counts a backup copy kept in its settings; none from a file that cannot be read."""
    try:
        conn = open_copy(path)
        try:
            found = conn.execute(
                "SELECT key, value FROM settings WHERE key LIKE ?", (TIP_PREFIX + "%",)
            ).fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        return {}
    return {key: tip for key, value in found if (tip := read_tip(json.loads(value))) is not None}


# --- reading the log, a page at a time ------------------------------------------------------


@dataclass(frozen=True)
class AuditRow:
    id: uuid.UUID
    at: datetime  # aware UTC
    staff_id: uuid.UUID | None
    staff_name: str | None
    action: str
    target_id: str | None
    detail: dict[str, Any] | None
    target_name: str | None = None  # the staff member a staff.* action was about


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    total: int  # rows matching the filter, on every page
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


@dataclass(frozen=True)
class AuditFilter:
    """Rows from `start` (inclusive) to `end` (exclusive), aware; an action or its area
    ("staff" matches "staff.add", "staff.pin" ...); one staff member. None = no limit."""

    start: datetime | None = None
    end: datetime | None = None
    action: str | None = None
    staff_id: uuid.UUID | None = None


def _where(query: Select[*tuple[Any, ...]], wanted: AuditFilter) -> Select[*tuple[Any, ...]]:
    if wanted.start is not None:
        query = query.where(AuditEntry.at >= wanted.start)
    if wanted.end is not None:
        query = query.where(AuditEntry.at < wanted.end)
    if wanted.action:
        if "." in wanted.action:
            query = query.where(AuditEntry.action == wanted.action)
        else:
            query = query.where(AuditEntry.action.startswith(wanted.action + ".", autoescape=True))
    if wanted.staff_id is not None:
        query = query.where(AuditEntry.staff_id == wanted.staff_id)
    return query


def list_audit(
    ctx: Context, wanted: AuditFilter | None = None, *, page: int = 0, page_size: int = 100
) -> AuditPage:
    """One page of the log, newest first, with staff names."""
    wanted = wanted or AuditFilter()
    if page < 0 or not 1 <= page_size <= 1000:
        raise ValueError("page out of range")
    with ctx.db.read() as session:
        total = session.scalar(_where(select(func.count(AuditEntry.id)), wanted)) or 0
        query = (
            _where(select(AuditEntry, Staff.name), wanted)
            .outerjoin(Staff, Staff.id == AuditEntry.staff_id)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .offset(page * page_size)
            .limit(page_size)
        )
        found = list(session.execute(query))
        names = _staff_names(
            session, [e.target_id for e, _ in found if e.action.startswith("staff.")]
        )
        rows = [
            AuditRow(
                entry.id,
                entry.at,
                entry.staff_id,
                name,
                entry.action,
                entry.target_id,
                json.loads(entry.detail) if entry.detail else None,
                names.get(entry.target_id or ""),
            )
            for entry, name in found
        ]
    return AuditPage(rows, int(total), page, page_size)


def _staff_names(session: Session, ids: list[str | None]) -> dict[str, str]:
    wanted = {uuid.UUID(i) for i in ids if i}
    if not wanted:
        return {}
    rows = session.execute(select(Staff.id, Staff.name).where(Staff.id.in_(wanted)))
    return {str(staff_id): name for staff_id, name in rows}


def audit_actions(ctx: Context) -> list[str]:
    """Every action the log holds, for the filter."""
    with ctx.db.read() as session:
        return list(
            session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action))
        )
