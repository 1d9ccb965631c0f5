"""Work two registers did offline about the same member and period merges into one row by
its derived id (app.domain.keys): the monthly tier evaluation, and the expiry of the same
lots from the same history (a time-ordered id at the newest due lot's expiry). Every copy
holds the same rows and the figures agree; expiries of different histories stay two facts."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.db.models import LedgerEntry, TierChange
from app.domain.keys import is_derived
from app.services import customers, daily, sales, sync
from app.services.context import Context
from app.services.customers import resolve_customer
from app.sync import server
from tests.sync.conftest import later
from tests.sync.test_central_figures import central_stats, months
from tests.sync.test_sync import ledger_by_customer, stats, sync_all

PHONE = "01055550001"


def _rows(ctx_or_engine, model) -> list[dict]:
    t = model.__table__
    if isinstance(ctx_or_engine, Context):
        with ctx_or_engine.db.read() as session:
            found = session.execute(select(t).order_by(t.c.id)).all()
    else:
        with ctx_or_engine.connect() as connection:
            found = connection.execute(select(t).order_by(t.c.id)).all()
    return [dict(row._mapping) for row in found]


def _expiries(source) -> list[dict]:
    return [r for r in _rows(source, LedgerEntry) if r["kind"] == "expire"]


def _evaluations(source) -> list[dict]:
    return [r for r in _rows(source, TierChange) if r["reason"] == "evaluation"]


def _central(ctx: Context):
    return server.central_engine(ctx.settings["sync.url"])


def _attention(ctx: Context) -> list[str]:
    return [i.kind for i in sync.needs_attention(ctx)]


def test_two_registers_daily_work_for_the_same_member_and_period_merges(registers) -> None:
    a, b = registers("A"), registers("B")
    customers.enroll(a, PHONE)
    # PLATINUM at once; 60,000 points that expire a year later
    assert sales.record_sale(a, resolve_customer(a, PHONE), 3_000_000).tier == "PLATINUM"
    sync_all(a, b)
    # both offline a year and some: each runs the daily work (expiry, the evaluations);
    # B a day later than A, so their rows differ in moment and register, not in what they are
    later(a, days=400)
    later(b, days=401)
    for ctx in (a, b):
        result = daily.run_daily(ctx)
        assert result.expired_points > 0 and result.demoted >= 1
    mine_a, mine_b = _evaluations(a), _evaluations(b)
    assert {r["period"] for r in mine_a} & {r["period"] for r in mine_b}
    assert all(is_derived(r["id"]) for r in mine_a + mine_b)
    # the expiry of the same lots: the same derived, time-ordered id on both, written a day
    # apart; its time is the lots' expiry, before the day's work that wrote it
    (expiry_a,), (expiry_b,) = _expiries(a), _expiries(b)
    assert expiry_a["id"] == expiry_b["id"] and is_derived(expiry_a["id"])
    assert expiry_a["occurred_at"] != expiry_b["occurred_at"]
    assert expiry_a["id"].version == 7
    moment_ms = expiry_a["id"].int >> 80
    assert moment_ms * 1000 <= expiry_a["occurred_at"].timestamp() * 1_000_000
    sync_all(a, b)

    central = _central(a)
    # one evaluation per period and one expiry on the central database and on both
    # registers (the central copy taken by the other); nothing in needs attention
    assert len(_expiries(central)) == 1
    periods = [r["period"] for r in _evaluations(central)]
    assert len(periods) == len(set(periods)) == len(mine_a)
    for ctx in (a, b):
        assert _expiries(ctx) == _expiries(central)
        assert _evaluations(ctx) == _evaluations(central)
        assert "duplicate_expiry" not in _attention(ctx)
        assert "duplicate" not in _attention(ctx)
    assert ledger_by_customer(a) == ledger_by_customer(b)
    assert stats(a) == stats(b)
    # the figures hold exactly the one entry's points
    expired = -sum(r["points"] for r in _expiries(central))
    assert sum(v for (_, k), v in stats(a).items() if k == "points_expired") == expired
    assert customers.customer_status(a, resolve_customer(a, PHONE)).tier == (
        customers.customer_status(b, resolve_customer(b, PHONE)).tier
    )

    # a third register joining later gets the same rows, figures included, without conflicts
    c = registers("C")
    c.fixed_now = a.fixed_now + timedelta(days=2)
    sync_all(c)
    assert _expiries(c) == _expiries(central) and _evaluations(c) == _evaluations(central)
    assert stats(c) == stats(a) == central_stats(c.settings["sync.url"])


def test_different_expiries_of_one_member_still_need_attention(registers) -> None:
    """A use one register saw and the other did not: the two expiries are of different
    points, so they are two facts, both kept, and the double expiry is listed as before."""
    a, b = registers("A"), registers("B")
    customers.enroll(a, PHONE)
    sales.record_sale(a, resolve_customer(a, PHONE), 100_000)  # 2,000 points
    sync_all(a, b)
    from app.services import redemptions

    redemptions.redeem_points(b, resolve_customer(b, PHONE), 1000)
    for ctx in (a, b):
        later(ctx, days=400)
        sales.record_sale(ctx, resolve_customer(ctx, PHONE), 10_000)
    sync_all(a, b)
    assert len(_expiries(_central(a))) == 2
    for ctx in (a, b):
        assert "duplicate_expiry" in _attention(ctx)
    assert ledger_by_customer(a) == ledger_by_customer(b)


def test_a_merged_members_sales_and_months_count_toward_the_keepers_evaluation(
    registers,
) -> None:
    """One person enrolled offline at two registers, 1,000,000 won at each (SILVER at each).
    Merged, the keeper's April evaluation sees 2,000,000 won: GOLD, on both registers; the
    person counts once among March's active members."""
    a, b = registers("A"), registers("B")
    customers.enroll(a, PHONE)
    customers.enroll(b, PHONE)
    for ctx in (a, b):
        assert sales.record_sale(ctx, resolve_customer(ctx, PHONE), 1_000_000).tier == "SILVER"
    sync_all(a, b)
    keeper = resolve_customer(a, PHONE)
    assert resolve_customer(b, PHONE) == keeper
    for ctx in (a, b):  # both evaluate April, offline from each other
        later(ctx, days=25)
        daily.run_daily(ctx)
    sync_all(a, b)
    for ctx in (a, b):
        assert customers.customer_status(ctx, keeper).tier == "GOLD"
        keeper_evaluations = [r for r in _evaluations(ctx) if r["customer_id"] == keeper]
        assert [(r["period"], r["window_spend"], r["to_code"]) for r in keeper_evaluations] == [
            ("2026-04", 2_000_000, "GOLD")
        ]
        assert stats(ctx)[("2026-03", "active_members")] == 1
        assert "duplicate" not in _attention(ctx)
    assert stats(a) == stats(b) == central_stats(a.settings["sync.url"])
    assert months(a) == months(b) == months(a.settings["sync.url"])
