"""Subscription passes at the counter, on SQLite and PostgreSQL: every rule and refusal.

Few tests, each walking a pass through many steps: a PostgreSQL schema is migrated per test."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.db.models import AuditEntry, MemberPass, PassEventRow
from app.domain.errors import Refused
from app.domain.program import DEFAULT_PROGRAM_JSON
from app.services import customer_admin, customers, passes
from app.services.program import load_program, show_program
from tests.conftest import START  # 14:00 in Seoul, a Thursday

MORNING = {
    "code": "AM30",
    "name": "아침 아메리카노 30일",
    "price": 30_000,
    "days": 30,
    "benefit": "free_item",
    "items": ["아메리카노"],
    "uses_per_day": 1,
    "hours": [7, 15],
    "refund": "pro_rata",
}
LATTE = {
    "code": "LATTE",
    "name": "라떼 10% 할인 7일",
    "price": 9_900,
    "days": 7,
    "benefit": "percent_off",
    "percent": 10,
    "uses_per_day": 2,
    "refund": "none",
}


def with_plans(ctx, *plans) -> None:
    document = copy.deepcopy(DEFAULT_PROGRAM_JSON)
    document["passes"] = list(plans)
    load_program(ctx, document)


def refused(code: str, call, *args, **kwargs) -> Refused:
    with pytest.raises(Refused) as caught:
        call(*args, **kwargs)
    assert caught.value.code == code, caught.value
    assert caught.value.message("ko") != code  # a sentence, in Korean
    return caught.value


def events(ctx) -> int:
    with ctx.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(PassEventRow)) or 0)


def test_sell_use_and_the_daily_allowance_and_hours(ctx) -> None:
    with_plans(ctx, MORNING, LATTE)
    who = customers.enroll(ctx, "010-1234-5678").id
    refused("pass.no_plan", passes.sell, ctx, who, "NOPE")
    sold = passes.sell(ctx, who, "AM30", ref="POS-778")
    assert sold.view.status == "active" and sold.view.pos_ref == "POS-778"
    assert sold.view.start.isoformat() == "2026-03-12" and sold.view.end.isoformat() == "2026-04-10"
    assert sold.view.paid == 30_000 and sold.view.uses_left_today == 1
    refused("pass.already", passes.sell, ctx, who, "AM30")  # one open pass per plan
    before = events(ctx)
    used = passes.use(ctx, who, "AM30")
    assert used.view.uses_today == 1 and used.view.uses_left_today == 0
    refused("pass.used_up", passes.use, ctx, who, "AM30")
    assert events(ctx) == before + 1  # the refusal wrote nothing
    ctx.fixed_now = START + timedelta(hours=1)  # 15:00: outside [7, 15)
    refused("pass.outside_hours", passes.use, ctx, who, "AM30")
    ctx.fixed_now = START + timedelta(hours=18)  # the next morning, 08:00 in Seoul
    assert passes.use(ctx, who, "AM30").view.uses_today == 1  # a new day, a new use
    # a second plan: with two open passes the plan must be named
    passes.sell(ctx, who, "LATTE")
    refused("pass.which", passes.use, ctx, who)
    passes.use(ctx, who, "LATTE")
    assert passes.use(ctx, who, "LATTE").view.uses_today == 2
    refused("pass.used_up", passes.use, ctx, who, "LATTE")
    # the end: the 30th day is the last one
    ctx.fixed_now = START + timedelta(days=29)
    assert passes.use(ctx, who, "AM30").view.end.isoformat() == "2026-04-10"
    ctx.fixed_now = START + timedelta(days=30)
    refused("pass.none_plan", passes.use, ctx, who, "AM30")  # ended: no open pass of the plan
    sold_again = passes.sell(ctx, who, "AM30")  # once ended, another may be sold
    assert sold_again.view.status == "active"
    views = passes.member_passes(ctx, who)
    assert [v.status for v in views] == ["active", "ended", "ended"]
    with ctx.db.read() as session:
        actions = set(session.scalars(select(AuditEntry.action)))
        kinds = sorted(session.scalars(select(PassEventRow.kind)))
    assert {"pass.sold", "pass.used"} <= actions
    assert kinds.count("sold") == 3 and kinds.count("used") == 5


def test_pause_moves_the_end_and_cancel_refunds_pro_rata(ctx) -> None:
    with_plans(ctx, MORNING, LATTE)
    who = customers.enroll(ctx, "010-2222-3333").id
    passes.sell(ctx, who, "AM30")
    refused("pass.not_paused", passes.resume, ctx, who, "AM30")
    ctx.fixed_now = START + timedelta(days=2)
    paused = passes.pause(ctx, who, "AM30")
    assert paused.view.status == "paused"
    refused("pass.already_paused", passes.pause, ctx, who, "AM30")
    refused("pass.paused", passes.use, ctx, who, "AM30")
    ctx.fixed_now = START + timedelta(days=7)  # five days paused
    assert passes.member_passes(ctx, who)[0].end.isoformat() == "2026-04-15"  # moving meanwhile
    resumed = passes.resume(ctx, who, "AM30")
    assert resumed.view.status == "active" and resumed.view.end.isoformat() == "2026-04-15"
    # cancel on 03-19: the days after today up to 04-15 are 27 of 30 -> 30,000 * 27/30
    cancelled = passes.cancel(ctx, who, "AM30", ref="RF-1")
    assert cancelled.refund == 27_000
    assert cancelled.view.status == "cancelled" and cancelled.view.refunded == 27_000
    refused("pass.none_plan", passes.use, ctx, who, "AM30")
    refused("pass.none_plan", passes.cancel, ctx, who, "AM30")
    # plan "none": no refund at all
    passes.sell(ctx, who, "LATTE")
    assert passes.cancel(ctx, who, "LATTE").refund == 0
    # the state reconciles with the events: paid and refunded sums
    with ctx.db.read() as session:
        e = PassEventRow
        sold = session.scalar(select(func.sum(e.amount)).where(e.kind == "sold"))
        back = session.scalar(select(func.sum(e.amount)).where(e.kind == "refunded"))
        prices = session.scalar(select(func.sum(MemberPass.price)))
    assert (sold, back, prices) == (39_900, 27_000, 39_900)
    # a pass sold again after its cancel: pro rata rounds down to the won
    passes.sell(ctx, who, "AM30")
    ctx.fixed_now = START + timedelta(days=7, hours=1)
    document = copy.deepcopy(DEFAULT_PROGRAM_JSON)
    odd = dict(MORNING, code="ODD", price=10_001, days=3)
    document["passes"] = [MORNING, odd]
    load_program(ctx, document)
    passes.sell(ctx, who, "ODD")
    assert passes.cancel(ctx, who, "ODD").refund == 6_667  # 10,001 * 2/3 = 6,667.33


def test_refusals_for_bad_members_refs_and_a_program_without_plans(ctx) -> None:
    before = show_program(ctx)
    assert "passes" not in before  # a program without the section stays as it was
    who = customers.enroll(ctx, "010-4444-5555").id
    refused("pass.no_plan", passes.sell, ctx, who, "AM30")
    assert passes.plans(ctx) == ()
    with_plans(ctx, MORNING)
    assert show_program(ctx)["passes"][0]["code"] == "AM30"
    refused("pass.ref_too_long", passes.sell, ctx, who, "AM30", ref="R" * 101)
    refused("pass.none", passes.use, ctx, who)
    refused("pass.none", passes.pause, ctx, who)
    assert events(ctx) == 0
    assert passes.pass_report(ctx).active == 0
    # a pass follows its person when the owner merges two records of them
    passes.sell(ctx, who, "AM30")
    keeper = customers.enroll(ctx, "010-6666-7777").id
    customer_admin.merge_customers(ctx, keeper, who)
    assert [v.plan_code for v in passes.member_passes(ctx, keeper)] == ["AM30"]
    assert passes.use(ctx, keeper).view.uses_today == 1
    ctx.allowed = frozenset({"sale"})  # a token without the pass action
    refused("token.not_allowed", passes.sell, ctx, keeper, "AM30")
