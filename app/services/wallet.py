"""The wallet at the counter: its balance, spending it, a prepaid top-up, and a sale's part.

The rules are in app.domain.wallet (which money goes first, expiry, refunds). Here: one
transaction per action, every change an appended `wallet_entries` row, the audit. A sale
touches the wallet only when the program has a ``cashback`` section (sales.record_sale_in
calls sale_in then, and nothing here otherwise).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Uuid, bindparam, func, insert, select
from sqlalchemy.orm import Session

from app.db.base import new_id
from app.db.lean import Lean, session_lean
from app.db.models import Customer, Sale, WalletEntry
from app.domain.errors import Refused
from app.domain.expiry import expiry_moment
from app.domain.program import Program
from app.domain.wallet import (
    CashbackRules,
    Move,
    WalletBalance,
    WalletRefund,
    cashback_for,
    check_topup,
    check_won,
    open_lots,
    refund_wallet,
    split_spend,
    wallet_balance,
)
from app.services.audit_chain import audit
from app.services.context import Context
from app.services.customers import CustomerRecord, lock_usable_customer, usable_customer
from app.services.program import current_program

PAID_WITH = ("card", "cash", "transfer", "other")  # how a top-up was paid; never the wallet
MAX_REF = 60
EXPIRED = "expired"  # the ledger's reason words (app.i18n.codes.ledger_reason)
_INSERT = insert(WalletEntry)
_MOVES = (
    select(WalletEntry.purse, WalletEntry.won, WalletEntry.occurred_at, WalletEntry.expires_at)
    .where(WalletEntry.customer_id == bindparam("customer_id"))
    .order_by(WalletEntry.occurred_at, WalletEntry.id)
)


@dataclass(frozen=True)
class WalletStatus:
    customer_id: uuid.UUID
    cashback: int  # usable cashback (적립금), won
    prepaid: int  # prepaid money (선불 충전), won
    expiring_soon: int  # cashback that expires within 30 days
    prepaid_limit: int  # 0 = the shop sells no top-up

    @property
    def total(self) -> int:
        return max(0, self.cashback) + max(0, self.prepaid)


@dataclass(frozen=True)
class WalletResult:
    """A spend or a top-up, and the wallet after it."""

    entry_ids: tuple[uuid.UUID, ...]
    customer_id: uuid.UUID
    kind: str  # "spend" | "topup"
    won: int
    cashback_part: int
    prepaid_part: int
    ref: str | None
    wallet: WalletStatus


@dataclass(frozen=True)
class WalletSale:
    """A sale's wallet part: what paid for it from the wallet, what it earned back, after."""

    spent: int
    spent_cashback: int
    spent_prepaid: int
    cashback_earned: int
    wallet: WalletStatus


def rules_of(program: Program) -> CashbackRules:
    if program.cashback is None:
        raise Refused("wallet.off")
    return program.cashback


def balance_in(session: Session, customer_id: uuid.UUID, now: datetime) -> WalletBalance:
    rows = session.execute(_MOVES, {"customer_id": customer_id}).all()
    return wallet_balance((Move(r[0], int(r[1]), r[2], r[3]) for r in rows), now)


def _status(customer_id: uuid.UUID, bal: WalletBalance, rules: CashbackRules) -> WalletStatus:
    return WalletStatus(
        customer_id=customer_id,
        cashback=bal.cashback,
        prepaid=bal.prepaid,
        expiring_soon=bal.expiring_soon,
        prepaid_limit=rules.prepaid_limit,
    )


def _row(
    ctx: Context,
    customer_id: uuid.UUID,
    purse: str,
    kind: str,
    won: int,
    at: datetime,
    *,
    expires_at: datetime | None = None,
    sale_id: uuid.UUID | None = None,
    reason: str | None = None,
    ref: str | None = None,
    reverses_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    return {
        "id": new_id(),
        "register_id": ctx.register_id,
        "customer_id": customer_id,
        "purse": purse,
        "kind": kind,
        "won": won,
        "occurred_at": at,
        "expires_at": expires_at,
        "store_id": ctx.store_id,
        "staff_id": ctx.staff_id,
        "reason": reason,
        "reverses_id": reverses_id,
        "sale_id": sale_id,
        "ref": ref,
    }


def _write(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.connection().execute(_INSERT, rows)


def settle_in(
    ctx: Context, session: Session, customer_id: uuid.UUID, now: datetime
) -> WalletBalance:
    """The balance, with cashback whose lot has expired written as an expire entry first."""
    bal = balance_in(session, customer_id, now)
    if bal.cashback_due > 0:
        _write(
            session,
            [_row(ctx, customer_id, "cashback", "expire", -bal.cashback_due, now, reason=EXPIRED)],
        )
        bal = balance_in(session, customer_id, now)
    return bal


def expire_due_in(ctx: Context, session: Session, now: datetime, since: datetime | None) -> int:
    """The daily run: members with a cashback lot whose expiry passed since the last run
    (all of them the first time) get their expire entry; returns the won expired."""
    stmt = select(WalletEntry.customer_id).where(
        WalletEntry.purse == "cashback",
        WalletEntry.expires_at.is_not(None),
        WalletEntry.expires_at <= now,
    )
    if since is not None:
        stmt = stmt.where(WalletEntry.expires_at > since)
    expired = 0
    for customer_id in sorted(set(session.scalars(stmt))):
        expired += balance_in(session, customer_id, now).cashback_due
        settle_in(ctx, session, customer_id, now)
    return expired


def cashback_expiry(ctx: Context, rules: CashbackRules, now: datetime) -> datetime | None:
    return expiry_moment(now, rules.expiry_months, ctx.zone)


def move_in(
    ctx: Context, session: Session, source: uuid.UUID, target: uuid.UUID, now: datetime
) -> tuple[int, int]:
    """Two records of one person merged: the absorbed one's wallet goes to the one that stays,
    each cashback lot with its own expiry, by pairs of entries (one out, one in).
    Returns (cashback, prepaid) moved."""
    bal = settle_in(ctx, session, source, now)
    rows = session.execute(_MOVES, {"customer_id": source}).all()
    lots, debt = open_lots((Move(r[0], int(r[1]), r[2], r[3]) for r in rows), now)
    pairs: list[tuple[str, int, datetime | None]] = [("cashback", won, at) for at, won in lots]
    if debt:
        pairs.append(("cashback", -debt, None))
    if bal.prepaid:
        pairs.append(("prepaid", bal.prepaid, None))
    entries = []
    for purse, won, expires in pairs:
        reason = f"merge {source}"
        entries.append(
            _row(ctx, source, purse, "move", -won, now, expires_at=expires, reason=reason)
        )
        entries.append(
            _row(ctx, target, purse, "move", won, now, expires_at=expires, reason=reason)
        )
    _write(session, entries)
    return (sum(w for p, w, _ in pairs if p == "cashback"), bal.prepaid)


# --- reading ---------------------------------------------------------------------------


def wallet_status(ctx: Context, customer_id: uuid.UUID) -> WalletStatus:
    """The member's two purses now (what is due to expire already left out)."""
    with ctx.db.read() as session:
        _, program = current_program(session)
        rules = rules_of(program)
        usable_customer(session, customer_id)
        return _status(customer_id, balance_in(session, customer_id, ctx.now()), rules)


def status_in(
    session: Session, customer_id: uuid.UUID, program: Program, now: datetime
) -> WalletStatus | None:
    """The wallet for a screen that shows the member, None when the program has none."""
    if program.cashback is None:
        return None
    return _status(customer_id, balance_in(session, customer_id, now), program.cashback)


# --- spending and topping up ------------------------------------------------------------


def spend(ctx: Context, customer_id: uuid.UUID, won: int) -> WalletResult:
    """Pay `won` at the counter from the wallet: cashback (soonest expiry first), then prepaid."""
    ctx.require("redeem")
    check_won(won)
    with ctx.db.write() as session:
        now = ctx.now()
        _, program = current_program(session)
        rules = rules_of(program)
        lock_usable_customer(session, customer_id)
        bal = settle_in(ctx, session, customer_id, now)
        split = split_spend(bal, won)
        rows = []
        if split.cashback:
            rows.append(_row(ctx, customer_id, "cashback", "spend", -split.cashback, now))
        if split.prepaid:
            rows.append(_row(ctx, customer_id, "prepaid", "spend", -split.prepaid, now))
        _write(session, rows)
        audit(
            ctx,
            session,
            "wallet.spend",
            target=customer_id,
            detail={"amount": won, "cashback": split.cashback, "prepaid": split.prepaid},
        )
        after = balance_in(session, customer_id, now)
        return WalletResult(
            entry_ids=tuple(r["id"] for r in rows),
            customer_id=customer_id,
            kind="spend",
            won=won,
            cashback_part=split.cashback,
            prepaid_part=split.prepaid,
            ref=None,
            wallet=_status(customer_id, after, rules),
        )


def check_ref(ref: object) -> str:
    text = ref.strip() if isinstance(ref, str) else ""
    if not text:
        raise Refused("wallet.ref_missing")
    if len(text) > MAX_REF:
        raise Refused("wallet.ref_too_long", max=MAX_REF)
    return text


def topup(
    ctx: Context, customer_id: uuid.UUID, won: int, ref: str, paid_with: str = "card"
) -> WalletResult:
    """Prepaid money sold at the counter, with the payment's reference (once per reference).

    Never paid from the wallet itself; never above the member's limit the owner set."""
    ctx.require("sale")
    if paid_with == "wallet":
        raise Refused("wallet.topup_from_wallet")
    if paid_with not in PAID_WITH:
        raise Refused("wallet.paid_with", value=paid_with, choices=", ".join(PAID_WITH))
    check_won(won)
    ref = check_ref(ref)
    with ctx.db.write() as session:
        now = ctx.now()
        _, program = current_program(session)
        lock_usable_customer(session, customer_id)
        used = session.scalars(
            select(WalletEntry.id).where(WalletEntry.kind == "topup", WalletEntry.ref == ref)
        ).first()
        if used is not None:
            raise Refused("wallet.ref_used", ref=ref)
        bal = settle_in(ctx, session, customer_id, now)
        check_topup(program.cashback, bal, won)
        rules = rules_of(program)
        row = _row(
            ctx, customer_id, "prepaid", "topup", won, now, ref=ref, reason=f"paid by {paid_with}"
        )
        _write(session, [row])
        audit(
            ctx,
            session,
            "wallet.topup",
            target=customer_id,
            detail={"amount": won, "ref": ref, "paid_with": paid_with},
        )
        after = balance_in(session, customer_id, now)
        return WalletResult(
            entry_ids=(row["id"],),
            customer_id=customer_id,
            kind="topup",
            won=won,
            cashback_part=0,
            prepaid_part=won,
            ref=ref,
            wallet=_status(customer_id, after, rules),
        )


# --- a sale, its void and its refunds ----------------------------------------------------


def check_sale_wallet(amount: int, from_wallet: int) -> None:
    if isinstance(from_wallet, bool) or not isinstance(from_wallet, int) or from_wallet < 0:
        raise Refused("wallet.won_not_positive")
    if from_wallet > amount:
        raise Refused("wallet.over_sale", won=from_wallet, amount=amount)


def sale_in(
    ctx: Context,
    session: Session,
    customer: Customer | CustomerRecord,
    sale_id: uuid.UUID,
    amount: int,
    from_wallet: int,
    now: datetime,
    program: Program,
) -> WalletSale:
    """Inside the sale's transaction: `from_wallet` of it paid from the wallet, then the
    cashback it earns on the rest (the member's tier before the sale, as points)."""
    rules = rules_of(program)
    check_sale_wallet(amount, from_wallet)
    customer_id, tier_code = customer.id, customer.tier_code
    bal = settle_in(ctx, session, customer_id, now)
    rows = []
    split = split_spend(bal, from_wallet) if from_wallet else None
    if split is not None and split.cashback:
        rows.append(
            _row(ctx, customer_id, "cashback", "spend", -split.cashback, now, sale_id=sale_id)
        )
    if split is not None and split.prepaid:
        rows.append(
            _row(ctx, customer_id, "prepaid", "spend", -split.prepaid, now, sale_id=sale_id)
        )
    earned = cashback_for(rules, tier_code, amount, from_wallet)
    if earned:
        expires = cashback_expiry(ctx, rules, now)
        rows.append(
            _row(
                ctx,
                customer_id,
                "cashback",
                "earn",
                earned,
                now,
                expires_at=expires,
                sale_id=sale_id,
                reason="purchase",
            )
        )
    _write(session, rows)
    after = balance_in(session, customer_id, now) if rows else bal
    return WalletSale(
        spent=from_wallet,
        spent_cashback=split.cashback if split else 0,
        spent_prepaid=split.prepaid if split else 0,
        cashback_earned=earned,
        wallet=_status(customer_id, after, rules),
    )


_LEAN_SALE_ENTRIES = Lean(
    select(WalletEntry.id).where(WalletEntry.sale_id == bindparam("sale_id", type_=Uuid()))
)


def void_sale_in(
    ctx: Context, session: Session, sale_id: uuid.UUID, customer_id: uuid.UUID, now: datetime
) -> int:
    """A voided sale's wallet entries reversed, each by a new entry pointing at it.

    Refused when the cashback it earned is already spent (as points are); returns the
    number of entries reversed (0 for a sale that never touched the wallet)."""
    # by the sale's index only: SQLite would take `reverses_id IS NULL` to its unique index and
    # read every entry that reverses nothing (app.services.sales._entries_of)
    with session_lean(session) as lean:  # most sales never touched the wallet: one lean read
        if not _LEAN_SALE_ENTRIES.rows(lean, sale_id=sale_id):
            return 0
    entries = [
        entry
        for entry in session.scalars(select(WalletEntry).where(WalletEntry.sale_id == sale_id))
        if entry.reverses_id is None and entry.kind != "void"
    ]
    if not entries:
        return 0
    bal = settle_in(ctx, session, customer_id, now)
    back = sum(e.won for e in entries if e.purse == "cashback")
    if back > bal.cashback:
        raise Refused("wallet.void_spent", won=back, balance=max(0, bal.cashback))
    rows = [
        _row(
            ctx,
            customer_id,
            e.purse,
            "void",
            -e.won,
            now,
            # money given back opens a lot again, expiring as the sale's cashback would have
            expires_at=e.expires_at if e.won > 0 else None,
            sale_id=sale_id,
            reason=f"void sale {sale_id}",
            reverses_id=e.id,
        )
        for e in entries
    ]
    _write(session, rows)
    return len(rows)


def sale_part(
    session: Session, sale_id: uuid.UUID, customer_id: uuid.UUID, program: Program, now: datetime
) -> WalletSale | None:
    """A recorded sale's wallet part, from its entries (a repeat answers as the first did),
    with the wallet as it is now; None under a program without cashback."""
    if program.cashback is None:
        return None
    sums = _sums(session, [sale_id])
    spent_cashback = -sums.get(("cashback", "spend"), 0)
    spent_prepaid = -sums.get(("prepaid", "spend"), 0)
    return WalletSale(
        spent=spent_cashback + spent_prepaid,
        spent_cashback=spent_cashback,
        spent_prepaid=spent_prepaid,
        cashback_earned=sums.get(("cashback", "earn"), 0),
        wallet=_status(customer_id, balance_in(session, customer_id, now), program.cashback),
    )


def refund_part(session: Session, refund_id: uuid.UUID) -> WalletRefund | None:
    """What a refund (its sale row) did to the wallet, from its entries; None: nothing."""
    sums = _sums(session, [refund_id])
    if not sums:
        return None
    return WalletRefund(
        cashback_reversed=-sums.get(("cashback", "refund"), 0),
        cashback_restored=sums.get(("cashback", "restore"), 0),
        prepaid_restored=sums.get(("prepaid", "restore"), 0),
    )


def _sums(session: Session, sale_ids: list[uuid.UUID]) -> dict[tuple[str, str], int]:
    rows = session.execute(
        select(WalletEntry.purse, WalletEntry.kind, func.sum(WalletEntry.won))
        .where(WalletEntry.sale_id.in_(sale_ids))
        .group_by(WalletEntry.purse, WalletEntry.kind)
    ).all()
    return {(r[0], r[1]): int(r[2] or 0) for r in rows}


def refund_in(
    ctx: Context,
    session: Session,
    sale: Sale,
    refund_id: uuid.UUID,
    program: Program,
    tier_code: str,
    *,
    refunded_before: int,
    amount: int,
    now: datetime,
) -> tuple[int, int, int]:
    """A POS refund's wallet entries (app.domain.wallet.refund_wallet), written under the
    refund's sale row `refund_id`: (cashback reversed, cashback restored, prepaid restored)."""
    earlier = list(session.scalars(select(Sale.id).where(Sale.refund_of_id == sale.id)))
    earlier = [i for i in earlier if i != refund_id]
    original = _sums(session, [sale.id])
    if not original:
        return (0, 0, 0)
    before = _sums(session, earlier) if earlier else {}
    earned = original.get(("cashback", "earn"), 0)
    spent_cashback = -original.get(("cashback", "spend"), 0)
    spent_prepaid = -original.get(("prepaid", "spend"), 0)
    restored_c = before.get(("cashback", "restore"), 0)
    restored_p = before.get(("prepaid", "restore"), 0)
    rules = program.cashback

    def earn(amount_left: int, wallet_left: int) -> int:
        return cashback_for(rules, tier_code, amount_left, wallet_left) if rules else 0

    effect = refund_wallet(
        sale_amount=sale.amount,
        refunded_before=refunded_before,
        refund_amount=amount,
        earned=earned,
        reversed_before=-before.get(("cashback", "refund"), 0),
        spent_cashback=spent_cashback,
        spent_prepaid=spent_prepaid,
        restored_cashback_before=restored_c,
        restored_prepaid_before=restored_p,
        earn=earn,
    )
    customer_id = sale.customer_id
    rows = []
    if effect.cashback_reversed:
        lot = session.scalars(
            select(WalletEntry.expires_at).where(
                WalletEntry.sale_id == sale.id, WalletEntry.kind == "earn"
            )
        ).first()
        rows.append(
            _row(
                ctx,
                customer_id,
                "cashback",
                "refund",
                -effect.cashback_reversed,
                now,
                expires_at=lot,
                sale_id=refund_id,
                reason="refund",
            )
        )
    if effect.cashback_restored:
        _, in_force = current_program(session)
        expires = cashback_expiry(ctx, in_force.cashback, now) if in_force.cashback else None
        rows.append(
            _row(
                ctx,
                customer_id,
                "cashback",
                "restore",
                effect.cashback_restored,
                now,
                expires_at=expires,
                sale_id=refund_id,
                reason="refund",
            )
        )
    if effect.prepaid_restored:
        rows.append(
            _row(
                ctx,
                customer_id,
                "prepaid",
                "restore",
                effect.prepaid_restored,
                now,
                sale_id=refund_id,
                reason="refund",
            )
        )
    if rows:
        settle_in(ctx, session, customer_id, now)
        _write(session, rows)
    return (effect.cashback_reversed, effect.cashback_restored, effect.prepaid_restored)


# --- the liability report ------------------------------------------------------------------


@dataclass(frozen=True)
class PurseFigures:
    """One purse over a period, in won: what came in, went out, and what the shop owes."""

    issued: int  # cashback earned on sales / prepaid money topped up
    spent: int  # paid at the counter from the wallet
    expired: int  # cashback lost to expiry (prepaid never expires)
    returned: int  # refunds, voids and money given back on refunds, net (signed)
    outstanding: int  # at the period's end: what members hold (the shop's liability)


@dataclass(frozen=True)
class WalletReport:
    month: str | None  # None: all time, up to now
    cashback: PurseFigures  # the shop's own money (a marketing cost; no VAT when issued)
    prepaid: PurseFigures  # the customers' deposits (taxed when spent)
    members: int  # members holding money at the end

    @property
    def liability_won(self) -> int:
        return self.cashback.outstanding + self.prepaid.outstanding


def wallet_report(ctx: Context, month: str | None = None) -> WalletReport:
    """Issued, spent, expired, outstanding, cashback and prepaid apart; of a local month
    ("YYYY-MM": its movements, and what is outstanding at its end) or of all time."""
    from app.services.reports import check_month

    with ctx.db.read() as session:
        e = WalletEntry
        until: list[Any] = []  # all time: every entry so far
        since: list[Any] = []
        if month is not None:
            month = check_month(month)
            year, number = (int(part) for part in month.split("-"))
            start = datetime(year, number, 1, tzinfo=ctx.zone)
            end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=ctx.zone)
            until, since = [e.occurred_at < end], [e.occurred_at >= start]
        moved = select(e.purse, e.kind, func.sum(e.won)).where(*until, *since)
        sums = {
            (r[0], r[1]): int(r[2] or 0)
            for r in session.execute(moved.group_by(e.purse, e.kind)).all()
        }
        held = session.execute(
            select(e.purse, func.sum(e.won)).where(*until).group_by(e.purse)
        ).all()
        outstanding = {r[0]: int(r[1] or 0) for r in held}
        holders = (
            select(e.customer_id)
            .where(*until)
            .group_by(e.customer_id)
            .having(func.sum(e.won) > 0)
            .subquery()
        )
        members = int(session.scalar(select(func.count()).select_from(holders)) or 0)

    def purse(name: str, issued_kind: str) -> PurseFigures:
        return PurseFigures(
            issued=sums.get((name, issued_kind), 0),
            spent=-sums.get((name, "spend"), 0),
            expired=-sums.get((name, "expire"), 0),
            returned=sum(sums.get((name, k), 0) for k in ("refund", "restore", "void")),
            outstanding=outstanding.get(name, 0),
        )

    return WalletReport(
        month=month,
        cashback=purse("cashback", "earn"),
        prepaid=purse("prepaid", "topup"),
        members=members,
    )
