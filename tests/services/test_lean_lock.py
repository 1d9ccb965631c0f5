"""The lean reads a sale, a redemption and a void now begin with (issue 17 item 2) read what
the ORM reads did: the locked customer (`lean_lock_usable`, `lean_lock`, against
`lock_usable_customer` / `lock_customer`) and the sale a void acts on with what its void asks
first (`_lean_sale`, against `session.get(Sale, id)` and the void's refusals); the customer's
row is locked the same way on PostgreSQL; a tier changed through the record reaches the
database. The rows a void writes are held to the ORM path's in test_lean_redemption_void.py,
the wallet's and the POS sale's in test_wallet.py and test_pos.py."""

from __future__ import annotations

import uuid
from dataclasses import fields

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from app.db.lean import session_lean
from app.db.locks import lock_customer
from app.db.models import Customer, Sale, TierChange
from app.domain.errors import Refused
from app.services import customers, sales
from app.services.context import Context
from app.services.customers import (
    CustomerRecord,
    lean_lock,
    lean_lock_usable,
    lock_usable_customer,
)


def _as_record(customer: Customer) -> dict[str, object]:
    return {f.name: getattr(customer, f.name) for f in fields(CustomerRecord)}


def test_the_lean_lock_reads_the_orm_locks_row(ctx: Context) -> None:
    member = customers.enroll(ctx, "010-4444-0001", name="김하나", birthday="1990-02-03").id
    sales.record_sale(ctx, member, 30_000)
    gone = customers.enroll(ctx, "010-4444-0002").id
    customers.erase_customer(ctx, gone)
    with ctx.db.write() as session, session_lean(session) as lean:
        record = lean_lock_usable(session, lean, member)
        assert isinstance(record, CustomerRecord)
        assert record.enrolled_at.tzinfo is not None
        assert {f.name: getattr(record, f.name) for f in fields(record)} == _as_record(
            lock_usable_customer(session, member)
        )
        erased = lean_lock(session, lean, gone)
        assert erased is not None
        assert erased.status != "active"
        assert {f.name: getattr(erased, f.name) for f in fields(erased)} == _as_record(
            lock_customer(session, gone)
        )
        assert lean_lock(session, lean, uuid.uuid4()) is None
        for who, code in ((gone, "customer.inactive"), (uuid.uuid4(), "customer.not_found")):
            with pytest.raises(Refused) as lean_refused:
                lean_lock_usable(session, lean, who)
            with pytest.raises(Refused) as orm_refused:
                lock_usable_customer(session, who)
            assert lean_refused.value.code == orm_refused.value.code == code


def test_the_lean_lock_sees_what_the_session_holds_unflushed(ctx: Context) -> None:
    member = customers.enroll(ctx, "010-4444-0003").id
    with ctx.db.write() as session:
        held = session.get(Customer, member)
        assert held is not None
        held.status = "erased"  # unflushed: the ORM query's autoflush wrote it first
        with session_lean(session) as lean, pytest.raises(Refused) as refused:
            lean_lock_usable(session, lean, member)
        assert refused.value.code == "customer.inactive"
        session.rollback()


@pytest.mark.postgres
def test_the_lean_lock_holds_the_row_on_postgresql(pg_url: str) -> None:
    from app.services.context import open_shop

    ctx = open_shop(pg_url)
    try:
        member = customers.enroll(ctx, "010-4444-0004").id
        probe = text("SELECT id FROM customers WHERE id = :id FOR UPDATE NOWAIT")
        with ctx.db.engine.connect() as other:
            with ctx.db.write() as session, session_lean(session) as lean:
                lean_lock_usable(session, lean, member)
                with pytest.raises(OperationalError, match="lock"):
                    other.execute(probe, {"id": member})
                other.rollback()
            assert other.execute(probe, {"id": member}).first() is not None  # released
            other.rollback()
    finally:
        ctx.close()


def test_the_lean_sale_is_the_orm_sale(ctx: Context) -> None:
    member = customers.enroll(ctx, "010-4444-0005").id
    made = sales.record_sale(ctx, member, 12_000, 3).sale_id
    columns = [column.key for column in Sale.__table__.columns]
    with ctx.db.write() as session, session_lean(session) as lean:
        found = sales._lean_sale(session, lean, made)
        assert found is not None
        assert found.sale not in session  # a plain record of the row
        orm_sale = session.get(Sale, made)
        assert orm_sale is not None
        assert {k: getattr(found.sale, k) for k in columns} == {
            k: getattr(orm_sale, k) for k in columns
        }
        assert found.sale.occurred_at.tzinfo is not None
        assert (found.voided, found.refunded, found.wallet) == (False, False, False)
        assert (found.pos_sale_id, found.promotion) == (None, None)
        assert sales._lean_sale(session, lean, uuid.uuid4()) is None
    sales.void_action(ctx, str(made))
    with ctx.db.write() as session, session_lean(session) as lean:
        after = sales._lean_sale(session, lean, made)
        assert after is not None and after.voided and not after.refunded
    with pytest.raises(Refused) as refused:
        sales.void_action(ctx, str(made))
    assert refused.value.code == "void.already"


def test_a_promotion_and_its_void_through_the_record_reach_the_row(ctx: Context) -> None:
    member = customers.enroll(ctx, "010-4444-0006").id
    big = sales.record_sale(ctx, member, 900_000)
    assert big.promoted_from is not None
    assert big.tier != big.promoted_from
    assert big.status is not None and big.status.tier == big.tier
    with ctx.db.read() as session:
        row = session.get(Customer, member)
        assert row is not None and row.tier_code == big.tier
        changes = session.scalars(
            select(TierChange.to_code).where(
                TierChange.customer_id == member, TierChange.sale_id == big.sale_id
            )
        ).all()
        assert changes == [big.tier]
    with ctx.db.write() as session, session_lean(session) as lean:
        found = sales._lean_sale(session, lean, big.sale_id)
        assert found is not None and found.promotion == (big.promoted_from, big.tier)
    voided = sales.void_action(ctx, str(big.sale_id))
    assert voided.tier == big.promoted_from
    with ctx.db.read() as session:
        row = session.get(Customer, member)
        assert row is not None and row.tier_code == big.promoted_from


def test_the_void_s_read_goes_by_indexes_only(sqlite_ctx: Context) -> None:
    """Each of its subqueries by an index (a scan of sales, wallet_entries or tier_changes
    would cost seconds on the 1M shop, as the void's entries once did)."""
    sql = str(sales._LEAN_SALE_TO_VOID.statement.compile(dialect=sqlite_ctx.db.engine.dialect))
    with sqlite_ctx.db.engine.connect() as connection:
        cursor = connection.connection.cursor()
        plan = [
            row[3]
            for row in cursor.execute("EXPLAIN QUERY PLAN " + sql, ["0" * 32] * sql.count("?"))
        ]
        cursor.close()
    searches = [step for step in plan if step.startswith(("SEARCH", "SCAN"))]
    assert len(searches) == 7
    assert all(step.startswith("SEARCH") and "INDEX" in step for step in searches), plan
