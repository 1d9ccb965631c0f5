"""The visit rating's arithmetic: categories, shares, the NPS and who is asked."""

from __future__ import annotations

import uuid
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.errors import Refused
from app.domain.nps import (
    MAX_COMMENT,
    RELIABLE_ANSWERS,
    category,
    check_rating,
    percent,
    sampled,
    score_of,
    tally,
)

scores = st.lists(st.integers(min_value=0, max_value=10), max_size=300)


def _half_away(value: Fraction) -> int:
    """Round half away from zero, the reference the code must agree with."""
    magnitude = abs(value)
    whole = int(magnitude)
    if magnitude - whole >= Fraction(1, 2):
        whole += 1
    return whole if value >= 0 else -whole


@pytest.mark.parametrize(
    ("score", "kind"),
    [(0, "detractor"), (6, "detractor"), (7, "passive"), (8, "passive"), (9, "promoter")],
)
def test_categories(score: int, kind: str) -> None:
    assert category(score) == kind
    assert category(10) == "promoter"


def test_a_worked_month() -> None:
    # 3 promoters, 1 passive, 2 detractors of 6: 50.0% - 33.3% -> NPS 100 * 1/6 = 16.67 -> 17
    month = tally("2026-03", [10, 9, 9, 7, 3, 0])
    assert (month.answers, month.promoters, month.passives, month.detractors) == (6, 3, 1, 2)
    assert month.promoters_pct == Decimal("50.0")
    assert month.detractors_pct == Decimal("33.3")
    assert month.nps == 17
    assert month.few_answers


def test_no_answers_is_zero_not_a_division_error() -> None:
    month = tally("2026-03", [])
    assert (month.answers, month.nps, month.promoters_pct) == (0, 0, Decimal("0.0"))


def test_halves_round_away_from_zero() -> None:
    assert score_of(1, 0, 8) == 13  # 12.5
    assert score_of(0, 1, 8) == -13  # -12.5
    assert percent(1, 8) == Decimal("12.5")
    assert percent(1, 3) == Decimal("33.3") and percent(2, 3) == Decimal("66.7")


@given(scores)
def test_nps_is_the_exact_difference_rounded(values: list[int]) -> None:
    month = tally("m", values)
    assert month.promoters + month.passives + month.detractors == month.answers == len(values)
    assert -100 <= month.nps <= 100
    if values:
        exact = Fraction(100 * (month.promoters - month.detractors), month.answers)
        assert month.nps == _half_away(exact)
        assert abs(Decimal(month.nps) - (month.promoters_pct - month.detractors_pct)) <= 1
    assert isinstance(month.nps, int) and isinstance(month.promoters_pct, Decimal)
    assert month.few_answers == (len(values) < RELIABLE_ANSWERS)


@given(scores)
def test_swapping_promoters_and_detractors_negates_the_score(values: list[int]) -> None:
    month = tally("m", values)
    assert score_of(month.detractors, month.promoters, month.answers) == -month.nps


@given(st.integers(min_value=1, max_value=500))
def test_all_promoters_or_all_detractors(n: int) -> None:
    assert tally("m", [10] * n).nps == 100
    assert tally("m", [0] * n).nps == -100
    assert tally("m", [8] * n).nps == 0


@given(st.integers(0, 10), st.text(max_size=MAX_COMMENT))
def test_a_score_in_range_with_a_short_comment_is_taken(score: int, comment: str) -> None:
    taken, text = check_rating(score, comment)
    assert taken == score
    assert text is None or 0 < len(text) <= MAX_COMMENT


@pytest.mark.parametrize("score", [-1, 11, 100, True, "7", 7.0, None])
def test_a_score_out_of_range_is_refused(score: object) -> None:
    with pytest.raises(Refused) as refused:
        check_rating(score, None)
    assert refused.value.code == "rating.score_range"
    assert "0" in refused.value.message("ko") and "10" in refused.value.message("ko")


def test_a_long_comment_is_refused_and_a_blank_one_is_none() -> None:
    with pytest.raises(Refused) as refused:
        check_rating(5, "가" * (MAX_COMMENT + 1))
    assert refused.value.code == "rating.comment_long"
    assert check_rating(5, "  \u200b ") == (5, None)
    assert check_rating(5, " 맛있어요\n또 올게요 ") == (5, "맛있어요 또 올게요")


@given(st.uuids(), st.integers(0, 100), st.integers(0, 100))
def test_sampling_is_stable_and_monotone(key: uuid.UUID, low: int, high: int) -> None:
    low, high = min(low, high), max(low, high)
    assert sampled(str(key), low) == sampled(str(key), low)
    if sampled(str(key), low):
        assert sampled(str(key), high)
    assert sampled(str(key), 100) and not sampled(str(key), 0)


def test_sampling_asks_about_the_rate() -> None:
    keys = [str(uuid.uuid5(uuid.NAMESPACE_URL, str(i))) for i in range(10_000)]
    asked = sum(sampled(k, 20) for k in keys)
    assert 1_850 <= asked <= 2_150
