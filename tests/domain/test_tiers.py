"""Tier qualification, promotion on a sale, and the one-step monthly evaluation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.program import DEFAULT_PROGRAM, TierLevel
from app.domain.tiers import (
    evaluation_window,
    monthly_evaluation,
    progress_to_next,
    promotion_after_sale,
    sale_window_start,
    tier_for_spend,
)

LEVELS = DEFAULT_PROGRAM.tiers.levels
CODES = [level.code for level in LEVELS]


@pytest.mark.parametrize(
    ("spend", "code"),
    [
        (0, "BASIC"),
        (-5, "BASIC"),
        (599_999, "BASIC"),
        (600_000, "SILVER"),
        (1_500_000, "GOLD"),
        (2_999_999, "GOLD"),
        (3_000_000, "PLATINUM"),
        (10**9, "PLATINUM"),
    ],
)
def test_tier_for_spend(spend, code):
    assert tier_for_spend(LEVELS, spend).code == code


def test_tier_for_spend_needs_levels():
    with pytest.raises(ValueError):
        tier_for_spend((), 0)


def test_promotion_is_immediate_and_never_demotes():
    assert promotion_after_sale(LEVELS, "BASIC", 650_000) == "SILVER"
    assert promotion_after_sale(LEVELS, "BASIC", 1_600_000) == "GOLD"
    assert promotion_after_sale(LEVELS, "SILVER", 650_000) is None
    assert promotion_after_sale(LEVELS, "GOLD", 10_000) is None
    assert promotion_after_sale(LEVELS, "UNKNOWN", 600_000) == "SILVER"


@pytest.mark.parametrize(
    ("current", "spend", "result"),
    [
        ("PLATINUM", 0, "GOLD"),
        ("GOLD", 0, "SILVER"),
        ("SILVER", 0, "BASIC"),
        ("BASIC", 0, "BASIC"),
        ("GOLD", 1_500_000, "GOLD"),
        ("GOLD", 3_000_000, "PLATINUM"),
        ("SILVER", 1_600_000, "GOLD"),
        ("PLATINUM", 700_000, "GOLD"),
    ],
)
def test_monthly_evaluation(current, spend, result):
    assert monthly_evaluation(LEVELS, current, spend) == result


@st.composite
def ladders(draw) -> tuple[TierLevel, ...]:
    thresholds = sorted(draw(st.sets(st.integers(1, 10**7), max_size=6)))
    return tuple(
        TierLevel(code=f"T{i}", name=f"T{i}", min_spend=s, earn_percent=Decimal(i))
        for i, s in enumerate([0, *thresholds])
    )


@given(ladders(), st.data(), st.integers(-10, 2 * 10**7))
def test_evaluation_moves_at_most_one_step_down_and_never_above_qualified(levels, data, spend):
    codes = [level.code for level in levels]
    current = data.draw(st.sampled_from(codes))
    result = codes.index(monthly_evaluation(levels, current, spend))
    before = codes.index(current)
    qualified = codes.index(tier_for_spend(levels, spend).code)
    assert result >= before - 1
    assert result >= qualified
    assert result <= max(qualified, before)
    if qualified >= before:
        assert result == qualified
    else:
        assert result == before - 1


@given(ladders(), st.data(), st.integers(-10, 2 * 10**7))
def test_promotion_only_goes_up_to_the_qualified_level(levels, data, spend):
    codes = [level.code for level in levels]
    current = data.draw(st.sampled_from(codes))
    promoted = promotion_after_sale(levels, current, spend)
    qualified = tier_for_spend(levels, spend).code
    if promoted is None:
        assert codes.index(qualified) <= codes.index(current)
    else:
        assert promoted == qualified
        assert codes.index(promoted) > codes.index(current)


@given(ladders(), st.data(), st.integers(0, 2 * 10**7))
def test_progress_reaches_the_next_level(levels, data, spend):
    codes = [level.code for level in levels]
    current = data.draw(st.sampled_from(codes))
    following, needed = progress_to_next(levels, current, spend)
    if following is None:
        assert current == codes[-1] and needed == 0
    else:
        assert codes.index(following.code) == codes.index(current) + 1
        assert tier_for_spend(levels, spend + needed).min_spend >= following.min_spend


def test_progress_to_next_examples():
    assert progress_to_next(LEVELS, "BASIC", 450_000) == (LEVELS[1], 150_000)
    assert progress_to_next(LEVELS, "BASIC", 700_000) == (LEVELS[1], 0)
    assert progress_to_next(LEVELS, "PLATINUM", 0) == (None, 0)


def test_evaluation_window():
    assert evaluation_window(date(2026, 4, 1), 3) == (date(2026, 1, 1), date(2026, 4, 1))
    assert evaluation_window(date(2026, 2, 17), 3) == (date(2025, 11, 1), date(2026, 2, 1))


def test_sale_window_start_is_the_same_day_earlier_clamped():
    assert sale_window_start(date(2026, 3, 15), 3) == date(2025, 12, 15)
    assert sale_window_start(date(2026, 5, 31), 3) == date(2026, 2, 28)
