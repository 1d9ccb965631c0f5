"""The wallet (적립금 and 선불 충전): what a sale earns back in won, and the two purses' sums.

Decisions:

* Two purses a member: ``cashback`` (the shop's own money given back on purchases: a
  marketing liability, no VAT when issued) and ``prepaid`` (money the customer paid in at the
  counter: a deposit the shop owes back, taxed when it is spent). They are never mixed in a
  balance or a report.
* A sale earns ``floor(base × rate / 100) + flat`` won of cashback, where ``base`` is the
  part of the sale NOT paid from the wallet; the rate is the member's tier's (a tier the
  section does not name earns 0 %); nothing when ``base`` is below ``min_purchase`` (or 0);
  never more than ``max_per_sale`` (0 = no cap). Decimal arithmetic, never floats.
* Spending takes cashback first, the lot that expires soonest first (lots that never expire
  last), then prepaid money. The shop's own money goes before the customer's deposit, and
  the cashback that would be lost soonest goes first. Prepaid money never expires.
* Cashback lots expire ``expiry_months`` after they were earned (0 = never), written as an
  ``expire`` entry the next time the member's wallet is touched (like points).
* Every change is an entry; a balance is the sum of its purse's entries; nothing is updated.
  A refund may leave a cashback balance below zero (the money was already spent), as it does
  for points: later cashback pays that back first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_FLOOR, Decimal

from app.domain.errors import Refused

PURSES = ("cashback", "prepaid")
KINDS = ("earn", "spend", "expire", "topup", "refund", "restore", "void", "move")
EXPIRING_SOON = timedelta(days=30)
MAX_WALLET_WON = 100_000_000  # one spend, one top-up, a balance limit


@dataclass(frozen=True)
class CashbackRules:
    """The program's ``cashback`` section, validated (app.domain.program)."""

    percent: tuple[tuple[str, Decimal], ...]  # (tier code, percent of the sale)
    flat: int  # won a qualifying sale earns on top of (or instead of) the percentage
    max_per_sale: int  # 0 = no cap
    min_purchase: int  # won of the sale not paid from the wallet
    expiry_months: int  # 0 = never
    prepaid_limit: int  # the most prepaid money a member may hold; 0 = no top-up

    def rate(self, tier_code: str) -> Decimal:
        for code, percent in self.percent:
            if code == tier_code:
                return percent
        return Decimal(0)

    @property
    def prepaid(self) -> bool:
        return self.prepaid_limit > 0

    def to_json(self) -> dict[str, object]:
        return {
            "percent": {code: _number(p) for code, p in self.percent},
            "flat": self.flat,
            "max_per_sale": self.max_per_sale,
            "min_purchase": self.min_purchase,
            "expiry_months": self.expiry_months,
            "prepaid_limit": self.prepaid_limit,
        }


def _number(value: Decimal) -> int | float:
    if value == value.to_integral_value():
        return int(value)
    return float(str(value))


def cashback_for(rules: CashbackRules, tier_code: str, amount: int, from_wallet: int = 0) -> int:
    """Won of cashback a sale of `amount` earns when `from_wallet` of it came from the wallet."""
    base = amount - from_wallet
    if base <= 0 or base < rules.min_purchase:
        return 0
    won = (Decimal(base) * rules.rate(tier_code) / 100).to_integral_value(ROUND_FLOOR)
    total = int(won) + rules.flat
    if rules.max_per_sale:
        total = min(total, rules.max_per_sale)
    return total


@dataclass(frozen=True)
class Move:
    """One wallet entry as the rules see it."""

    purse: str
    won: int  # signed
    at: datetime
    expires_at: datetime | None = None  # set on cashback that adds (a lot); None = never


@dataclass(frozen=True)
class WalletBalance:
    cashback: int  # usable now: the purse's sum less what is due to expire
    prepaid: int
    cashback_due: int  # expired, not yet written as an expire entry
    expiring_soon: int  # usable cashback that expires within 30 days
    cashback_sum: int  # the plain sums of the entries
    prepaid_sum: int

    @property
    def total(self) -> int:
        return max(0, self.cashback) + max(0, self.prepaid)


@dataclass
class _Lot:
    expires_at: datetime | None  # None = never
    remaining: int
    order: int

    def key(self) -> tuple[bool, datetime, int]:
        """Soonest expiry first, never-expiring lots last, then in the order earned."""
        return (self.expires_at is None, self.expires_at or _FAR, self.order)


_FAR = datetime.max.replace(tzinfo=UTC)


def wallet_balance(moves: Iterable[Move], now: datetime) -> WalletBalance:
    """The purses after these moves (in the order they happened) and the FIFO expiry at `now`.

    Cashback that adds opens a lot; cashback that takes consumes the lots that expire soonest
    first (never-expiring ones last), and what no lot covers is a debt the next lots pay."""
    return _replay(moves, now)[0]


def open_lots(
    moves: Iterable[Move], now: datetime
) -> tuple[list[tuple[datetime | None, int]], int]:
    """The cashback lots still open at `now` (expiry, won left; the expired ones too) and the
    debt no lot covers: what a merge moves to the record that stays, lot by lot."""
    _, lots, debt = _replay(moves, now)
    return [(lot.expires_at, lot.remaining) for lot in lots if lot.remaining > 0], debt


def _replay(moves: Iterable[Move], now: datetime) -> tuple[WalletBalance, list[_Lot], int]:
    lots: list[_Lot] = []
    debt = 0
    cashback_sum = prepaid_sum = 0
    for move in moves:
        if move.purse == "prepaid":
            prepaid_sum += move.won
            continue
        cashback_sum += move.won
        if move.won > 0:
            paid = min(debt, move.won)
            debt -= paid
            if move.won - paid:
                lots.append(_Lot(move.expires_at, move.won - paid, len(lots)))
        elif move.won < 0:
            debt += _consume(lots, -move.won)
    due = soon = 0
    for lot in lots:
        if lot.expires_at is None or not lot.remaining:
            continue
        if lot.expires_at <= now:
            due += lot.remaining
        elif lot.expires_at <= now + EXPIRING_SOON:
            soon += lot.remaining
    balance = WalletBalance(
        cashback=cashback_sum - due,
        prepaid=prepaid_sum,
        cashback_due=due,
        expiring_soon=soon,
        cashback_sum=cashback_sum,
        prepaid_sum=prepaid_sum,
    )
    return balance, lots, debt


def _consume(lots: list[_Lot], won: int) -> int:
    """Take `won` from the lots, soonest expiry first; returns what they could not cover."""
    for lot in sorted((lot for lot in lots if lot.remaining > 0), key=_Lot.key):
        take = min(lot.remaining, won)
        lot.remaining -= take
        won -= take
        if not won:
            break
    return won


@dataclass(frozen=True)
class SpendSplit:
    cashback: int
    prepaid: int


def split_spend(balance: WalletBalance, won: int) -> SpendSplit:
    """What a spend of `won` takes from each purse: cashback first, then prepaid."""
    check_won(won)
    if won > balance.total:
        raise Refused("wallet.not_enough", won=won, balance=balance.total)
    cashback = min(max(0, balance.cashback), won)
    return SpendSplit(cashback=cashback, prepaid=won - cashback)


def check_won(won: object) -> int:
    if isinstance(won, bool) or not isinstance(won, int) or won <= 0:
        raise Refused("wallet.won_not_positive")
    if won > MAX_WALLET_WON:
        raise Refused("wallet.won_too_large", max=MAX_WALLET_WON)
    return won


def check_topup(rules: CashbackRules | None, balance: WalletBalance, won: int) -> None:
    """A top-up is refused when the program has none, or it would pass the member's limit."""
    check_won(won)
    if rules is None or not rules.prepaid:
        raise Refused("wallet.topup_off")
    if balance.prepaid_sum + won > rules.prepaid_limit:
        raise Refused(
            "wallet.topup_limit",
            limit=rules.prepaid_limit,
            room=max(0, rules.prepaid_limit - balance.prepaid_sum),
        )


@dataclass(frozen=True)
class WalletRefund:
    cashback_reversed: int  # earned cashback taken back
    cashback_restored: int  # cashback spent on the sale given back
    prepaid_restored: int  # prepaid money spent on the sale given back


def refund_wallet(
    *,
    sale_amount: int,
    refunded_before: int,
    refund_amount: int,
    earned: int,
    reversed_before: int,
    spent_cashback: int,
    spent_prepaid: int,
    restored_cashback_before: int,
    restored_prepaid_before: int,
    earn: Callable[[int, int], int],
) -> WalletRefund:
    """One refund's wallet entries, the POS bridge's rule for points (app.domain.refunds):

    after refunds totalling R of a sale of A, floor(spent × R / A) of each purse's wallet
    spend on it has come back (all of it once nothing remains), and the sale keeps the
    cashback a sale of A − R would have earned with the wallet part that is still spent:
    ``earn(A − R, wallet part left)`` under the original terms (never above `earned`). The
    base ``A − R − wallet left`` never grows with R, so the reversals never go negative and
    add up to the whole once nothing remains."""
    refunded = refunded_before + refund_amount
    if refund_amount < 1 or refunded > sale_amount:
        raise ValueError("refund outside the sale")
    remaining = sale_amount - refunded

    def due(spent: int) -> int:
        return spent if remaining == 0 else spent * refunded // sale_amount

    back_cashback, back_prepaid = due(spent_cashback), due(spent_prepaid)
    wallet_left = spent_cashback + spent_prepaid - back_cashback - back_prepaid
    keeps = 0 if remaining == 0 else min(earned, earn(remaining, min(wallet_left, remaining)))
    return WalletRefund(
        cashback_reversed=max(0, earned - reversed_before - keeps),
        cashback_restored=max(0, back_cashback - restored_cashback_before),
        prepaid_restored=max(0, back_prepaid - restored_prepaid_before),
    )
