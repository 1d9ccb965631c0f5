"""The fraud guards on a real database: each one fires on its pattern and stays quiet otherwise."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from app.domain.errors import Refused
from app.services import checkin, customers, fraud, pos, sales, settings, staff, sync
from app.services.context import Context
from tests.conftest import START

A, B = "010-1234-5678", "010-2222-3333"


def _member(ctx: Context, phone: str, name: str = "김단골") -> uuid.UUID:
    return customers.enroll(ctx, phone, name=name).id


def _items(ctx: Context, kind: str) -> list[sync.AttentionItem]:
    return [i for i in sync.needs_attention(ctx) if i.kind == kind]


def _sale_at(ctx: Context, who: uuid.UUID, minutes: int, amount: int = 10_000) -> uuid.UUID:
    ctx.fixed_now = START + timedelta(minutes=minutes)
    return sales.record_sale(ctx, who, amount).sale_id


# --- many earnings on one number in a short time ---------------------------------------------


def test_three_earnings_within_half_an_hour_are_listed(ctx: Context) -> None:
    who = _member(ctx, A)
    for minutes in (0, 10, 25):
        _sale_at(ctx, who, minutes, 20_000)
    (item,) = _items(ctx, "fraud_rapid_earn")
    assert item.customer_id == who and item.detail["count"] == 3
    assert item.points > 0  # what those sales earned
    sentence = fraud.describe(item, "ko")
    assert (
        "30분 안에 3번 적립" in sentence and "5678" in sentence and "03-12 14:00~14:25" in sentence
    )
    assert "earned 3 times within 30 minutes" in fraud.describe(item, "en")


def test_earnings_spread_out_or_on_several_numbers_are_not(ctx: Context) -> None:
    a, b = _member(ctx, A), _member(ctx, B, "이단골")
    for minutes in (0, 20, 40, 60):  # never three inside 30 minutes
        _sale_at(ctx, a, minutes)
    _sale_at(ctx, b, 5)
    _sale_at(ctx, b, 10)  # two on B: under the threshold
    assert _items(ctx, "fraud_rapid_earn") == []


def test_the_thresholds_are_the_owners_settings(ctx: Context) -> None:
    who = _member(ctx, A)
    for minutes in (0, 20, 40):
        _sale_at(ctx, who, minutes)
    assert _items(ctx, "fraud_rapid_earn") == []
    settings.update_settings(ctx, fraud_earn_minutes=60)
    assert [i.detail["count"] for i in _items(ctx, "fraud_rapid_earn")] == [3]
    settings.update_settings(ctx, fraud_earn_count=4)
    assert _items(ctx, "fraud_rapid_earn") == []
    ctx.fixed_now = START + timedelta(days=8)  # older than fraud_days (7): out of sight
    settings.update_settings(ctx, fraud_earn_count=3)
    assert _items(ctx, "fraud_rapid_earn") == []
    with pytest.raises(Refused):
        settings.update_settings(ctx, fraud_earn_count=1)  # every sale would be "many"


# --- staff earning on their own number -------------------------------------------------------


def test_a_cashier_earning_on_their_own_number_is_listed(ctx: Context) -> None:
    own, other = _member(ctx, A, "박직원"), _member(ctx, B)
    cashier = staff.add_staff(ctx, "박직원", "cashier", "2468")
    fraud.link_staff_customer(ctx, cashier.id, own)
    owner_id = ctx.staff_id
    _sale_at(ctx, own, 0)  # the owner rang it up: not the cashier's own
    ctx.staff_id, ctx.staff_role = cashier.id, "cashier"
    _sale_at(ctx, own, 60)
    _sale_at(ctx, own, 240)
    _sale_at(ctx, other, 300)  # someone else's number: fine
    ctx.staff_id, ctx.staff_role = owner_id, "owner"
    (item,) = _items(ctx, "fraud_staff_own")
    assert item.customer_id == own and item.detail == {"staff": "박직원", "count": 2}
    assert "직원 박직원이 자기 번호" in fraud.describe(item, "ko")
    assert "rang up 2 sales on their own number" in fraud.describe(item, "en")


def test_no_link_no_item_and_the_link_is_the_owners(ctx: Context) -> None:
    own = _member(ctx, A, "박직원")
    cashier = staff.add_staff(ctx, "박직원", "cashier", "2468")
    owner_id = ctx.staff_id
    ctx.staff_id, ctx.staff_role = cashier.id, "cashier"
    _sale_at(ctx, own, 0)
    with pytest.raises(Refused):
        fraud.link_staff_customer(ctx, cashier.id, own)  # a cashier cannot set it
    ctx.staff_id, ctx.staff_role = owner_id, "owner"
    assert _items(ctx, "fraud_staff_own") == []
    with pytest.raises(Refused):
        fraud.link_staff_customer(ctx, cashier.id, uuid.uuid4())
    fraud.link_staff_customer(ctx, cashier.id, own)
    assert len(_items(ctx, "fraud_staff_own")) == 1
    fraud.link_staff_customer(ctx, cashier.id, None)
    assert _items(ctx, "fraud_staff_own") == []


# --- check-ins with no sale ------------------------------------------------------------------


def _check_in(ctx: Context, phone: str, minutes: int) -> None:
    """The customer types their number on their own screen (branch checkin's service)."""
    ctx.fixed_now = START + timedelta(minutes=minutes)
    assert checkin.check_in(ctx, phone).checkin_id is not None


def test_check_ins_without_a_sale_are_listed(ctx: Context) -> None:
    a, b = _member(ctx, A), _member(ctx, B)
    for minutes in (0, 60, 120):
        _check_in(ctx, A, minutes)
    for minutes in (0, 60):
        _check_in(ctx, B, minutes)  # two without a sale: under three
    _check_in(ctx, B, 90)
    _sale_at(ctx, b, 95)  # this one bought: the sale fills the check-in's sale_id
    ctx.fixed_now = START + timedelta(hours=3)
    (item,) = _items(ctx, "fraud_checkin_no_sale")
    assert item.customer_id == a and item.detail["count"] == 3
    assert "구매 없이 3번 체크인" in fraud.describe(item, "ko")
    assert "checked in 3 times" in fraud.describe(item, "en")


def test_a_check_in_just_made_is_not_counted_yet(ctx: Context) -> None:
    _member(ctx, A)
    for minutes in (0, 60, 170):  # the last one 10 minutes ago: its sale may still come
        _check_in(ctx, A, minutes)
    ctx.fixed_now = START + timedelta(hours=3)
    assert _items(ctx, "fraud_checkin_no_sale") == []
    ctx.fixed_now = START + timedelta(hours=4)  # its window has passed
    assert [i.detail["count"] for i in _items(ctx, "fraud_checkin_no_sale")] == [3]


# --- sales by hand while the POS bridge is connected -----------------------------------------


def test_a_sale_by_hand_on_a_day_the_pos_sent_sales_is_listed(ctx: Context) -> None:
    a, b = _member(ctx, A), _member(ctx, B)
    ctx.fixed_now = START
    pos.post_sale(ctx, "S-1", 12_000, customer_id=a, source="api")
    pos.post_sale(ctx, "S-2", 8_000, customer_id=b, source="tap")
    _sale_at(ctx, b, 30)  # typed in by hand the same day
    (item,) = _items(ctx, "fraud_manual_sale")
    assert item.detail == {"day": "03-12", "staff": "사장님", "count": 1, "pos": 2}
    assert "POS가 연결된 날(2건 전송)에 사장님이 판매 1건을 직접 입력" in fraud.describe(item, "ko")
    assert "typed in 1 sale by hand" in fraud.describe(item, "en")


def test_sales_by_hand_without_the_bridge_are_not(ctx: Context) -> None:
    a = _member(ctx, A)
    _sale_at(ctx, a, 0)  # no POS at all that day
    ctx.fixed_now = START
    pos.post_sale(ctx, "C-1", 5_000, customer_id=a, source="cli")  # `sale --ref`: not the bridge
    ctx.fixed_now = START + timedelta(days=1)
    pos.post_sale(ctx, "S-9", 5_000, customer_id=a, source="api")  # the bridge, the next day
    assert _items(ctx, "fraud_manual_sale") == []
    pos.post_sale(ctx, "S-10", 5_000, source="api")  # pending, then attached: not by hand
    pending = pos.pending_sales(ctx)[0]
    pos.attach_customer(ctx, pending.ref, a)
    assert _items(ctx, "fraud_manual_sale") == []


def test_the_guards_are_quiet_on_an_ordinary_day(ctx: Context) -> None:
    a, b = _member(ctx, A), _member(ctx, B)
    _sale_at(ctx, a, 0)
    _sale_at(ctx, b, 5)
    _sale_at(ctx, a, 120)
    assert [i for i in sync.needs_attention(ctx) if i.kind in fraud.KINDS] == []
