"""The audit log as a hash chain: each row carries the hash of its register's previous row."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.db.base import new_id
from app.db.models import AuditEntry
from app.services.context import Context

GENESIS_HASH = "0" * 64


def audit(
    ctx: Context,
    session: Session,
    action: str,
    *,
    target: object | None = None,
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    """Append to the audit log; each row carries the hash of this register's previous row."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext('dangol.audit'))"))
    prev = session.scalars(
        select(AuditEntry.hash)
        .where(AuditEntry.register_id == ctx.register_id)
        .order_by(AuditEntry.id.desc())
        .limit(1)
    ).first()
    entry = AuditEntry(
        at=at or ctx.now(),
        staff_id=ctx.staff_id,
        action=action,
        target_id=str(target) if target is not None else None,
        detail=json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else None,
        prev_hash=prev or GENESIS_HASH,
        register_id=ctx.register_id,
        hash="",
    )
    entry.id = new_id()  # the id is part of the hash
    entry.hash = audit_hash(entry)
    session.add(entry)


def audit_hash(entry: AuditEntry) -> str:
    payload = json.dumps(
        [
            str(entry.id),
            entry.at.astimezone(UTC).isoformat(),
            str(entry.staff_id) if entry.staff_id else None,
            entry.action,
            entry.target_id,
            entry.detail,
            str(entry.register_id) if entry.register_id else None,
            entry.prev_hash,
        ],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()
