"""What a register costs the central server in a chain (issue 20 item 1): no pool connection
kept between syncs (with LISTEN on, the listener's is its one; with LISTEN off, none), a
pull with nothing new is one statement, a register's own notice is no reason to pull, and
a burst of notices is answered by a pull or two, not one each."""

from __future__ import annotations

import time

import psycopg
import pytest
from sqlalchemy import event, func, select

from app.db.models import Sale
from app.services import customers, sales, sync
from app.services.customers import resolve_customer
from app.sync import engine as sync_engine
from app.sync import server
from tests.sync.conftest import wait_until

PHONE = "01044440001"
PG = "host=127.0.0.1 user=postgres dbname=test"


def _connections(application_name: str) -> int:
    with psycopg.connect(PG, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
            (application_name,),
        ).fetchone()
    return int(row[0]) if row else 0


def _sales(ctx) -> int:
    with ctx.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(Sale)) or 0)


@pytest.mark.parametrize("listen", [True, False], ids=["listen", "polling"])
def test_between_syncs_a_register_holds_the_listener_or_nothing(
    registers, pg_url: str, monkeypatch: pytest.MonkeyPatch, listen: bool
) -> None:
    monkeypatch.setenv(sync.LISTEN_ENV, "1" if listen else "0")
    name = f"dangol-econ-{'l' if listen else 'p'}-{time.monotonic_ns()}"
    url = f"{pg_url}&application_name={name}"  # the register's own name on the server
    a = registers("A", url=url)
    url = str(sync.configured_url(a))
    assert f"application_name={name}" in url
    sync.sync_now(a)
    assert _connections(name) == 0  # the sync's connection went with it
    worker = sync.start_worker(a, idle_seconds=0.3)
    assert worker is not None
    try:
        customers.enroll(a, PHONE)
        assert wait_until(lambda: worker.runs >= 3)
        counts = []
        for _ in range(25):  # sampled between and during syncs
            counts.append(_connections(name))
            time.sleep(0.02)
        # the listener's connection (with LISTEN on), at most one more during a sync
        assert max(counts) <= (2 if listen else 1)
        assert min(counts) == (1 if listen else 0)
    finally:
        worker.stop()
        server.forget_engine(url)
    assert wait_until(lambda: _connections(name) == 0, 5)


def test_a_pull_with_nothing_new_is_one_statement(registers) -> None:
    a = registers("A")
    sync.sync_now(a)
    url = sync.configured_url(a)
    assert url is not None
    central = server.central_engine(url)
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(central, "before_cursor_execute", count)
    try:
        with server.held(url):
            result = sync_engine.pull(a.db, central, a.register_id)
    finally:
        event.remove(central, "before_cursor_execute", count)
    assert result.rows == 0
    assert len(statements) == 1 and "max" in statements[0].lower(), statements


def test_own_notices_are_no_reason_and_a_burst_is_coalesced(
    registers, monkeypatch: pytest.MonkeyPatch
) -> None:
    # (the channel is the database's: other schemas' registers on the test server may notify
    # too, so the counts below are bounds, and a's own notice is checked by its process id)
    monkeypatch.delenv(sync.LISTEN_ENV, raising=False)
    a, b = registers("A"), registers("B")
    customers.enroll(a, PHONE)
    sync.sync_now(a)
    sync.sync_now(b)
    workers = [sync.start_worker(ctx, idle_seconds=60) for ctx in (a, b)]
    wa, wb = workers
    assert wa is not None and wb is not None and wa.own_backend is not None
    judged: list[tuple[int, bool]] = []
    own = wa.own_backend

    def judge(pid: int) -> bool:
        judged.append((pid, own(pid)))
        return judged[-1][1]

    wa.own_backend = judge
    pushed_by: list[int] = []
    original = sync_engine.append_feed

    def remember_pid(connection, feed, notify=True) -> None:
        if notify and feed and feed[0]["origin"] == a.register_id:
            pushed_by.append(connection.connection.dbapi_connection.info.backend_pid)
        original(connection, feed, notify)

    monkeypatch.setattr(sync_engine, "append_feed", remember_pid)
    try:
        assert wait_until(lambda: wa.runs >= 1 and wb.runs >= 1)
        time.sleep(0.5)  # both listening
        sales.record_sale(a, resolve_customer(a, PHONE), 10_000)
        assert wait_until(lambda: _sales(b) == 1)  # b heard a's notice and pulled
        assert wait_until(lambda: any(pid in pushed_by for pid, _ in judged))
        assert pushed_by and all(mine for pid, mine in judged if pid in pushed_by)
        assert not any(mine for pid, mine in judged if pid not in pushed_by)
        # a burst: a notice every 10 ms for a second, as a hundred registers' pushes send
        runs_before, notices_before = wb.runs, wb.notices
        url = sync.configured_url(b)
        assert url is not None
        conninfo = server.central_engine(url).url.set(drivername="postgresql")
        with psycopg.connect(
            conninfo.render_as_string(hide_password=False), autocommit=True
        ) as conn:
            for _ in range(100):
                conn.execute(f"NOTIFY {sync_engine.CHANNEL}")
                time.sleep(0.01)
        assert wait_until(lambda: wb.notices - notices_before >= 100)
        time.sleep(wb.notice_gap * 2)
        pulls = wb.runs - runs_before
        # one pull per gap (at least 0.1 s, and at least 1.5 runs) at most: not a hundred
        assert 1 <= pulls <= 15, pulls
    finally:
        for w in workers:
            w.stop()


def test_notice_gap_follows_the_run_length_within_bounds() -> None:
    from app.sync import background

    worker = background.SyncWorker(lambda: None)
    worker.last_took = 0.0
    assert worker.notice_gap == background.NOTICE_GAP_MIN_SECONDS
    worker.last_took = 0.4
    assert worker.notice_gap == pytest.approx(0.4 * background.NOTICE_GAP_PER_RUN)
    worker.last_took = 10.0
    assert worker.notice_gap == background.NOTICE_GAP_MAX_SECONDS
    worker.last_start, worker.last_took = 100.0, 0.4
    assert worker.due_after_notice(101.0) == 101.0  # quiet: at once
    due = worker.due_after_notice(100.1)  # a run just began: after the gap, spread
    assert 100.6 <= due <= 100.9
