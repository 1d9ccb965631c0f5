"""Migration 0006: the cohort figures it works out for an older database are the ones kept live.

A history is written through the services (which keep cohort:* and retained_members as sales
are recorded), the schema is taken back to 0005 (which deletes them) and upgraded again: the
backfill from customer_months and customers must give exactly the same rows.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import or_, select

from app.db import migrate
from app.db.models import MonthlyStat
from app.db.settings import set_setting
from app.services import analytics, customer_admin, customers, sales
from app.services.context import Context, open_shop
from app.services.customers import resolve_customer

A, B, C, D, E = (f"010-3000-000{n}" for n in range(1, 6))


def at(month: int, day: int, hour: int = 3) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


def _history(ctx: Context) -> None:
    """Enrollments across a month's edge, gaps, repeats, a merge, an erasure, a late sale."""

    def on(moment: datetime) -> None:
        ctx.fixed_now = moment

    on(datetime(2026, 1, 31, 20, 0, tzinfo=UTC))  # 1 Feb 05:00 in Seoul, 31 Jan in New York
    customers.enroll(ctx, A)
    on(at(2, 10))
    customers.enroll(ctx, B)
    sales.record_sale(ctx, resolve_customer(ctx, A), 5_000)
    sales.record_sale(ctx, resolve_customer(ctx, A), 6_000)  # a second sale in a month counts once
    sales.record_sale(ctx, resolve_customer(ctx, B), 7_000)
    on(at(3, 5))
    customers.enroll(ctx, C)
    customers.enroll(ctx, D)
    for who in (A, B, C, D):
        sales.record_sale(ctx, resolve_customer(ctx, who), 8_000)
    on(at(4, 2))
    customer_admin.merge_customers(
        ctx, resolve_customer(ctx, B), resolve_customer(ctx, C)
    )  # C's March stays counted
    customers.erase_customer(ctx, resolve_customer(ctx, D))
    sales.record_sale(ctx, resolve_customer(ctx, B), 9_000)
    on(at(5, 20))
    customers.enroll(ctx, E)
    for who in (A, E):
        sales.record_sale(ctx, resolve_customer(ctx, who), 10_000)
    on(at(6, 3))
    sales.record_sale(ctx, resolve_customer(ctx, A), 11_000)
    on(at(4, 25))  # recorded late: A's April joins March and May (retained in both)
    sales.record_sale(ctx, resolve_customer(ctx, A), 12_000)
    on(at(6, 10))


def _cohort_rows(ctx: Context) -> dict[tuple[str, str, str], int]:
    with ctx.db.read() as session:
        rows = session.execute(
            select(MonthlyStat.month, MonthlyStat.store_id, MonthlyStat.metric, MonthlyStat.value)
            .where(
                or_(
                    MonthlyStat.metric.like("cohort:%"),
                    MonthlyStat.metric == "retained_members",
                )
            )
            .where(MonthlyStat.value != 0)
        )
        return {(m, s, k): v for m, s, k, v in rows}


def _back_to_0005_and_up(ctx: Context) -> None:
    migrate.downgrade(ctx.db.engine, "0005")
    assert _cohort_rows(ctx) == {}
    migrate.upgrade(ctx.db.engine)


def test_the_backfill_equals_the_kept_figures(db_url: str) -> None:
    ctx = open_shop(db_url, now=at(1, 1))
    try:
        _history(ctx)
        kept = _cohort_rows(ctx)
        store = str(ctx.store_id)
        by_metric = {(m, k): v for (m, s, k), v in kept.items() if s == store}
        # A joined on 1 Feb in Seoul: the February cohort, with B
        assert {k: v for k, v in by_metric.items() if k[1] == "cohort:2026-02"} == {
            ("2026-02", "cohort:2026-02"): 2,
            ("2026-03", "cohort:2026-02"): 2,
            ("2026-04", "cohort:2026-02"): 2,
            ("2026-05", "cohort:2026-02"): 1,
            ("2026-06", "cohort:2026-02"): 1,
        }
        assert by_metric[("2026-03", "cohort:2026-03")] == 2  # C (merged since) and D (erased)
        assert by_metric[("2026-05", "cohort:2026-05")] == 1  # E
        retained = {m: v for (m, k), v in by_metric.items() if k == "retained_members"}
        assert retained == {"2026-03": 2, "2026-04": 2, "2026-05": 1, "2026-06": 1}
        assert len(kept) == len(by_metric)

        _back_to_0005_and_up(ctx)
        assert _cohort_rows(ctx) == kept
    finally:
        ctx.close()


def test_the_backfill_works_in_the_shop_time_zone(tmp_path) -> None:
    path = str(tmp_path / "ny.sqlite")
    ctx = open_shop(path, now=at(1, 1))
    with ctx.db.write() as session:
        set_setting(session, "timezone", "America/New_York")
    ctx.close()
    ctx = open_shop(path, now=at(1, 1))
    try:
        _history(ctx)
        kept = _cohort_rows(ctx)
        assert ("2026-02", str(ctx.store_id), "cohort:2026-01") in kept  # A, New York time
        _back_to_0005_and_up(ctx)
        assert _cohort_rows(ctx) == kept
    finally:
        ctx.close()


@pytest.mark.parametrize("first", ["2026-02", "2026-01"])
def test_cohort_retention_reads_the_kept_figures(db_url: str, first: str) -> None:
    ctx = open_shop(db_url, now=at(1, 1))
    try:
        _history(ctx)
        table = analytics.cohort_retention(ctx, first, "2026-06")
        cohorts = {c.month: c for c in table.cohorts}
        feb, mar, may = cohorts["2026-02"], cohorts["2026-03"], cohorts["2026-05"]
        assert (feb.size, feb.active) == (2, [2, 2, 2, 1, 1])
        # the size is the month's new members: the merged and the erased record count too
        assert (mar.size, mar.active) == (2, [2, 0, 0, 0])
        assert (may.size, may.active) == (1, [1, 0])
        # active Feb..May: 2, 4, 2, 2; active again the month after (Mar..Jun): 2, 2, 1, 1
        assert table.monthly_churn == Decimal("0.4")
    finally:
        ctx.close()
