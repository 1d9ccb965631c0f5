"""The counter's use cases on SQLite and PostgreSQL: enroll, find, sale, redeem, void."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.domain.card import format_card_token
from app.domain.errors import Refused
from app.services import customers, redemptions, sales
from app.services.customers import resolve_customer
from tests.services.helpers import ledger_sum, snapshot

PHONE = "010-1234-5678"


def enroll(ctx, phone=PHONE, **kw):
    return customers.enroll(ctx, phone, **kw)


def test_enroll_then_find_every_way(ctx) -> None:
    e = enroll(ctx, name="김민준", birthday="1990-04-02", marketing_consent=True)
    assert e.phone_masked == "010-****-5678"
    assert len(e.card) == 16
    for query in [
        "010-1234-5678",
        "01012345678",
        "+82 10-1234-5678",
        "5678",
        "김민",
        e.card,
        format_card_token(e.card),
    ]:
        found = customers.find_customers(ctx, query)
        assert [c.id for c in found] == [e.id], query
    status = customers.customer_status(ctx, resolve_customer(ctx, "０１０－１２３４－５６７８"))
    assert (status.tier, status.points, status.stamps) == ("BASIC", 0, 0)
    assert status.marketing_consent is True
    assert status.name_masked == "김*준"


def test_last4_lists_every_match_and_who_must_be_exact(ctx) -> None:
    enroll(ctx, "010-1111-5678", name="가")
    enroll(ctx, "010-2222-5678", name="나")
    enroll(ctx, "010-3333-1234")
    assert len(customers.find_customers(ctx, "5678")) == 2
    with pytest.raises(Refused) as refused:
        sales.record_sale(ctx, resolve_customer(ctx, "5678"), 5000)
    assert refused.value.code == "who.ambiguous"


@pytest.mark.parametrize(
    ("phone", "code"),
    [
        ("010-1234-567", "phone.too_short"),
        ("02-123-4567", "phone.not_mobile"),
        ("abc", "phone.invalid_chars"),
        ("011-234-5678", "phone.retired_prefix"),
        ("", "phone.empty"),
    ],
)
def test_bad_phone_refused_and_nothing_written(ctx, phone: str, code: str) -> None:
    before = snapshot(ctx)
    with pytest.raises(Refused) as refused:
        enroll(ctx, phone)
    assert refused.value.code == code
    assert snapshot(ctx) == before


def test_duplicate_and_bad_fields_refused(ctx) -> None:
    enroll(ctx)
    before = snapshot(ctx)
    for kwargs, code in [
        ({}, "customer.exists"),
        ({"name": "김1"}, "customer.name_digits"),
        ({"birthday": "1990-13-01"}, "customer.birthday_invalid"),
        ({"birthday": "2099-01-01"}, "customer.birthday_range"),
    ]:
        phone = PHONE if code == "customer.exists" else "010-9876-5432"
        with pytest.raises(Refused) as refused:
            enroll(ctx, phone, **kwargs)
        assert refused.value.code == code
    assert snapshot(ctx) == before


def test_sale_earns_floor_points_and_a_stamp(ctx) -> None:
    e = enroll(ctx)
    result = sales.record_sale(ctx, resolve_customer(ctx, PHONE), 12_345)
    assert result.points_earned == 246  # 2 % of 12,345 = 246.9 -> floor
    assert result.stamps_earned == 1
    assert (result.points, result.stamps) == (246, 1)
    assert ledger_sum(ctx, e.id) == (246, 1)


@pytest.mark.parametrize("amount", [0, -5000, 100_000_001])
def test_bad_amounts_refused(ctx, amount: int) -> None:
    enroll(ctx)
    before = snapshot(ctx)
    with pytest.raises(Refused):
        sales.record_sale(ctx, resolve_customer(ctx, PHONE), amount)
    with pytest.raises(Refused):
        sales.record_sale(ctx, resolve_customer(ctx, PHONE), 5000, items=0)
    assert snapshot(ctx) == before


def test_stamps_carry_over_and_reward(ctx) -> None:
    enroll(ctx)
    for _ in range(9):
        sales.record_sale(ctx, resolve_customer(ctx, PHONE), 5000)
    with pytest.raises(Refused) as refused:
        redemptions.redeem_stamps(ctx, resolve_customer(ctx, PHONE))
    assert refused.value.code == "redeem.stamps_insufficient"
    sales.record_sale(ctx, resolve_customer(ctx, PHONE), 5000)
    sales.record_sale(ctx, resolve_customer(ctx, PHONE), 5000)
    status = customers.customer_status(ctx, resolve_customer(ctx, PHONE))
    assert (status.stamps, status.rewards_ready) == (11, 1)
    used = redemptions.redeem_stamps(ctx, resolve_customer(ctx, PHONE))
    assert used.stamps == 1 and used.reward == "아메리카노 1잔"


def test_redeem_points_rules(ctx) -> None:
    e = enroll(ctx)
    sales.record_sale(ctx, resolve_customer(ctx, PHONE), 100_000)  # 2,000 points
    before = snapshot(ctx)
    for points, code in [
        (500, "redeem.below_minimum"),
        (1050, "redeem.not_unit"),
        (3000, "redeem.insufficient"),
        (0, "redeem.not_positive"),
        (-1000, "redeem.not_positive"),
    ]:
        with pytest.raises(Refused) as refused:
            redemptions.redeem_points(ctx, resolve_customer(ctx, PHONE), points)
        assert refused.value.code == code, points
    assert snapshot(ctx) == before
    result = redemptions.redeem_points(ctx, resolve_customer(ctx, PHONE), 1500)
    assert result.points == 500
    assert ledger_sum(ctx, e.id)[0] == 500


def test_void_sale_restores_exactly_once(ctx) -> None:
    e = enroll(ctx)
    first = sales.record_sale(ctx, resolve_customer(ctx, PHONE), 10_000)
    sale = sales.record_sale(ctx, resolve_customer(ctx, PHONE), 50_000, items=1)
    voided = sales.void_action(ctx, str(sale.sale_id))
    assert (voided.points_change, voided.stamps_change) == (-1000, -1)
    assert (voided.points, voided.stamps) == (first.points, first.stamps)
    assert ledger_sum(ctx, e.id) == (200, 1)
    before = snapshot(ctx)
    with pytest.raises(Refused) as refused:
        sales.void_action(ctx, str(sale.sale_id))
    assert refused.value.code == "void.already"
    with pytest.raises(Refused):
        sales.void_action(ctx, "not-an-id")
    assert snapshot(ctx) == before


def test_void_redemption_gives_back_and_spent_sale_cannot_be_voided(ctx) -> None:
    enroll(ctx)
    sale = sales.record_sale(ctx, resolve_customer(ctx, PHONE), 100_000)
    used = redemptions.redeem_points(ctx, resolve_customer(ctx, PHONE), 2000)
    with pytest.raises(Refused) as refused:
        sales.void_action(ctx, str(sale.sale_id))
    assert refused.value.code == "void.points_spent"
    back = sales.void_action(ctx, str(used.redemption_id))
    assert (back.points_change, back.points) == (2000, 2000)
    sales.void_action(ctx, str(sale.sale_id))
    assert customers.customer_status(ctx, resolve_customer(ctx, PHONE)).points == 0


def test_promotion_on_sale_and_void_takes_it_back(ctx) -> None:
    enroll(ctx)
    sales.record_sale(ctx, resolve_customer(ctx, PHONE), 500_000)
    big = sales.record_sale(
        ctx, resolve_customer(ctx, PHONE), 200_000
    )  # 700,000 in the window: SILVER
    assert (big.promoted_from, big.tier) == ("BASIC", "SILVER")
    # the rate of the new tier applies from the next purchase
    assert sales.record_sale(ctx, resolve_customer(ctx, PHONE), 10_000).points_earned == 300
    voided = sales.void_action(ctx, str(big.sale_id))
    assert voided.tier == "BASIC"


def test_coupon_used_once_and_again_after_void(ctx) -> None:
    from app.services import owner

    enroll(ctx)
    enroll(ctx, "010-2222-3333")
    coupon = owner.issue_coupon(ctx, resolve_customer(ctx, PHONE), "amount", 3000, 30)
    assert [
        c.code for c in customers.customer_status(ctx, resolve_customer(ctx, PHONE)).coupons
    ] == [coupon.code]
    with pytest.raises(Refused) as refused:
        redemptions.redeem_coupon(ctx, resolve_customer(ctx, "010-2222-3333"), coupon.code)
    assert refused.value.code == "coupon.other_customer"
    used = redemptions.redeem_coupon(ctx, resolve_customer(ctx, PHONE), coupon.code.lower())
    with pytest.raises(Refused) as refused:
        redemptions.redeem_coupon(ctx, resolve_customer(ctx, PHONE), coupon.code)
    assert refused.value.code == "coupon.used"
    assert customers.customer_status(ctx, resolve_customer(ctx, PHONE)).coupons == []
    sales.void_action(ctx, str(used.redemption_id))
    assert len(customers.customer_status(ctx, resolve_customer(ctx, PHONE)).coupons) == 1
    ctx.fixed_now = ctx.now() + timedelta(days=32)
    with pytest.raises(Refused) as refused:
        redemptions.redeem_coupon(ctx, resolve_customer(ctx, PHONE), coupon.code)
    assert refused.value.code == "coupon.expired"


def test_erase_keeps_totals_and_forgets_the_person(ctx) -> None:
    e = enroll(ctx, name="김민준", birthday="1990-04-02")
    sales.record_sale(ctx, resolve_customer(ctx, PHONE), 50_000)
    sums = ledger_sum(ctx, e.id)
    customers.erase_customer(ctx, resolve_customer(ctx, PHONE))
    assert customers.find_customers(ctx, "5678") == []
    assert customers.find_customers(ctx, "김민") == []
    with pytest.raises(Refused):
        customers.customer_status(ctx, resolve_customer(ctx, e.card))
    assert ledger_sum(ctx, e.id) == sums
    # the number is free again
    enroll(ctx)


def test_blank_card_assigned_at_enrollment(ctx) -> None:
    from app.db.models import MembershipCard
    from app.domain.card import new_card_token

    token = new_card_token()
    with ctx.db.write() as session:
        session.add(MembershipCard(token=token, issued_at=ctx.now()))
    e = enroll(ctx, card_token=token)
    assert e.card == token
    assert customers.find_customers(ctx, token)[0].id == e.id
    with pytest.raises(Refused) as refused:
        enroll(ctx, "010-2222-3333", card_token=token)
    assert refused.value.code == "card.taken"


def test_reissued_card_replaces_the_lost_one(ctx) -> None:
    e = enroll(ctx)
    new = customers.reissue_card(ctx, resolve_customer(ctx, PHONE))
    assert new != e.card
    assert customers.find_customers(ctx, new)[0].id == e.id
    before = snapshot(ctx)
    with pytest.raises(Refused) as refused:
        sales.record_sale(ctx, resolve_customer(ctx, e.card), 5000)
    assert refused.value.code == "card.revoked"
    assert snapshot(ctx) == before
    assert customers.customer_status(ctx, resolve_customer(ctx, PHONE)).card == new


def test_last_visits_leave_out_voided_sales(ctx) -> None:
    enroll(ctx)
    sales.record_sale(ctx, resolve_customer(ctx, PHONE), 4500)
    ctx.fixed_now = ctx.now() + timedelta(hours=1)
    voided = sales.record_sale(ctx, resolve_customer(ctx, PHONE), 9000)
    ctx.fixed_now = ctx.now() + timedelta(hours=1)
    sales.record_sale(ctx, resolve_customer(ctx, PHONE), 6000)
    sales.void_action(ctx, str(voided.sale_id))
    visits = customers.customer_status(ctx, resolve_customer(ctx, PHONE)).last_visits
    assert [amount for _, amount in visits] == [6000, 4500]


def test_settings_checked_and_owner_only(ctx) -> None:
    from app.services import settings, staff

    settings.update_settings(ctx, idle_minutes=5, language="en")
    assert settings.setting(ctx, "idle_minutes") == 5
    with pytest.raises(Refused):
        settings.update_settings(ctx, idle_minutes=0)
    cashier = staff.add_staff(ctx, "이알바", "cashier", "4321")
    staff.sign_in(ctx, cashier.id, "4321")
    with pytest.raises(Refused) as refused:
        settings.update_settings(ctx, idle_minutes=7)
    assert refused.value.code == "staff.owner_only"


def test_a_counter_action_returns_what_the_screen_shows_next(ctx) -> None:
    """The sale's result carries the status and the slip, equal to reading them again."""
    customers.enroll(ctx, PHONE)
    customer_id = resolve_customer(ctx, PHONE)
    sale = sales.record_sale(ctx, customer_id, 12_000, with_slip=True)
    assert sale.status == customers.customer_status(ctx, customer_id)
    assert sale.slip is not None and sale.slip.points == sale.points == sale.status.points
    void = sales.void_action(ctx, str(sale.sale_id))
    assert void.status == customers.customer_status(ctx, customer_id)
    assert void.status is not None and void.status.points == 0
