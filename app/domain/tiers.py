"""Tier rules: the level a spend qualifies for, promotion on a sale, the monthly evaluation.

Decision for the sale window: a sale on local day D promotes on the spend of local days
sale_window_start(D, N) .. D inclusive, where the start is the same day N months earlier
(clamped: May 31 - 3 months = Feb 28/29).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from app.domain.calendar import add_months, month_start
from app.domain.program import TierLevel


def tier_for_spend(levels: Sequence[TierLevel], spend: int) -> TierLevel:
    """The highest level whose threshold the spend reaches (levels sorted by min_spend)."""
    if not levels:
        raise ValueError("no tier levels")
    qualified = levels[0]
    for level in levels:
        if level.min_spend <= spend:
            qualified = level
    return qualified


def _rank(levels: Sequence[TierLevel], code: str) -> int:
    """Position of a code on the ladder; an unknown code counts as the lowest level."""
    for i, level in enumerate(levels):
        if level.code == code:
            return i
    return 0


def promotion_after_sale(
    levels: Sequence[TierLevel], current_code: str, window_spend: int
) -> str | None:
    """The new, higher code if the window spend crosses a higher threshold; never demotes."""
    qualified = tier_for_spend(levels, window_spend)
    if _rank(levels, qualified.code) > _rank(levels, current_code):
        return qualified.code
    return None


def monthly_evaluation(levels: Sequence[TierLevel], current_code: str, window_spend: int) -> str:
    """The qualified level if at least the current one; otherwise exactly one step down."""
    qualified = _rank(levels, tier_for_spend(levels, window_spend).code)
    current = _rank(levels, current_code)
    return levels[max(qualified, current - 1)].code


def evaluation_window(evaluation_month: date, window_months: int) -> tuple[date, date]:
    """[first day of M - N months, first day of M): local dates, end exclusive."""
    end = month_start(evaluation_month)
    return add_months(end, -window_months), end


def sale_window_start(local_day: date, window_months: int) -> date:
    """First local day (inclusive) of the rolling window for promotion on a sale."""
    return add_months(local_day, -window_months)


def progress_to_next(
    levels: Sequence[TierLevel], current_code: str, window_spend: int
) -> tuple[TierLevel | None, int]:
    """The next level up and the won still needed (0 if reached); (None, 0) at the top."""
    current = _rank(levels, current_code)
    if current + 1 >= len(levels):
        return None, 0
    following = levels[current + 1]
    return following, max(0, following.min_spend - window_spend)
