"""The owner's figures as the dashboard, the report PDF and the CLI show them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class MonthlyReport:
    month: str
    members: int
    new_members: int
    active_members: int
    visits: int
    sales_amount: int
    points_issued: int
    points_redeemed: int
    points_expired: int
    points_outstanding: int
    stamps_issued: int
    stamps_redeemed: int
    coupons_issued: int
    coupons_used: int
    redemption_rate: Decimal
    tier_counts: dict[str, int]

    def to_json(self, ctx: object | None = None) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.__dict__)
        out["redemption_rate"] = float(self.redemption_rate)
        out["points_liability_won"] = self.points_outstanding  # 1 point = 1 won
        return out


@dataclass(frozen=True)
class Dashboard:
    first: str
    last: str
    months: list[MonthlyReport]
    members: int
    new_members: int
    visits: int
    sales_amount: int
    points_issued: int
    points_redeemed: int
    points_expired: int
    liability_won: int  # outstanding points at the end of the period; 1 point = 1 won
    redemption_rate: Decimal
    average_spend: int  # won per visit
    visits_per_active: Decimal  # visits per active member per month
    monthly_value: int  # won an active member spends in an average month
    tier_counts: dict[str, int]
    tier_names: dict[str, str]
