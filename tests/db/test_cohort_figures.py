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
from app.services.context import Shop, open_shop
from app.services.customers import resolve_customer

A, B, C, D, E = (f"010-3000-000{n}" for n in range(1, 6))


def at(month: int, day: int, hour: int = 3) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


def _history(shop: Shop) -> None:
    """Enrollments across a month's edge, gaps, repeats, a merge, an erasure, a late sale."""

    def on(moment: datetime) -> None:
        shop.fixed_now = moment

    on(datetime(2026, 1, 31, 20, 0, tzinfo=UTC))  # 1 Feb 05:00 in Seoul, 31 Jan in New York
    customers.enroll(shop, A)
    on(at(2, 10))
    customers.enroll(shop, B)
    sales.record_sale(shop, resolve_customer(shop, A), 5_000)
    sales.record_sale(
        shop, resolve_customer(shop, A), 6_000
    )  # a second sale in a month counts once
    sales.record_sale(shop, resolve_customer(shop, B), 7_000)
    on(at(3, 5))
    customers.enroll(shop, C)
    customers.enroll(shop, D)
    for who in (A, B, C, D):
        sales.record_sale(shop, resolve_customer(shop, who), 8_000)
    on(at(4, 2))
    customer_admin.merge_customers(
        shop, resolve_customer(shop, B), resolve_customer(shop, C)
    )  # C's March stays counted
    customers.erase_customer(shop, resolve_customer(shop, D))
    sales.record_sale(shop, resolve_customer(shop, B), 9_000)
    on(at(5, 20))
    customers.enroll(shop, E)
    for who in (A, E):
        sales.record_sale(shop, resolve_customer(shop, who), 10_000)
    on(at(6, 3))
    sales.record_sale(shop, resolve_customer(shop, A), 11_000)
    on(at(4, 25))  # recorded late: A's April joins March and May (retained in both)
    sales.record_sale(shop, resolve_customer(shop, A), 12_000)
    on(at(6, 10))


def _cohort_rows(shop: Shop) -> dict[tuple[str, str, str], int]:
    with shop.db.read() as session:
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


def _back_to_0005_and_up(shop: Shop) -> None:
    migrate.downgrade(shop.db.engine, "0005")
    assert _cohort_rows(shop) == {}
    migrate.upgrade(shop.db.engine)


def test_the_backfill_equals_the_kept_figures(db_url: str) -> None:
    shop = open_shop(db_url, now=at(1, 1))
    try:
        _history(shop)
        kept = _cohort_rows(shop)
        store = str(shop.store_id)
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

        _back_to_0005_and_up(shop)
        assert _cohort_rows(shop) == kept
    finally:
        shop.close()


def test_the_backfill_works_in_the_shop_time_zone(tmp_path) -> None:
    path = str(tmp_path / "ny.sqlite")
    shop = open_shop(path, now=at(1, 1))
    with shop.db.write() as session:
        set_setting(session, "timezone", "America/New_York")
    shop.close()
    shop = open_shop(path, now=at(1, 1))
    try:
        _history(shop)
        kept = _cohort_rows(shop)
        assert ("2026-02", str(shop.store_id), "cohort:2026-01") in kept  # A, New York time
        _back_to_0005_and_up(shop)
        assert _cohort_rows(shop) == kept
    finally:
        shop.close()


@pytest.mark.parametrize("first", ["2026-02", "2026-01"])
def test_cohort_retention_reads_the_kept_figures(db_url: str, first: str) -> None:
    shop = open_shop(db_url, now=at(1, 1))
    try:
        _history(shop)
        table = analytics.cohort_retention(shop, first, "2026-06")
        cohorts = {c.month: c for c in table.cohorts}
        feb, mar, may = cohorts["2026-02"], cohorts["2026-03"], cohorts["2026-05"]
        assert (feb.size, feb.active) == (2, [2, 2, 2, 1, 1])
        # the size is the month's new members: the merged and the erased record count too
        assert (mar.size, mar.active) == (2, [2, 0, 0, 0])
        assert (may.size, may.active) == (1, [1, 0])
        # active Feb..May: 2, 4, 2, 2; active again the month after (Mar..Jun): 2, 2, 1, 1
        assert table.monthly_churn == Decimal("0.4")
    finally:
        shop.close()
