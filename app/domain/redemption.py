"""Whether points or stamps can be spent, and how many points at most."""

from __future__ import annotations

from app.domain.errors import Refused
from app.domain.program import PointsRules
from app.domain.stamp_cards import CardTerms, StampCards


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


def stamp_reward_to_use(cards: StampCards) -> CardTerms:
    """The card a stamp reward uses (the oldest completed one), or a refusal with the card's
    progress toward the goal it was started with."""
    if cards.next_reward is None:
        check_stamp_redemption(cards.filled, cards.current.goal)
    assert cards.next_reward is not None  # filled < goal: the check above refused
    return cards.next_reward
