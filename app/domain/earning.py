"""What a sale earns: tier points, campaign extras and stamps, and the stamp card they fill."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from app.domain.errors import Refused
from app.domain.money import percent_of
from app.domain.program import Campaign, Program


@dataclass(frozen=True)
class Earning:
    base_points: int  # tier rate on the amount, floor
    campaign_points: int  # extra from the best multiplier + flat bonuses of active campaigns
    campaigns: tuple[str, ...]  # names of active campaigns
    stamps: int

    @property
    def total_points(self) -> int:
        return self.base_points + self.campaign_points


def compute_earning(
    program: Program, *, amount: int, items: int, tier_code: str, local_time: datetime
) -> Earning:
    """Points and stamps for one sale; the highest campaign multiplier applies once, bonuses add."""
    if amount < 0:
        raise Refused("amount.not_positive")
    if items < 1:
        raise Refused("items.invalid")
    tier = program.tier(tier_code)
    base = percent_of(amount, tier.earn_percent)
    active = [c for c in program.campaigns if c.applies(local_time, tier.code)]
    return Earning(
        base_points=base,
        campaign_points=_multiplier_extra(base, active) + sum(c.bonus for c in active),
        campaigns=tuple(c.name for c in active),
        stamps={"visit": 1, "item": items}.get(program.stamps.per, 0),
    )


def _multiplier_extra(base: int, active: list[Campaign]) -> int:
    """floor(base * (best multiplier - 1)), exact; multipliers never compound."""
    if not active:
        return 0
    best = max(c.multiplier for c in active)
    numerator, denominator = (best - Decimal(1)).as_integer_ratio()
    return (base * numerator) // denominator


@dataclass(frozen=True)
class StampCard:
    """Stamps beyond the goal carry over: 9 + 3 stamps at goal 10 is 1 reward and 2 on the card."""

    balance: int
    goal: int

    def __post_init__(self) -> None:
        if self.balance < 0 or self.goal < 1:
            raise ValueError(f"invalid stamp card: balance={self.balance}, goal={self.goal}")

    @property
    def rewards_ready(self) -> int:
        return self.balance // self.goal

    @property
    def filled(self) -> int:
        return self.balance % self.goal
