"""The first upload (COPY): the bulk path into an empty central database leaves the schema as
the migrations made it, and repeating or cutting an upload neither loses nor duplicates."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from sqlalchemy import func, select

from app.db.models import Customer, LedgerEntry, Sale
from app.services import customers, sales, sync
from app.services.context import Context
from app.services.customers import resolve_customer
from app.sync import server, upload
from app.sync.tracking import SYNCED_TABLES
from tests.sync.conftest import CuttingProxy, later

PHONE = "01012345678"


def _schema_of(url: str) -> str:
    return url.split("%3D")[-1]


def catalog(url: str) -> set[tuple[str, ...]]:
    """Every index and constraint of the schema, as definitions without the schema name."""
    schema = _schema_of(url)
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=test") as conn:
        indexes = conn.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = %s",
            (schema,),
        ).fetchall()
        constraints = conn.execute(
            "SELECT r.relname, c.conname, c.contype::text, pg_get_constraintdef(c.oid) "
            "FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid "
            "WHERE c.connamespace = %s::regnamespace",
            (schema,),
        ).fetchall()
    return {tuple(str(v).replace(f"{schema}.", "") for v in row) for row in indexes + constraints}


def central_counts(url: str) -> dict[str, int]:
    schema = _schema_of(url)
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=test") as conn:
        conn.execute(f"SET search_path = {schema}")
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in SYNCED_TABLES}
        counts["feed"] = conn.execute("SELECT count(*) FROM sync_changes").fetchone()[0]
        counts["feed_rows"] = conn.execute(
            "SELECT count(DISTINCT (tbl, row_id)) FROM sync_changes"
        ).fetchone()[0]
    return counts


def local_counts(ctx: Context) -> dict[str, int]:
    from sqlalchemy import text

    with ctx.db.read() as session:
        return {
            t: int(session.scalar(text(f"SELECT count(*) FROM {t}")) or 0) for t in SYNCED_TABLES
        }


def fill(ctx: Context, customers_count: int, sales_each: int = 2) -> None:
    for i in range(customers_count):
        phone = f"0101234{i:04d}"
        customers.enroll(ctx, phone, name="손님")
        for _ in range(sales_each):
            later(ctx, minutes=1)
            sales.record_sale(ctx, resolve_customer(ctx, phone), 30_000)


@pytest.fixture
def paths(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Which way each upload went: 'empty' (bulk) or 'alongside'."""
    taken: list[str] = []
    bulk, alongside = upload._load_into_empty, upload._load_alongside

    def into_empty(*args: Any) -> int:
        taken.append("empty")
        return bulk(*args)

    def beside(*args: Any) -> int:
        taken.append("alongside")
        return alongside(*args)

    monkeypatch.setattr(upload, "_load_into_empty", into_empty)
    monkeypatch.setattr(upload, "_load_alongside", beside)
    return taken


def test_bulk_upload_into_an_empty_database_keeps_the_schema(
    registers, pg_url: str, paths: list[str]
) -> None:
    a = registers("A", setup=False)
    fill(a, 20)
    server.prepare_central(pg_url)
    before = catalog(pg_url)
    sync.setup_sync(a, pg_url, store="본점", register="A")
    assert paths == ["empty"]
    assert catalog(pg_url) == before  # every key, index and foreign key back, same definition
    counts = central_counts(pg_url)
    local = local_counts(a)
    assert {t: counts[t] for t in SYNCED_TABLES} == local
    assert counts["feed"] == counts["feed_rows"] == sum(local.values())
    # another register pulls all of it, figures included
    b = registers("B")
    assert paths == ["empty", "alongside"]
    assert (
        customers.customer_status(b, resolve_customer(b, "01012340007")).points
        == customers.customer_status(a, resolve_customer(a, "01012340007")).points
    )
    with b.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Sale)) == 40


def test_a_second_setup_uploads_nothing_twice(registers, pg_url: str, paths: list[str]) -> None:
    a = registers("A", setup=False)
    fill(a, 5)
    sync.setup_sync(a, pg_url, store="본점", register="A")
    first = central_counts(pg_url)
    sync.setup_sync(a, pg_url, store="본점", register="A")  # again: the alongside path
    assert paths == ["empty", "alongside"]
    again = central_counts(pg_url)
    assert again["feed"] == again["feed_rows"]
    for name in ("customers", "sales", "ledger_entries", "membership_cards", "tier_changes"):
        assert again[name] == first[name]


def test_a_register_with_its_own_members_joins_and_merges(registers, pg_url: str) -> None:
    a = registers("A", setup=False)
    customers.enroll(a, PHONE, name="김철수")
    sales.record_sale(a, resolve_customer(a, PHONE), 100_000)
    sync.setup_sync(a, pg_url, store="본점", register="A")
    b = registers("B", setup=False)
    customers.enroll(b, PHONE, name="김철수")
    sales.record_sale(b, resolve_customer(b, PHONE), 50_000)
    sync.setup_sync(b, pg_url, store="본점", register="B")
    for _ in range(2):
        sync.sync_now(a)
        sync.sync_now(b)
    for ctx in (a, b):
        assert customers.customer_status(ctx, resolve_customer(ctx, PHONE)).points == 3000
        with ctx.db.read() as session:
            assert (
                session.scalar(
                    select(func.count()).select_from(Customer).where(Customer.status == "merged")
                )
                == 1
            )
    with server.central_engine(a.settings["sync.url"]).connect() as c:
        assert c.scalar(select(func.sum(LedgerEntry.points))) == 3000


def test_an_upload_cut_midway_leaves_nothing_and_the_next_one_completes(
    registers, pg_url: str, proxy: CuttingProxy, paths: list[str]
) -> None:
    a = registers("A", setup=False)
    fill(a, 120)
    server.prepare_central(pg_url)
    before = catalog(pg_url)
    through_proxy = pg_url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
    proxy.cut_after = 40_000  # the setup's few queries pass; the COPY does not
    with pytest.raises(Exception):  # noqa: B017 - whichever way the driver reports the cut
        sync.setup_sync(a, through_proxy, store="본점", register="A")
    assert paths == ["empty"]
    assert catalog(pg_url) == before  # rolled back with the transaction, constraints included
    assert all(n == 0 for n in central_counts(pg_url).values())
    assert "sync.url" not in a.settings  # a failed setup saves nothing (issue 11)
    proxy.cut_after = None
    server.forget_engine(through_proxy.split("?")[0])
    # the setup again: uploads what was not uploaded, then pushes and pulls
    sync.setup_sync(a, through_proxy, store="본점", register="A")
    assert paths == ["empty", "empty"]
    assert catalog(pg_url) == before
    counts = central_counts(pg_url)
    assert counts["feed"] == counts["feed_rows"]
    local = local_counts(a)
    assert {t: counts[t] for t in SYNCED_TABLES} == local
    b = registers("B")
    with b.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Sale)) == 240
