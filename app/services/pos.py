"""Sales, refunds and redemptions that the POS sends, keyed by the POS's own numbers.

The POS bridge (the local HTTP API, the receipt-printer tap) and `dangol sale --ref` call these.
Every use case is idempotent by the ref the POS gives: the same ref with the same request is
the same sale (nothing written, the first result returned), also when many identical requests
arrive at once; the same ref with a different request is a conflict (``pos.ref_conflict``).

- A sale without a customer is *pending* until the cashier attaches one, or it lapses after
  the owner's window (the ``pos_pending_minutes`` setting, 30 by default).
- A refund of part of a sale leaves the customer with what a sale of the rest would have
  earned under the original's terms (``app.domain.refunds``); redeemed points on that sale come
  back in proportion unless the owner chose money-only refunds (``pos_refund_money_only``).
  A refund may take the balance below zero (the points were already spent): the result says
  so and the owner's needs-attention list shows it.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db.locks import lock_customer
from app.db.models import (
    LedgerEntry,
    PosRedemption,
    PosRefund,
    PosSale,
    ProgramVersion,
    Redemption,
    Sale,
    TierChange,
)
from app.domain.earning import compute_earning
from app.domain.errors import Refused
from app.domain.program import Program
from app.domain.refunds import Refunded, SaleTerms, refund_effect
from app.domain.wallet import WalletRefund
from app.services import partners, redemptions
from app.services.audit_chain import audit
from app.services.context import Context
from app.services.customers import usable_customer
from app.services.figures import bump
from app.services.ledger import append_entry, balances, lot_expiry
from app.services.program import (
    _parse_program,
    current_program,
    program_state,
    with_experiments,
)
from app.services.sales import SaleResult, change_tier, check_sale_input, record_sale_in
from app.services.settings import setting
from app.services.wallet import refund_in as refund_wallet_in
from app.services.wallet import refund_part, sale_part

SOURCES = ("api", "tap", "cli")
# A POS's receipt, approval or order number: letters, digits and - _ . : / #, at most 64.
_REF = re.compile(r"[0-9A-Za-z][0-9A-Za-z\-_.:/#]{0,63}")


@dataclass(frozen=True)
class PosSaleView:
    ref: str
    status: str  # pending, posted, lapsed, cancelled
    amount: int
    items: int
    customer_id: uuid.UUID | None
    sale_id: uuid.UUID | None
    received_at: datetime
    source: str


@dataclass(frozen=True)
class PostResult:
    created: bool  # False: the same ref was posted before; nothing was written now
    pos: PosSaleView
    sale: SaleResult | None  # None while pending (or lapsed, cancelled)


@dataclass(frozen=True)
class RefundResult:
    created: bool
    ref: str
    refund_ref: str
    customer_id: uuid.UUID | None
    amount: int
    points_reversed: int
    stamps_reversed: int
    points_restored: int
    points: int  # the customer's balance after it (may be below zero: see the module note)
    stamps: int
    remaining_amount: int
    wallet: WalletRefund | None = None  # the wallet's part, when the sale touched the wallet

    @property
    def negative_balance(self) -> bool:
        return self.points < 0 or self.stamps < 0


@dataclass(frozen=True)
class PosRedemptionResult:
    created: bool
    ref: str
    redemption: redemptions.RedemptionResult


def check_ref(ref: object) -> str:
    if not isinstance(ref, str) or not _REF.fullmatch(ref.strip()):
        raise Refused("pos.ref_invalid", ref=str(ref)[:70])
    return ref.strip()


def pending_window(ctx: Context) -> timedelta:
    return timedelta(minutes=int(setting(ctx, "pos_pending_minutes")))


def _view(row: PosSale) -> PosSaleView:
    return PosSaleView(
        ref=row.ref,
        status=row.status,
        amount=row.amount,
        items=row.items,
        customer_id=row.customer_id,
        sale_id=row.sale_id,
        received_at=row.received_at,
        source=row.source,
    )


def _by_ref(session: Session, ref: str) -> PosSale | None:
    return session.scalars(select(PosSale).where(PosSale.ref == ref)).first()


def _lapse_if_due(ctx: Context, row: PosSale, now: datetime) -> None:
    if row.status == "pending" and row.received_at + pending_window(ctx) <= now:
        row.status = "lapsed"


# --- sales ------------------------------------------------------------------------------------


def post_sale(
    ctx: Context,
    ref: str,
    amount: int,
    *,
    items: int = 1,
    customer_id: uuid.UUID | None = None,
    items_detail: list[Any] | None = None,
    source: str = "api",
    token_name: str | None = None,
    from_wallet: int = 0,
    partner_spend: int = 0,
) -> PostResult:
    """The POS's sale: recorded for the customer, or pending without one; once per ref.

    `from_wallet`: won of it paid from the member's wallet (app/services/wallet.py);
    `partner_spend`: partner points spent on it (app/services/partners.py, read first)."""
    ref = check_ref(ref)
    check_sale_input(amount, items)
    if from_wallet and customer_id is None:
        raise Refused("wallet.needs_member")
    plan = partners.plan_spend(ctx, customer_id, partner_spend)
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}")
    detail = json.dumps(items_detail, ensure_ascii=False) if items_detail else None
    for attempt in range(2):
        try:
            with ctx.db.write() as session:
                return _post_in(
                    ctx,
                    session,
                    ref,
                    amount,
                    items,
                    customer_id,
                    detail,
                    source,
                    token_name,
                    from_wallet,
                    plan,
                )
        except IntegrityError:
            # the same ref committed by a concurrent request between our read and our write:
            # read it again and answer as for a repeat
            if attempt:
                raise
    raise AssertionError("unreachable")


def _post_in(
    ctx: Context,
    session: Session,
    ref: str,
    amount: int,
    items: int,
    customer_id: uuid.UUID | None,
    detail: str | None,
    source: str,
    token_name: str | None,
    from_wallet: int = 0,
    plan: partners.SpendPlan | None = None,
) -> PostResult:
    now = ctx.now()
    row = _by_ref(session, ref)
    if row is not None:
        _lapse_if_due(ctx, row, now)
        same = row.amount == amount and row.items == items
        if not same or (customer_id is not None and row.customer_id not in (None, customer_id)):
            raise Refused("pos.ref_conflict", ref=ref)
        if row.status == "pending" and customer_id is not None:
            return _attach_in(ctx, session, row, customer_id, token_name)
        return PostResult(False, _view(row), _sale_result(ctx, session, row))
    row = PosSale(
        ref=ref,
        amount=amount,
        items=items,
        items_detail=detail,
        status="pending",
        source=source,
        token_name=token_name,
        received_at=now,
        register_id=ctx.register_id,
    )
    session.add(row)
    session.flush()  # the ref's unique key: a concurrent twin fails here, before any entry
    if customer_id is None:
        audit(ctx, session, "pos.pending", target=row.id, detail=_detail(row, token_name))
        return PostResult(True, _view(row), None)
    return _attach_in(ctx, session, row, customer_id, token_name, from_wallet, plan)


def _attach_in(
    ctx: Context,
    session: Session,
    row: PosSale,
    customer_id: uuid.UUID,
    token_name: str | None,
    from_wallet: int = 0,
    plan: partners.SpendPlan | None = None,
) -> PostResult:
    # the sale happened when the POS rang it up (campaign hours, the month's figures); the
    # customer is checked and locked there, and its one audit entry names the POS's ref
    sale = record_sale_in(
        ctx,
        session,
        customer_id,
        row.amount,
        row.items,
        row.received_at,
        with_status=True,
        audit_as=("pos.sale", {**_detail(row, token_name), "customer": str(customer_id)}),
        from_wallet=from_wallet,
        partner_plan=plan,
    )
    row.tier_code = sale.promoted_from or sale.tier  # the tier it earned at: refunds reverse so
    row.customer_id = sale.customer_id
    row.sale_id = sale.sale_id
    row.status = "posted"
    row.posted_at = ctx.now()
    return PostResult(True, _view(row), sale)


def _detail(row: PosSale, token_name: str | None) -> dict[str, Any]:
    detail: dict[str, Any] = {"ref": row.ref, "amount": row.amount, "source": row.source}
    if token_name:
        detail["token"] = token_name
    return detail


def attach_customer(
    ctx: Context, ref: str, customer_id: uuid.UUID, *, token_name: str | None = None
) -> PostResult:
    """A pending sale gets its member (the cashier found them); the same member again: a repeat."""
    ref = check_ref(ref)
    with ctx.db.write() as session:
        row = _by_ref(session, ref)
        if row is None:
            raise Refused("pos.unknown_ref", ref=ref)
        _lapse_if_due(ctx, row, ctx.now())
        if row.status == "posted":
            if row.customer_id != customer_id:
                raise Refused("pos.ref_conflict", ref=ref)
            return PostResult(False, _view(row), _sale_result(ctx, session, row))
        if row.status == "lapsed":
            raise Refused("pos.lapsed", ref=ref, minutes=int(setting(ctx, "pos_pending_minutes")))
        if row.status == "cancelled":
            raise Refused("pos.cancelled", ref=ref)
        return _attach_in(ctx, session, row, customer_id, token_name)


def attach_oldest_pending_in(
    ctx: Context, session: Session, customer_id: uuid.UUID, *, token_name: str | None = None
) -> PostResult | None:
    """Inside the caller's transaction: the oldest pending sale still in its window gets this
    member (a check-in on the customer's own screen); None when no sale is waiting."""
    since = ctx.now() - pending_window(ctx)
    row = session.scalars(
        select(PosSale)
        .where(PosSale.status == "pending", PosSale.received_at > since)
        .order_by(PosSale.received_at, PosSale.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    ).first()
    if row is None:
        return None
    return _attach_in(ctx, session, row, customer_id, token_name)


def pending_sales(ctx: Context) -> list[PosSaleView]:
    """The POS's sales waiting for a member, oldest first; those past the window are left out."""
    now = ctx.now()
    since = now - pending_window(ctx)
    with ctx.db.read() as session:
        rows = session.scalars(
            select(PosSale)
            .where(PosSale.status == "pending", PosSale.received_at > since)
            .order_by(PosSale.received_at, PosSale.id)
        ).all()
        return [_view(row) for row in rows]


def pos_sale(ctx: Context, ref: str) -> PosSaleView:
    ref = check_ref(ref)
    with ctx.db.read() as session:
        row = _by_ref(session, ref)
        if row is None:
            raise Refused("pos.unknown_ref", ref=ref)
        _lapse_if_due(ctx, row, ctx.now())
        return _view(row)


def _sale_result(ctx: Context, session: Session, row: PosSale) -> SaleResult | None:
    """What a repeat answers: the sale as first recorded, with the customer's balances now."""
    if row.sale_id is None or row.customer_id is None:
        return None
    sale = session.get(Sale, row.sale_id)
    assert sale is not None
    entries = session.execute(
        select(LedgerEntry.kind, LedgerEntry.points, LedgerEntry.stamps, LedgerEntry.reason).where(
            LedgerEntry.sale_id == sale.id, LedgerEntry.kind.in_(("earn", "bonus"))
        )
    ).all()
    _, program = _program_of(session, sale)
    bal = balances(session, row.customer_id, ctx.now())
    campaign = sum(int(e.points) for e in entries if e.kind == "bonus")
    names = next((e.reason for e in entries if e.kind == "bonus"), None)
    customer = usable_customer(session, row.customer_id)
    return SaleResult(
        sale_id=sale.id,
        customer_id=row.customer_id,
        amount=sale.amount,
        points_earned=sum(int(e.points) for e in entries),
        campaign_points=campaign,
        campaigns=tuple(names.removeprefix("campaign: ").split(", ")) if names else (),
        stamps_earned=sum(int(e.stamps) for e in entries),
        points=bal.points,
        stamps=bal.stamps,
        stamp_goal=program.stamps.goal,
        tier=customer.tier_code,
        promoted_from=None,
        wallet=sale_part(session, sale.id, row.customer_id, program, ctx.now()),
    )


def _program_of(session: Session, sale: Sale) -> tuple[uuid.UUID, Program]:
    if sale.program_version_id is not None:
        version = session.get(ProgramVersion, sale.program_version_id)
        if version is not None:
            return version.id, _parse_program(version.document)
    return current_program(session)


# --- refunds ----------------------------------------------------------------------------------


def refund(
    ctx: Context,
    ref: str,
    refund_ref: str,
    amount: int,
    *,
    items: int | None = None,
    token_name: str | None = None,
) -> RefundResult:
    """Part (or the rest) of a POS sale refunded; once per refund ref."""
    ref = check_ref(ref)
    refund_ref = check_ref(refund_ref)
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 1:
        raise Refused("amount.not_positive")
    if items is not None and (isinstance(items, bool) or not isinstance(items, int) or items < 0):
        raise Refused("items.invalid")
    for attempt in range(2):
        try:
            with ctx.db.write() as session:
                return _refund_in(ctx, session, ref, refund_ref, amount, items, token_name)
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")


def cancel(ctx: Context, ref: str, *, token_name: str | None = None) -> RefundResult | PostResult:
    """The whole sale undone: a posted sale refunds what remains of it, a pending one is dropped.

    Idempotent: cancelling again answers with the first cancel."""
    ref = check_ref(ref)
    with ctx.db.write() as session:
        row = _by_ref(session, ref)
        if row is None:
            raise Refused("pos.unknown_ref", ref=ref)
        if row.status in ("pending", "lapsed", "cancelled"):
            created = row.status != "cancelled"
            row.status = "cancelled"
            if created:
                audit(ctx, session, "pos.cancel", target=row.id, detail=_detail(row, token_name))
            return PostResult(created, _view(row), None)
        refunded = _refunded(session, row)
        remaining = row.amount - refunded.amount
        cancel_ref = f"cancel:{ref}"[:64]
        if remaining <= 0:
            done = session.scalars(
                select(PosRefund).where(PosRefund.refund_ref == cancel_ref)
            ).first()
            if done is None:  # refunded whole by refunds: nothing is left to cancel
                last = session.scalars(
                    select(PosRefund)
                    .where(PosRefund.pos_sale_id == row.id)
                    .order_by(PosRefund.occurred_at.desc())
                ).first()
                assert last is not None
                return _refund_answer(ctx, session, row, last, created=False)
            return _refund_answer(ctx, session, row, done, created=False)
        return _refund_in(ctx, session, ref, cancel_ref, remaining, None, token_name)


def _refunded(session: Session, row: PosSale) -> Refunded:
    sums = session.execute(
        select(
            func.coalesce(func.sum(PosRefund.amount), 0),
            func.coalesce(func.sum(PosRefund.items), 0),
            func.coalesce(func.sum(PosRefund.points_reversed), 0),
            func.coalesce(func.sum(PosRefund.stamps_reversed), 0),
            func.coalesce(func.sum(PosRefund.points_restored), 0),
        ).where(PosRefund.pos_sale_id == row.id)
    ).one()
    return Refunded(*(int(v) for v in sums))


def _refund_answer(
    ctx: Context, session: Session, row: PosSale, done: PosRefund, *, created: bool
) -> RefundResult:
    bal = balances(session, row.customer_id, ctx.now()) if row.customer_id else None
    return RefundResult(
        created=created,
        ref=row.ref,
        refund_ref=done.refund_ref,
        customer_id=row.customer_id,
        amount=done.amount,
        points_reversed=done.points_reversed,
        stamps_reversed=done.stamps_reversed,
        points_restored=done.points_restored,
        points=bal.points if bal else 0,
        stamps=bal.stamps if bal else 0,
        remaining_amount=row.amount - _refunded(session, row).amount,
        wallet=refund_part(session, done.sale_id) if done.sale_id else None,
    )


def _refund_in(
    ctx: Context,
    session: Session,
    ref: str,
    refund_ref: str,
    amount: int,
    items: int | None,
    token_name: str | None,
) -> RefundResult:
    row = _by_ref(session, ref)
    if row is None:
        raise Refused("pos.unknown_ref", ref=ref)
    done = session.scalars(select(PosRefund).where(PosRefund.refund_ref == refund_ref)).first()
    if done is not None:
        if (
            done.pos_sale_id != row.id
            or done.amount != amount
            or (items is not None and done.items != items)
        ):
            raise Refused("pos.ref_conflict", ref=refund_ref)
        return _refund_answer(ctx, session, row, done, created=False)
    if row.status != "posted" or row.sale_id is None or row.customer_id is None:
        raise Refused("pos.not_posted", ref=ref)
    now = ctx.now()
    customer = lock_customer(session, row.customer_id)  # refunds of one sale, one at a time
    sale = session.get(Sale, row.sale_id)
    assert sale is not None
    if session.scalars(select(Sale.id).where(Sale.reverses_id == sale.id)).first():
        raise Refused("pos.voided", ref=ref)
    entries = session.scalars(
        select(LedgerEntry).where(
            LedgerEntry.sale_id == sale.id, LedgerEntry.kind.in_(("earn", "bonus"))
        )
    ).all()
    _, program = _program_of(session, sale)
    redeemed = session.scalar(
        select(func.coalesce(func.sum(Redemption.points), 0))
        .join(PosRedemption, PosRedemption.redemption_id == Redemption.id)
        .where(PosRedemption.pos_sale_id == row.id, Redemption.kind == "points")
    )
    voided_redemptions = session.scalar(
        select(func.coalesce(func.sum(Redemption.points), 0)).where(
            Redemption.reverses_id.in_(
                select(PosRedemption.redemption_id).where(PosRedemption.pos_sale_id == row.id)
            )
        )
    )
    terms = SaleTerms(
        amount=sale.amount,
        items=sale.items,
        points=sum(e.points for e in entries),
        stamps=sum(e.stamps for e in entries),
        stamps_per=program.stamps.per,
        redeemed_points=max(0, int(redeemed or 0) + int(voided_redemptions or 0)),
    )
    local_time = ctx.local(sale.occurred_at)
    tier = row.tier_code or customer.tier_code

    # the sale's own program with the member's experiment campaigns, as the sale earned
    earning_program = with_experiments(program, program_state(session).experiments, customer.id)

    def earn(value: int, count: int) -> int:
        return compute_earning(
            earning_program,
            amount=value,
            items=max(count, 1),
            tier_code=tier,
            local_time=local_time,
        ).total_points

    before = _refunded(session, row)
    money_only = bool(setting(ctx, "pos_refund_money_only"))
    effect = refund_effect(
        terms, before, amount=amount, items=items, earn=earn, restore_redeemed=not money_only
    )
    refund_items = sale.items - before.items - effect.remaining_items
    refund_row = Sale(
        customer_id=customer.id,
        occurred_at=now,
        amount=-amount,
        items=-refund_items,
        store_id=ctx.store_id,
        staff_id=ctx.staff_id,
        program_version_id=sale.program_version_id,
        refund_of_id=sale.id,
        register_id=ctx.register_id,
    )
    session.add(refund_row)
    session.flush()
    refund_wallet_in(  # the wallet's part (cashback back, wallet money restored), if any
        ctx,
        session,
        sale,
        refund_row.id,
        program,
        tier,
        refunded_before=before.amount,
        amount=amount,
        now=now,
    )
    if ctx.settings.get(partners.USED):  # the partner earn taken back pro rata, as a void does
        partners.refund_sale_in(
            ctx, session, sale.id, refund_row.id, sale.amount, before.amount + amount, now
        )
    lot = next((e for e in entries if e.kind == "earn"), entries[0] if entries else None)
    if effect.points_reversed or effect.stamps_reversed:
        append_entry(
            ctx,
            session,
            customer_id=customer.id,
            kind="refund",
            at=now,
            points=-effect.points_reversed,
            stamps=-effect.stamps_reversed,
            # the purchase's lot shrinks at the expiry moment it joined the FIFO sums with
            expires_at=lot.expires_at if lot is not None else None,
            sale_id=refund_row.id,
            reason="refund",
            figures_origin=("earn", 1, 1),
        )
    if effect.points_restored:
        _, in_force = current_program(session)
        append_entry(
            ctx,
            session,
            customer_id=customer.id,
            kind="refund",
            at=now,
            points=effect.points_restored,
            expires_at=lot_expiry(ctx, in_force, now),
            sale_id=refund_row.id,
            reason="refund points back",
            figures_origin=("redeem", -1, 0),
        )
    bump(
        ctx,
        session,
        now,
        visits=-1 if effect.remaining_amount == 0 else 0,
        sales_amount=-amount,
    )
    if effect.remaining_amount == 0:
        # the tier this sale brought goes back with it, as with a void
        promotion = session.scalars(
            select(TierChange).where(
                TierChange.customer_id == customer.id,  # its index: sale_id has none
                TierChange.sale_id == sale.id,
                TierChange.reason == "sale",
            )
        ).first()
        if promotion and customer.tier_code == promotion.to_code and promotion.from_code:
            change_tier(ctx, session, customer, promotion.from_code, "refund", now, sale_id=sale.id)
    done = PosRefund(
        refund_ref=refund_ref,
        pos_sale_id=row.id,
        sale_id=refund_row.id,
        amount=amount,
        items=refund_items,
        points_reversed=effect.points_reversed,
        stamps_reversed=effect.stamps_reversed,
        points_restored=effect.points_restored,
        occurred_at=now,
        token_name=token_name,
        register_id=ctx.register_id,
    )
    session.add(done)
    session.flush()
    audit(
        ctx,
        session,
        "pos.refund",
        target=refund_row.id,
        detail={
            **_detail(row, token_name),
            "refund_ref": refund_ref,
            "refund": amount,
            "points_reversed": effect.points_reversed,
            "points_restored": effect.points_restored,
        },
    )
    return _refund_answer(ctx, session, row, done, created=True)


# --- redemptions ------------------------------------------------------------------------------


def redeem(
    ctx: Context,
    ref: str,
    customer_id: uuid.UUID,
    *,
    points: int | None = None,
    stamps: bool = False,
    coupon: str | None = None,
    sale_ref: str | None = None,
    token_name: str | None = None,
) -> PosRedemptionResult:
    """Points, the stamp reward or a coupon used at the POS; once per ref."""
    ref = check_ref(ref)
    chosen = [points is not None, bool(stamps), coupon is not None]
    if sum(chosen) != 1:
        raise Refused("pos.redeem_one")
    request = json.dumps(
        {
            "who": str(customer_id),
            "points": points,
            "stamps": bool(stamps),
            "coupon": coupon,
            "sale_ref": sale_ref,
        },
        sort_keys=True,
    )[:300]
    for attempt in range(2):
        try:
            with ctx.db.write() as session:
                done = session.scalars(
                    select(PosRedemption).where(PosRedemption.ref == ref)
                ).first()
                if done is not None:
                    if done.request != request:
                        raise Refused("pos.ref_conflict", ref=ref)
                    return PosRedemptionResult(False, ref, _redemption_answer(ctx, session, done))
                pos_row = None
                if sale_ref is not None:
                    pos_row = _by_ref(session, check_ref(sale_ref))
                    if pos_row is None:
                        raise Refused("pos.unknown_ref", ref=sale_ref)
                customer = usable_customer(session, customer_id)
                now = ctx.now()
                if points is not None:
                    result = redemptions.redeem_points_in(ctx, session, customer.id, points, now)
                elif stamps:
                    result = redemptions.redeem_stamps_in(ctx, session, customer.id, now)
                else:
                    assert coupon is not None
                    result = redemptions.redeem_coupon_in(ctx, session, customer.id, coupon, now)
                session.add(
                    PosRedemption(
                        ref=ref,
                        request=request,
                        redemption_id=result.redemption_id,
                        pos_sale_id=pos_row.id if pos_row is not None else None,
                        occurred_at=now,
                        register_id=ctx.register_id,
                    )
                )
                session.flush()
                audit(
                    ctx,
                    session,
                    "pos.redeem",
                    target=result.redemption_id,
                    detail={"ref": ref, "token": token_name} if token_name else {"ref": ref},
                )
                return PosRedemptionResult(True, ref, result)
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")


def _redemption_answer(
    ctx: Context, session: Session, done: PosRedemption
) -> redemptions.RedemptionResult:
    redemption = session.get(Redemption, done.redemption_id)
    assert redemption is not None
    bal = balances(session, redemption.customer_id, ctx.now())
    return redemptions.RedemptionResult(
        redemption.id,
        redemption.customer_id,
        redemption.kind,
        redemption.points,
        redemption.stamps,
        None,
        None,
        bal.points,
        bal.stamps,
    )
