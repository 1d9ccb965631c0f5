"""The program over time: expiry, the daily run, tiers, bonuses, campaigns, reports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.domain.errors import Refused
from app.services import customers, daily, owner, program, redemptions, reports, sales
from app.services.customers import resolve_customer
from app.services.program import load_program
from tests.services.helpers import ledger_sum, snapshot

PHONE = "010-1234-5678"


def at(shop, *args: int) -> None:
    """Move the shop's clock to a local (Seoul) time."""
    shop.fixed_now = datetime(*args, tzinfo=shop.zone).astimezone(UTC)


def with_changes(shop, **changes) -> None:
    doc = program.show_program(shop)
    for path, value in changes.items():
        section, key = path.split("__")
        doc[section][key] = value
    load_program(shop, doc)


def test_points_expire_fifo_and_the_daily_run_is_idempotent(shop) -> None:
    at(shop, 2026, 1, 10, 12)
    e = customers.enroll(shop, PHONE)
    sales.record_sale(
        shop, resolve_customer(shop, PHONE), 100_000
    )  # 2,000 P, usable through 2027-01-10
    at(shop, 2026, 6, 1, 12)
    sales.record_sale(
        shop, resolve_customer(shop, PHONE), 50_000
    )  # 1,000 P, usable through 2027-06-01
    redemptions.redeem_points(
        shop, resolve_customer(shop, PHONE), 1500
    )  # eats the oldest lot first
    at(shop, 2026, 12, 20, 12)
    status = customers.customer_status(shop, resolve_customer(shop, PHONE))
    assert (status.points, status.points_expiring_30d) == (1500, 500)
    at(shop, 2027, 1, 10, 23)  # still the last usable day
    assert customers.customer_status(shop, resolve_customer(shop, PHONE)).points == 1500
    at(shop, 2027, 1, 11, 0, 30)
    assert customers.customer_status(shop, resolve_customer(shop, PHONE)).points == 1000
    first = daily.run_daily(shop)
    assert (first.expired_customers, first.expired_points) == (1, 500)
    assert ledger_sum(shop, e.id)[0] == 1000
    before = snapshot(shop)
    again = daily.run_daily(shop)
    assert again.expired_points == 0
    after = snapshot(shop)
    # only the run's own bookkeeping (audit row) may change
    assert {k: v for k, v in after.items() if k != "audit_log"} == {
        k: v for k, v in before.items() if k != "audit_log"
    }


def test_monthly_evaluation_drops_one_step_once(shop) -> None:
    at(shop, 2026, 1, 5, 12)
    customers.enroll(shop, PHONE)
    assert sales.record_sale(shop, resolve_customer(shop, PHONE), 3_000_000).tier == "PLATINUM"
    at(shop, 2026, 5, 1, 9)  # window Feb–Apr: no spend at all
    result = daily.run_daily(shop)
    assert (result.tiers_evaluated, result.demoted) == (1, 1)
    assert customers.customer_status(shop, resolve_customer(shop, PHONE)).tier == "GOLD"
    again = daily.run_daily(shop)
    assert again.tiers_evaluated == 0
    assert customers.customer_status(shop, resolve_customer(shop, PHONE)).tier == "GOLD"
    at(shop, 2026, 6, 1, 9)
    daily.run_daily(shop)
    assert customers.customer_status(shop, resolve_customer(shop, PHONE)).tier == "SILVER"


def test_evaluation_keeps_a_member_who_still_qualifies(shop) -> None:
    at(shop, 2026, 2, 5, 12)
    customers.enroll(shop, PHONE)
    sales.record_sale(shop, resolve_customer(shop, PHONE), 700_000)
    at(shop, 2026, 3, 1, 9)
    result = daily.run_daily(shop)
    assert (result.tiers_evaluated, result.demoted) == (1, 0)
    assert customers.customer_status(shop, resolve_customer(shop, PHONE)).tier == "SILVER"


def test_signup_referral_and_birthday_bonuses(shop) -> None:
    with_changes(shop, bonuses__signup=500, bonuses__referral=1000, bonuses__birthday=2000)
    at(shop, 2026, 3, 2, 12)
    friend = customers.enroll(shop, "010-2222-3333", birthday="1991-03-20")
    assert friend.points == 500
    newbie = customers.enroll(shop, PHONE, referrer="010-2222-3333", birthday="1990-07-01")
    assert newbie.points == 1500
    assert customers.customer_status(shop, resolve_customer(shop, "010-2222-3333")).points == 1500
    first = daily.run_daily(shop)
    assert first.birthday_bonuses == 1
    assert customers.customer_status(shop, resolve_customer(shop, "010-2222-3333")).points == 3500
    at(shop, 2026, 3, 25, 12)
    assert daily.run_daily(shop).birthday_bonuses == 0
    at(shop, 2027, 3, 1, 12)
    assert daily.run_daily(shop).birthday_bonuses == 1


def test_campaign_multiplier_inside_its_hours_only(shop) -> None:
    doc = program.show_program(shop)
    doc["campaigns"] = [
        {
            "name": "더블 포인트",
            "multiplier": 2,
            "bonus": 100,
            "start": "2026-12-01",
            "end": "2026-12-31",
            "weekdays": [0, 1, 2, 3, 4],
            "hours": [14, 17],
            "tiers": [],
        }
    ]
    load_program(shop, doc)
    customers.enroll(shop, PHONE)
    at(shop, 2026, 12, 2, 15)  # Wednesday 15:00
    inside = sales.record_sale(shop, resolve_customer(shop, PHONE), 10_000)
    assert (inside.points_earned, inside.campaigns) == (500, ("더블 포인트",))
    at(shop, 2026, 12, 2, 17)  # the hour range is [from, to)
    assert sales.record_sale(shop, resolve_customer(shop, PHONE), 10_000).points_earned == 200
    at(shop, 2026, 12, 5, 15)  # Saturday
    assert sales.record_sale(shop, resolve_customer(shop, PHONE), 10_000).points_earned == 200


def test_bad_program_refused_and_the_old_one_stays(shop) -> None:
    before = program.show_program(shop)
    doc = program.show_program(shop)
    doc["stamps"]["goal"] = 0
    with pytest.raises(Refused):
        load_program(shop, doc)
    doc = program.show_program(shop)
    doc["tiers"]["levels"][2]["min_spend"] = 100
    with pytest.raises(Refused):
        load_program(shop, doc)
    assert program.show_program(shop) == before


def test_new_program_applies_to_new_actions_only(shop) -> None:
    customers.enroll(shop, PHONE)
    sales.record_sale(shop, resolve_customer(shop, PHONE), 10_000)
    doc = program.show_program(shop)
    doc["tiers"]["levels"][0]["earn_percent"] = 5
    load_program(shop, doc)
    assert sales.record_sale(shop, resolve_customer(shop, PHONE), 10_000).points_earned == 500
    assert customers.customer_status(shop, resolve_customer(shop, PHONE)).points == 700


def test_adjust_needs_a_reason_and_never_goes_below_zero(shop) -> None:
    customers.enroll(shop, PHONE)
    owner.adjust_points(shop, resolve_customer(shop, PHONE), 700, "종이 쿠폰 이관")
    before = snapshot(shop)
    for points, reason, code in [
        (100, " ", "adjust.reason_required"),
        (0, "x", "adjust.zero"),
        (-800, "실수", "adjust.below_zero"),
    ]:
        with pytest.raises(Refused) as refused:
            owner.adjust_points(shop, resolve_customer(shop, PHONE), points, reason)
        assert refused.value.code == code
    assert snapshot(shop) == before
    assert owner.adjust_points(shop, resolve_customer(shop, PHONE), -700, "실수 정정").points == 0


def test_ledger_lines_reconcile_with_the_status(shop) -> None:
    customers.enroll(shop, PHONE)
    sales.record_sale(shop, resolve_customer(shop, PHONE), 80_000)
    redemptions.redeem_points(shop, resolve_customer(shop, PHONE), 1000)
    sales.record_sale(shop, resolve_customer(shop, PHONE), 20_000)
    _, lines = owner.ledger_lines(shop, resolve_customer(shop, PHONE))
    status = customers.customer_status(shop, resolve_customer(shop, PHONE))
    assert lines[-1].points_balance == status.points == 1000
    assert [line.kind for line in lines] == ["earn", "redeem", "earn"]
    assert sum(line.points for line in lines) == status.points


def test_monthly_report_counts(shop) -> None:
    at(shop, 2026, 4, 3, 12)
    customers.enroll(shop, PHONE)
    customers.enroll(shop, "010-2222-3333")
    sales.record_sale(shop, resolve_customer(shop, PHONE), 100_000)
    sales.record_sale(shop, resolve_customer(shop, PHONE), 10_000)
    used = redemptions.redeem_points(shop, resolve_customer(shop, PHONE), 1000)
    at(shop, 2026, 5, 3, 12)
    customers.enroll(shop, "010-4444-5555")
    sales.record_sale(shop, resolve_customer(shop, "010-2222-3333"), 50_000)
    sales.void_action(shop, str(used.redemption_id))
    april = reports.monthly_report(shop, "2026-04")
    assert (april.members, april.new_members, april.active_members, april.visits) == (2, 2, 1, 2)
    assert (april.points_issued, april.points_redeemed, april.points_outstanding) == (
        2200,
        1000,
        1200,
    )
    assert april.tier_counts["BASIC"] == 2
    may = reports.monthly_report(shop, "2026-05")
    assert (may.members, may.new_members, may.active_members) == (3, 1, 1)
    # the void gives the points back in the month it happened
    assert (may.points_redeemed, may.points_outstanding) == (-1000, 3200)
    year = reports.range_report(shop, "2026-01", "2026-12")
    assert [r.month for r in year][:5] == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"]
    assert year[3] == april
    with pytest.raises(Refused):
        reports.monthly_report(shop, "2026-13")


def test_report_figures_equal_a_full_recount(shop) -> None:
    """The running figures agree with counting the tables directly."""
    from sqlalchemy import func, select

    from app.db.models import Customer, LedgerEntry

    at(shop, 2026, 4, 3, 12)
    for i in range(5):
        customers.enroll(shop, f"010-3000-000{i}")
        sales.record_sale(shop, resolve_customer(shop, f"010-3000-000{i}"), 10_000 * (i + 1))
    redemptions.redeem_points(shop, resolve_customer(shop, "010-3000-0004"), 1000)
    customers.erase_customer(shop, resolve_customer(shop, "010-3000-0000"))
    april = reports.monthly_report(shop, "2026-04")
    with shop.db.read() as session:
        members = session.scalar(
            select(func.count()).select_from(Customer).where(Customer.status == "active")
        )
        outstanding = session.scalar(select(func.sum(LedgerEntry.points)))
    assert april.members == members == 4
    assert april.points_outstanding == outstanding
    assert sum(april.tier_counts.values()) == members


def test_clock_is_timezone_aware_utc_in_storage(shop) -> None:
    from app.db.models import Sale

    customers.enroll(shop, PHONE)
    sales.record_sale(shop, resolve_customer(shop, PHONE), 5000)
    with shop.db.read() as session:
        sale = session.query(Sale).one()
    assert sale.occurred_at.tzinfo is not None
    assert sale.occurred_at.utcoffset() == timedelta(0)
    assert sale.occurred_at == shop.now()
