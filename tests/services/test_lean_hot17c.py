"""Issue 17 items 1 and 2 (branch hot17c): a lookup on the engine's held connection, the
redemption in fewer statements, the collector settled as the counter settles it.

Real SQLite files; the answers are held to the ORM path's by test_lean_counter.py and
test_lean_redemption_void.py; here: what the held connection does (one connection, not the
pool's; another thread meanwhile takes the pool's; nothing left open; closed by the engine's
dispose), the statements a redemption runs, and the sums read with the table's newest row.
"""

from __future__ import annotations

import gc
import threading
import uuid
from typing import Any

import pytest
from sqlalchemy import event

from app.db import lean
from app.db.lean import lean_connection
from app.services import customers, gc_policy, ledger_position, redemptions, sales
from app.services.context import Context
from app.services.ledger import ledger_sums


def checkouts(ctx: Context) -> list[int]:
    seen: list[int] = []
    event.listen(ctx.db.engine.pool, "checkout", lambda *_: seen.append(1))
    return seen


def test_lookups_share_one_held_connection(sqlite_ctx: Context) -> None:
    who = customers.enroll(sqlite_ctx, "010-7000-0001").id
    customers.lean_search(sqlite_ctx, "010-7000-0001")  # the first takes it from the pool
    seen = checkouts(sqlite_ctx)
    drivers = set()
    for _ in range(5):
        assert [c.id for c in customers.lean_search(sqlite_ctx, "010-7000-0001")] == [who]
        with lean_connection(sqlite_ctx.db.engine) as connection:
            drivers.add(id(connection.cursor.connection))
    assert seen == []  # no checkout from the pool
    assert len(drivers) == 1
    lean.HOLD_READS = False
    try:
        customers.lean_search(sqlite_ctx, "010-7000-0001")
    finally:
        lean.HOLD_READS = True
    assert seen == [1]  # as before: one checkout a lookup


def test_a_second_thread_takes_the_pools_connection_meanwhile(sqlite_ctx: Context) -> None:
    who = customers.enroll(sqlite_ctx, "010-7000-0002").id
    found: list[Any] = []
    with lean_connection(sqlite_ctx.db.engine) as held:
        seen = checkouts(sqlite_ctx)

        def other() -> None:
            with lean_connection(sqlite_ctx.db.engine) as connection:
                found.append(connection.cursor.connection is held.cursor.connection)
            found.append([c.id for c in customers.lean_search(sqlite_ctx, "010-7000-0002")])

        thread = threading.Thread(target=other)
        thread.start()
        thread.join(10)
    assert found == [False, [who]]
    assert len(seen) == 2  # each of the other thread's reads from the pool, none waited


def test_nothing_is_left_open_and_dispose_closes_it(sqlite_ctx: Context) -> None:
    engine = sqlite_ctx.db.engine
    with lean_connection(engine) as connection:
        driver = connection.cursor.connection
        connection.cursor.execute("BEGIN")  # a read that left a transaction open
    with lean_connection(engine) as connection:  # not given again: closed instead
        assert connection.cursor.connection is not driver
        again = connection.cursor.connection
        assert not again.in_transaction
    engine.dispose()  # a restored file, the shop closed
    with pytest.raises(Exception, match="closed"):
        again.execute("SELECT 1")
    assert customers.lean_search(sqlite_ctx, "0000") == []  # a new one after it


def test_a_refusal_keeps_the_held_connection(sqlite_ctx: Context) -> None:
    engine = sqlite_ctx.db.engine
    with lean_connection(engine) as connection:
        driver = connection.cursor.connection
    with pytest.raises(Exception, match="no such table"), lean_connection(engine) as connection:
        connection.cursor.execute("SELECT * FROM no_such_table")
    with lean_connection(engine) as connection:
        assert connection.cursor.connection is driver


def statements_of(ctx: Context, call: Any) -> list[str]:
    seen: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(ctx.db.engine, "before_cursor_execute", note)
    try:
        call()
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", note)
    return seen


def test_a_redemption_runs_thirteen_statements(sqlite_ctx: Context) -> None:
    """BEGIN, the locked customer, the program's key, the sums with the table's newest row,
    the redemption, its entry, the figures, the audit's tip, row and tip, then the status's
    spend with the card, coupons and visits (15 before: the newest row and the card apart)."""
    who = customers.enroll(sqlite_ctx, "010-7000-0003").id
    sales.record_sale(sqlite_ctx, who, 200_000)
    redemptions.redeem_points(sqlite_ctx, who, 1000)  # the audit tip and caches in place
    seen = statements_of(sqlite_ctx, lambda: redemptions.redeem_points(sqlite_ctx, who, 1000))
    assert len(seen) == 13, seen
    assert sum("ledger_entries" in s and "coalesce(sum(" in s for s in seen) == 1


def test_the_sums_read_with_the_newest_row_are_the_sessions(
    sqlite_ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger_position.forget_positions()
    monkeypatch.setattr(ledger_position, "KEEP_FROM", 3)
    who = customers.enroll(sqlite_ctx, "010-7000-0004").id
    for amount in (10_000, 20_000, 30_000, 40_000):
        sales.record_sale(sqlite_ctx, who, amount)
        now = sqlite_ctx.now()
        with sqlite_ctx.db.read() as session, lean_connection(sqlite_ctx.db.engine) as connection:
            assert ledger_position.position_sums(connection, who, now) == ledger_sums(
                session, who, now
            )
    kept = ledger_position._POSITIONS[(str(sqlite_ctx.db.engine.url), who)]
    with lean_connection(sqlite_ctx.db.engine) as connection:
        (newest, newest_id) = connection.cursor.execute(
            "SELECT rowid, id FROM ledger_entries ORDER BY rowid DESC LIMIT 1"
        ).fetchone()
    assert (kept.mark, kept.mark_id) == (newest, uuid.UUID(hex=newest_id))
    ledger_position.forget_positions()


def test_settle_freezes_start_up_and_raises_the_threshold() -> None:
    before = gc.get_threshold()
    try:
        gc_policy.settle()
        assert gc.get_threshold() == gc_policy.THRESHOLDS
        assert gc.get_freeze_count() > 10_000  # the modules, the models, the statements
        assert gc.isenabled()
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
