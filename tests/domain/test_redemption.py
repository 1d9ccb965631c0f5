"""Spending points and stamps."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.errors import Refused
from app.domain.program import PointsRules
from app.domain.redemption import check_points_redemption, check_stamp_redemption, max_redeemable

RULES = PointsRules(min_redeem=1000, redeem_unit=100, expiry_months=12)


@pytest.mark.parametrize(
    ("points", "balance", "code", "params"),
    [
        (0, 5000, "redeem.not_positive", {}),
        (-100, 5000, "redeem.not_positive", {}),
        (900, 5000, "redeem.below_minimum", {"minimum": 1000}),
        (1050, 5000, "redeem.not_unit", {"unit": 100}),
        (6000, 5000, "redeem.insufficient", {"balance": 5000, "requested": 6000}),
    ],
)
def test_refusals(points, balance, code, params):
    with pytest.raises(Refused) as caught:
        check_points_redemption(points, balance, RULES)
    assert caught.value.code == code
    assert caught.value.params == params


@pytest.mark.parametrize("points", [1000, 1100, 5000])
def test_allowed(points):
    check_points_redemption(points, 5000, RULES)


@pytest.mark.parametrize(
    ("balance", "best"), [(0, 0), (999, 0), (1000, 1000), (1099, 1000), (5_432, 5_400), (-50, 0)]
)
def test_max_redeemable(balance, best):
    assert max_redeemable(balance, RULES) == best


@given(
    st.integers(0, 10**7),
    st.sampled_from([1, 10, 100, 500]),
    st.integers(0, 20),
)
def test_max_redeemable_is_always_allowed_and_maximal(balance, unit, minimum_units):
    rules = PointsRules(min_redeem=unit * minimum_units, redeem_unit=unit, expiry_months=12)
    best = max_redeemable(balance, rules)
    if best:
        check_points_redemption(best, balance, rules)
    with pytest.raises(Refused):
        check_points_redemption(best + unit, balance, rules)


def test_stamp_redemption():
    check_stamp_redemption(10, 10)
    check_stamp_redemption(12, 10)
    with pytest.raises(Refused) as caught:
        check_stamp_redemption(9, 10)
    assert caught.value.code == "redeem.stamps_insufficient"
    assert caught.value.params == {"balance": 9, "goal": 10}
