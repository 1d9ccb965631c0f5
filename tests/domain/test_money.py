"""Exact won arithmetic, reading typed amounts, and display."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.errors import Refused
from app.domain.money import MAX_SALE_WON, format_won, parse_won, percent_of


def test_ten_thousand_won_at_five_percent_is_exactly_500():
    assert percent_of(10_000, Decimal(5)) == 500


@pytest.mark.parametrize(
    ("amount", "percent", "points"),
    [
        (4_500, Decimal(2), 90),
        (4_550, Decimal(3), 136),
        (999, Decimal("2.5"), 24),
        (0, Decimal(5), 0),
        (100, Decimal("0.1"), 0),
        (1_000, Decimal("0.1"), 1),
        (12_345, Decimal(100), 12_345),
        (12_345, 0, 0),
    ],
)
def test_percent_of_floors(amount, percent, points):
    assert percent_of(amount, percent) == points


@given(
    st.integers(0, MAX_SALE_WON),
    st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False),
)
def test_percent_of_is_exact_floor(amount, percent):
    assert percent_of(amount, percent) == int(Fraction(amount) * Fraction(percent) // 100)


def test_percent_of_refuses_negative_amounts_and_rates():
    with pytest.raises(Refused) as caught:
        percent_of(-1, Decimal(5))
    assert caught.value.code == "amount.not_positive"
    with pytest.raises(ValueError):
        percent_of(100, Decimal(-1))
    with pytest.raises(ValueError):
        percent_of(100, Decimal("NaN"))


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("12,000", 12_000),
        ("12000원", 12_000),
        ("12,000 원", 12_000),
        ("₩12,000", 12_000),
        ("￦12,000", 12_000),
        ("１２０００", 12_000),
        (" 5000 ", 5_000),
        ("1,234,567", 1_234_567),
        (7_000, 7_000),
        ("100,000,000", MAX_SALE_WON),
    ],
)
def test_parse_won(text, amount):
    assert parse_won(text) == amount


@pytest.mark.parametrize(
    ("text", "code", "params"),
    [
        ("12.5", "amount.invalid", {"text": "12.5"}),
        ("12,00", "amount.invalid", {"text": "12,00"}),
        ("abc", "amount.invalid", {"text": "abc"}),
        ("", "amount.invalid", {"text": ""}),
        ("1만", "amount.invalid", {"text": "1만"}),
        ("٥٠٠٠", "amount.invalid", {"text": "٥٠٠٠"}),
        (True, "amount.invalid", {"text": "True"}),
        ("0", "amount.not_positive", {}),
        ("-500", "amount.not_positive", {}),
        (0, "amount.not_positive", {}),
        (-3, "amount.not_positive", {}),
        ("100,000,001", "amount.too_large", {"max": MAX_SALE_WON}),
        (MAX_SALE_WON + 1, "amount.too_large", {"max": MAX_SALE_WON}),
    ],
)
def test_parse_won_refusals(text, code, params):
    with pytest.raises(Refused) as caught:
        parse_won(text)
    assert caught.value.code == code
    assert caught.value.params == params


@given(st.integers(1, MAX_SALE_WON))
def test_format_then_parse_round_trips(amount):
    assert parse_won(format_won(amount)) == amount
    assert parse_won(format_won(amount, "en")) == amount


def test_format_won():
    assert format_won(12_000) == "12,000원"
    assert format_won(12_000, "en") == "₩12,000"
    assert format_won(0) == "0원"
    assert format_won(-1_500) == "-1,500원"
