"""What a loyalty slip says about one sale or redemption: the action and the balances after it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import Coupon, Customer, LedgerEntry, Redemption, Sale, Store, TierChange
from app.domain.coupons import format_coupon_code
from app.domain.errors import Refused
from app.services.customers import CustomerStatus, last_valid_day, status_of
from app.services.shop import Shop, current_program

DEFAULT_FOOTER = "오늘도 찾아주셔서 감사합니다 :)"
PRINTER_KINDS = ("pdf", "escpos")
PAPER_WIDTHS = (58, 80)
DEFAULT_PRINTER: dict[str, Any] = {"kind": "pdf", "width": 80, "device": ""}


@dataclass(frozen=True)
class StoreInfo:
    name: str
    business_number: str | None = None
    address: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class IssuedCouponLine:
    code: str  # "ABCD-EFGH"
    kind: str  # amount | percent | item
    value: int
    last_day: str  # ISO date, the last day it can be used


@dataclass(frozen=True)
class SlipData:
    """Everything a slip shows; the renderers need nothing else (no database)."""

    action_id: uuid.UUID
    kind: str  # sale | points | stamps | coupon | sale_void | redemption_void
    store: StoreInfo
    at: datetime  # local time of the action
    customer_name: str | None  # masked ("김*준")
    phone_masked: str | None
    amount: int = 0  # won of the purchase (or of the voided purchase)
    points_change: int = 0  # + earned, - used or taken back
    campaign_points: int = 0  # part of points_change from campaigns
    stamps_change: int = 0
    reward: str | None = None
    coupon_used: str | None = None
    points: int = 0  # balances after the action
    stamps: int = 0
    stamp_goal: int = 10
    stamps_enabled: bool = True
    points_expiring_30d: int = 0
    tier_name: str = ""
    next_tier_name: str | None = None
    to_next_tier: int = 0
    window_spend: int = 0
    next_tier_spend: int = 0
    promoted: bool = False
    coupons_issued: tuple[IssuedCouponLine, ...] = ()
    footer: str = DEFAULT_FOOTER
    reprint: bool = False  # later actions exist: balances are those right after this one

    @property
    def stamps_on_card(self) -> int:
        """Stamps toward the next reward; a completed card shows full until the reward is used."""
        on_card = self.stamps % self.stamp_goal
        return self.stamp_goal if on_card == 0 and self.stamps > 0 else on_card

    @property
    def rewards_ready(self) -> int:
        return self.stamps // self.stamp_goal


@dataclass(frozen=True)
class PrinterSettings:
    kind: str = "pdf"
    width: int = 80
    device: str = ""


def printer_settings(shop: Shop) -> PrinterSettings:
    """The "printer" setting, with anything missing or unknown falling back to a PDF on 80 mm."""
    raw = shop.settings.get("printer")
    raw = raw if isinstance(raw, dict) else {}
    kind = raw["kind"] if raw.get("kind") in PRINTER_KINDS else DEFAULT_PRINTER["kind"]
    width = raw["width"] if raw.get("width") in PAPER_WIDTHS else DEFAULT_PRINTER["width"]
    device = raw["device"] if isinstance(raw.get("device"), str) else ""
    return PrinterSettings(kind, width, device)


def slip_footer(shop: Shop) -> str:
    footer = shop.settings.get("slip_footer")
    return footer.strip() if isinstance(footer, str) and footer.strip() else DEFAULT_FOOTER


def store_info(session: Session, shop: Shop) -> StoreInfo:
    store = session.get(Store, shop.store_id)
    if store is None:
        return StoreInfo(name="")
    return StoreInfo(store.name, store.business_number, store.address, store.phone)


def slip_for(shop: Shop, action_id: str) -> SlipData:
    """The slip of a sale or a redemption (or of a void of either), by its id."""
    try:
        key = uuid.UUID(action_id.strip())
    except (ValueError, AttributeError) as exc:
        raise Refused("slip.not_found", id=action_id) from exc
    with shop.db.read() as session:
        sale = session.get(Sale, key)
        if sale is not None:
            return _sale_slip(shop, session, sale)
        redemption = session.get(Redemption, key)
        if redemption is not None:
            return _redemption_slip(shop, session, redemption)
    raise Refused("slip.not_found", id=action_id)


def _action_entries(session: Session, column: Any, origin: uuid.UUID, void: bool) -> list[Any]:
    kind_test = LedgerEntry.kind == "void" if void else LedgerEntry.kind != "void"
    return list(session.execute(select(LedgerEntry).where(column == origin, kind_test)).scalars())


def _sale_slip(shop: Shop, session: Session, sale: Sale) -> SlipData:
    void = sale.reverses_id is not None
    origin = sale.reverses_id or sale.id
    entries = _action_entries(session, LedgerEntry.sale_id, origin, void)
    campaign = sum(e.points for e in entries if (e.reason or "").startswith("campaign"))
    return _slip(
        shop,
        session,
        action_id=sale.id,
        kind="sale_void" if void else "sale",
        customer_id=sale.customer_id,
        occurred_at=sale.occurred_at,
        cutoff=max([sale.id, *(e.id for e in entries)]),
        amount=abs(sale.amount),
        points_change=sum(e.points for e in entries),
        campaign_points=0 if void else campaign,
        stamps_change=sum(e.stamps for e in entries),
        promoted=not void and _promoted_by(session, sale.id),
    )


def _redemption_slip(shop: Shop, session: Session, redemption: Redemption) -> SlipData:
    void = redemption.reverses_id is not None
    origin = redemption.reverses_id or redemption.id
    entries = _action_entries(session, LedgerEntry.redemption_id, origin, void)
    coupon = session.get(Coupon, redemption.coupon_id) if redemption.coupon_id else None
    original = session.get(Redemption, origin)
    reward = None
    if redemption.kind == "stamps":
        reward = next((e.reason for e in entries if e.reason), None)
        if void and original is not None:
            reward = _reward_of(session, original.id) or reward
    return _slip(
        shop,
        session,
        action_id=redemption.id,
        kind="redemption_void" if void else redemption.kind,
        customer_id=redemption.customer_id,
        occurred_at=redemption.occurred_at,
        cutoff=max([redemption.id, *(e.id for e in entries)]),
        points_change=sum(e.points for e in entries),
        stamps_change=sum(e.stamps for e in entries),
        reward=reward,
        coupon_used=format_coupon_code(coupon.code) if coupon is not None else None,
    )


def _reward_of(session: Session, redemption_id: uuid.UUID) -> str | None:
    return session.scalars(
        select(LedgerEntry.reason).where(
            LedgerEntry.redemption_id == redemption_id, LedgerEntry.kind == "redeem"
        )
    ).first()


def _promoted_by(session: Session, sale_id: uuid.UUID) -> bool:
    return (
        session.scalars(
            select(TierChange.id).where(TierChange.sale_id == sale_id, TierChange.reason == "sale")
        ).first()
        is not None
    )


def _slip(
    shop: Shop,
    session: Session,
    *,
    action_id: uuid.UUID,
    kind: str,
    customer_id: uuid.UUID,
    occurred_at: datetime,
    cutoff: uuid.UUID,
    **action: Any,
) -> SlipData:
    customer = session.get(Customer, customer_id)
    if customer is None:  # pragma: no cover - the foreign key keeps it
        raise Refused("slip.not_found", id=str(action_id))
    now = shop.now()
    status = status_of(shop, session, customer, now)
    _, program = current_program(session)
    later = _later_entries(session, customer_id, cutoff)
    points, stamps = (
        _ledger_sums_until(session, customer_id, cutoff)
        if later
        else (status.points, status.stamps)
    )
    next_level = next((lv for lv in program.tiers.levels if lv.code == status.next_tier), None)
    return SlipData(
        action_id=action_id,
        kind=kind,
        store=store_info(session, shop),
        at=shop.local(occurred_at),
        customer_name=status.name_masked,
        phone_masked=status.phone_masked,
        points=points,
        stamps=stamps,
        stamp_goal=status.stamp_goal,
        stamps_enabled=status.stamps_enabled,
        points_expiring_30d=status.points_expiring_30d,
        tier_name=status.tier_name,
        next_tier_name=next_level.name if next_level else None,
        to_next_tier=status.to_next_tier,
        window_spend=status.window_spend,
        next_tier_spend=next_level.min_spend if next_level else 0,
        coupons_issued=_coupons_issued(shop, session, status, occurred_at),
        footer=slip_footer(shop),
        reprint=later,
        **action,
    )


def _later_entries(session: Session, customer_id: uuid.UUID, cutoff: uuid.UUID) -> bool:
    """Whether the ledger moved after this action (ids are time-ordered UUIDv7)."""
    return (
        session.scalars(
            select(LedgerEntry.id)
            .where(LedgerEntry.customer_id == customer_id, LedgerEntry.id > cutoff)
            .limit(1)
        ).first()
        is not None
    )


def _ledger_sums_until(
    session: Session, customer_id: uuid.UUID, cutoff: uuid.UUID
) -> tuple[int, int]:
    row = session.execute(
        select(
            func.coalesce(func.sum(LedgerEntry.points), 0),
            func.coalesce(func.sum(LedgerEntry.stamps), 0),
        ).where(LedgerEntry.customer_id == customer_id, LedgerEntry.id <= cutoff)
    ).one()
    return int(row[0]), int(row[1])


COUPON_WINDOW = timedelta(minutes=10)


def _coupons_issued(
    shop: Shop, session: Session, status: CustomerStatus, occurred_at: datetime
) -> tuple[IssuedCouponLine, ...]:
    """Usable coupons given to this member around the action (same visit), for the slip."""
    codes = {c.code for c in status.coupons}
    if not codes:
        return ()
    rows = session.scalars(
        select(Coupon)
        .where(
            Coupon.customer_id == status.id,
            Coupon.code.in_(codes),
            Coupon.issued_at >= occurred_at - COUPON_WINDOW,
            Coupon.issued_at <= occurred_at + COUPON_WINDOW,
        )
        .order_by(Coupon.issued_at)
        .limit(3)
    )
    return tuple(
        IssuedCouponLine(
            format_coupon_code(c.code),
            c.kind,
            c.value,
            last_valid_day(shop, c.valid_until).isoformat(),
        )
        for c in rows
    )
