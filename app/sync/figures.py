"""Keeping a register's running figures (monthly_stats, customer_months) right after a pull.

Each pulled row moves the figures exactly as the use case that wrote it moved them on its own
register; only rows new to this database count, so a row pulled twice never counts twice.

Member counts follow the same rules on every register whatever order rows arrive in, so they
agree once the registers hold the same rows:

* new_members: one per customer record, when the record first appears (enrolled_at).
* members_erased: one per record that stops being a living ('active') member -- erased,
  withdrawn, or merged into another record (by the sync rule or by the owner), as the use
  cases count them; members = new_members - members_erased is then one per person.
* tier:<CODE>: a pulled tier change moves the counts only while its customer is living here
  (one that arrives before its customer counts when the customer arrives);
  a record that stops living takes away its current tier. A record pulled when it already
  left (merged, erased) therefore counts nothing, as its origin register ends at nothing.
* active_members (and the cohort:<month> / retained_members figures kept with it): per
  person. When a record merges, its active months (customer_months) fold into the record it
  merged into and the figures move by exactly the difference, so they equal what the merged
  months give whichever register saw which sale first.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.db.figures import bump_rows, insert_for
from app.db.models import Customer, CustomerMonth, LedgerEntry, TierChange
from app.domain.figures import (
    RETAINED,
    activity_rows,
    cohort_metric,
    ledger_metrics,  # the one definition of how an entry moves them
    shift_month,
)
from app.sync.merge import Applied, Change, business_of, of_business

MERGE_MOVES = ("merge in", "merge out")
LIVING = "active"  # a member counted in new_members - members_erased and in tier:<CODE>


def _mine(session: Session, name: str) -> list[Any]:
    """On the central database (after a push) a read kept to the connection's business:
    every central key leads with business_id, a read without it goes through every business's
    rows (and could take another business's for its own); on a register, no condition."""
    return of_business(business_of(session.connection()), name)


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
    for loser, winner in applied.merges:
        fold_activity(session, figures, loser, winner)
    for entry in inserted.get("ledger_entries", []):
        _ledger(session, figures, entry)
    for name, mine, central in applied.adopted:
        _adopted(session, figures, name, mine, central)
    bought = []
    for sale in inserted.get("sales", []):
        sign = 1 if sale["amount"] > 0 else -1
        figures.add(sale["occurred_at"], sale["store_id"], visits=sign, sales_amount=sale["amount"])
        if sign > 0:
            bought.append(sale)
    _mark_active_all(session, figures, bought)
    for redemption in inserted.get("redemptions", []):
        if redemption["kind"] == "coupon":
            used = -1 if redemption["reverses_id"] else 1
            figures.add(redemption["occurred_at"], redemption["store_id"], coupons_used=used)
    tier_changes = inserted.get("tier_changes", [])
    living = _living(session, {change["customer_id"] for change in tier_changes})
    for change in tier_changes:
        if change["from_code"] != change["to_code"] and change["customer_id"] in living:
            deltas = {f"tier:{change['to_code']}": 1}
            if change["from_code"]:
                deltas[f"tier:{change['from_code']}"] = -1
            figures.add(change["changed_at"], None, **deltas)
    for changed in applied.changed:
        _mutable(figures, changed)
    _tier_changes_before_member(session, figures, applied, {ch["id"] for ch in tier_changes})
    figures.write(session)


def _tier_changes_before_member(
    session: Session, figures: Figures, applied: Applied, in_batch: set[uuid.UUID]
) -> None:
    """The feed is read in chunks: a member's tier changes may have come in an earlier chunk
    than the member, when they counted nothing (not living here yet); they count now."""
    arrived = [
        ch.after["id"]
        for ch in applied.changed
        if ch.table == "customers" and ch.before is None and ch.after["status"] == LIVING
    ]
    t = TierChange.__table__.c
    for start in range(0, len(arrived), 500):
        rows = session.execute(
            select(t.id, t.from_code, t.to_code, t.changed_at).where(
                t.customer_id.in_(arrived[start : start + 500]), *_mine(session, "tier_changes")
            )
        ).all()
        for row in rows:
            if row.id in in_batch or row.from_code == row.to_code:
                continue
            deltas = {f"tier:{row.to_code}": 1}
            if row.from_code:
                deltas[f"tier:{row.from_code}"] = -1
            figures.add(row.changed_at, None, **deltas)


def _adopted(
    session: Session, figures: Figures, name: str, mine: dict[str, Any], central: dict[str, Any]
) -> None:
    """This database's version of a fact two registers wrote gave way to the central one:
    the figures move from what the one counted to what the other counts."""
    if name == "ledger_entries":
        _ledger(session, figures, mine, sign=-1)
        _ledger(session, figures, central)
    elif name == "tier_changes" and central["customer_id"] in _living(
        session, {central["customer_id"]}
    ):
        for change, sign in ((mine, -1), (central, 1)):
            if change["from_code"] != change["to_code"]:
                deltas = {f"tier:{change['to_code']}": sign}
                if change["from_code"]:
                    deltas[f"tier:{change['from_code']}"] = -sign
                figures.add(change["changed_at"], None, **deltas)


def _ledger(session: Session, figures: Figures, entry: dict[str, Any], sign: int = 1) -> None:
    origin = entry
    if entry["reverses_id"] is not None:
        e = LedgerEntry.__table__.c
        found = session.execute(
            select(e.kind, e.points, e.stamps).where(
                e.id == entry["reverses_id"], *_mine(session, "ledger_entries")
            )
        ).first()
        if found is not None:
            origin = {"kind": found.kind, "points": found.points, "stamps": found.stamps}
    points, stamps = entry["points"], entry["stamps"]
    if entry["kind"] == "adjust" and entry["reason"] in MERGE_MOVES:
        # a move between two records of one person is neither issued nor removed
        deltas = {"points_net": points, "stamps_net": stamps}
    else:
        deltas = ledger_metrics(
            entry["kind"], points, stamps, origin["kind"], origin["points"], origin["stamps"]
        )
    figures.add(entry["occurred_at"], entry["store_id"], **{k: sign * v for k, v in deltas.items()})


def _living(session: Session, ids: set[uuid.UUID]) -> set[uuid.UUID]:
    if not ids:
        return set()
    c = Customer.__table__.c
    out: set[uuid.UUID] = set()
    listed = list(ids)
    for start in range(0, len(listed), 500):
        part = listed[start : start + 500]
        out |= set(
            session.execute(
                select(c.id).where(c.id.in_(part), c.status == LIVING, *_mine(session, "customers"))
            ).scalars()
        )
    return out


def _mark_active_all(session: Session, figures: Figures, sales: list[dict[str, Any]]) -> None:
    """Each sale's customer record active in the sale's month, as mark_active counts it one
    sale at a time, in a few statements for the whole batch: the months already noted are
    read at once, the new ones written at once. A month and the month after both new here
    count retained_members once (by the later month, as one at a time would)."""
    pairs: dict[tuple[uuid.UUID, str], str] = {}  # (customer, month) -> the first sale's store
    for sale in sales:
        store = str(sale["store_id"]) if sale["store_id"] is not None else figures.store_id
        pairs.setdefault((sale["customer_id"], figures.month(sale["occurred_at"])), store)
    if not pairs:
        return
    m, c = CustomerMonth.__table__.c, Customer.__table__.c
    ids = list({customer for customer, _ in pairs})
    noted: set[tuple[uuid.UUID, str]] = set()
    enrolled: dict[uuid.UUID, datetime] = {}
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        noted |= {
            (row.customer_id, row.month)
            for row in session.execute(
                select(m.customer_id, m.month).where(
                    m.customer_id.in_(part), *_mine(session, "customer_months")
                )
            )
        }
        enrolled |= {
            row.id: row.enrolled_at
            for row in session.execute(
                select(c.id, c.enrolled_at).where(c.id.in_(part), *_mine(session, "customers"))
            )
        }
    new = [pair for pair in pairs if pair not in noted]
    if not new:
        return
    insert = insert_for(session)
    session.execute(
        # no target: the key is (customer_id, month), led by business_id on a central database
        insert(CustomerMonth).on_conflict_do_nothing(),
        [{"customer_id": customer, "month": month} for customer, month in new],
    )
    fresh = set(new)
    for customer, month in new:
        before = (customer, shift_month(month, -1))
        after = (customer, shift_month(month, 1))
        at = enrolled.get(customer)
        cohort = figures.month(at) if at is not None else month
        rows = activity_rows(
            month,
            pairs[(customer, month)],
            cohort,
            before in noted or before in fresh,
            after in noted,
        )
        for row in rows:
            key = (row["month"], row["store_id"], row["metric"])
            figures.rows[key] = figures.rows.get(key, 0) + row["value"]


def _root(session: Session, customer_id: uuid.UUID) -> uuid.UUID:
    c = Customer.__table__.c
    seen: set[uuid.UUID] = set()
    while customer_id not in seen:
        seen.add(customer_id)
        row = session.execute(
            select(c.status, c.merged_into_id).where(
                c.id == customer_id, *_mine(session, "customers")
            )
        ).first()
        if row is None or row.status != "merged" or row.merged_into_id is None:
            break
        customer_id = row.merged_into_id
    return customer_id


def _enrolled_month(session: Session, figures: Figures, customer_id: uuid.UUID) -> str | None:
    c = Customer.__table__.c
    enrolled_at = session.execute(
        select(c.enrolled_at).where(c.id == customer_id, *_mine(session, "customers"))
    ).scalar()
    return figures.month(enrolled_at) if enrolled_at is not None else None


def _activity(months: set[str], enrolled: str | None, sign: int) -> dict[tuple[str, str], int]:
    """What a set of active months counts (as mark_active builds it up one month at a time)."""
    out: dict[tuple[str, str], int] = {}
    for month in months:
        metrics = ["active_members"]
        if enrolled is not None:
            metrics.append(cohort_metric(enrolled))
        if shift_month(month, -1) in months:
            metrics.append(RETAINED)
        for metric in metrics:
            out[(month, metric)] = out.get((month, metric), 0) + sign
    return out


def fold_activity(session: Session, figures: Figures, loser: uuid.UUID, winner: uuid.UUID) -> None:
    """A merged record's active months join the record it lives on as (one person counted
    once a month); the figures move by the difference."""
    m = CustomerMonth.__table__.c
    winner = _root(session, winner)
    scoped = _mine(session, "customer_months")
    lost = set(session.execute(select(m.month).where(m.customer_id == loser, *scoped)).scalars())
    if not lost or winner == loser:
        return
    kept = set(session.execute(select(m.month).where(m.customer_id == winner, *scoped)).scalars())
    loser_cohort = _enrolled_month(session, figures, loser)
    winner_cohort = _enrolled_month(session, figures, winner)
    deltas: dict[tuple[str, str], int] = {}
    for months, cohort, sign in (
        (lost | kept, winner_cohort, 1),
        (lost, loser_cohort, -1),
        (kept, winner_cohort, -1),
    ):
        for key, value in _activity(months, cohort, sign).items():
            deltas[key] = deltas.get(key, 0) + value
    for (month, metric), value in deltas.items():
        row_key = (month, figures.store_id, metric)
        figures.rows[row_key] = figures.rows.get(row_key, 0) + value
    session.execute(delete(CustomerMonth).where(m.customer_id == loser, *scoped))
    for month in sorted(lost - kept):
        session.add(CustomerMonth(customer_id=winner, month=month))
    session.flush()


def _left_at(figures: Figures, after: dict[str, Any]) -> datetime:
    """When a record stopped being a member: the use case's own moment when it keeps one."""
    moment = {"erased": after.get("erased_at"), "withdrawn": after.get("withdrawn_at")}.get(
        after["status"]
    )
    return moment if moment is not None else figures.now


def _mutable(figures: Figures, change: Change) -> None:
    if change.table == "coupons" and change.before is None:
        figures.add(change.after["issued_at"], None, coupons_issued=1)
    if change.table != "customers":
        return
    after, before = change.after, change.before
    if before is None:
        figures.add(after["enrolled_at"], after["store_id"], new_members=1)
        if after["status"] != LIVING:  # arrived already gone: its tier changes count nothing
            figures.add(_left_at(figures, after), None, members_erased=1)
        return
    was, now = before["status"] == LIVING, after["status"] == LIVING
    if was and not now:
        figures.add(
            _left_at(figures, after),
            None,
            members_erased=1,
            **{f"tier:{before['tier_code']}": -1},
        )
    elif now and not was:  # back among the members (a status edit that won by its clock)
        figures.add(figures.now, None, members_erased=-1, **{f"tier:{after['tier_code']}": 1})
