"""The owner's actions on one customer: adjustments, coupons, and the ledger line by line."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from app.db.locks import lock_customer
from app.db.models import Coupon, LedgerEntry
from app.domain.coupons import check_coupon_issue, coupon_validity, new_coupon_code
from app.domain.errors import Refused
from app.domain.plain_text import clean_line
from app.services import messages
from app.services.audit_chain import audit
from app.services.context import Context
from app.services.customers import usable_customer
from app.services.figures import bump
from app.services.ledger import append_entry, balances, lot_expiry, settle_expiry
from app.services.program import current_program

MAX_ADJUST = 10_000_000
MAX_REASON = 300


@dataclass(frozen=True)
class AdjustResult:
    entry_id: uuid.UUID
    customer_id: uuid.UUID
    points_change: int
    points: int


def adjust_points(ctx: Context, customer_id: uuid.UUID, points: int, reason: str) -> AdjustResult:
    """An owner's correction, with its reason; it can add or take, never below zero."""
    reason = clean_line(reason or "")
    if not reason:
        raise Refused("adjust.reason_required")
    if len(reason) > MAX_REASON:
        raise Refused("adjust.reason_too_long", maximum=MAX_REASON)
    if isinstance(points, bool) or not isinstance(points, int) or points == 0:
        raise Refused("adjust.zero")
    if abs(points) > MAX_ADJUST:
        raise Refused("adjust.too_large", maximum=MAX_ADJUST)
    with ctx.db.write() as session:
        customer = lock_customer(session, usable_customer(session, customer_id).id)
        now = ctx.now()
        settle_expiry(ctx, session, customer.id, now)
        balance = balances(session, customer.id, now).points
        if balance + points < 0:
            raise Refused("adjust.below_zero", balance=balance, points=points)
        _, program = current_program(session)
        entry = append_entry(
            ctx,
            session,
            customer_id=customer.id,
            kind="adjust",
            at=now,
            points=points,
            expires_at=lot_expiry(ctx, program, now) if points > 0 else None,
            reason=reason,
        )
        audit(
            ctx,
            session,
            "ledger.adjust",
            target=customer.id,
            detail={"points": points, "reason": reason},
        )
        session.flush()
        return AdjustResult(
            entry.id, customer.id, points, balances(session, customer.id, now).points
        )


@dataclass(frozen=True)
class IssuedCoupon:
    code: str
    customer_id: uuid.UUID
    kind: str
    value: int
    valid_until: datetime


def issue_coupon(
    ctx: Context, customer_id: uuid.UUID, kind: str, value: int, days: int, source: str = "manual"
) -> IssuedCoupon:
    check_coupon_issue(kind, value, days)
    with ctx.db.write() as session:
        customer = usable_customer(session, customer_id)
        now = ctx.now()
        issued = add_coupon(ctx, session, customer.id, kind, value, days, source, now)
        messages.coupon_issued(ctx, session, issued, "coupon_issued")
        bump(ctx, session, now, coupons_issued=1)
        audit(
            ctx,
            session,
            "coupon.issue",
            target=customer.id,
            detail={"code": issued.code, "kind": kind, "value": value, "days": days},
        )
        return issued


def add_coupon(
    ctx: Context,
    session: Session,
    customer_id: uuid.UUID,
    kind: str,
    value: int,
    days: int,
    source: str,
    now: datetime,
) -> IssuedCoupon:
    """One coupon in the caller's transaction (checked by check_coupon_issue first).

    The caller bumps coupons_issued and writes the audit entry, once for a batch.
    """
    # the issue day counts as the first of `days` days; valid until local midnight after
    _, until = coupon_validity(now, days, ctx.zone)
    code = new_coupon_code()
    while session.scalars(select(Coupon.id).where(Coupon.code == code)).first():
        code = new_coupon_code()
    session.add(
        Coupon(
            code=code,
            customer_id=customer_id,
            kind=kind,
            value=value,
            valid_from=now,
            valid_until=until,
            source=source,
            issued_at=now,
            staff_id=ctx.staff_id,
            register_id=ctx.register_id,
        )
    )
    return IssuedCoupon(code, customer_id, kind, value, until)


@dataclass(frozen=True)
class LedgerLine:
    id: uuid.UUID
    at: datetime
    kind: str
    points: int
    stamps: int
    points_balance: int
    stamps_balance: int
    reason: str | None
    expires_at: datetime | None
    reverses_id: uuid.UUID | None
    sale_id: uuid.UUID | None
    redemption_id: uuid.UUID | None


def ledger_lines(ctx: Context, customer_id: uuid.UUID) -> tuple[uuid.UUID, list[LedgerLine]]:
    """Every entry of a customer, oldest first, with the running balances after each."""
    with ctx.db.read() as session:
        customer = usable_customer(session, customer_id)
    return customer.id, ledger_lines_of(ctx, customer.id)


def ledger_lines_of(ctx: Context, customer_id: uuid.UUID) -> list[LedgerLine]:
    """The same for any record, withdrawn, erased or merged too (the owner's full view)."""
    with ctx.db.read() as session:
        rows = session.scalars(
            select(LedgerEntry)
            .where(LedgerEntry.customer_id == customer_id)
            # within one moment the expiry comes first: every use settles it before its own
            # entries (its derived id carries the lots' expiry, which a clock set ahead by
            # DANGOL_NOW can put after the PC's clock that makes the other ids)
            .order_by(
                LedgerEntry.occurred_at,
                case((LedgerEntry.kind == "expire", 0), else_=1),
                LedgerEntry.id,
            )
        )
        lines: list[LedgerLine] = []
        points = stamps = 0
        for e in rows:
            points += e.points
            stamps += e.stamps
            lines.append(
                LedgerLine(
                    e.id,
                    e.occurred_at,
                    e.kind,
                    e.points,
                    e.stamps,
                    points,
                    stamps,
                    e.reason,
                    e.expires_at,
                    e.reverses_id,
                    e.sale_id,
                    e.redemption_id,
                )
            )
        return lines
