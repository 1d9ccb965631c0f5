"""A pull and the counter (issue 20 item 1): the pull reads the feed's first chunk from the
central database before it takes the register's write lock, so a sale never waits on that
network read; what the pull applies is the same (nothing lost, nothing twice), and a pull
that overlapped another never moves the register's pulled position back."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import psycopg
import pytest
from sqlalchemy import func, select

from app.db.models import LedgerEntry, Sale
from app.services import customers, sales, sync
from app.services.context import Context
from app.services.customers import resolve_customer
from app.sync import central_figures, server
from app.sync import engine as sync_engine
from tests.sync.conftest import wait_until

PG = "host=127.0.0.1 user=postgres dbname=test"
PHONE = "01077770001"


def _schema(url: str) -> str:
    return unquote(url).split("search_path=")[1].split("&")[0]


def _ids(ctx: Context) -> list[str]:
    with ctx.db.read() as session:
        return sorted(i.hex for i in session.scalars(select(Sale.id)))


def _ledger(ctx: Context) -> dict[Any, int]:
    with ctx.db.read() as session:
        return dict(
            session.execute(  # type: ignore[arg-type]
                select(LedgerEntry.customer_id, func.sum(LedgerEntry.points)).group_by(
                    LedgerEntry.customer_id
                )
            ).all()
        )


def _pull(ctx: Context) -> sync_engine.PullResult:
    """The app's own pull (its running figures, its first-pull copy), on its own connection."""
    url = str(sync.configured_url(ctx))
    with server.held(url, owner=str(ctx.register_id)):
        return sync_engine.pull(
            ctx.db,
            sync.business_engine(ctx, url),
            ctx.register_id,
            sync._figures(ctx),
            central_figures.copy_on_first_pull,
        )


@pytest.fixture
def pair(registers) -> Iterator[tuple[Context, Context, uuid.UUID]]:
    a, b = registers("A"), registers("B")
    customers.enroll(a, PHONE)
    sync.sync_now(a)
    sync.sync_now(b)  # b knows the member: its next pull is not its first
    yield a, b, resolve_customer(a, PHONE)


@pytest.fixture
def sales_locked(pg_url: str) -> Iterator[Any]:
    """lock() holds the central `sales` table (ACCESS EXCLUSIVE, another session): a pull's
    read of the sales named by the feed waits on it, as on a slow network, until release()."""
    schema = _schema(pg_url)
    conn = psycopg.connect(PG)

    class Lock:
        def lock(self) -> None:
            conn.execute(f"LOCK TABLE {schema}.sales IN ACCESS EXCLUSIVE MODE")

        def waiting(self) -> int:
            with psycopg.connect(PG, autocommit=True) as probe:
                row = probe.execute(
                    "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = %s::regclass",
                    (f"{schema}.sales",),
                ).fetchone()
            return int(row[0]) if row else 0

        def release(self) -> None:
            conn.rollback()

    held = Lock()
    try:
        yield held
    finally:
        held.release()
        conn.close()


def test_a_sale_completes_while_a_pull_reads_the_feed(pair, sales_locked) -> None:
    a, b, member = pair
    for i in range(3):
        sales.record_sale(a, member, 10_000 + i)
    sync.sync_now(a)
    sales_locked.lock()
    pulled: list[sync_engine.PullResult] = []
    puller = threading.Thread(target=lambda: pulled.append(_pull(b)), daemon=True)
    puller.start()
    assert wait_until(lambda: sales_locked.waiting() == 1), "the pull never reached the feed's rows"
    sold: list[Any] = []
    failed: list[BaseException] = []

    def sell() -> None:
        try:
            sold.append(sales.record_sale(b, member, 7_000))
        except BaseException as exc:
            failed.append(exc)

    counter = threading.Thread(target=sell, daemon=True)
    began = time.perf_counter()
    counter.start()
    counter.join(timeout=5)
    took = time.perf_counter() - began
    try:
        assert not counter.is_alive(), "the sale waited on the pull's network read"
        assert not failed, failed
        assert puller.is_alive()  # the pull was still reading meanwhile
        assert took < 5
    finally:
        sales_locked.release()
        puller.join(timeout=30)
        counter.join(timeout=30)
    assert not puller.is_alive() and pulled
    # the pull brought a's three sales, each once, beside b's own
    mine = sold[0].sale_id.hex
    assert pulled[0].rows >= 6  # three sales and their ledger entries
    assert _ids(b) == sorted([*_ids(a), mine])
    assert len(set(_ids(b))) == len(_ids(b)) == 4
    # and everything agrees once both are synced: each sale once, the same balances
    for ctx in (b, a, b):
        sync.sync_now(ctx)
    assert _ids(a) == _ids(b)
    assert _ledger(a) == _ledger(b)


def test_the_pulled_result_is_the_same_with_the_read_first(pair, registers) -> None:
    a, b, member = pair
    for i in range(40):
        sales.record_sale(a, member, 5_000 + 10 * i)
    customers.enroll(a, "01077770002")
    sync.sync_now(a)
    # b pulls with the first chunk read before its lock; c pulls the same feed the same way
    # from nothing (its first pull): both end with a's copy, nothing lost, nothing twice
    result = _pull(b)
    assert result.rows >= 81
    again = _pull(b)  # nothing new: nothing applied twice
    assert again.rows == 0 and _ids(b) == _ids(a)
    c = registers("C")
    sync.sync_now(c)
    for ctx in (b, c):
        assert _ids(ctx) == _ids(a)
        assert _ledger(ctx) == _ledger(a)


def test_an_overlapping_pull_never_moves_the_watermark_back(pair) -> None:
    a, b, member = pair
    sales.record_sale(a, member, 10_000)
    sync.sync_now(a)
    url = str(sync.configured_url(b))
    with server.held(url, owner=str(b.register_id)):
        central = sync.business_engine(b, url)
        with b.db.read() as session:
            since = sync_engine.watermark(session)
        # a pull reads its snapshot (top t1) ...
        snapshot = central.connect().execution_options(isolation_level="REPEATABLE READ")
        try:
            with snapshot.begin():
                t1 = sync_engine.feed_top(snapshot)
                assert t1 > since
                # ... meanwhile a sells again and another pull of b applies up to t2 > t1
                sales.record_sale(a, member, 20_000)
                sync.sync_now(a)
                later = _pull(b)
                assert later.watermark > t1
                # the first pull now applies what it read: the watermark stays at t2
                sync_engine._apply_feed(b.db, snapshot, b.register_id, since, t1, None)
        finally:
            snapshot.close()
    with b.db.read() as session:
        assert sync_engine.watermark(session) == later.watermark
    assert _ids(b) == _ids(a) and len(_ids(b)) == 2
    assert _ledger(b) == _ledger(a)
