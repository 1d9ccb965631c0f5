"""What a loyalty slip says about one sale or redemption: the action and the balances after it."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from app.db.models import Coupon, Customer, LedgerEntry, Redemption, Sale, Store, TierChange
from app.domain.coupons import format_coupon_code
from app.domain.errors import Refused
from app.domain.program import Program
from app.domain.slip import (
    DEFAULT_FOOTER,
    IssuedCouponLine,
    PrinterSettings,
    SlipData,
    SlipWallet,
    StoreInfo,
)
from app.services.context import Context
from app.services.customers import CustomerStatus, last_valid_day, status_of
from app.services.partners import SalePartner
from app.services.program import current_program
from app.services.settings import setting
from app.services.stamps import stamp_cards
from app.services.wallet import WalletSale

PRINTER_KINDS = ("pdf", "escpos")
PAPER_WIDTHS = (58, 80)
DEFAULT_PRINTER: dict[str, Any] = {"kind": "pdf", "width": 80, "device": ""}


def printer_settings(ctx: Context) -> PrinterSettings:
    """The "printer" setting, with anything missing or unknown falling back to a PDF on 80 mm."""
    raw = ctx.settings.get("printer")
    raw = raw if isinstance(raw, dict) else {}
    kind = raw["kind"] if raw.get("kind") in PRINTER_KINDS else DEFAULT_PRINTER["kind"]
    width = raw["width"] if raw.get("width") in PAPER_WIDTHS else DEFAULT_PRINTER["width"]
    device = raw["device"] if isinstance(raw.get("device"), str) else ""
    return PrinterSettings(kind, width, device)


def slip_footer(ctx: Context) -> str:
    footer = ctx.settings.get("slip_footer")
    return footer.strip() if isinstance(footer, str) and footer.strip() else DEFAULT_FOOTER


def store_info(session: Session, ctx: Context) -> StoreInfo:
    store = session.get(Store, ctx.store_id)
    if store is None:
        return StoreInfo(name="")
    return StoreInfo(store.name, store.business_number, store.address, store.phone)


def slip_for(ctx: Context, action_id: str) -> SlipData:
    """The slip of a sale or a redemption (or of a void of either), by its id."""
    try:
        key = uuid.UUID(action_id.strip())
    except (ValueError, AttributeError) as exc:
        raise Refused("slip.not_found", id=action_id) from exc
    with ctx.db.read() as session:
        sale = session.get(Sale, key)
        redemption = session.get(Redemption, key) if sale is None else None
        if sale is not None:
            slip, customer_id = sale_slip(ctx, session, sale), sale.customer_id
        elif redemption is not None:
            slip = _redemption_slip(ctx, session, redemption)
            customer_id = redemption.customer_id
        else:
            raise Refused("slip.not_found", id=action_id)
    if slip.wallet_link:  # the paper carries the save link: the member's object is followed
        from app.services.mobile_wallet import queue_member_object

        queue_member_object(ctx, customer_id)
    return slip


def _action_entries(session: Session, column: Any, origin: uuid.UUID, void: bool) -> list[Any]:
    kind_test = LedgerEntry.kind == "void" if void else LedgerEntry.kind != "void"
    return list(session.execute(select(LedgerEntry).where(column == origin, kind_test)).scalars())


def slip_document(slip: SlipData, kind: str, width: int, *, text: bool = False) -> bytes:
    """The one way a slip becomes bytes: a PDF, or ESC/POS (raster, or plain text)."""
    if kind == "escpos":
        from app.printing.escpos import slip_escpos, slip_escpos_text

        return slip_escpos_text(slip, width) if text else slip_escpos(slip, width)
    from app.printing.slip_pdf import slip_pdf

    return slip_pdf(slip, width)


def render_slip(ctx: Context, slip: SlipData) -> tuple[bytes, PrinterSettings]:
    """The slip as the owner's printer wants it (the counter's print and auto-print)."""
    printer = printer_settings(ctx)
    kind = "escpos" if printer.kind == "escpos" and printer.device else "pdf"
    return slip_document(slip, kind, printer.width), printer


def render_action_slip(ctx: Context, action_id: str) -> tuple[bytes, PrinterSettings]:
    """The slip of a sale or redemption by its id, rendered for the owner's printer."""
    return render_slip(ctx, slip_for(ctx, action_id))


def sale_slip(
    ctx: Context,
    session: Session,
    sale: Sale,
    *,
    status: CustomerStatus | None = None,
    program: Program | None = None,
    wallet: WalletSale | None = None,
    partner: SalePartner | None = None,
) -> SlipData:
    """The slip of a sale inside the caller's transaction (what it already read passed in)."""
    void = sale.reverses_id is not None
    origin = sale.reverses_id or sale.id
    entries = _action_entries(session, LedgerEntry.sale_id, origin, void)
    campaign = sum(e.points for e in entries if (e.reason or "").startswith("campaign"))
    return _slip(
        ctx,
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
        promoted=not void and _promoted_by(session, sale.customer_id, sale.id),
        status=status,
        program=program,
        wallet=_slip_wallet(wallet),
        **_slip_partner(partner),
    )


def _slip_partner(part: SalePartner | None) -> dict[str, Any]:
    if part is None:
        return {}
    return {
        "partner_earned": part.earned,
        "partner_spent": part.spent,
        "partner_balance": part.balance,
    }


def _slip_wallet(part: WalletSale | None) -> SlipWallet | None:
    if part is None:
        return None
    return SlipWallet(
        cashback_earned=part.cashback_earned,
        spent=part.spent,
        cashback=part.wallet.cashback,
        prepaid=part.wallet.prepaid,
    )


def _redemption_slip(ctx: Context, session: Session, redemption: Redemption) -> SlipData:
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
        ctx,
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


def _promoted_by(session: Session, customer_id: uuid.UUID, sale_id: uuid.UUID) -> bool:
    # by the customer's index: tier_changes.sale_id has none (without it, every slip read the
    # whole table, a row per member)
    promotion = select(TierChange.id).where(
        TierChange.customer_id == customer_id,
        TierChange.sale_id == sale_id,
        TierChange.reason == "sale",
    )
    return session.scalars(promotion).first() is not None


def _slip(
    ctx: Context,
    session: Session,
    *,
    action_id: uuid.UUID,
    kind: str,
    customer_id: uuid.UUID,
    occurred_at: datetime,
    cutoff: uuid.UUID,
    status: CustomerStatus | None = None,
    program: Program | None = None,
    **action: Any,
) -> SlipData:
    if status is None:
        customer = session.get(Customer, customer_id)
        if customer is None:  # pragma: no cover - the foreign key keeps it
            raise Refused("slip.not_found", id=str(action_id))
        status = status_of(ctx, session, customer, ctx.now())
    if program is None:
        _, program = current_program(session)
    later = _later_entries(session, customer_id, cutoff, occurred_at)
    points, stamps = (
        _ledger_sums_until(session, customer_id, cutoff, occurred_at)
        if later
        else (status.points, status.stamps)
    )
    next_level = next((lv for lv in program.tiers.levels if lv.code == status.next_tier), None)
    cards = stamp_cards(
        session, customer_id, balance=stamps, program=program, until=cutoff if later else None
    )
    card_filled, card_goal = cards.shown
    # "Save to Google Wallet" on the paper: with Google Wallet set up only (no SQL otherwise)
    wallet_link = None
    if (
        ctx.settings.get("mobile_wallet.google")
        and setting(ctx, "slip_wallet_qr")
        and not kind.endswith("_void")
        and status.card
    ):
        from app.services.mobile_wallet import slip_link

        wallet_link = slip_link(ctx, session, customer_id, status.card)
    return SlipData(
        action_id=action_id,
        kind=kind,
        store=store_info(session, ctx),
        at=ctx.local(occurred_at),
        customer_name=status.name_masked,
        phone_masked=status.phone_masked,
        points=points,
        stamps=stamps,
        stamp_goal=card_goal,
        card_filled=card_filled,
        card_rewards=cards.rewards_ready,
        stamps_enabled=status.stamps_enabled,
        points_expiring_30d=status.points_expiring_30d,
        tier_name=status.tier_name,
        next_tier_name=next_level.name if next_level else None,
        to_next_tier=status.to_next_tier,
        window_spend=status.window_spend,
        next_tier_spend=next_level.min_spend if next_level else 0,
        coupons_issued=_coupons_issued(ctx, session, status, occurred_at),
        footer=slip_footer(ctx),
        reprint=later,
        wallet_link=wallet_link,
        **action,
    )


def _up_to(cutoff: uuid.UUID, occurred_at: datetime) -> ColumnElement[bool]:
    """The ledger as of this action: its entries and everything before it (ids are
    time-ordered UUIDv7). An expiry's id carries the lots' expiry moment (keys.expiry_id), which
    under a clock set ahead (DANGOL_NOW) is after the PC's clock that made the action's id;
    the expiry this action settled first, at its own moment, belongs to it all the same."""
    return or_(
        LedgerEntry.id <= cutoff,
        and_(LedgerEntry.kind == "expire", LedgerEntry.occurred_at <= occurred_at),
    )


def _later_entries(
    session: Session, customer_id: uuid.UUID, cutoff: uuid.UUID, occurred_at: datetime
) -> bool:
    """Whether the ledger moved after this action."""
    return (
        session.scalars(
            select(LedgerEntry.id)
            .where(
                LedgerEntry.customer_id == customer_id,
                LedgerEntry.id > cutoff,
                ~_up_to(cutoff, occurred_at),
            )
            .limit(1)
        ).first()
        is not None
    )


def _ledger_sums_until(
    session: Session, customer_id: uuid.UUID, cutoff: uuid.UUID, occurred_at: datetime
) -> tuple[int, int]:
    row = session.execute(
        select(
            func.coalesce(func.sum(LedgerEntry.points), 0),
            func.coalesce(func.sum(LedgerEntry.stamps), 0),
        ).where(LedgerEntry.customer_id == customer_id, _up_to(cutoff, occurred_at))
    ).one()
    return int(row[0]), int(row[1])


COUPON_WINDOW = timedelta(minutes=10)


def _coupons_issued(
    ctx: Context, session: Session, status: CustomerStatus, occurred_at: datetime
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
            last_valid_day(ctx, c.valid_until).isoformat(),
        )
        for c in rows
    )
