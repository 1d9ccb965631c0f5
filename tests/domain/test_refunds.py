"""Partial refunds: what each refund takes back adds up to the whole sale, exactly."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.errors import Refused
from app.domain.money import percent_of
from app.domain.refunds import Refunded, RefundEffect, SaleTerms, refund_effect


def at_two_percent(amount: int, items: int) -> int:
    return percent_of(amount, Decimal(2))


def sale(amount: int, *, items: int = 1, per: str = "visit", redeemed: int = 0) -> SaleTerms:
    stamps = {"visit": 1, "item": items}.get(per, 0)
    return SaleTerms(
        amount=amount,
        items=items,
        points=at_two_percent(amount, items),
        stamps=stamps,
        stamps_per=per,
        redeemed_points=redeemed,
    )


def after(before: Refunded, refund: int, items: int, effect: RefundEffect) -> Refunded:
    return Refunded(
        amount=before.amount + refund,
        items=before.items + items,
        points_reversed=before.points_reversed + effect.points_reversed,
        stamps_reversed=before.stamps_reversed + effect.stamps_reversed,
        points_restored=before.points_restored + effect.points_restored,
    )


def test_the_issue_figures():
    terms = sale(12_000)
    first = refund_effect(terms, Refunded(), amount=4_000, items=None, earn=at_two_percent)
    assert (first.points_reversed, first.remaining_amount) == (80, 8_000)
    assert first.stamps_reversed == 0  # a visit's stamp stays while something remains
    second = refund_effect(
        terms, after(Refunded(), 4_000, 0, first), amount=8_000, items=None, earn=at_two_percent
    )
    assert (second.points_reversed, second.stamps_reversed, second.remaining_amount) == (160, 1, 0)

    odd = sale(12_345)
    assert odd.points == 246
    small = refund_effect(odd, Refunded(), amount=345, items=None, earn=at_two_percent)
    assert small.points_reversed == 6


def test_more_than_remains_is_refused():
    terms = sale(12_000)
    with pytest.raises(Refused) as refused:
        refund_effect(terms, Refunded(amount=10_000), amount=2_001, items=None, earn=at_two_percent)
    assert refused.value.code == "refund.over_remaining"
    assert refused.value.params == {"remaining": 2_000}
    with pytest.raises(Refused):
        refund_effect(terms, Refunded(), amount=0, items=None, earn=at_two_percent)


def test_stamps_per_item_go_back_with_the_items():
    terms = sale(15_000, items=3, per="item")
    one = refund_effect(terms, Refunded(), amount=5_000, items=1, earn=at_two_percent)
    assert one.stamps_reversed == 1
    with pytest.raises(Refused) as refused:
        refund_effect(terms, Refunded(), amount=5_000, items=3, earn=at_two_percent)
    assert refused.value.code == "refund.items_left"
    with pytest.raises(Refused) as refused:
        refund_effect(terms, Refunded(), amount=5_000, items=4, earn=at_two_percent)
    assert refused.value.code == "refund.over_items"
    rest = refund_effect(
        terms, after(Refunded(), 5_000, 1, one), amount=10_000, items=None, earn=at_two_percent
    )
    assert rest.stamps_reversed == 2 and rest.remaining_items == 0


def test_redeemed_points_come_back_in_proportion():
    terms = sale(10_000, redeemed=1_001)
    part = refund_effect(terms, Refunded(), amount=3_000, items=None, earn=at_two_percent)
    assert part.points_restored == 300  # floor(1,001 × 3,000 / 10,000)
    money_only = refund_effect(
        terms, Refunded(), amount=3_000, items=None, earn=at_two_percent, restore_redeemed=False
    )
    assert money_only.points_restored == 0
    rest = refund_effect(
        terms, after(Refunded(), 3_000, 0, part), amount=7_000, items=None, earn=at_two_percent
    )
    assert part.points_restored + rest.points_restored == 1_001


def test_earning_never_exceeds_what_was_recorded():
    # a sale recorded with fewer points than the rule gives now (say a later program) keeps its own
    terms = SaleTerms(amount=10_000, items=1, points=100, stamps=1, stamps_per="visit")
    effect = refund_effect(terms, Refunded(), amount=1_000, items=None, earn=at_two_percent)
    assert effect.points_reversed == 0  # a 9,000 sale would earn 180 ≥ 100: nothing to take back


@st.composite
def refund_sequences(draw):
    amount = draw(st.integers(min_value=1, max_value=5_000_000))
    items = draw(st.integers(min_value=1, max_value=20))
    per = draw(st.sampled_from(["visit", "item", "none"]))
    redeemed = draw(st.integers(min_value=0, max_value=100_000))
    cuts = sorted(set(draw(st.lists(st.integers(1, amount - 1), max_size=6)))) if amount > 1 else []
    parts = [b - a for a, b in zip([0, *cuts], [*cuts, amount], strict=True)]
    full = draw(st.booleans())
    if not full and len(parts) > 1:
        parts = parts[: draw(st.integers(1, len(parts) - 1))]
    return amount, items, per, redeemed, parts


@given(refund_sequences(), st.sampled_from([Decimal(2), Decimal("3.5"), Decimal(10)]))
def test_any_sequence_sums_to_the_whole_and_never_more(case, rate):
    amount, items, per, redeemed, parts = case

    def earn(value: int, _items: int) -> int:
        return percent_of(value, rate) * 2 // 1  # a doubled campaign: still monotone

    terms = SaleTerms(
        amount=amount,
        items=items,
        points=earn(amount, items),
        stamps={"visit": 1, "item": items}.get(per, 0),
        stamps_per=per,
        redeemed_points=redeemed,
    )
    state = Refunded()
    for part in parts:
        last = state.amount + part == amount
        refund_items = None if last else 0
        effect = refund_effect(terms, state, amount=part, items=refund_items, earn=earn)
        assert effect.points_reversed >= 0 and effect.points_restored >= 0
        state = after(state, part, items - state.items if last else 0, effect)
        assert state.points_reversed <= terms.points
        assert state.stamps_reversed <= terms.stamps
        assert state.points_restored <= redeemed
        # what stands is exactly what a sale of the remaining amount earns
        if not last:
            kept = terms.points - state.points_reversed
            assert kept == min(terms.points, earn(effect.remaining_amount, items))
    if state.amount == amount:
        assert state.points_reversed == terms.points
        assert state.stamps_reversed == terms.stamps
        assert state.points_restored == redeemed
