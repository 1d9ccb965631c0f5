"""A second store joins a central database that already holds the first: the COPY path
beside the data, foreign keys checked per key over the rows brought in (not row by row),
nothing lost, nothing twice, and a dangling reference still fails the whole upload."""

from __future__ import annotations

import sqlite3
import uuid
from typing import Any

import pytest
from sqlalchemy import text

from app.domain.errors import Refused
from app.services import customers, sales, sync
from app.services.context import Context
from app.services.customers import resolve_customer
from app.sync import server, upload
from app.sync.tracking import SYNCED_TABLES
from tests.sync.conftest import later
from tests.sync.test_upload import catalog, central_counts, local_counts

SHARED = "01077770000"  # one person who is a member of both stores


def _fill(ctx: Context, prefix: str, count: int) -> None:
    for i in range(count):
        phone = f"{prefix}{i:04d}"
        customers.enroll(ctx, phone, name="손님")
        later(ctx, minutes=1)
        sales.record_sale(ctx, resolve_customer(ctx, phone), 30_000)


@pytest.fixture
def set_based(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many foreign-key passes each alongside upload made over the rows it brought in."""
    calls: list[int] = []
    check = upload._check_references

    def counted(pg: Any, names: list[str]) -> None:
        calls.append(len(names))
        check(pg, names)

    monkeypatch.setattr(upload, "_check_references", counted)
    return calls


def test_a_second_store_joins_beside_the_first(registers, pg_url: str, set_based) -> None:
    a = registers("A", setup=False)
    _fill(a, "0101111", 15)
    customers.enroll(a, SHARED, name="김철수")
    sync.setup_sync(a, pg_url, store="본점", register="A")
    first = central_counts(pg_url)
    shape = catalog(pg_url)

    b = registers("B", setup=False)
    _fill(b, "0102222", 15)
    customers.enroll(b, SHARED, name="김철수")
    sales.record_sale(b, resolve_customer(b, SHARED), 50_000)
    local_b = local_counts(b)
    sync.setup_sync(b, pg_url, store="2호점", register="B")
    assert set_based == [len(SYNCED_TABLES)]  # the set-based checks ran, over every table
    assert catalog(pg_url) == shape  # nothing of the schema set aside or left changed

    after = central_counts(pg_url)
    for name in ("sales", "ledger_entries", "membership_cards", "tier_changes"):
        assert after[name] == first[name] + local_b[name], name
    assert after["customers"] == first["customers"] + local_b["customers"]
    assert after["feed"] == after["feed_rows"]  # every row once in the feed
    # the two records of the shared member became one, on both registers
    for _ in range(2):
        sync.sync_now(a)
        sync.sync_now(b)
    for ctx in (a, b):
        assert customers.customer_status(ctx, resolve_customer(ctx, SHARED)).points == 1000
        with ctx.db.read() as session:
            assert session.scalar(text("SELECT count(*) FROM sales")) == 31
    # the pooled connection the upload used is back to checking every row
    with server.central_engine(b.settings["sync.url"]).connect() as connection:
        assert connection.scalar(text("SHOW session_replication_role")) == "origin"


def test_a_dangling_reference_fails_the_whole_upload(registers, pg_url: str, set_based) -> None:
    a = registers("A", setup=False)
    _fill(a, "0101111", 5)
    sync.setup_sync(a, pg_url, store="본점", register="A")
    before = central_counts(pg_url)

    b = registers("B", setup=False)
    _fill(b, "0102222", 5)
    nobody = uuid.uuid4().hex
    raw = sqlite3.connect(b.db.engine.url.database)  # a row of a customer the file lacks
    raw.execute(
        "INSERT INTO ledger_entries (id, customer_id, kind, points, stamps, occurred_at) "
        "SELECT lower(hex(randomblob(16))), ?, 'adjust', 5, 0, occurred_at "
        "FROM ledger_entries LIMIT 1",
        (nobody,),
    )
    raw.commit()
    raw.close()
    # the driver's own error reaches the owner as a refusal in words, not as psycopg's
    with pytest.raises(Refused, match="foreign key") as refused:
        sync.setup_sync(b, pg_url, store="2호점", register="B")
    assert refused.value.code in ("sync.failed", "sync.setup_failed"), refused.value.code
    assert set_based  # refused by the set-based check, not row by row
    assert central_counts(pg_url) == before  # nothing of it stayed
