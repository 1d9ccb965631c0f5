"""Partial refunds, exactly: what a refund of part of a sale takes back and gives back.

The rule: after refunds totalling R of a sale of A won, the customer keeps what a sale of
A − R would have earned under the same terms (program version, tier, campaigns) as the
original. Each refund therefore reverses ``earned(before) − earned(after)``, where
``before`` and ``after`` are the amounts still standing before and after it, so any
sequence of partial refunds adds up to the whole sale exactly and never reverses more
than the sale earned (earning never falls when the amount grows).

- ``earned(A)`` is the sale's recorded points (what the ledger holds), ``earned(0)`` is 0,
  and every amount in between is computed by the caller's ``earn`` (the original terms).
- Stamps per visit go back only when nothing remains; stamps per item go back with the
  items refunded (``items`` of the refund, or every item when nothing remains).
- Points redeemed on that sale come back in proportion, floor: after refunds totalling
  R, ``floor(redeemed × R / A)`` of them have come back (all of them once nothing remains),
  unless the owner chose "refund in money only".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.domain.errors import Refused

# earn(amount, items) -> points a sale of that amount and item count earns under the
# original sale's terms; must be 0 at amount 0 and never fall when the amount grows.
EarnFunction = Callable[[int, int], int]


@dataclass(frozen=True)
class SaleTerms:
    """What the original sale was and what it earned, as the ledger recorded it."""

    amount: int
    items: int
    points: int  # points the sale earned (all of them: tier rate, campaigns, bonuses)
    stamps: int  # stamps the sale gave
    stamps_per: str  # "visit", "item" or "none": how the sale's stamps were counted
    redeemed_points: int = 0  # points the customer spent against this sale (sale_ref)

    def __post_init__(self) -> None:
        if self.amount < 1 or self.items < 1 or self.points < 0 or self.stamps < 0:
            raise ValueError(f"invalid sale terms: {self}")
        if self.redeemed_points < 0:
            raise ValueError(f"invalid redeemed points: {self.redeemed_points}")


@dataclass(frozen=True)
class Refunded:
    """What earlier refunds of the sale already took back (sums of their entries)."""

    amount: int = 0
    items: int = 0
    points_reversed: int = 0
    stamps_reversed: int = 0
    points_restored: int = 0


@dataclass(frozen=True)
class RefundEffect:
    points_reversed: int  # earned points taken back by this refund
    stamps_reversed: int  # stamps taken back by this refund
    points_restored: int  # redeemed points given back by this refund
    remaining_amount: int  # what of the sale still stands after it
    remaining_items: int


def refund_effect(
    sale: SaleTerms,
    before: Refunded,
    *,
    amount: int,
    items: int | None,
    earn: EarnFunction,
    restore_redeemed: bool = True,
) -> RefundEffect:
    """The entries one refund of ``amount`` won (and ``items`` items) appends, exactly."""
    remaining_before = sale.amount - before.amount
    if amount < 1:
        raise Refused("amount.not_positive")
    if amount > remaining_before:
        raise Refused("refund.over_remaining", remaining=remaining_before)
    remaining = remaining_before - amount
    items_before = sale.items - before.items
    if items is not None and (items < 0 or items > items_before):
        raise Refused("refund.over_items", remaining=items_before)
    # all the money back is every item back; otherwise the items the refund names
    refund_items = items_before if remaining == 0 else (items or 0)
    items_left = items_before - refund_items
    if remaining > 0 and items_left < 1:
        raise Refused("refund.items_left", remaining=items_before)

    # Points: what the sale keeps after this refund, never more than it earned.
    keeps = 0 if remaining == 0 else min(sale.points, earn(remaining, items_left))
    points_reversed = max(0, sale.points - before.points_reversed - keeps)

    # Stamps: per visit only when nothing remains; per item with the items.
    if remaining == 0 or sale.stamps_per == "none":
        stamps_keep = 0 if remaining == 0 else sale.stamps
    elif sale.stamps_per == "item":
        stamps_keep = min(sale.stamps, items_left)
    else:  # per visit: the visit still happened while something of it stands
        stamps_keep = sale.stamps
    stamps_reversed = max(0, sale.stamps - before.stamps_reversed - stamps_keep)

    # Redeemed points come back in proportion to the money refunded, floor.
    restored = 0
    if restore_redeemed and sale.redeemed_points:
        refunded_total = before.amount + amount
        due = (
            sale.redeemed_points
            if remaining == 0
            else sale.redeemed_points * refunded_total // sale.amount
        )
        restored = max(0, due - before.points_restored)

    return RefundEffect(
        points_reversed=points_reversed,
        stamps_reversed=stamps_reversed,
        points_restored=restored,
        remaining_amount=remaining,
        remaining_items=items_left,
    )
