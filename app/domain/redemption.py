"""Whether points or stamps can be spent, and how many points at most."""

from __future__ import annotations

from app.domain.errors import Refused
from app.domain.program import PointsRules


def check_points_redemption(points: int, balance: int, rules: PointsRules) -> None:
    """Refuse a points redemption that breaks the owner's rules or exceeds the balance."""
    if points <= 0:
        raise Refused("redeem.not_positive")
    if points < rules.min_redeem:
        raise Refused("redeem.below_minimum", minimum=rules.min_redeem)
    if points % rules.redeem_unit:
        raise Refused("redeem.not_unit", unit=rules.redeem_unit)
    if points > balance:
        raise Refused("redeem.insufficient", balance=balance, requested=points)


def max_redeemable(balance: int, rules: PointsRules) -> int:
    """The largest multiple of the unit within the balance, or 0 if that is below the minimum."""
    largest = max(balance, 0) // rules.redeem_unit * rules.redeem_unit
    if largest <= 0 or largest < rules.min_redeem:
        return 0
    return largest


def check_stamp_redemption(balance: int, goal: int) -> None:
    """Refuse a reward when the card does not hold a full goal of stamps."""
    if balance < goal:
        raise Refused("redeem.stamps_insufficient", balance=balance, goal=goal)
