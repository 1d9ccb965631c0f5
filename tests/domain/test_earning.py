"""Points and stamps a sale earns, campaigns, and the stamp card's carry-over."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.earning import Earning, StampCard, compute_earning
from app.domain.errors import Refused
from app.domain.program import DEFAULT_PROGRAM, DEFAULT_PROGRAM_JSON, Program

KST = timezone(timedelta(hours=9))
TUESDAY_AFTERNOON = datetime(2026, 12, 1, 15, 0, tzinfo=KST)
SATURDAY_AFTERNOON = datetime(2026, 12, 5, 15, 0, tzinfo=KST)


def with_campaigns(*campaigns: dict, per: str = "visit") -> Program:
    data = copy.deepcopy(DEFAULT_PROGRAM_JSON)
    data["stamps"]["per"] = per
    data["campaigns"] = [
        {"start": "2026-12-01", "end": "2026-12-31", "bonus": 0, "multiplier": 1, **c}
        for c in campaigns
    ]
    return Program.from_json(data)


def test_base_points_by_tier():
    earning = compute_earning(
        DEFAULT_PROGRAM, amount=10_000, items=1, tier_code="PLATINUM", local_time=TUESDAY_AFTERNOON
    )
    assert earning == Earning(base_points=500, campaign_points=0, campaigns=(), stamps=1)
    assert earning.total_points == 500


def test_unknown_tier_earns_at_the_lowest_rate():
    earning = compute_earning(
        DEFAULT_PROGRAM, amount=4_550, items=2, tier_code="??", local_time=TUESDAY_AFTERNOON
    )
    assert earning.base_points == 91


def test_double_points_on_weekday_afternoons():
    program = with_campaigns(
        {"name": "더블 포인트", "multiplier": 2, "weekdays": [0, 1, 2, 3, 4], "hours": [14, 17]}
    )
    weekday = compute_earning(
        program, amount=4_500, items=1, tier_code="BASIC", local_time=TUESDAY_AFTERNOON
    )
    assert weekday == Earning(
        base_points=90, campaign_points=90, campaigns=("더블 포인트",), stamps=1
    )
    weekend = compute_earning(
        program, amount=4_500, items=1, tier_code="BASIC", local_time=SATURDAY_AFTERNOON
    )
    assert weekend == Earning(base_points=90, campaign_points=0, campaigns=(), stamps=1)


def test_multipliers_do_not_compound_and_bonuses_add():
    program = with_campaigns(
        {"name": "1.5배", "multiplier": "1.5", "bonus": 100},
        {"name": "3배", "multiplier": 3},
        {"name": "방문 보너스", "bonus": 50},
    )
    earning = compute_earning(
        program, amount=10_050, items=1, tier_code="BASIC", local_time=TUESDAY_AFTERNOON
    )
    assert earning.base_points == 201
    assert earning.campaign_points == 201 * 2 + 150
    assert earning.campaigns == ("1.5배", "3배", "방문 보너스")


def test_fractional_multiplier_floors_the_extra():
    program = with_campaigns({"name": "1.5배", "multiplier": "1.5"})
    earning = compute_earning(
        program, amount=4_550, items=1, tier_code="BASIC", local_time=TUESDAY_AFTERNOON
    )
    assert (earning.base_points, earning.campaign_points) == (91, 45)


def test_stamps_per_item():
    program = with_campaigns(per="item")
    earning = compute_earning(
        program, amount=9_000, items=3, tier_code="BASIC", local_time=TUESDAY_AFTERNOON
    )
    assert earning.stamps == 3


@pytest.mark.parametrize(
    ("amount", "items", "code"), [(-1, 1, "amount.not_positive"), (1000, 0, "items.invalid")]
)
def test_refusals(amount, items, code):
    with pytest.raises(Refused) as caught:
        compute_earning(
            DEFAULT_PROGRAM,
            amount=amount,
            items=items,
            tier_code="BASIC",
            local_time=TUESDAY_AFTERNOON,
        )
    assert caught.value.code == code


def test_zero_amount_earns_a_stamp_and_no_points():
    earning = compute_earning(
        DEFAULT_PROGRAM, amount=0, items=1, tier_code="BASIC", local_time=TUESDAY_AFTERNOON
    )
    assert (earning.total_points, earning.stamps) == (0, 1)


multipliers = st.decimals(min_value=1, max_value=10, places=2)


@given(
    amount=st.integers(0, 100_000_000),
    percent=st.decimals(min_value=0, max_value=100, places=2),
    chosen=st.lists(multipliers, min_size=1, max_size=4),
    bonuses=st.lists(st.integers(0, 1000), min_size=4, max_size=4),
)
def test_best_multiplier_applies_once_exactly(amount, percent, chosen, bonuses):
    data = copy.deepcopy(DEFAULT_PROGRAM_JSON)
    data["tiers"]["levels"][0]["earn_percent"] = percent
    data["campaigns"] = [
        {
            "name": f"c{i}",
            "multiplier": m,
            "bonus": bonuses[i],
            "start": "2026-12-01",
            "end": "2026-12-31",
        }
        for i, m in enumerate(chosen)
    ]
    program = Program.from_json(data)
    earning = compute_earning(
        program, amount=amount, items=1, tier_code="BASIC", local_time=TUESDAY_AFTERNOON
    )
    base = int(Fraction(amount) * Fraction(percent) / 100)
    extra = int(base * (Fraction(max(chosen)) - 1))
    assert earning.base_points == base
    assert earning.campaign_points == extra + sum(bonuses[: len(chosen)])
    assert earning.total_points >= base
    assert earning.campaigns == tuple(f"c{i}" for i in range(len(chosen)))


def test_stamp_card_carry_over():
    card = StampCard(balance=9 + 3, goal=10)
    assert (card.rewards_ready, card.filled) == (1, 2)
    assert (StampCard(0, 10).rewards_ready, StampCard(0, 10).filled) == (0, 0)
    assert (StampCard(30, 10).rewards_ready, StampCard(30, 10).filled) == (3, 0)


def test_stamp_card_rejects_nonsense():
    with pytest.raises(ValueError):
        StampCard(balance=-1, goal=10)
    with pytest.raises(ValueError):
        StampCard(balance=1, goal=0)


@given(st.integers(0, 500), st.lists(st.integers(1, 20), max_size=30), st.integers(1, 30))
def test_no_stamp_is_lost_across_cards(start, visits, goal):
    balance = start
    for stamps in visits:
        balance += stamps
    card = StampCard(balance, goal)
    assert card.rewards_ready * goal + card.filled == start + sum(visits)
    assert 0 <= card.filled < goal


def test_decimal_rates_stay_exact():
    program = with_campaigns({"name": "x", "multiplier": Decimal("1.1")})
    earning = compute_earning(
        program, amount=100_000, items=1, tier_code="SILVER", local_time=TUESDAY_AFTERNOON
    )
    assert (earning.base_points, earning.campaign_points) == (3_000, 300)
