"""Spending points, the stamp reward, or a coupon."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.db.base import new_id
from app.db.lean import LeanConnection, LeanWrite, session_lean
from app.db.locks import lock_customer
from app.db.models import Coupon, Customer, Redemption
from app.domain.coupons import CouponState, check_coupon_usable, normalize_coupon_code
from app.domain.errors import Refused
from app.domain.redemption import check_points_redemption, stamp_reward_to_use
from app.services.audit_chain import audit
from app.services.context import Context
from app.services.customers import (
    CustomerRecord,
    CustomerStatus,
    coupon_use_counts,
    lean_lock_usable,
    lean_status_after,
    lean_sums,
    status_of,
    usable_customer,
)
from app.services.figures import bump
from app.services.ledger import (
    LedgerSums,
    append_entry,
    balances,
    entry_row,
    expiry_rows,
    insert_entries,
)
from app.services.program import ProgramState, current_program, program_state_lean
from app.services.stamps import stamp_cards


@dataclass(frozen=True)
class RedemptionResult:
    redemption_id: uuid.UUID
    customer_id: uuid.UUID
    kind: str
    points_used: int
    stamps_used: int
    reward: str | None
    coupon: dict[str, Any] | None
    points: int
    stamps: int
    status: CustomerStatus | None = None  # the customer after it, for the counter screen


def _new_redemption(
    ctx: Context,
    session: Session,
    customer: Customer,
    kind: str,
    now: datetime,
    *,
    points: int = 0,
    stamps: int = 0,
    coupon_id: uuid.UUID | None = None,
) -> Redemption:
    redemption = Redemption(
        customer_id=customer.id,
        kind=kind,
        points=points,
        stamps=stamps,
        coupon_id=coupon_id,
        occurred_at=now,
        store_id=ctx.store_id,
        staff_id=ctx.staff_id,
        register_id=ctx.register_id,
    )
    session.add(redemption)
    session.flush()
    return redemption


def _result(
    session: Session,
    redemption: Redemption,
    now: datetime,
    reward: str | None = None,
    coupon: dict[str, Any] | None = None,
) -> RedemptionResult:
    session.flush()
    bal = balances(session, redemption.customer_id, now)
    return RedemptionResult(
        redemption.id,
        redemption.customer_id,
        redemption.kind,
        redemption.points,
        redemption.stamps,
        reward,
        coupon,
        bal.points,
        bal.stamps,
    )


def _with_status(ctx: Context, session: Session, result: RedemptionResult) -> RedemptionResult:
    """The result with the customer as the screen shows them next, read in the same transaction."""
    customer = session.get(Customer, result.customer_id)
    assert customer is not None
    return replace(result, status=status_of(ctx, session, customer, ctx.now()))


def redeem_points(ctx: Context, customer_id: uuid.UUID, points: int) -> RedemptionResult:
    if ctx.settings.get("sync.url"):
        # with sync on and the server reachable, two stores cannot spend the same points
        # online; offline, the local balance check below is all there is
        from app.services.sync import check_central_points

        with ctx.db.read() as session:
            usable_customer(session, customer_id)
        if isinstance(points, int) and not isinstance(points, bool) and points > 0:
            check_central_points(ctx, customer_id, points)
    with ctx.db.write() as session:
        now = ctx.now()
        with session_lean(session) as lean:
            result, sums, customer, state = _redeem_points(
                ctx, session, lean, customer_id, points, now
            )
            status = lean_status_after(
                ctx, session, lean, customer, now, state=state, bal=sums.balances()
            )
        return replace(result, status=status)


def redeem_points_in(
    ctx: Context, session: Session, customer_id: uuid.UUID, points: int, now: datetime
) -> RedemptionResult:
    with session_lean(session) as lean:
        return _redeem_points(ctx, session, lean, customer_id, points, now)[0]


def _redeem_points(
    ctx: Context,
    session: Session,
    lean: LeanConnection,
    customer_id: uuid.UUID,
    points: int,
    now: datetime,
) -> tuple[RedemptionResult, LedgerSums, CustomerRecord, ProgramState]:
    """The redemption, the ledger's sums after it (read once, carried forward), the customer
    and the program's state.

    Its reads are lean statements on the transaction's connection and its rows go in by
    prebuilt INSERTs (no unit of work), as a sale's (tests/services/test_lean_redemption_void.py
    holds them to the rows append_entry and the Session wrote before)."""
    if isinstance(points, bool) or not isinstance(points, int):
        raise Refused("redeem.not_positive")
    customer = lean_lock_usable(session, lean, customer_id)
    state = program_state_lean(lean)
    sums = lean_sums(lean, customer.id, now)
    # checked against the balance read under the lock: two registers cannot spend it twice
    check_points_redemption(points, sums.balances().points, state.program.points)
    figures: Counter[str] = Counter()
    row = redemption_row(ctx, customer.id, "points", now, points=points)
    # what has expired is written first (settle_expiry_in's entry)
    entries, sums = expiry_rows(ctx, session, customer.id, sums, figures)
    entries.append(
        entry_row(
            ctx,
            customer.id,
            "redeem",
            now,
            -points,
            0,
            figures,
            reason="points used",
            redemption_id=row["id"],
        )
    )
    sums = sums.plus(-points, 0, None)
    _INSERT_REDEMPTION.execute(lean, row)
    insert_entries(session, entries, lean)
    bump(ctx, session, now, **figures)
    audit(
        ctx,
        session,
        "redeem.points",
        target=row["id"],
        detail={"customer": str(customer.id), "points": points},
        at=now,
    )
    bal = sums.balances()
    result = RedemptionResult(
        row["id"], customer.id, "points", points, 0, None, None, bal.points, bal.stamps
    )
    return result, sums, customer, state


_INSERT_REDEMPTION = LeanWrite(insert(Redemption))


def redemption_row(
    ctx: Context,
    customer_id: uuid.UUID,
    kind: str,
    now: datetime,
    *,
    points: int = 0,
    stamps: int = 0,
    coupon_id: uuid.UUID | None = None,
    reverses_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """A redemptions row as a dict for the prebuilt INSERT: every column, as _new_redemption's."""
    return {
        "id": new_id(),
        "register_id": ctx.register_id,
        "customer_id": customer_id,
        "kind": kind,
        "points": points,
        "stamps": stamps,
        "coupon_id": coupon_id,
        "occurred_at": now,
        "store_id": ctx.store_id,
        "staff_id": ctx.staff_id,
        "reverses_id": reverses_id,
    }


def redeem_stamps(ctx: Context, customer_id: uuid.UUID) -> RedemptionResult:
    with ctx.db.write() as session:
        customer = usable_customer(session, customer_id)
        result = redeem_stamps_in(ctx, session, customer.id, ctx.now())
        return _with_status(ctx, session, result)


def redeem_stamps_in(
    ctx: Context, session: Session, customer_id: uuid.UUID, now: datetime
) -> RedemptionResult:
    customer = lock_customer(session, customer_id)
    _, program = current_program(session)
    bal = balances(session, customer.id, now)
    cards = stamp_cards(session, customer.id, balance=bal.stamps, program=program)
    # the oldest completed card: its own goal of stamps for its own reward, whatever changed since
    card = stamp_reward_to_use(cards)
    goal = card.goal
    redemption = _new_redemption(ctx, session, customer, "stamps", now, stamps=goal)
    append_entry(
        ctx,
        session,
        customer_id=customer.id,
        kind="redeem",
        at=now,
        stamps=-goal,
        redemption_id=redemption.id,
        reason=card.reward,
    )
    audit(
        ctx,
        session,
        "redeem.stamps",
        target=redemption.id,
        detail={"customer": str(customer.id), "stamps": goal},
        at=now,
    )
    return _result(session, redemption, now, reward=card.reward)


def redeem_coupon(ctx: Context, customer_id: uuid.UUID, code: str) -> RedemptionResult:
    with ctx.db.write() as session:
        customer = usable_customer(session, customer_id)
        result = redeem_coupon_in(ctx, session, customer.id, code, ctx.now())
        return _with_status(ctx, session, result)


def redeem_coupon_in(
    ctx: Context, session: Session, customer_id: uuid.UUID, code: str, now: datetime
) -> RedemptionResult:
    customer = lock_customer(session, customer_id)
    normalized = normalize_coupon_code(code)
    coupon = session.scalars(select(Coupon).where(Coupon.code == normalized)).first()
    if coupon is None:
        raise Refused("coupon.not_found", code=code)
    if coupon.customer_id != customer.id:
        raise Refused("coupon.other_customer", code=normalized)
    used = coupon_use_counts(session, [coupon.id]).get(coupon.id, 0) > 0
    check_coupon_usable(
        CouponState(
            coupon.code,
            coupon.kind,
            coupon.value,
            ctx.local(coupon.valid_from),
            ctx.local(coupon.valid_until),
            now if used else None,
        ),
        now,
    )
    redemption = _new_redemption(ctx, session, customer, "coupon", now, coupon_id=coupon.id)
    bump(ctx, session, now, coupons_used=1)
    audit(
        ctx,
        session,
        "redeem.coupon",
        target=redemption.id,
        detail={"customer": str(customer.id), "coupon": coupon.code},
        at=now,
    )
    return _result(
        session,
        redemption,
        now,
        coupon={"code": coupon.code, "kind": coupon.kind, "value": coupon.value},
    )
