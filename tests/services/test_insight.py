"""Issue 19's use cases on real databases: RFM in SQL against the rules in Python, segments as
audiences, an experiment's coupons and report, the lunar birthday bonus, the KPI page."""

from __future__ import annotations

import csv
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from app.db.models import Coupon, LedgerEntry, RfmScore
from app.domain import rfm
from app.domain.errors import Refused
from app.domain.experiments import group_of
from app.domain.program import DEFAULT_PROGRAM
from app.services import (
    birthdays,
    customers,
    daily,
    experiments,
    kpis,
    program,
    ratings,
    redemptions,
    sales,
    segments,
)
from app.services.announcements import Audience
from app.services.context import Context
from tests.conftest import START

DAY = timedelta(days=1)


def _buy(ctx: Context, who: uuid.UUID, at: datetime, amount: int) -> uuid.UUID:
    ctx.fixed_now = at
    return sales.record_sale(ctx, who, amount).sale_id


def _shop(ctx: Context) -> list[uuid.UUID]:
    """Twelve members: member i bought (i % 6) + 1 times, last 3 * (12 - i) days ago, for
    10,000 won * (i + 1) each time; member 11's last purchase is voided; one more member never
    bought."""
    ctx.fixed_now = START - timedelta(days=200)
    ids = [customers.enroll(ctx, f"010-2000-{i:04d}").id for i in range(13)]
    for i, who in enumerate(ids[:12]):
        last = START - timedelta(days=3 * (12 - i))
        for k in range(i % 6 + 1):
            _buy(ctx, who, last - timedelta(days=5 * k), 10_000 * (i + 1))
    ctx.fixed_now = START
    voided = _buy(ctx, ids[11], START - timedelta(hours=2), 99_000)
    sales.void_action(ctx, str(voided))
    return ids


def test_rfm_in_sql_is_the_documented_rule(ctx: Context) -> None:
    ids = _shop(ctx)
    assert segments.refresh_rfm(ctx) == 12  # the member who never bought is not scored
    with ctx.db.read() as session:
        rows = {row.customer_id: row for row in session.scalars(select(RfmScore))}
    scored = ids[:12]
    last = [rows[i].last_at for i in scored]
    frequency = [rows[i].frequency for i in scored]
    monetary = [rows[i].monetary for i in scored]
    assert frequency == [i % 6 + 1 for i in range(12)]  # the voided sale is no visit
    assert monetary == [10_000 * (i + 1) * (i % 6 + 1) for i in range(12)]  # and adds nothing
    stamps = [int(moment.timestamp()) for moment in last]
    expected_r = rfm.scores(stamps)
    expected_f = rfm.scores(frequency)
    expected_m = rfm.scores(monetary)
    for n, who in enumerate(scored):
        row = rows[who]
        assert (row.r, row.f, row.m) == (expected_r[n], expected_f[n], expected_m[n])
        assert row.segment == rfm.segment_of(row.r, row.f)
    # the newest and most frequent: champions; the oldest single purchase: dormant
    assert rows[ids[11]].segment == "champions" and (rows[ids[11]].r, rows[ids[11]].f) == (5, 5)
    assert rows[ids[0]].segment == "dormant" and (rows[ids[0]].r, rows[ids[0]].f) == (1, 1)
    # worked by hand: r = 1 + 5i // 12, f from the frequency's rank (ties share the lowest)
    assert [rows[i].segment for i in scored] == [
        "dormant", "dormant", "dormant", "at_risk", "at_risk", "attention",
        "attention", "attention", "potential", "potential", "champions", "champions",
    ]  # fmt: skip
    overview = segments.rfm_overview(ctx)
    assert overview.scored == 12 and overview.unscored == 1
    assert sum(c.members for c in overview.grid) == 12
    assert sum(c.spend for c in overview.grid) == sum(monetary)
    assert sum(s.members for s in overview.segments) == 12
    assert overview.computed_on == START.date().isoformat()


def test_the_daily_run_computes_rfm_and_segments_are_audiences(ctx: Context) -> None:
    ids = _shop(ctx)
    assert daily.run_daily(ctx).rfm_scored == 12
    champions = Audience(rfm_segment="champions")
    with ctx.db.read() as session:
        want = set(
            session.scalars(select(RfmScore.customer_id).where(RfmScore.segment == "champions"))
        )
    line = segments.save_segment(ctx, "단골 중 단골", champions)
    assert line.members == len(want) > 0
    rich = segments.save_segment(ctx, "큰손", Audience(min_spend=300_000))
    # member i spent 10,000 * (i + 1) * (i % 6 + 1) within the year
    assert rich.members == sum(10_000 * (i + 1) * (i % 6 + 1) >= 300_000 for i in range(12))
    listed = {line.code: line for line in segments.list_segments(ctx)}
    assert listed["큰손"].members == rich.members and listed["큰손"].kind == "owner"
    assert listed["champions"].members == len(want)
    issued = segments.issue_segment_coupons(
        ctx, segments.owner_audience(ctx, "단골 중 단골"), "amount", 2000, 14
    )
    assert issued.issued == len(want)
    with ctx.db.read() as session:
        holders = set(session.scalars(select(Coupon.customer_id).where(Coupon.source == "segment")))
    assert holders == want
    with pytest.raises(Refused) as refused:
        segments.audience_of_rules({"rfm": "vip"})
    assert refused.value.code == "segment.unknown_rfm"
    with pytest.raises(Refused):
        segments.owner_audience(ctx, "없는 세그먼트")
    assert ids


def test_an_experiment_gives_the_coupon_to_group_a_and_reports_with_fishers_test(
    ctx: Context,
) -> None:
    ctx.fixed_now = START - timedelta(days=30)
    ids = [customers.enroll(ctx, f"010-3000-{i:04d}").id for i in range(60)]
    ctx.fixed_now = START
    line = experiments.create_experiment(
        ctx,
        "3월 쿠폰",
        "coupon",
        START.date(),
        START.date() + timedelta(days=13),
        coupon=experiments.CouponOffer("amount", 1000, 14),
    )
    groups = {who: group_of(line.id, who, 50) for who in ids}
    in_a = [who for who in ids if groups[who] == "A"]
    with ctx.db.read() as session:
        holders = set(
            session.scalars(select(Coupon.customer_id).where(Coupon.source == "experiment"))
        )
    assert holders == set(in_a) and line.coupons_issued == len(in_a)
    # every member of A comes back, none of B: a difference Fisher sees
    for who in in_a:
        _buy(ctx, who, START + timedelta(days=2), 8_000)
    report = experiments.experiment_report(ctx, "3월 쿠폰")
    a, b = report.groups
    assert (a.members, b.members) == (len(in_a), 60 - len(in_a))
    assert (a.returned, b.returned, a.spend, b.spend) == (len(in_a), 0, 8_000 * len(in_a), 0)
    assert report.returned.verdict == "different" and report.returned.p_value < 1e-9
    assert report.redeemed.verdict == "too_small"  # nobody redeemed
    # the same report again: the same groups (nothing stored, the hash decides)
    again = experiments.experiment_report(ctx, str(line.id))
    assert again.groups == report.groups
    assert [e.name for e in experiments.list_experiments(ctx)] == ["3월 쿠폰"]
    assert experiments.list_experiments(ctx)[0].status == "running"
    ctx.fixed_now = START
    with pytest.raises(Refused) as refused:
        experiments.create_experiment(ctx, "x", "coupon", START.date(), START.date())
    assert refused.value.code == "experiment.no_coupon"
    with pytest.raises(Refused) as refused:
        experiments.create_experiment(
            ctx, "지난 실험", "campaign", START.date() - DAY, START.date() + DAY
        )
    assert refused.value.code == "experiment.past_start"


def test_a_lunar_birthday_gets_the_bonus_on_that_years_solar_date(
    sqlite_ctx: Context,
) -> None:
    ctx = sqlite_ctx
    document = DEFAULT_PROGRAM.to_json()
    document["bonuses"] = {"signup": 0, "birthday": 1000, "referral": 0}
    program.load_program(ctx, document)
    # lunar 8/15 falls on 2026-09-25 (추석): September, not August as the solar date would
    lunar = customers.enroll(ctx, "010-4000-0001", birthday="1990-08-15").id
    solar = customers.enroll(ctx, "010-4000-0002", birthday="1990-08-15").id
    assert birthdays.set_lunar_birthday(ctx, lunar, True).this_year == date(2026, 9, 25)

    def bonus(who: uuid.UUID) -> int:
        with ctx.db.read() as session:
            return sum(
                session.scalars(
                    select(LedgerEntry.points).where(
                        LedgerEntry.customer_id == who, LedgerEntry.reason == "birthday"
                    )
                )
            )

    ctx.fixed_now = datetime(2026, 8, 10, 3, tzinfo=UTC)
    daily.run_daily(ctx)
    assert (bonus(lunar), bonus(solar)) == (0, 1000)
    ctx.fixed_now = datetime(2026, 9, 10, 3, tzinfo=UTC)
    daily.run_daily(ctx)
    assert (bonus(lunar), bonus(solar)) == (1000, 1000)
    assert birthdays.set_lunar_birthday(ctx, lunar, False).this_year == date(2026, 8, 15)


def test_the_kpis_month_over_month(ctx: Context, tmp_path: Path) -> None:
    jan, feb = (datetime(2026, m, 10, 3, tzinfo=UTC) for m in (1, 2))
    ctx.fixed_now = jan
    a = customers.enroll(ctx, "010-5000-0001").id
    b = customers.enroll(ctx, "010-5000-0002").id
    _buy(ctx, a, jan, 10_000)
    _buy(ctx, b, jan, 20_000)
    ctx.fixed_now = feb
    c = customers.enroll(ctx, "010-5000-0003").id
    _buy(ctx, a, feb, 30_000)
    rated = _buy(ctx, c, feb, 5_000)
    ratings.record_rating(ctx, rated, 10)
    sold = _buy(ctx, a, START, 100_000)
    ratings.record_rating(ctx, sold, 3)
    ctx.fixed_now = START
    redemptions.redeem_points(ctx, a, 1000)
    board = kpis.kpi_board(ctx, "2026-03")
    assert (board.month, board.previous_month) == ("2026-03", "2026-02")
    got = {k.key: (k.value, k.previous) for k in board.kpis}
    assert got["members"] == (3, 3)
    assert got["active_members"] == (1, 2)
    assert got["retention"] == (Decimal("0.5000"), Decimal("0.5000"))  # A of A, C; A of A, B
    assert got["average_purchase"] == (100_000, 17_500)
    assert got["points_issued"] == (2_000, 700)  # 2 % at BASIC
    assert got["redemption_rate"] == (Decimal("0.5000"), Decimal(0))
    assert got["nps"] == (-100, 100)
    assert board.get("average_purchase").change_percent == Decimal("471.4")
    path = tmp_path / "kpi.csv"
    assert kpis.export_kpis_csv(ctx, "2026-03", path) == 7
    with path.open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:5] == ["kpi", "name", "unit", "2026-03", "2026-02"]
    assert rows[1][:5] == ["members", "회원 수", "count", "3", "3"]
