"""Coupon codes, issue rules, validity and discounts."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.coupons import (
    COUPON_ALPHABET,
    CouponState,
    check_coupon_issue,
    check_coupon_usable,
    coupon_discount,
    coupon_validity,
    format_coupon_code,
    new_coupon_code,
    normalize_coupon_code,
)
from app.domain.errors import Refused

SEOUL = ZoneInfo("Asia/Seoul")


def test_alphabet_has_no_lookalikes():
    assert not set("0O1IL") & set(COUPON_ALPHABET)


@given(st.randoms(use_true_random=False))
def test_new_codes_are_8_unambiguous_characters(rng):
    code = new_coupon_code(rng)
    assert len(code) == 8
    assert set(code) <= set(COUPON_ALPHABET)
    assert normalize_coupon_code(format_coupon_code(code).lower()) == code


def test_default_rng():
    assert len(new_coupon_code()) == 8
    assert new_coupon_code(random.Random(1)) == new_coupon_code(random.Random(1))


@pytest.mark.parametrize(
    "text", ["abcd-efgh", "ABCD EFGH", " abcdefgh ", "ＡＢＣＤ－ＥＦＧＨ", "AB–CD EF-GH"]
)
def test_normalize_coupon_code(text):
    assert normalize_coupon_code(text) == "ABCDEFGH"


@pytest.mark.parametrize(
    "text", ["", "ABCD-EFG", "ABCD-EFGHJ", "ABCD-EFG0", "ABCD-EFGI", "가나다라마바사아"]
)
def test_normalize_refuses_bad_codes(text):
    with pytest.raises(Refused) as caught:
        normalize_coupon_code(text)
    assert caught.value.code == "coupon.code_invalid"


def test_format_coupon_code():
    assert format_coupon_code("ABCDEFGH") == "ABCD-EFGH"


@pytest.mark.parametrize(
    ("kind", "value", "days", "code"),
    [
        ("gift", 1000, 30, "coupon.kind"),
        ("amount", 0, 30, "coupon.value"),
        ("amount", -1000, 30, "coupon.value"),
        ("amount", 100_000_001, 30, "coupon.value"),
        ("percent", 0, 30, "coupon.percent_range"),
        ("percent", 101, 30, "coupon.percent_range"),
        ("item", -1, 30, "coupon.value"),
        ("amount", 1000, 0, "coupon.days"),
        ("amount", 1000, 3651, "coupon.days"),
    ],
)
def test_issue_refusals(kind, value, days, code):
    with pytest.raises(Refused) as caught:
        check_coupon_issue(kind, value, days)
    assert caught.value.code == code


@pytest.mark.parametrize(("kind", "value"), [("amount", 3000), ("percent", 10), ("item", 0)])
def test_issue_allowed(kind, value):
    check_coupon_issue(kind, value, 30)


def test_validity_counts_the_issue_day():
    issued = datetime(2026, 3, 1, 23, 0, tzinfo=SEOUL)
    valid_from, valid_until = coupon_validity(issued, 30, SEOUL)
    assert valid_from == issued
    assert valid_until == datetime(2026, 3, 31, 0, 0, tzinfo=SEOUL)


def make_coupon(used_at: datetime | None = None) -> CouponState:
    valid_from, valid_until = coupon_validity(datetime(2026, 3, 1, 10, tzinfo=SEOUL), 30, SEOUL)
    return CouponState("ABCDEFGH", "amount", 3000, valid_from, valid_until, used_at)


def test_usable_inside_the_window():
    check_coupon_usable(make_coupon(), datetime(2026, 3, 1, 10, tzinfo=SEOUL))
    check_coupon_usable(make_coupon(), datetime(2026, 3, 30, 23, 59, tzinfo=SEOUL))


@pytest.mark.parametrize(
    ("coupon", "now", "code", "params"),
    [
        (
            make_coupon(used_at=datetime(2026, 3, 5, 12, tzinfo=SEOUL)),
            datetime(2026, 3, 6, 12, tzinfo=SEOUL),
            "coupon.used",
            {"used_at": "2026-03-05"},
        ),
        (
            make_coupon(),
            datetime(2026, 3, 1, 9, tzinfo=SEOUL),
            "coupon.not_yet_valid",
            {"valid_from": "2026-03-01"},
        ),
        (
            make_coupon(),
            datetime(2026, 3, 31, 0, 0, tzinfo=SEOUL),
            "coupon.expired",
            {"valid_until": "2026-03-30"},
        ),
    ],
)
def test_usable_refusals(coupon, now, code, params):
    with pytest.raises(Refused) as caught:
        check_coupon_usable(coupon, now)
    assert caught.value.code == code
    assert caught.value.params == params


@pytest.mark.parametrize(
    ("kind", "value", "amount", "discount"),
    [
        ("amount", 3000, 10_000, 3000),
        ("amount", 3000, 2_500, 2_500),
        ("percent", 10, 4_550, 455),
        ("percent", 15, 999, 149),
        ("item", 0, 10_000, 0),
        ("amount", 3000, 0, 0),
    ],
)
def test_coupon_discount(kind, value, amount, discount):
    assert coupon_discount(kind, value, amount) == discount


def test_coupon_discount_refusals():
    with pytest.raises(Refused) as caught:
        coupon_discount("gift", 1, 1000)
    assert caught.value.code == "coupon.kind"
    with pytest.raises(Refused) as caught:
        coupon_discount("amount", 1, -1)
    assert caught.value.code == "amount.not_positive"


@given(st.sampled_from(["amount", "percent", "item"]), st.integers(1, 100), st.integers(0, 10**8))
def test_discount_never_exceeds_the_amount(kind, value, amount):
    assert 0 <= coupon_discount(kind, value, amount) <= amount


def test_utc_now_shows_dates_in_utc():
    utc_now = datetime(2026, 4, 1, 0, 0, tzinfo=ZoneInfo("UTC"))
    with pytest.raises(Refused) as caught:
        check_coupon_usable(make_coupon(), utc_now + timedelta(days=1))
    assert caught.value.code == "coupon.expired"
