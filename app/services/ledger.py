"""Appending to the ledger, deriving balances from it, and FIFO expiry at the counter."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, Uuid, bindparam, case, func, insert, select
from sqlalchemy.orm import Session

from app.db.base import UTCDateTime, new_id
from app.db.lean import LeanConnection, LeanWrite, session_lean
from app.db.models import LedgerEntry
from app.domain.expiry import expiry_moment, remaining_to_expire
from app.domain.figures import ledger_metrics
from app.domain.keys import expiry_id
from app.domain.program import Program
from app.services.context import Context
from app.services.figures import bump

# Lots that never expire (expiry_months = 0) still need an expiry moment: the lot/consumption
# split of the FIFO sums is "expires_at is set" versus "expires_at is NULL".
NEVER = datetime.fromisoformat("9999-12-31T00:00:00+00:00")
EXPIRING_SOON = timedelta(days=30)


@dataclass(frozen=True)
class Balances:
    points: int  # usable now: the ledger sum less what is already due to expire
    stamps: int
    expiring_30d: int  # usable points that expire within 30 days
    due_now: int  # expired but not yet written as an expire entry
    ledger_points: int  # the plain sum of the ledger


def _balance_columns(
    now: datetime | ColumnElement[datetime], soon: datetime | ColumnElement[datetime]
) -> tuple[ColumnElement[Any], ...]:
    """Ledger sum, stamps, consumption, lots due by `now` and by `soon`: the FIFO sums."""
    e = LedgerEntry
    lot = e.expires_at.is_not(None)
    return (
        func.coalesce(func.sum(e.points), 0),
        func.coalesce(func.sum(e.stamps), 0),
        func.coalesce(func.sum(case((lot, 0), else_=-e.points)), 0),
        func.coalesce(func.sum(case((lot & (e.expires_at <= now), e.points), else_=0)), 0),
        func.coalesce(func.sum(case((lot & (e.expires_at <= soon), e.points), else_=0)), 0),
    )


def _balances_statement() -> Select[*tuple[Any, ...]]:
    now = bindparam("now", type_=UTCDateTime())
    soon = bindparam("soon", type_=UTCDateTime())
    return select(*_balance_columns(now, soon)).where(
        LedgerEntry.customer_id == bindparam("customer_id", type_=Uuid())
    )


# Built once: the counter asks for balances on every lookup and every action.
BALANCES_STATEMENT = _balances_statement()


def balances(session: Session, customer_id: uuid.UUID, now: datetime) -> Balances:
    """Balances and FIFO expiry from one pass over the customer's ledger index."""
    row = session.execute(
        BALANCES_STATEMENT, {"customer_id": customer_id, "now": now, "soon": now + EXPIRING_SOON}
    ).one()
    return balances_from_row(row)


def balances_from_row(row: Sequence[Any]) -> Balances:
    """Balances from the five sums of BALANCES_STATEMENT."""
    return _from_sums(*(int(v) for v in row))


def _from_sums(
    total: int, stamps: int, consumed: int, due_lots_now: int, due_lots_soon: int
) -> Balances:
    due_now = remaining_to_expire(due_lots_now, consumed)
    soon = remaining_to_expire(due_lots_soon, consumed) - due_now
    return Balances(
        points=total - due_now,
        stamps=stamps,
        expiring_30d=soon,
        due_now=due_now,
        ledger_points=total,
    )


def balances_of_many(
    session: Session, customer_ids: list[uuid.UUID], now: datetime
) -> dict[uuid.UUID, Balances]:
    """The same balances for a page of customers, in one grouped pass over the ledger index."""
    if not customer_ids:
        return {}
    rows = session.execute(
        select(LedgerEntry.customer_id, *_balance_columns(now, now + EXPIRING_SOON))
        .where(LedgerEntry.customer_id.in_(customer_ids))
        .group_by(LedgerEntry.customer_id)
    )
    return {row[0]: _from_sums(*(int(v) for v in row[1:])) for row in rows}


def lot_expiry(ctx: Context, program: Program, earned_at: datetime) -> datetime:
    moment = expiry_moment(earned_at, program.points.expiry_months, ctx.zone)
    return moment or NEVER


def append_entry(
    ctx: Context,
    session: Session,
    *,
    customer_id: uuid.UUID,
    kind: str,
    at: datetime,
    points: int = 0,
    stamps: int = 0,
    expires_at: datetime | None = None,
    reason: str | None = None,
    reverses: LedgerEntry | None = None,
    sale_id: uuid.UUID | None = None,
    redemption_id: uuid.UUID | None = None,
    once_key: str | None = None,
    figures_origin: tuple[str, int, int] | None = None,
    figures: Counter[str] | None = None,
    entry_id: uuid.UUID | None = None,
) -> LedgerEntry:
    """The only way points or stamps change: a new row, and the month's figures with it.

    ``entry_id``: a derived id (an expiry's, app.domain.keys) instead of a new one.

    ``figures_origin`` (kind, points, stamps) moves the figures as an entry reversing one of
    that shape would (a refund takes back issued points, or gives back redeemed ones). With
    ``figures``, the additions to the month's figures are added there instead, for the caller
    to bump once for many entries of the same moment."""
    entry = LedgerEntry(
        id=entry_id or new_id(),
        customer_id=customer_id,
        kind=kind,
        points=points,
        stamps=stamps,
        occurred_at=at,
        expires_at=expires_at,
        store_id=ctx.store_id,
        staff_id=ctx.staff_id,
        register_id=ctx.register_id,
        reason=reason,
        reverses_id=reverses.id if reverses is not None else None,
        sale_id=sale_id,
        redemption_id=redemption_id,
        once_key=once_key,
    )
    session.add(entry)
    origin = reverses if reverses is not None else entry
    shape = figures_origin or (origin.kind, origin.points, origin.stamps)
    metrics = ledger_metrics(kind, points, stamps, *shape)
    if figures is not None:
        figures.update(metrics)
    else:
        bump(ctx, session, at, **metrics)
    return entry


@dataclass(frozen=True)
class LedgerSums:
    """The five FIFO sums of one customer's ledger at `now` (BALANCES_STATEMENT's row).

    A use case reads them once and carries them forward over the entries it writes
    (`plus`), instead of summing the ledger again after writing."""

    total: int
    stamps: int
    consumed: int  # minus the points of entries without an expiry (uses, expiries)
    due_lots_now: int  # points of lots that expire by `now`
    due_lots_soon: int  # ... by `now` + 30 days
    now: datetime

    def balances(self) -> Balances:
        return _from_sums(
            self.total, self.stamps, self.consumed, self.due_lots_now, self.due_lots_soon
        )

    def plus(self, points: int, stamps: int, expires_at: datetime | None) -> LedgerSums:
        """The sums after one more entry of these points, stamps and expiry."""
        if expires_at is None:  # a use or an expiry: consumption
            return replace(
                self,
                total=self.total + points,
                stamps=self.stamps + stamps,
                consumed=self.consumed - points,
            )
        return replace(
            self,
            total=self.total + points,
            stamps=self.stamps + stamps,
            due_lots_now=self.due_lots_now + (points if expires_at <= self.now else 0),
            due_lots_soon=self.due_lots_soon
            + (points if expires_at <= self.now + EXPIRING_SOON else 0),
        )


def ledger_sums(session: Session, customer_id: uuid.UUID, now: datetime) -> LedgerSums:
    row = session.execute(
        BALANCES_STATEMENT, {"customer_id": customer_id, "now": now, "soon": now + EXPIRING_SOON}
    ).one()
    total, stamps, consumed, due_now, due_soon = (int(v) for v in row)
    return LedgerSums(total, stamps, consumed, due_now, due_soon, now)


def settle_expiry(ctx: Context, session: Session, customer_id: uuid.UUID, now: datetime) -> int:
    """Write what has expired (oldest first) before the customer's balance is used."""
    before = ledger_sums(session, customer_id, now)
    settled = settle_expiry_in(ctx, session, customer_id, before)
    if settled is not before:
        session.flush()
    return before.balances().due_now


def settle_expiry_in(
    ctx: Context,
    session: Session,
    customer_id: uuid.UUID,
    sums: LedgerSums,
    figures: Counter[str] | None = None,
) -> LedgerSums:
    """settle_expiry from sums already read: the expire entry (if any) and the sums after it.

    The entry is added to the session, not flushed; with `figures`, its figures go there."""
    due = sums.balances().due_now
    if due <= 0:
        return sums
    append_entry(
        ctx,
        session,
        customer_id=customer_id,
        kind="expire",
        at=sums.now,
        points=-due,
        reason="expired",
        figures=figures,
        entry_id=_expiry_key(session, customer_id, sums, due),
    )
    return sums.plus(-due, 0, None)


def expiry_rows(
    ctx: Context,
    session: Session,
    customer_id: uuid.UUID,
    sums: LedgerSums,
    figures: Counter[str],
) -> tuple[list[dict[str, Any]], LedgerSums]:
    """settle_expiry_in for the lean writes: the expire entry's row (none when nothing is due,
    at most one) for `insert_entries`, and the sums after."""
    due = sums.balances().due_now
    if due <= 0:
        return [], sums
    row = entry_row(ctx, customer_id, "expire", sums.now, -due, 0, figures, reason="expired")
    row["id"] = _expiry_key(session, customer_id, sums, due)
    return [row], sums.plus(-due, 0, None)


_NEWEST_DUE_LOT = select(func.max(LedgerEntry.expires_at)).where(
    LedgerEntry.customer_id == bindparam("customer_id", type_=Uuid()),
    LedgerEntry.expires_at <= bindparam("now", type_=UTCDateTime()),
)


def _expiry_key(session: Session, customer_id: uuid.UUID, sums: LedgerSums, due: int) -> uuid.UUID:
    """The expire entry's id: derived from the member, the newest due lot's expiry and the
    sums (keys.expiry_id), so two registers' expiries of the same lots merge in sync; a new
    one when this database already holds that id (points given back by a void and expiring
    again from the same sums). Two indexed reads, only when something expires."""
    moment = session.execute(_NEWEST_DUE_LOT, {"customer_id": customer_id, "now": sums.now})
    newest = moment.scalar_one_or_none()
    if newest is None:  # due points without a due lot cannot be; keep the ledger going
        return new_id()
    derived = expiry_id(customer_id, newest, due, sums.consumed)
    taken = session.execute(select(LedgerEntry.id).where(LedgerEntry.id == derived)).first()
    return new_id() if taken is not None else derived


def entry_row(
    ctx: Context,
    customer_id: uuid.UUID,
    kind: str,
    at: datetime,
    points: int,
    stamps: int,
    figures: Counter[str],
    *,
    expires_at: datetime | None = None,
    reason: str | None = None,
    sale_id: uuid.UUID | None = None,
    redemption_id: uuid.UUID | None = None,
    reverses_id: uuid.UUID | None = None,
    origin: tuple[str, int, int] | None = None,
) -> dict[str, Any]:
    """append_entry's row as a dict for a prebuilt INSERT (`insert_entries`), no unit of work.

    Every column is given, as append_entry's object would have it; its additions to the
    month's figures go to `figures` (`origin`: the kind, points and stamps of the entry this
    one reverses, as append_entry's `reverses`)."""
    figures.update(ledger_metrics(kind, points, stamps, *(origin or (kind, points, stamps))))
    return {
        "id": new_id(),
        "register_id": ctx.register_id,
        "customer_id": customer_id,
        "kind": kind,
        "points": points,
        "stamps": stamps,
        "occurred_at": at,
        "expires_at": expires_at,
        "store_id": ctx.store_id,
        "staff_id": ctx.staff_id,
        "reason": reason,
        "reverses_id": reverses_id,
        "sale_id": sale_id,
        "redemption_id": redemption_id,
        "once_key": None,
    }


_INSERT_ENTRIES = LeanWrite(insert(LedgerEntry))


def insert_entries(
    session: Session, rows: list[dict[str, Any]], lean: LeanConnection | None = None
) -> None:
    """Ledger rows made by `entry_row`, as one executemany on the session's connection
    (`lean`: the use case's own session_lean, if it has one open)."""
    if not rows:
        return
    if lean is not None:
        _INSERT_ENTRIES.executemany(lean, rows)
        return
    with session_lean(session) as own:
        _INSERT_ENTRIES.executemany(own, rows)


def void_entries(
    ctx: Context,
    session: Session,
    entries: list[LedgerEntry],
    at: datetime,
    reason: str,
    figures: Counter[str] | None = None,
) -> tuple[int, int]:
    """Reverse each entry by a new one pointing at it; returns the points and stamps moved.

    With `figures`, the additions to the month's figures go there (as append_entry's)."""
    points = stamps = 0
    for entry in entries:
        append_entry(
            ctx,
            session,
            customer_id=entry.customer_id,
            kind="void",
            at=at,
            points=-entry.points,
            stamps=-entry.stamps,
            # a voided lot leaves the FIFO sums at the same expiry moment it joined them
            expires_at=entry.expires_at,
            reason=reason,
            reverses=entry,
            sale_id=entry.sale_id,
            redemption_id=entry.redemption_id,
            figures=figures,
        )
        points -= entry.points
        stamps -= entry.stamps
    return points, stamps
