"""A second store joins a central database that already holds the first: the COPY path
beside the data, foreign keys checked per key over the rows brought in (not row by row),
the secondary indexes of the tables the upload is large against set aside during the moves
and built again, nothing lost, nothing twice, and a dangling reference or a refused row still
fails the whole upload, leaving the schema as it was."""

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


@pytest.fixture
def aside(monkeypatch: pytest.MonkeyPatch) -> list[set[str]]:
    """Which tables' indexes each alongside upload set aside. The size floor is lifted (these
    shops are small): whether a table is large against the upload is then the ratio alone."""
    monkeypatch.setattr(upload, "SET_ASIDE_MIN_ROWS", 0)
    chosen: list[set[str]] = []
    set_aside = upload._indexes_aside

    def recorded(pg: Any, loaded: list[tuple[str, int]], total: int) -> dict[str, Any]:
        put_back = set_aside(pg, loaded, total)
        chosen.append(set(put_back))
        return put_back

    monkeypatch.setattr(upload, "_indexes_aside", recorded)
    return chosen


def _indexes_of(url: str, name: str) -> set[str]:
    return {row[1] for row in catalog(url) if row[0] == name and row[1].startswith("ix_")}


@pytest.mark.parametrize("large", [False, True], ids=["indexes kept", "indexes set aside"])
def test_a_second_store_joins_beside_the_first(
    registers, pg_url: str, set_based, request: pytest.FixtureRequest, large: bool
) -> None:
    chosen: list[set[str]] = request.getfixturevalue("aside") if large else []
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
    if large:  # B brings as many rows as A holds: every table with such indexes, the feed's
        assert len(chosen) == 1
        assert {"customers", "sales", "ledger_entries", "sync_changes"} <= chosen[0]
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


def test_a_dangling_reference_fails_the_whole_upload(
    registers, pg_url: str, set_based, aside: list[set[str]]
) -> None:
    a = registers("A", setup=False)
    _fill(a, "0101111", 5)
    sync.setup_sync(a, pg_url, store="본점", register="A")
    before = central_counts(pg_url)
    shape = catalog(pg_url)

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
    assert aside and "ledger_entries" in aside[0]  # after the indexes were set aside and back
    assert central_counts(pg_url) == before  # nothing of it stayed
    assert catalog(pg_url) == shape


def test_a_small_join_beside_a_big_table_keeps_its_indexes(
    registers, pg_url: str, aside: list[set[str]]
) -> None:
    a = registers("A", setup=False)
    _fill(a, "0101111", 12)
    sync.setup_sync(a, pg_url, store="본점", register="A")
    shape = catalog(pg_url)
    b = registers("B", setup=False)
    _fill(b, "0102222", 1)  # 1 customer, 1 sale against 12: not worth a rebuild (ratio 4)
    sync.setup_sync(b, pg_url, store="2호점", register="B")
    assert len(aside) == 1
    assert not {"customers", "sales", "ledger_entries"} & aside[0]
    assert catalog(pg_url) == shape
    assert central_counts(pg_url)["customers"] == 13


def test_a_row_refused_while_the_indexes_are_aside_leaves_them_in_place(
    registers, pg_url: str, aside: list[set[str]]
) -> None:
    a = registers("A", setup=False)
    _fill(a, "0101111", 5)
    sync.setup_sync(a, pg_url, store="본점", register="A")
    before = central_counts(pg_url)
    shape = catalog(pg_url)
    assert _indexes_of(pg_url, "ledger_entries")  # there is something to set aside

    b = registers("B", setup=False)
    _fill(b, "0102222", 5)
    raw = sqlite3.connect(b.db.engine.url.database)  # a kind the central's CHECK refuses
    raw.execute("PRAGMA ignore_check_constraints = ON")
    raw.execute(
        "INSERT INTO ledger_entries (id, customer_id, kind, points, stamps, occurred_at) "
        "SELECT lower(hex(randomblob(16))), customer_id, 'bogus', 5, 0, occurred_at "
        "FROM ledger_entries LIMIT 1"
    )
    raw.commit()
    raw.close()
    with pytest.raises(Refused, match="ck_ledger_entries_kind"):
        sync.setup_sync(b, pg_url, store="2호점", register="B")
    assert aside and "ledger_entries" in aside[0]  # it failed in the move, indexes dropped
    assert catalog(pg_url) == shape  # rolled back with the transaction: every index back
    assert central_counts(pg_url) == before  # and nothing of B stayed


def test_a_row_whose_unique_key_is_already_held_is_skipped_while_the_key_is_aside(
    registers, pg_url: str, aside: list[set[str]]
) -> None:
    a = registers("A", setup=False)
    _fill(a, "0101111", 5)
    sync.setup_sync(a, pg_url, store="본점", register="A")
    shape = catalog(pg_url)
    before = central_counts(pg_url)

    b = registers("B", setup=False)
    _fill(b, "0102222", 5)
    local_b = local_counts(b)
    raw = sqlite3.connect(b.db.engine.url.database)  # A's card token again, under another id
    raw.execute("ATTACH DATABASE ? AS a", (a.db.engine.url.database,))
    raw.execute(
        "INSERT INTO membership_cards (id, token, customer_id, status, issued_at) "
        "SELECT lower(hex(randomblob(16))), token, customer_id, status, issued_at "
        "FROM a.membership_cards LIMIT 1"
    )
    raw.commit()
    raw.close()
    # the upload alone (B's own pull would then refuse A's card beside B's copy of its token)
    business = uuid.UUID(str(a.settings[sync.BUSINESS_KEY]))  # B joins A's business
    upload.upload_everything(b.db, server.central_engine(pg_url, business=business), b.register_id)
    assert aside and "membership_cards" in aside[0]  # uq_membership_cards_token was aside
    assert catalog(pg_url) == shape  # and built again over rows that hold each token once
    after = central_counts(pg_url)
    # skipped as ON CONFLICT DO NOTHING skipped it while the index was there
    assert after["membership_cards"] == before["membership_cards"] + local_b["membership_cards"]
    assert after["customers"] == before["customers"] + local_b["customers"]
    assert after["feed"] == after["feed_rows"]
