"""Reading and verifying the audit log (each row carries the hash of the one before)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.db.models import AuditEntry, Staff
from app.services.audit_chain import GENESIS_HASH, audit_hash
from app.services.context import Context


@dataclass(frozen=True)
class ChainCheck:
    intact: bool
    rows: int
    registers: int
    first_broken: uuid.UUID | None = None


def verify_audit_chain(ctx: Context) -> ChainCheck:
    """Recompute every hash, register by register in the order rows were written."""
    last: dict[uuid.UUID | None, str] = {}
    rows = 0
    with ctx.db.read() as session:
        for entry in session.scalars(
            select(AuditEntry).order_by(AuditEntry.register_id, AuditEntry.id)
        ).yield_per(2000):
            rows += 1
            expected_prev = last.get(entry.register_id, GENESIS_HASH)
            if entry.prev_hash != expected_prev or entry.hash != audit_hash(entry):
                return ChainCheck(False, rows, len(last) + 1, entry.id)
            last[entry.register_id] = entry.hash
    return ChainCheck(True, rows, len(last))


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
