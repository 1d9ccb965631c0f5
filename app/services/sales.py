"""Recording a purchase and voiding a sale or a redemption."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, Uuid, bindparam, exists, insert, select
from sqlalchemy.orm import Session

from app.db.base import new_id
from app.db.checkins import link_sale_in
from app.db.figures import bump_rows
from app.db.lean import Lean, LeanConnection, LeanWrite, session_lean
from app.db.locks import lock_customer
from app.db.models import (
    Customer,
    LedgerEntry,
    PosSale,
    Redemption,
    Sale,
    TierChange,
    WalletEntry,
)
from app.domain.earning import Earning, compute_earning
from app.domain.errors import Refused
from app.domain.keys import evaluation_id
from app.domain.money import MAX_SALE_WON
from app.domain.slip import SlipData
from app.domain.tiers import promotion_after_sale
from app.services import messages, partners
from app.services.audit_chain import audit
from app.services.context import Context
from app.services.customers import (
    CustomerRecord,
    CustomerStatus,
    customer_object,
    lean_lock,
    lean_lock_usable,
    lean_status_after,
    lean_status_in,
    lean_sums,
    lean_window_spend,
    status_of,
)
from app.services.figures import activity_of, bump, figure_rows
from app.services.ledger import (
    LedgerSums,
    append_entry,
    balances,
    entry_row,
    expiry_rows,
    insert_entries,
    lot_expiry,
    settle_expiry_in,
    void_entries,
)
from app.services.program import ProgramState, program_for, program_state_lean
from app.services.slips import sale_slip
from app.services.stamps import stamp_cards
from app.services.wallet import WalletSale, sale_in, void_sale_in

MAX_ITEMS = 1000

# A sale's rows are written by Core statements built once (no unit of work); False: by the
# Session, as before (tests/services/test_lean_sale_writes.py compares the two, row by row).
LEAN_WRITES = True
_SALE_COLUMNS = tuple(column.key for column in Sale.__table__.columns)
_INSERT_SALE = LeanWrite(insert(Sale))


@dataclass(frozen=True)
class SaleResult:
    sale_id: uuid.UUID
    customer_id: uuid.UUID
    amount: int
    points_earned: int
    campaign_points: int
    campaigns: tuple[str, ...]
    stamps_earned: int
    points: int
    stamps: int
    stamp_goal: int  # the goal of the card in progress after the sale (the one it started with)
    tier: str
    promoted_from: str | None
    status: CustomerStatus | None = None  # the customer after the sale, for the counter screen
    slip: SlipData | None = None  # when asked for: the slip, from the same transaction
    stamps_on_card: int = 0  # on the card in progress after the sale, toward stamp_goal
    rewards_ready: int = 0  # completed cards whose reward is not used yet
    wallet: WalletSale | None = None  # the wallet's part (a program with cashback only)
    partner: partners.SalePartner | None = None  # the coalition's points (a shop in one)


def check_sale_input(amount: int, items: int) -> None:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise Refused("amount.not_positive")
    if amount > MAX_SALE_WON:
        raise Refused("amount.too_large", max=MAX_SALE_WON)
    if isinstance(items, bool) or not isinstance(items, int) or not 1 <= items <= MAX_ITEMS:
        raise Refused("items.invalid")


def record_sale(
    ctx: Context,
    customer_id: uuid.UUID,
    amount: int,
    items: int = 1,
    *,
    with_slip: bool = False,
    from_wallet: int = 0,
    partner_spend: int = 0,
) -> SaleResult:
    """One purchase: one transaction that also returns the customer after it (and the slip).

    `partner_spend`: partner points of the shop's coalition spent on it (their value comes
    off the bill): the member's partner balance is read before the transaction, never in it.
    The partner entries are queued; partners.push sends them (the doors call it after)."""
    check_sale_input(amount, items)
    plan = partners.plan_spend(ctx, customer_id, partner_spend)
    with ctx.db.write() as session:
        return record_sale_in(
            ctx,
            session,
            customer_id,
            amount,
            items,
            ctx.now(),
            with_status=True,
            with_slip=with_slip,
            from_wallet=from_wallet,
            partner_plan=plan,
        )


def record_sale_in(
    ctx: Context,
    session: Session,
    customer_id: uuid.UUID,
    amount: int,
    items: int,
    now: datetime,
    *,
    with_status: bool = False,
    with_slip: bool = False,
    audit_as: tuple[str, dict[str, Any]] | None = None,
    from_wallet: int = 0,
    partner_plan: partners.SpendPlan | None = None,
) -> SaleResult:
    """The sale, its points and stamps, the figures and the tier, inside the caller's transaction.

    ``audit_as`` (action, detail): the one audit entry of a sale a door records with its own
    words (the POS bridge's ``pos.sale`` with the POS's ref), instead of a token's ``sale.record``.

    Each thing is read once: the customer (locked, checked usable), the ledger's sums (carried
    forward over the entries written here), the program (cached until a version is added)
    and the tier window's spend after the sale. The rows are written in one flush and the
    month's figures in one statement."""
    check_sale_input(amount, items)
    with session_lean(session) as lean:  # the reads: lean statements in the sale's transaction
        customer = lean_lock_usable(session, lean, customer_id)
        return _sale_in(
            ctx,
            session,
            lean,
            customer,
            amount,
            items,
            now,
            with_status,
            with_slip,
            audit_as,
            from_wallet,
            partner_plan,
        )


def _sale_in(
    ctx: Context,
    session: Session,
    lean: LeanConnection,
    customer: CustomerRecord,
    amount: int,
    items: int,
    now: datetime,
    with_status: bool,
    with_slip: bool,
    audit_as: tuple[str, dict[str, Any]] | None,
    from_wallet: int = 0,
    partner_plan: partners.SpendPlan | None = None,
) -> SaleResult:
    """record_sale_in after the customer is locked; `lean` reads on the same connection."""
    sums = lean_sums(lean, customer.id, now)
    state = program_state_lean(lean)
    program = state.program
    earning = compute_earning(
        program_for(state, customer.id),  # with its experiments' campaigns, if any
        amount=amount,
        items=items,
        tier_code=customer.tier_code,
        local_time=ctx.local(now),
    )
    figures: Counter[str] = Counter(visits=1, sales_amount=amount)
    expires = lot_expiry(ctx, program, now)
    sale = Sale(
        id=new_id(),
        customer_id=customer.id,
        occurred_at=now,
        amount=amount,
        items=items,
        store_id=ctx.store_id,
        staff_id=ctx.staff_id,
        program_version_id=state.version_id,
        register_id=ctx.register_id,
        reverses_id=None,
        refund_of_id=None,
    )
    write = _write_lean if LEAN_WRITES else _write_orm
    sums = write(ctx, session, sale, sums, earning, expires, figures)
    # the wallet (적립금, 선불): only a program with a cashback section (app/services/wallet.py)
    wallet_part = (
        sale_in(ctx, session, customer, sale.id, amount, from_wallet, now, program)
        if from_wallet or program.cashback is not None
        else None
    )
    # the coalition's points (app/services/partners.py): only a shop that is in one
    partner_part = (
        partners.sale_in(ctx, session, customer.id, sale.id, amount, now, partner_plan)
        if partner_plan is not None or ctx.settings.get(partners.USED)
        else None
    )
    if ctx.settings.get("checkins_used"):
        # the member's check-in on their own screen within the POS's window leads to this sale
        window = timedelta(minutes=int(ctx.settings.get("pos_pending_minutes", 30)))
        link_sale_in(session, customer.id, sale.id, ctx.now() - window)
    if audit_as is not None:
        audit(ctx, session, audit_as[0], target=sale.id, detail=audit_as[1])
    elif ctx.token is not None:  # the sale row names the owner who made the token; this, the token
        audit(ctx, session, "sale.record", target=sale.id, detail={"amount": amount})
    # the month's activity (one INSERT ... RETURNING), then every figure in one upsert
    activity = activity_of(ctx, session, customer, now)
    bump_rows(session, figure_rows(ctx, now, figures) + activity)
    # the sale is written

    promoted_from = None
    spend = lean_window_spend(ctx, lean, program, customer.id, now)
    new_tier = promotion_after_sale(program.tiers.levels, customer.tier_code, spend)
    if new_tier is not None:
        promoted_from = customer.tier_code
        customer = _change_tier(
            ctx, session, customer, new_tier, "sale", now, sale_id=sale.id, spend=spend
        )
    bal = sums.balances()
    cards = stamp_cards(
        session, customer.id, balance=bal.stamps, program=program, state=state, now=now
    )
    messages.after_sale(
        ctx, session, sale.id, customer.id, earning.total_points, bal.points, earning.stamps, cards
    )
    status = (
        lean_status_in(
            ctx,
            lean,
            customer,
            now,
            program=program,
            bal=bal,
            spend=spend,
            cards=cards,
            experiments=state.experiments,
        )
        if with_status or with_slip
        else None
    )
    slip = None
    if with_slip and status is not None:
        slip = sale_slip(
            ctx,
            session,
            sale,
            status=status,
            program=program,
            wallet=wallet_part,
            partner=partner_part,
        )
    return SaleResult(
        sale_id=sale.id,
        customer_id=customer.id,
        amount=amount,
        points_earned=earning.total_points,
        campaign_points=earning.campaign_points,
        campaigns=earning.campaigns,
        stamps_earned=earning.stamps,
        points=bal.points,
        stamps=bal.stamps,
        stamp_goal=cards.current.goal,
        tier=customer.tier_code,
        promoted_from=promoted_from,
        status=status,
        slip=slip,
        stamps_on_card=cards.filled,
        rewards_ready=cards.rewards_ready,
        wallet=wallet_part,
        partner=partner_part,
    )


def _write_lean(
    ctx: Context,
    session: Session,
    sale: Sale,
    sums: LedgerSums,
    earning: Earning,
    expires: datetime | None,
    figures: Counter[str],
) -> LedgerSums:
    """The sale's rows by prebuilt INSERTs: what has expired first, then the points it earns.

    Returns the ledger's sums carried forward over the entries; their figures go to `figures`.
    """
    # what has expired is written first (settle_expiry_in's entry)
    entries, sums = expiry_rows(ctx, session, sale.customer_id, sums, figures)
    if earning.base_points or earning.stamps:
        entries.append(
            entry_row(
                ctx,
                sale.customer_id,
                "earn",
                sale.occurred_at,
                earning.base_points,
                earning.stamps,
                figures,
                expires_at=expires,
                reason="purchase",
                sale_id=sale.id,
            )
        )
        sums = sums.plus(earning.base_points, earning.stamps, expires)
    if earning.campaign_points:
        reason = "campaign: " + ", ".join(earning.campaigns)
        entries.append(
            entry_row(
                ctx,
                sale.customer_id,
                "bonus",
                sale.occurred_at,
                earning.campaign_points,
                0,
                figures,
                expires_at=expires,
                reason=reason,
                sale_id=sale.id,
            )
        )
        sums = sums.plus(earning.campaign_points, 0, expires)
    write_sale_rows(session, sale, entries)
    return sums


def _write_orm(
    ctx: Context,
    session: Session,
    sale: Sale,
    sums: LedgerSums,
    earning: Earning,
    expires: datetime | None,
    figures: Counter[str],
) -> LedgerSums:
    """_write_lean through the Session's unit of work (the path before issue 17's item 1).

    Kept as the reference the lean rows are compared with (tests/services/
    test_lean_sale_writes.py), and for a shop that wants to rule the lean path out."""
    customer_id, now = sale.customer_id, sale.occurred_at
    sums = settle_expiry_in(ctx, session, customer_id, sums, figures)
    session.add(sale)
    session.flush()  # with the expire entry if any; the sale before the entries that name it
    if earning.base_points or earning.stamps:
        append_entry(
            ctx,
            session,
            customer_id=customer_id,
            kind="earn",
            at=now,
            points=earning.base_points,
            stamps=earning.stamps,
            expires_at=expires,
            sale_id=sale.id,
            reason="purchase",
            figures=figures,
        )
        sums = sums.plus(earning.base_points, earning.stamps, expires)
    if earning.campaign_points:
        append_entry(
            ctx,
            session,
            customer_id=customer_id,
            kind="bonus",
            at=now,
            points=earning.campaign_points,
            expires_at=expires,
            sale_id=sale.id,
            reason="campaign: " + ", ".join(earning.campaigns),
            figures=figures,
        )
        sums = sums.plus(earning.campaign_points, 0, expires)
    session.flush()
    return sums


def write_sale_rows(session: Session, sale: Sale, entries: list[dict[str, Any]]) -> None:
    """The sale's row and its ledger rows, by two INSERTs on the session's connection.

    `sale` is not added to the session (nothing of the unit of work runs); it stays a plain
    record of the row for the slip and the messages. The entries go in as one executemany."""
    with session_lean(session) as lean:
        _INSERT_SALE.execute(lean, {key: getattr(sale, key) for key in _SALE_COLUMNS})
        insert_entries(session, entries, lean)


_Member = TypeVar("_Member", Customer, CustomerRecord)


def _change_tier(
    ctx: Context,
    session: Session,
    customer: _Member,
    to_code: str,
    reason: str,
    now: datetime,
    **kwargs: Any,
) -> _Member:
    """change_tier for a customer read as a record: its ORM object is changed (the UPDATE
    goes with the transaction's flush) and the record returned with the new tier."""
    member = customer_object(session, customer)
    change_tier(ctx, session, member, to_code, reason, now, **kwargs)
    if isinstance(customer, Customer):
        return customer  # the same object: changed in place
    return replace(customer, tier_code=member.tier_code)


def change_tier(
    ctx: Context,
    session: Session,
    customer: Customer,
    to_code: str,
    reason: str,
    now: datetime,
    *,
    sale_id: uuid.UUID | None = None,
    spend: int | None = None,
    period: str | None = None,
    figures: Counter[str] | None = None,
) -> None:
    """The customer's new tier and its record; `figures` collects the figures' additions."""
    from_code = customer.tier_code
    customer.tier_code = to_code
    change = TierChange(
        customer_id=customer.id,
        from_code=from_code,
        to_code=to_code,
        reason=reason,
        changed_at=now,
        sale_id=sale_id,
        window_spend=spend,
        period=period,
        register_id=ctx.register_id,
    )
    if period is not None:  # one evaluation per member and period, whichever register ran it
        change.id = evaluation_id(customer.id, period)
    session.add(change)
    if from_code != to_code:
        deltas = {f"tier:{from_code}": -1, f"tier:{to_code}": 1}
        if figures is not None:
            figures.update(deltas)
        else:
            bump(ctx, session, now, **deltas)


# --- voids ---------------------------------------------------------------------------


@dataclass(frozen=True)
class VoidResult:
    voided_id: uuid.UUID
    kind: str  # "sale" or "redemption"
    customer_id: uuid.UUID
    points_change: int
    stamps_change: int
    points: int
    stamps: int
    tier: str
    status: CustomerStatus | None = None  # the customer after it, for the counter screen
    # (partner points earned taken back, spent given back) when the sale had any
    partner: tuple[int, int] | None = None


DEFAULT_VOID_MINUTES = 10


def check_may_void(
    ctx: Context, staff_id: uuid.UUID | None, done_at: datetime, now: datetime
) -> None:
    """An owner voids anything; a cashier only their own action, within the owner's window."""
    if ctx.staff_role == "owner":
        return
    if staff_id != ctx.staff_id:
        raise Refused("void.not_yours")
    minutes = int(ctx.settings.get("void_window_minutes", DEFAULT_VOID_MINUTES))
    if now - done_at > timedelta(minutes=minutes):
        raise Refused("void.too_late", minutes=minutes)


def void_action(ctx: Context, action_id: str) -> VoidResult:
    """Undo a sale or a redemption exactly, once, by new entries pointing at the old ones."""
    try:
        key = uuid.UUID(action_id.strip())
    except ValueError as exc:
        raise Refused("void.bad_id", id=action_id) from exc
    with ctx.db.write() as session:
        now = ctx.now()
        with session_lean(session) as lean:
            found = _lean_sale(session, lean, key)
            if found is not None:
                ctx.require("refund")
                check_may_void(ctx, found.sale.staff_id, found.sale.occurred_at, now)
                result, customer, sums, state = _void_sale(ctx, session, lean, found, now)
                status = lean_status_after(
                    ctx, session, lean, customer, now, state=state, bal=sums.balances()
                )
                return replace(result, status=status)
        redemption = session.get(Redemption, key)
        if redemption is not None:
            ctx.require("void_redemption")  # not a refund: a POS token may not
            check_may_void(ctx, redemption.staff_id, redemption.occurred_at, now)
            result = _void_redemption(ctx, session, redemption, now)
            member = session.get(Customer, result.customer_id)  # locked: no statement
            assert member is not None
            return replace(result, status=status_of(ctx, session, member, now))
        raise Refused("void.not_found", id=action_id)


def _entries_of(session: Session, **where: uuid.UUID) -> list[LedgerEntry]:
    """The entries of a sale or a redemption that reverse nothing, oldest first.

    `reverses_id IS NULL` is checked here, not in SQL: SQLite takes that condition to its
    unique index on reverses_id (as if it found one row) and reads every entry that reverses
    nothing -- 2.3 s on the 1M shop -- instead of the action's few by its own index."""
    ((column, value),) = where.items()
    found = session.scalars(_entries_statement(column, value))
    return [entry for entry in found if entry.reverses_id is None]


def _entries_statement(column: str, value: uuid.UUID) -> Select[LedgerEntry]:
    return select(LedgerEntry).where(getattr(LedgerEntry, column) == value).order_by(LedgerEntry.id)


_SALES = Sale.__table__
_LATER = _SALES.alias("later")


def _first_of(column: Any, sale: Any) -> Any:
    """A tier change of this sale's promotion (by the customer's index: tier_changes.sale_id has
    none, a read by it alone went through every row)."""
    return (
        select(column)
        .where(
            TierChange.customer_id == sale.c.customer_id,
            TierChange.sale_id == sale.c.id,
            TierChange.reason == "sale",
        )
        .limit(1)
        .scalar_subquery()
    )


# A sale to void and what its void asks first, in one statement: its row, whether a row came
# after it (its void by reverses_id, a refund of part of it by refund_of_id), whether it
# touched the wallet, the POS sale it was given to, and the promotion it brought
_LEAN_SALE_TO_VOID = Lean(
    select(
        *(_SALES.c[key] for key in _SALE_COLUMNS),
        exists().where(_LATER.c.reverses_id == _SALES.c.id),
        exists().where(_LATER.c.refund_of_id == _SALES.c.id),
        exists().where(WalletEntry.sale_id == _SALES.c.id),
        select(PosSale.id).where(PosSale.sale_id == _SALES.c.id).limit(1).scalar_subquery(),
        _first_of(TierChange.from_code, _SALES),
        _first_of(TierChange.to_code, _SALES),
    ).where(_SALES.c.id == bindparam("id", type_=Uuid()))
)


@dataclass(frozen=True, slots=True)
class _ToVoid:
    """A sale as void_action reads it (a plain Sale record, not added to the Session) and
    what its void needs to know of the rows around it."""

    sale: Sale
    voided: bool  # a void of it exists
    refunded: bool  # a refund of part of it exists
    wallet: bool  # it has wallet entries
    pos_sale_id: uuid.UUID | None  # the POS sale it was given to
    promotion: tuple[str | None, str] | None  # (from, to) of the tier it brought


def _lean_sale(session: Session, lean: LeanConnection, sale_id: uuid.UUID) -> _ToVoid | None:
    """session.get(Sale, id) and the void's first questions, by one lean read."""
    session.flush()
    row = _LEAN_SALE_TO_VOID.first(lean, id=sale_id)
    if row is None:
        return None
    width = len(_SALE_COLUMNS)
    sale = Sale(**dict(zip(_SALE_COLUMNS, row[:width], strict=True)))
    voided, refunded, wallet, pos_sale_id, from_code, to_code = row[width:]
    return _ToVoid(
        sale,
        bool(voided),
        bool(refunded),
        bool(wallet),
        pos_sale_id,
        None if to_code is None else (from_code, to_code),
    )


# the entries a sale wrote (what its void reverses), oldest first
_LEAN_SALE_ENTRIES = Lean(
    select(
        LedgerEntry.id,
        LedgerEntry.kind,
        LedgerEntry.points,
        LedgerEntry.stamps,
        LedgerEntry.expires_at,
        LedgerEntry.redemption_id,
        LedgerEntry.reverses_id,
    )
    # by the sale's index only: what reverses nothing is picked in Python (see _entries_of)
    .where(LedgerEntry.sale_id == bindparam("sale_id", type_=Uuid()))
    .order_by(LedgerEntry.id)
)


def _void_sale(
    ctx: Context, session: Session, lean: LeanConnection, found: _ToVoid, now: datetime
) -> tuple[VoidResult, CustomerRecord, LedgerSums, ProgramState]:
    """The void; the customer, the ledger's sums after it (read once, carried forward) and
    the program's state, for the status.

    Its reads are lean statements on the transaction's connection and its rows (the negated
    sale, the reversing entries) go in by prebuilt INSERTs, as a sale's
    (tests/services/test_lean_redemption_void.py holds them to the rows the Session wrote
    before)."""
    sale = found.sale
    if sale.reverses_id is not None:
        raise Refused("void.is_void")
    if found.voided:
        raise Refused("void.already")
    if sale.refund_of_id is not None or found.refunded:
        # part of it went back through the POS: the rest goes back the same way (its cancel)
        raise Refused("void.refunded")
    customer = lean_lock(session, lean, sale.customer_id)
    assert customer is not None  # a sale's customer is never deleted (an erasure keeps the row)
    state = program_state_lean(lean)
    figures: Counter[str] = Counter(visits=-1, sales_amount=-sale.amount)
    sums = lean_sums(lean, customer.id, now)
    # what has expired is written first (settle_expiry_in's entry)
    rows, sums = expiry_rows(ctx, session, customer.id, sums, figures)
    entries = [
        row[:6]
        for row in _LEAN_SALE_ENTRIES.rows(lean, sale_id=sale.id)
        if row[6] is None and row[1] != "void"
    ]
    bal = sums.balances()
    points_back = sum(points for _, _, points, _, _, _ in entries)
    stamps_back = sum(stamps for _, _, _, stamps, _, _ in entries)
    if points_back > bal.points:
        raise Refused("void.points_spent", points=points_back, balance=bal.points)
    if stamps_back > bal.stamps:
        raise Refused("void.stamps_spent", stamps=stamps_back, balance=bal.stamps)
    reversal = Sale(
        id=new_id(),
        customer_id=customer.id,
        occurred_at=now,
        amount=-sale.amount,
        items=-sale.items,
        store_id=ctx.store_id,
        staff_id=ctx.staff_id,
        program_version_id=sale.program_version_id,
        reverses_id=sale.id,
        refund_of_id=None,
        register_id=ctx.register_id,
    )
    reason = f"void sale {sale.id}"
    for entry_id, kind, points, stamps, expires_at, redemption_id in entries:
        rows.append(
            entry_row(
                ctx,
                customer.id,
                "void",
                now,
                -points,
                -stamps,
                figures,
                # a voided lot leaves the FIFO sums at the same expiry moment it joined them
                expires_at=expires_at,
                reason=reason,
                sale_id=sale.id,
                redemption_id=redemption_id,
                reverses_id=entry_id,
                origin=(kind, points, stamps),
            )
        )
        sums = sums.plus(-points, -stamps, expires_at)
    write_sale_rows(session, reversal, rows)
    if found.wallet:
        void_sale_in(ctx, session, sale.id, customer.id, now)  # its wallet entries
    partner_back = (
        partners.void_sale_in(ctx, session, sale.id, now)
        if ctx.settings.get(partners.USED)
        else None
    )
    # a POS sale voided at the counter (given to the wrong member) waits for its member again
    if found.pos_sale_id is not None:
        waiting = session.get(PosSale, found.pos_sale_id)
        assert waiting is not None
        waiting.status, waiting.customer_id, waiting.sale_id = "pending", None, None
        waiting.tier_code = waiting.posted_at = None
    bump(ctx, session, now, **figures)
    # the tier this sale brought goes back with it
    from_code, to_code = found.promotion or (None, None)
    if from_code and customer.tier_code == to_code:
        customer = _change_tier(ctx, session, customer, from_code, "void", now, sale_id=sale.id)
    audit(
        ctx,
        session,
        "sale.void",
        target=sale.id,
        detail={"customer": str(customer.id), "amount": sale.amount},
    )
    after = sums.balances()
    result = VoidResult(
        sale.id,
        "sale",
        customer.id,
        -points_back,
        -stamps_back,
        after.points,
        after.stamps,
        customer.tier_code,
        partner=partner_back,
    )
    return result, customer, sums, state


def _void_redemption(
    ctx: Context, session: Session, redemption: Redemption, now: datetime
) -> VoidResult:
    if redemption.reverses_id is not None:
        raise Refused("void.is_void")
    if session.scalars(
        select(Redemption.id).where(Redemption.reverses_id == redemption.id)
    ).first():
        raise Refused("void.already")
    customer = lock_customer(session, redemption.customer_id)
    entries = [e for e in _entries_of(session, redemption_id=redemption.id) if e.kind != "void"]
    reversal = Redemption(
        customer_id=customer.id,
        kind=redemption.kind,
        points=-redemption.points,
        stamps=-redemption.stamps,
        coupon_id=redemption.coupon_id,
        occurred_at=now,
        store_id=ctx.store_id,
        staff_id=ctx.staff_id,
        reverses_id=redemption.id,
        register_id=ctx.register_id,
    )
    session.add(reversal)
    session.flush()
    points, stamps = void_entries(
        ctx, session, entries, now, reason=f"void redemption {redemption.id}"
    )
    if redemption.kind == "coupon":
        bump(ctx, session, now, coupons_used=-1)
    audit(
        ctx,
        session,
        "redemption.void",
        target=redemption.id,
        detail={"customer": str(customer.id), "kind": redemption.kind},
    )
    session.flush()
    after = balances(session, customer.id, now)
    return VoidResult(
        redemption.id,
        "redemption",
        customer.id,
        points,
        stamps,
        after.points,
        after.stamps,
        customer.tier_code,
    )
