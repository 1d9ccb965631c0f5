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


def at(ctx, *args: int) -> None:
    """Move the shop's clock to a local (Seoul) time."""
    ctx.fixed_now = datetime(*args, tzinfo=ctx.zone).astimezone(UTC)


def with_changes(ctx, **changes) -> None:
    doc = program.show_program(ctx)
    for path, value in changes.items():
        section, key = path.split("__")
        doc[section][key] = value
    load_program(ctx, doc)


def test_points_expire_fifo_and_the_daily_run_is_idempotent(ctx) -> None:
    at(ctx, 2026, 1, 10, 12)
    e = customers.enroll(ctx, PHONE)
    sales.record_sale(
        ctx, resolve_customer(ctx, PHONE), 100_000
    )  # 2,000 P, usable through 2027-01-10
    at(ctx, 2026, 6, 1, 12)
    sales.record_sale(
        ctx, resolve_customer(ctx, PHONE), 50_000
    )  # 1,000 P, usable through 2027-06-01
    redemptions.redeem_points(ctx, resolve_customer(ctx, PHONE), 1500)  # eats the oldest lot first
    at(ctx, 2026, 12, 20, 12)
    status = customers.customer_status(ctx, resolve_customer(ctx, PHONE))
    assert (status.points, status.points_expiring_30d) == (1500, 500)
    at(ctx, 2027, 1, 10, 23)  # still the last usable day
    assert customers.customer_status(ctx, resolve_customer(ctx, PHONE)).points == 1500
    at(ctx, 2027, 1, 11, 0, 30)
    assert customers.customer_status(ctx, resolve_customer(ctx, PHONE)).points == 1000
    first = daily.run_daily(ctx)
    assert (first.expired_customers, first.expired_points) == (1, 500)
    assert ledger_sum(ctx, e.id)[0] == 1000
    before = snapshot(ctx)
    again = daily.run_daily(ctx)
    assert again.expired_points == 0
    after = snapshot(ctx)
    # only the run's own bookkeeping (audit row) may change
    assert {k: v for k, v in after.items() if k != "audit_log"} == {
        k: v for k, v in before.items() if k != "audit_log"
    }


def test_monthly_evaluation_drops_one_step_once(ctx) -> None:
    at(ctx, 2026, 1, 5, 12)
    customers.enroll(ctx, PHONE)
    assert sales.record_sale(ctx, resolve_customer(ctx, PHONE), 3_000_000).tier == "PLATINUM"
    at(ctx, 2026, 5, 1, 9)  # window Feb–Apr: no spend at all
    result = daily.run_daily(ctx)
    assert (result.tiers_evaluated, result.demoted) == (1, 1)
    assert customers.customer_status(ctx, resolve_customer(ctx, PHONE)).tier == "GOLD"
    again = daily.run_daily(ctx)
    assert again.tiers_evaluated == 0
    assert customers.customer_status(ctx, resolve_customer(ctx, PHONE)).tier == "GOLD"
    at(ctx, 2026, 6, 1, 9)
    daily.run_daily(ctx)
    assert customers.customer_status(ctx, resolve_customer(ctx, PHONE)).tier == "SILVER"


def test_evaluation_keeps_a_member_who_still_qualifies(ctx) -> None:
    at(ctx, 2026, 2, 5, 12)
    customers.enroll(ctx, PHONE)
    sales.record_sale(ctx, resolve_customer(ctx, PHONE), 700_000)
    at(ctx, 2026, 3, 1, 9)
    result = daily.run_daily(ctx)
    assert (result.tiers_evaluated, result.demoted) == (1, 0)
    assert customers.customer_status(ctx, resolve_customer(ctx, PHONE)).tier == "SILVER"


def test_signup_referral_and_birthday_bonuses(ctx) -> None:
    with_changes(ctx, bonuses__signup=500, bonuses__referral=1000, bonuses__birthday=2000)
    at(ctx, 2026, 3, 2, 12)
    friend = customers.enroll(ctx, "010-2222-3333", birthday="1991-03-20")
    assert friend.points == 500
    newbie = customers.enroll(
        ctx,
        PHONE,
        referrer_id=customers.resolve_customer(ctx, "010-2222-3333"),
        birthday="1990-07-01",
    )
    assert newbie.points == 1500
    assert customers.customer_status(ctx, resolve_customer(ctx, "010-2222-3333")).points == 1500
    first = daily.run_daily(ctx)
    assert first.birthday_bonuses == 1
    assert customers.customer_status(ctx, resolve_customer(ctx, "010-2222-3333")).points == 3500
    at(ctx, 2026, 3, 25, 12)
    assert daily.run_daily(ctx).birthday_bonuses == 0
    at(ctx, 2027, 3, 1, 12)
    # the friend's March again, and the newbie's July 2026 the closed app missed (caught up)
    assert daily.run_daily(ctx).birthday_bonuses == 2
    assert daily.run_daily(ctx).birthday_bonuses == 0


def test_campaign_multiplier_inside_its_hours_only(ctx) -> None:
    doc = program.show_program(ctx)
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
    load_program(ctx, doc)
    customers.enroll(ctx, PHONE)
    at(ctx, 2026, 12, 2, 15)  # Wednesday 15:00
    inside = sales.record_sale(ctx, resolve_customer(ctx, PHONE), 10_000)
    assert (inside.points_earned, inside.campaigns) == (500, ("더블 포인트",))
    at(ctx, 2026, 12, 2, 17)  # the hour range is [from, to)
    assert sales.record_sale(ctx, resolve_customer(ctx, PHONE), 10_000).points_earned == 200
    at(ctx, 2026, 12, 5, 15)  # Saturday
    assert sales.record_sale(ctx, resolve_customer(ctx, PHONE), 10_000).points_earned == 200


def test_bad_program_refused_and_the_old_one_stays(ctx) -> None:
    before = program.show_program(ctx)
    doc = program.show_program(ctx)
    doc["stamps"]["goal"] = 0
    with pytest.raises(Refused):
        load_program(ctx, doc)
    doc = program.show_program(ctx)
    doc["tiers"]["levels"][2]["min_spend"] = 100
    with pytest.raises(Refused):
        load_program(ctx, doc)
    assert program.show_program(ctx) == before


def test_new_program_applies_to_new_actions_only(ctx) -> None:
    customers.enroll(ctx, PHONE)
    sales.record_sale(ctx, resolve_customer(ctx, PHONE), 10_000)
    doc = program.show_program(ctx)
    doc["tiers"]["levels"][0]["earn_percent"] = 5
    load_program(ctx, doc)
    assert sales.record_sale(ctx, resolve_customer(ctx, PHONE), 10_000).points_earned == 500
    assert customers.customer_status(ctx, resolve_customer(ctx, PHONE)).points == 700


def test_adjust_needs_a_reason_and_never_goes_below_zero(ctx) -> None:
    customers.enroll(ctx, PHONE)
    owner.adjust_points(ctx, resolve_customer(ctx, PHONE), 700, "종이 쿠폰 이관")
    before = snapshot(ctx)
    for points, reason, code in [
        (100, " ", "adjust.reason_required"),
        (0, "x", "adjust.zero"),
        (-800, "실수", "adjust.below_zero"),
    ]:
        with pytest.raises(Refused) as refused:
            owner.adjust_points(ctx, resolve_customer(ctx, PHONE), points, reason)
        assert refused.value.code == code
    assert snapshot(ctx) == before
    assert owner.adjust_points(ctx, resolve_customer(ctx, PHONE), -700, "실수 정정").points == 0


def test_ledger_lines_reconcile_with_the_status(ctx) -> None:
    customers.enroll(ctx, PHONE)
    sales.record_sale(ctx, resolve_customer(ctx, PHONE), 80_000)
    redemptions.redeem_points(ctx, resolve_customer(ctx, PHONE), 1000)
    sales.record_sale(ctx, resolve_customer(ctx, PHONE), 20_000)
    _, lines = owner.ledger_lines(ctx, resolve_customer(ctx, PHONE))
    status = customers.customer_status(ctx, resolve_customer(ctx, PHONE))
    assert lines[-1].points_balance == status.points == 1000
    assert [line.kind for line in lines] == ["earn", "redeem", "earn"]
    assert sum(line.points for line in lines) == status.points


def test_monthly_report_counts(ctx) -> None:
    at(ctx, 2026, 4, 3, 12)
    customers.enroll(ctx, PHONE)
    customers.enroll(ctx, "010-2222-3333")
    sales.record_sale(ctx, resolve_customer(ctx, PHONE), 100_000)
    sales.record_sale(ctx, resolve_customer(ctx, PHONE), 10_000)
    used = redemptions.redeem_points(ctx, resolve_customer(ctx, PHONE), 1000)
    at(ctx, 2026, 5, 3, 12)
    customers.enroll(ctx, "010-4444-5555")
    sales.record_sale(ctx, resolve_customer(ctx, "010-2222-3333"), 50_000)
    sales.void_action(ctx, str(used.redemption_id))
    april = reports.monthly_report(ctx, "2026-04")
    assert (april.members, april.new_members, april.active_members, april.visits) == (2, 2, 1, 2)
    assert (april.points_issued, april.points_redeemed, april.points_outstanding) == (
        2200,
        1000,
        1200,
    )
    assert april.tier_counts["BASIC"] == 2
    may = reports.monthly_report(ctx, "2026-05")
    assert (may.members, may.new_members, may.active_members) == (3, 1, 1)
    # the void gives the points back in the month it happened
    assert (may.points_redeemed, may.points_outstanding) == (-1000, 3200)
    year = reports.range_report(ctx, "2026-01", "2026-12")
    assert [r.month for r in year][:5] == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"]
    assert year[3] == april
    with pytest.raises(Refused):
        reports.monthly_report(ctx, "2026-13")


def test_report_figures_equal_a_full_recount(ctx) -> None:
    """The running figures agree with counting the tables directly."""
    from sqlalchemy import func, select

    from app.db.models import Customer, LedgerEntry

    at(ctx, 2026, 4, 3, 12)
    for i in range(5):
        customers.enroll(ctx, f"010-3000-000{i}")
        sales.record_sale(ctx, resolve_customer(ctx, f"010-3000-000{i}"), 10_000 * (i + 1))
    redemptions.redeem_points(ctx, resolve_customer(ctx, "010-3000-0004"), 1000)
    customers.erase_customer(ctx, resolve_customer(ctx, "010-3000-0000"))
    april = reports.monthly_report(ctx, "2026-04")
    with ctx.db.read() as session:
        members = session.scalar(
            select(func.count()).select_from(Customer).where(Customer.status == "active")
        )
        outstanding = session.scalar(select(func.sum(LedgerEntry.points)))
    assert april.members == members == 4
    assert april.points_outstanding == outstanding
    assert sum(april.tier_counts.values()) == members


def test_clock_is_timezone_aware_utc_in_storage(ctx) -> None:
    from app.db.models import Sale

    customers.enroll(ctx, PHONE)
    sales.record_sale(ctx, resolve_customer(ctx, PHONE), 5000)
    with ctx.db.read() as session:
        sale = session.query(Sale).one()
    assert sale.occurred_at.tzinfo is not None
    assert sale.occurred_at.utcoffset() == timedelta(0)
    assert sale.occurred_at == ctx.now()
