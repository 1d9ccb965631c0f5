"""Keeping a register's running figures (monthly_stats, customer_months) right after a pull.

Each pulled row moves the figures exactly as the use case that wrote it moved them on its own
register; only rows new to this database count, so a row pulled twice never counts twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from app.db.models import CustomerMonth, LedgerEntry
from app.services.ledger import _metrics  # the one definition of how an entry moves them
from app.services.shop import bump_rows
from app.sync.merge import Applied, Change, insert_for

MERGE_MOVES = ("merge in", "merge out")


class Figures:
    """Collects bumps per (month, store, metric) and writes them in one statement."""

    def __init__(self, zone: ZoneInfo, store_id: str, now: datetime) -> None:
        self.zone = zone
        self.store_id = store_id
        self.now = now
        self.rows: dict[tuple[str, str, str], int] = {}

    def month(self, moment: datetime) -> str:
        return moment.astimezone(self.zone).strftime("%Y-%m")

    def add(self, moment: datetime, store: object, **deltas: int) -> None:
        key_store = str(store) if store is not None else self.store_id
        for metric, value in deltas.items():
            if value:
                key = (self.month(moment), key_store, metric)
                self.rows[key] = self.rows.get(key, 0) + value

    def write(self, session: Session) -> None:
        bump_rows(
            session,
            [
                {"month": m, "store_id": s, "metric": k, "value": v}
                for (m, s, k), v in self.rows.items()
                if v
            ],
        )


def account_pulled(
    session: Session, zone: ZoneInfo, store_id: str, now: datetime, applied: Applied
) -> None:
    """Move the figures for what a pull added or changed."""
    figures = Figures(zone, store_id, now)
    inserted = applied.inserted
    for entry in inserted.get("ledger_entries", []):
        _ledger(session, figures, entry)
    for sale in inserted.get("sales", []):
        sign = 1 if sale["amount"] > 0 else -1
        figures.add(sale["occurred_at"], sale["store_id"], visits=sign, sales_amount=sale["amount"])
        if sign > 0:
            _mark_active(session, figures, sale)
    for redemption in inserted.get("redemptions", []):
        if redemption["kind"] == "coupon":
            used = -1 if redemption["reverses_id"] else 1
            figures.add(redemption["occurred_at"], redemption["store_id"], coupons_used=used)
    for change in inserted.get("tier_changes", []):
        if change["from_code"] != change["to_code"]:
            deltas = {f"tier:{change['to_code']}": 1}
            if change["from_code"]:
                deltas[f"tier:{change['from_code']}"] = -1
            figures.add(change["changed_at"], None, **deltas)
    for change in applied.changed:
        _mutable(figures, change)
    figures.write(session)


def _ledger(session: Session, figures: Figures, entry: dict[str, Any]) -> None:
    origin = entry
    if entry["reverses_id"] is not None:
        found = session.get(LedgerEntry, entry["reverses_id"])
        if found is not None:
            origin = {"kind": found.kind, "points": found.points, "stamps": found.stamps}
    points, stamps = entry["points"], entry["stamps"]
    if entry["kind"] == "adjust" and entry["reason"] in MERGE_MOVES:
        # a move between two records of one person is neither issued nor removed
        deltas = {"points_net": points, "stamps_net": stamps}
    else:
        deltas = _metrics(
            entry["kind"], points, stamps, origin["kind"], origin["points"], origin["stamps"]
        )
    figures.add(entry["occurred_at"], entry["store_id"], **deltas)


def _mark_active(session: Session, figures: Figures, sale: dict[str, Any]) -> None:
    insert = insert_for(session.connection())
    month = figures.month(sale["occurred_at"])
    stmt = (
        insert(CustomerMonth)
        .values(customer_id=sale["customer_id"], month=month)
        .on_conflict_do_nothing(index_elements=["customer_id", "month"])
        .returning(CustomerMonth.month)
    )
    if session.execute(stmt).first() is not None:
        figures.add(sale["occurred_at"], sale["store_id"], active_members=1)


def _mutable(figures: Figures, change: Change) -> None:
    if change.table == "coupons" and change.before is None:
        figures.add(change.after["issued_at"], None, coupons_issued=1)
    if change.table != "customers":
        return
    after, before = change.after, change.before
    if before is None:
        figures.add(after["enrolled_at"], after["store_id"], new_members=1)
        if after["status"] == "merged":
            figures.add(figures.now, None, members_merged=1, **{f"tier:{after['tier_code']}": -1})
        return
    if before["status"] == after["status"]:
        return
    tier = {f"tier:{before['tier_code']}": -1}
    if after["status"] == "merged":
        figures.add(figures.now, None, members_merged=1, **tier)
    elif after["status"] == "erased":
        figures.add(figures.now, None, members_erased=1, **tier)
