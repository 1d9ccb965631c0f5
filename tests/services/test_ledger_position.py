"""The kept ledger position of a regular gives the balances summing the ledger gives (issue 17).

A member with more entries than KEEP_FROM (lowered here): sales, bonus lots, uses, voids,
lots coming due and within 30 days, the clock moving on, another process's sale on the same
file, and a gap too long to catch up on; after each, the lean status (kept position) must
equal the ORM status (BALANCES_STATEMENT's sums over the whole ledger).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text

from app.services import customers, ledger_position, program, redemptions, sales
from app.services.context import Context, open_shop


def orm_status(ctx: Context, customer_id: uuid.UUID) -> customers.CustomerStatus:
    with ctx.db.read() as session:
        customer = customers.usable_customer(session, customer_id)
        return customers.status_of(ctx, session, customer, ctx.now())


def same(ctx: Context, who: uuid.UUID) -> customers.CustomerStatus:
    lean = customers.customer_status(ctx, who)
    assert lean == orm_status(ctx, who)
    return lean


@pytest.fixture
def regular(sqlite_ctx: Context, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(ledger_position, "KEEP_FROM", 4)
    ledger_position.forget_positions()
    document = program.show_program(sqlite_ctx)
    document["points"]["expiry_months"] = 1
    program.load_program(sqlite_ctx, document)
    who = customers.enroll(sqlite_ctx, "010-7777-0001").id
    yield sqlite_ctx, who
    ledger_position.forget_positions()


def kept(ctx: Context, who: uuid.UUID) -> ledger_position.Position | None:
    return ledger_position._POSITIONS.get((str(ctx.db.engine.url), who))


def test_the_kept_position_follows_the_ledger(regular: Any) -> None:
    ctx, who = regular
    start = ctx.now()
    done = []
    for day in range(8):
        ctx.fixed_now = start + timedelta(days=6 * day)  # lots come due and within 30 days
        done.append(sales.record_sale(ctx, who, 200_000 + 70_000 * day))
        after = same(ctx, who)  # the sale read the kept position too: its balance is the same
        assert (done[-1].points, done[-1].stamps) == (after.points, after.stamps)
        assert done[-1].status == after
    assert kept(ctx, who) is not None  # a regular now: the status used the kept position
    redemptions.redeem_points(ctx, who, 1000)
    same(ctx, who)
    sales.void_action(ctx, str(done[-1].sale_id))
    same(ctx, who)
    for days in (1, 10, 25, 31, 45, 90):  # no new rows: only the clock moves the lots due
        ctx.fixed_now = start + timedelta(days=42 + days)
        status = same(ctx, who)
    assert status.points_expiring_30d == 0
    position = kept(ctx, who)
    assert position is not None and position.mark > 0


def test_another_process_and_a_long_gap(regular: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx, who = regular
    for _ in range(5):
        sales.record_sale(ctx, who, 15_000)
    before = same(ctx, who)
    other = open_shop(str(ctx.db.url), now=ctx.now())
    try:
        sales.record_sale(other, who, 30_000)  # another register's process, same file
        other_one = customers.enroll(other, "010-7777-0002").id
        sales.record_sale(other, other_one, 9_000)  # rows of someone else in between
    finally:
        other.close()
    after = same(ctx, who)
    assert after.points > before.points
    monkeypatch.setattr(ledger_position, "MAX_GAP", 0)  # too far behind: read again
    sales.record_sale(ctx, who, 1_000)
    same(ctx, who)


def test_small_ledgers_are_summed_not_kept(sqlite_ctx: Context) -> None:
    ledger_position.forget_positions()
    who = customers.enroll(sqlite_ctx, "010-7777-0003").id
    sales.record_sale(sqlite_ctx, who, 5_000)
    same(sqlite_ctx, who)
    assert kept(sqlite_ctx, who) is None


def test_a_file_restored_in_place_is_read_again(regular: Any, tmp_path: Any) -> None:
    """A restore replaces the file under the same engine: the kept position is not its history.

    After the restore, new sales push the table's newest rowid past the old mark (the member's
    rows among them): only the id at the mark tells the two histories apart."""
    from app.services import backup

    ctx, who = regular
    for _ in range(5):
        sales.record_sale(ctx, who, 15_000)
    backup.backup(ctx, tmp_path / "copy.sqlite")  # the file at 5 sales
    for _ in range(6):
        sales.record_sale(ctx, who, 40_000)
    same(ctx, who)  # the position is kept at the newest rowid of 11 sales
    position = kept(ctx, who)
    assert position is not None
    mark = position.mark
    backup.restore(ctx, tmp_path / "copy.sqlite")
    other = customers.enroll(ctx, "010-7777-0009").id
    while True:  # new rows, the member's too, up to past the old mark
        sales.record_sale(ctx, who, 1_000)
        sales.record_sale(ctx, other, 1_000)
        with ctx.db.read() as session:
            if session.scalar(text("SELECT max(rowid) FROM ledger_entries")) > mark:
                break
    same(ctx, who)
