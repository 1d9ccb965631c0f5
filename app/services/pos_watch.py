"""What the counter watches of the POS bridge: pending sales and refunds that left a balance
below zero; and where the counter's local API listens.

The counter asks ``counter_watch`` every couple of seconds (one short read). A POS refund can
take back points the member has already spent (``app.services.pos``): the balance then goes
below zero, and the cashier must see it at that moment, naming the member (masked) and the
balance. The counter passes ``since`` (a moment a little before its last look, so a refund
whose transaction was still open then is not missed) and keeps the ids it has shown.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import Customer, LedgerEntry, PosRefund, PosSale
from app.domain.phone import mask_name
from app.services.checkin import CheckInView, latest_checkins
from app.services.context import Context
from app.services.customers import masked_phone
from app.services.ledger import balances
from app.services.pos import PosSaleView, pending_sales
from app.services.settings import setting

LOOPBACK = "127.0.0.1"
EVERY_NETWORK = "0.0.0.0"  # only when the owner chose "LAN에서도 받기"


@dataclass(frozen=True)
class NegativeRefund:
    """A POS refund after which the member's balance is below zero."""

    refund_id: uuid.UUID
    ref: str  # the POS sale's ref
    refund_ref: str
    amount: int
    points_reversed: int
    customer_id: uuid.UUID
    name_masked: str | None
    phone_masked: str | None
    points: int  # the balance now (below zero)
    stamps: int
    occurred_at: datetime


@dataclass(frozen=True)
class CounterWatch:
    pending: list[PosSaleView]
    negative_refunds: list[NegativeRefund]
    checked_at: datetime  # the shop's clock when it looked
    # customers who checked in on their own screen (a tablet, say) since then: the counter
    # selects the member
    checkins: list[CheckInView] = field(default_factory=list)


def recent_negative_refunds(ctx: Context, since: datetime) -> list[NegativeRefund]:
    """POS refunds made after ``since`` that left their member below zero, and the member is
    still below zero now; oldest first. A refund that left the balance at or above zero is
    not one of them, even when a later refund took it below."""
    now = ctx.now()
    with ctx.db.read() as session:
        rows = session.execute(
            select(PosRefund, PosSale.ref, PosSale.customer_id)
            .join(PosSale, PosSale.id == PosRefund.pos_sale_id)
            .where(
                PosRefund.occurred_at > since,
                PosSale.customer_id.is_not(None),
                (PosRefund.points_reversed > 0) | (PosRefund.stamps_reversed > 0),
            )
            .order_by(PosRefund.occurred_at, PosRefund.id)
        ).all()
        found: list[NegativeRefund] = []
        for refund, ref, customer_id in rows:
            assert customer_id is not None  # the query keeps only sales with a member
            balance = balances(session, customer_id, now)
            if balance.points >= 0 and balance.stamps >= 0:
                continue
            after = _ledger_after(session, customer_id, refund.occurred_at)
            if after[0] >= 0 and after[1] >= 0:
                continue
            customer = session.get(Customer, customer_id)
            assert customer is not None
            found.append(
                NegativeRefund(
                    refund_id=refund.id,
                    ref=ref,
                    refund_ref=refund.refund_ref,
                    amount=refund.amount,
                    points_reversed=refund.points_reversed,
                    customer_id=customer_id,
                    name_masked=mask_name(customer.name) if customer.name else None,
                    phone_masked=masked_phone(ctx, customer),
                    points=balance.points,
                    stamps=balance.stamps,
                    occurred_at=refund.occurred_at,
                )
            )
        return found


def _ledger_after(session: Session, customer_id: uuid.UUID, moment: datetime) -> tuple[int, int]:
    """The member's ledger sums (points, stamps) just after that moment."""
    points, stamps = session.execute(
        select(
            func.coalesce(func.sum(LedgerEntry.points), 0),
            func.coalesce(func.sum(LedgerEntry.stamps), 0),
        ).where(LedgerEntry.customer_id == customer_id, LedgerEntry.occurred_at <= moment)
    ).one()
    return int(points), int(stamps)


def counter_watch(ctx: Context, since: datetime) -> CounterWatch:
    """One look for the counter: the pending sales, the refunds below zero and the check-ins
    since then."""
    checked_at = ctx.now()
    return CounterWatch(
        pending_sales(ctx),
        recent_negative_refunds(ctx, since),
        checked_at,
        latest_checkins(ctx, since),
    )


def api_binding(ctx: Context) -> tuple[str, int] | None:
    """Where the counter's local API listens, or None when the owner has it off."""
    if not setting(ctx, "pos_api_enabled"):
        return None
    host = EVERY_NETWORK if setting(ctx, "pos_api_lan") else LOOPBACK
    return host, int(setting(ctx, "pos_api_port"))
