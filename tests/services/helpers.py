"""Assertions the service tests share: nothing changed, balances reconcile with the ledger."""

from __future__ import annotations

from sqlalchemy import func, select

from app.db.base import Base
from app.db.models import LedgerEntry


def snapshot(ctx) -> dict[str, int]:
    """Row counts of every table plus the ledger sums: equal snapshots mean nothing was written."""
    with ctx.db.read() as session:
        counts = {
            name: int(session.scalar(select(func.count()).select_from(table)) or 0)
            for name, table in Base.metadata.tables.items()
        }
        points, stamps = session.execute(
            select(
                func.coalesce(func.sum(LedgerEntry.points), 0),
                func.coalesce(func.sum(LedgerEntry.stamps), 0),
            )
        ).one()
    counts["ledger.points"] = int(points)
    counts["ledger.stamps"] = int(stamps)
    return counts


def ledger_sum(ctx, customer_id) -> tuple[int, int]:
    with ctx.db.read() as session:
        points, stamps = session.execute(
            select(
                func.coalesce(func.sum(LedgerEntry.points), 0),
                func.coalesce(func.sum(LedgerEntry.stamps), 0),
            ).where(LedgerEntry.customer_id == customer_id)
        ).one()
    return int(points), int(stamps)
