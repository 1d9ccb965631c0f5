"""The central database counts a push's figures from its own business's rows only (issue 20
item 1, one business among 1,000): every central key leads with business_id, and a read of the
running figures without it went through every business's rows (a scan per push on a database
of many businesses) and took another business's rows of the same ids for its own."""

from __future__ import annotations

import uuid
from urllib.parse import unquote

import psycopg
from sqlalchemy import func, select

from app.db.models import MonthlyStat
from app.services import customers, sales, sync
from app.services.customers import resolve_customer

PG = "host=127.0.0.1 user=postgres dbname=test"
PHONE = "01055550001"


def test_a_push_counts_only_its_own_business(registers, pg_url: str) -> None:
    a = registers("A")
    customers.enroll(a, PHONE)
    sync.sync_now(a)
    member = resolve_customer(a, PHONE)
    mine = uuid.UUID(str(a.settings[sync.BUSINESS_KEY]))
    month = a.now().astimezone(a.zone).strftime("%Y-%m")
    schema = unquote(pg_url).split("search_path=")[1].split("&")[0]
    # another business on the same central database holds a copy of this one's member (a
    # business copied from another, as bench_chain --others makes them), active this month
    other = uuid.uuid4()
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f"SET search_path = {schema}")
        conn.execute("INSERT INTO businesses (business_id) VALUES (%s)", (other,))
        conn.execute("INSERT INTO sync_feed_heads (business_id, seq) VALUES (%s, 0)", (other,))
        columns = [
            r[0]
            for r in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = %s "
                "AND table_name = 'customers' AND column_name <> 'business_id'",
                (schema,),
            ).fetchall()
        ]
        cols = ", ".join(f'"{c}"' for c in columns)
        with conn.transaction():
            conn.execute("SET LOCAL session_replication_role = replica")  # its store, staff
            conn.execute(
                f"INSERT INTO customers (business_id, {cols}) SELECT %s, {cols} FROM customers "
                "WHERE business_id = %s AND id = %s",
                (other, mine, member),
            )
            conn.execute(
                "INSERT INTO customer_months (business_id, customer_id, month) VALUES (%s, %s, %s)",
                (other, member, month),
            )
    # the member's first sale this month, pushed: one active member here and centrally
    sales.record_sale(a, member, 12_000)
    sync.sync_now(a)
    with a.db.read() as session:
        here = session.scalar(
            select(func.sum(MonthlyStat.value)).where(
                MonthlyStat.month == month, MonthlyStat.metric == "active_members"
            )
        )
    assert here == 1
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f"SET search_path = {schema}")
        row = conn.execute(
            "SELECT coalesce(sum(value), 0) FROM monthly_stats WHERE business_id = %s "
            "AND month = %s AND metric = 'active_members'",
            (mine, month),
        ).fetchone()
        months = conn.execute(
            "SELECT count(*) FROM customer_months WHERE business_id = %s AND customer_id = %s",
            (mine, member),
        ).fetchone()
    assert months is not None and months[0] == 1
    assert row is not None and row[0] == 1  # the other business's month is not this one's
