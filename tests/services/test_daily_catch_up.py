"""The daily run after days or weeks off, and the record each run leaves (fixed clocks)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from app.db.models import LedgerEntry, TierChange
from app.services import customers, daily, program, sales
from app.services.customers import resolve_customer
from app.services.program import load_program
from tests.services.helpers import snapshot


def at(ctx, *args: int) -> None:
    """Move the shop's clock to a local (Seoul) time."""
    ctx.fixed_now = datetime(*args, tzinfo=ctx.zone).astimezone(UTC)


def birthday_bonus(ctx, amount: int) -> None:
    doc = program.show_program(ctx)
    doc["bonuses"]["birthday"] = amount
    load_program(ctx, doc)


def evaluations(ctx, customer_id) -> list[tuple[str | None, str | None, str]]:
    with ctx.db.read() as session:
        rows = session.scalars(
            select(TierChange)
            .where(TierChange.customer_id == customer_id, TierChange.reason == "evaluation")
            .order_by(TierChange.period)
        ).all()
        return [(r.period, r.from_code, r.to_code) for r in rows]


def birthday_entries(ctx, customer_id) -> list[str | None]:
    with ctx.db.read() as session:
        return list(
            session.scalars(
                select(LedgerEntry.once_key).where(
                    LedgerEntry.customer_id == customer_id, LedgerEntry.reason == "birthday"
                )
            )
        )


def test_forty_days_off_across_month_ends_catches_up_once(ctx) -> None:
    birthday_bonus(ctx, 2000)
    at(ctx, 2025, 10, 15, 12)
    top = customers.enroll(ctx, "010-1000-0001")
    assert sales.record_sale(ctx, resolve_customer(ctx, "010-1000-0001"), 3_000_000).tier == (
        "PLATINUM"
    )
    feb = customers.enroll(ctx, "010-1000-0002", birthday="1990-02-10")
    mar = customers.enroll(ctx, "010-1000-0003", birthday="1985-03-03")
    # the shop ran every day until Jan 25 (the 1sts of Nov, Dec and Jan included)
    for month_first in ((2025, 11, 1), (2025, 12, 1), (2026, 1, 1)):
        at(ctx, *month_first, 10)
        daily.run_daily(ctx)
    at(ctx, 2026, 1, 25, 21)
    daily.run_daily(ctx)
    assert customers.customer_status(ctx, top.id).tier == "PLATINUM"  # Oct spend in window

    # 40 days off: Feb 1 and Mar 1 were never run, two birthdays went by unseen
    at(ctx, 2026, 3, 6, 9)
    result = daily.run_daily(ctx)
    assert result.tier_periods == ("2026-02", "2026-03")
    assert result.tier_period == "2026-03"  # the key kept: the period of today
    assert (result.tiers_evaluated, result.demoted) == (2, 2)
    # each period with its own window (Nov-Jan, then Dec-Feb): one step down each time
    assert evaluations(ctx, top.id)[-2:] == [
        ("2026-02", "PLATINUM", "GOLD"),
        ("2026-03", "GOLD", "SILVER"),
    ]
    assert customers.customer_status(ctx, top.id).tier == "SILVER"
    assert result.birthday_bonuses == 2
    assert birthday_entries(ctx, feb.id) == ["birthday:2026"]
    assert birthday_entries(ctx, mar.id) == ["birthday:2026"]

    # repeated (the same day, then the next): nothing more is given or evaluated
    before = snapshot(ctx)
    again = daily.run_daily(ctx)
    assert (again.tiers_evaluated, again.birthday_bonuses, again.expired_points) == (0, 0, 0)
    at(ctx, 2026, 3, 7, 9)
    daily.run_daily(ctx)
    after = snapshot(ctx)
    assert after["ledger_entries"] == before["ledger_entries"]
    assert after["tier_changes"] == before["tier_changes"]
    assert birthday_entries(ctx, feb.id) == ["birthday:2026"]


def test_a_missed_december_birthday_is_given_for_its_own_year(ctx) -> None:
    birthday_bonus(ctx, 1000)
    at(ctx, 2025, 12, 5, 12)
    late = customers.enroll(ctx, "010-2000-0001", birthday="1992-12-28")
    daily.run_daily(ctx)  # December's birthdays are due all month: given on the 5th
    assert birthday_entries(ctx, late.id) == ["birthday:2025"]
    jan = customers.enroll(ctx, "010-2000-0002", birthday="1992-01-02")
    at(ctx, 2026, 2, 3, 12)  # off from Dec 5 to Feb 3
    assert daily.run_daily(ctx).birthday_bonuses == 1
    assert birthday_entries(ctx, jan.id) == ["birthday:2026"]
    assert birthday_entries(ctx, late.id) == ["birthday:2025"]


def test_a_member_who_joined_after_a_missed_month_is_not_given_it(ctx) -> None:
    birthday_bonus(ctx, 1000)
    at(ctx, 2026, 1, 20, 12)
    daily.run_daily(ctx)
    at(ctx, 2026, 3, 4, 12)
    newcomer = customers.enroll(ctx, "010-3000-0001", birthday="1990-02-14")
    daily.run_daily(ctx)
    assert birthday_entries(ctx, newcomer.id) == []


def test_a_second_run_the_same_day_keeps_what_the_first_did(ctx) -> None:
    at(ctx, 2025, 3, 1, 12)
    customers.enroll(ctx, "010-4000-0001")
    sales.record_sale(ctx, resolve_customer(ctx, "010-4000-0001"), 50_000)  # 1,000 P
    at(ctx, 2026, 3, 2, 9)  # a year and a day later: the lot has expired
    first = daily.run_daily(ctx)
    assert first.expired_points == 1000
    at(ctx, 2026, 3, 2, 15)
    second = daily.run_daily(ctx)
    assert second.expired_points == 0
    record = daily.day_record(ctx, date(2026, 3, 2))
    assert record is not None
    assert record["expired_points"] == 1000  # the day's total: never lost to a later run
    assert [run["expired_points"] for run in record["runs"]] == [1000, 0]
    assert len(record["runs"]) == 2
    assert record["runs"][0]["ran_at"] < record["runs"][1]["ran_at"]
    assert daily.last_run(ctx) == ctx.fixed_now


def test_a_record_written_before_runs_were_kept_becomes_that_days_first_run(ctx) -> None:
    import json

    from app.db.models import DailyRun

    at(ctx, 2026, 3, 12, 9)
    old = {"day": "2026-03-12", "expired_customers": 1, "expired_points": 1000}
    with ctx.db.write() as session:
        session.add(DailyRun(day=date(2026, 3, 12), ran_at=ctx.now(), summary=json.dumps(old)))
    at(ctx, 2026, 3, 12, 15)
    assert daily.run_daily(ctx).expired_points == 0
    record = daily.day_record(ctx, date(2026, 3, 12))
    assert record is not None
    assert record["expired_points"] == 1000
    assert [run["expired_points"] for run in record["runs"]] == [1000, 0]
