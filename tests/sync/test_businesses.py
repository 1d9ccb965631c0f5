"""Many businesses on one central database (issue 20 item 4, migration 0027): every central key
leads with the business, the change feed is numbered per business, and a register of one
business never receives another's rows nor waits on another's push."""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text

from app.db import migrate
from app.db.models import Customer, Sale
from app.services import customer_admin, customers, sales, sync
from app.services.context import Context, open_shop
from app.services.customers import resolve_customer
from app.services.ledger import balances
from app.sync import engine as sync_engine
from app.sync import server
from tests.conftest import START

pytestmark = pytest.mark.postgres

PHONE = "010-2345-6789"


@pytest.fixture
def shops(
    pg_url: str, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., Context]]:
    """make(name, business=None, new=False) -> a register set up for sync on pg_url."""
    monkeypatch.delenv("DANGOL_NOW", raising=False)
    opened: list[Context] = []

    def make(name: str, *, business: str | None = None, new: bool = False) -> Context:
        ctx = open_shop(str(tmp_path / f"{name}.sqlite"), now=START)
        opened.append(ctx)
        sync.setup_sync(
            ctx, pg_url, store="본점", register=name, business=business, new_business=new
        )
        return ctx

    yield make
    for ctx in opened:
        ctx.close()
    for url in list(server._engines):
        server.forget_engine(url)


def _business(ctx: Context) -> str:
    return str(ctx.settings[sync.BUSINESS_KEY])


def _plain(ctx: Context):
    return server.central_engine(sync.configured_url(ctx) or "")


def _phone_holders(ctx: Context) -> list[uuid.UUID]:
    with ctx.db.read() as session:
        return list(
            session.scalars(select(Customer.id).where(Customer.phone == PHONE.replace("-", "")))
        )


def test_two_businesses_each_see_only_their_own_rows(shops) -> None:
    a1 = shops("A1")
    a2 = shops("A2", business=_business(a1))
    b1 = shops("B1", new=True)
    b2 = shops("B2", business=_business(b1))
    assert _business(a1) == _business(a2) != _business(b1) == _business(b2)
    # the same phone enrolled in both businesses: two customers, one per business
    for ctx, amount in ((a1, 10_000), (b1, 70_000)):
        customers.enroll(ctx, PHONE)
        sales.record_sale(ctx, resolve_customer(ctx, PHONE), amount)
        sync.sync_now(ctx)
    for ctx in (a2, b2):
        sync.sync_now(ctx)
    a_member, b_member = _phone_holders(a1), _phone_holders(b1)
    assert len(a_member) == len(b_member) == 1 and a_member != b_member
    assert _phone_holders(a2) == a_member and _phone_holders(b2) == b_member
    with a2.db.read() as session:
        assert [int(x) for x in session.scalars(select(Sale.amount))] == [10_000]
    with b2.db.read() as session:
        assert [int(x) for x in session.scalars(select(Sale.amount))] == [70_000]
    with _plain(a1).connect() as connection:
        holders = connection.execute(
            text("SELECT business_id, id FROM customers WHERE phone = :p"),
            {"p": PHONE.replace("-", "")},
        ).all()
        assert {str(b) for b, _ in holders} == {_business(a1), _business(b1)}
        # each business's feed counts from 1 by itself, without gaps, its head at its end
        for ctx in (a1, b1):
            numbers = list(
                connection.scalars(
                    text("SELECT seq FROM sync_changes WHERE business_id = :b ORDER BY seq"),
                    {"b": _business(ctx)},
                )
            )
            head = connection.scalar(
                text("SELECT seq FROM sync_feed_heads WHERE business_id = :b"),
                {"b": _business(ctx)},
            )
            assert numbers == list(range(1, len(numbers) + 1)) and head == numbers[-1]
    # a register's watermark is its business's feed position
    assert sync.doctor(b2).healthy and sync.doctor(a2).healthy


def test_a_push_of_one_business_does_not_wait_on_anothers_open_push(shops) -> None:
    a1 = shops("A1")
    a2 = shops("A2", business=_business(a1))
    b1 = shops("B1", new=True)
    for ctx in (a2, b1):
        customers.enroll(ctx, PHONE)
    held = sync.business_engine(a1, sync.configured_url(a1) or "").connect()
    transaction = held.begin()
    held.execute(text(sync_engine.FEED_LOCK))  # A's push, its transaction still open
    done: dict[str, float] = {}

    def push(ctx: Context, name: str) -> None:
        started = time.monotonic()
        sync.sync_now(ctx)
        done[name] = time.monotonic() - started

    try:
        other = threading.Thread(target=push, args=(b1, "B"), daemon=True)
        same = threading.Thread(target=push, args=(a2, "A"), daemon=True)
        other.start()
        same.start()
        other.join(30)
        assert "B" in done  # another business: not held up by A's open push
        same.join(2)
        assert "A" not in done and same.is_alive()  # the same business waits its turn
    finally:
        transaction.commit()
        held.close()
    same.join(30)
    assert "A" in done
    with _plain(a1).connect() as connection:
        mine = connection.scalars(
            text("SELECT business_id FROM customers WHERE phone = :p"),
            {"p": PHONE.replace("-", "")},
        )
        assert sorted(str(b) for b in mine) == sorted([_business(a1), _business(b1)])


def test_an_upgraded_central_database_becomes_one_business_and_keeps_syncing(
    shops, pg_url: str
) -> None:
    a = shops("A")
    b = shops("B")
    customers.enroll(a, PHONE)
    sales.record_sale(a, resolve_customer(a, PHONE), 20_000)
    sync.sync_now(a)
    sync.sync_now(b)
    url = sync.configured_url(a) or ""
    plain = server.central_engine(url)
    migrate.downgrade(plain, "0026")  # the central database as version 0026 left it
    server.forget_engine(url)
    sync._confirmed.clear()
    plain = server.central_engine(url)
    with plain.connect() as connection:
        columns = connection.scalar(
            text(
                "SELECT count(*) FROM information_schema.columns WHERE column_name = "
                "'business_id' AND table_schema = current_schema() AND table_name = 'customers'"
            )
        )
        top = connection.scalar(text("SELECT max(seq) FROM sync_changes"))
    assert columns == 0 and top
    sales.record_sale(a, resolve_customer(a, PHONE), 30_000)
    sync.sync_now(a)  # brings the central schema to 0027: its rows one business
    sync.sync_now(b)
    assert migrate.current_revision(plain) == migrate.head_revision()
    with b.db.read() as session:
        assert sorted(int(x) for x in session.scalars(select(Sale.amount))) == [20_000, 30_000]
    assert _business(a) == _business(b)
    with plain.connect() as connection:
        businesses = list(connection.scalars(text("SELECT business_id FROM businesses")))
        numbers = list(connection.scalars(text("SELECT seq FROM sync_changes ORDER BY seq")))
    assert [str(x) for x in businesses] == [_business(a)]
    assert numbers == list(range(1, len(numbers) + 1)) and numbers[-1] > top
    # a register set up afterwards joins the one business there is
    c = shops("C")
    assert _business(c) == _business(a)
    with c.db.read() as session:
        assert len(list(session.scalars(select(Sale.amount)))) == 2


_KEYS = """
SELECT r.relname, k.conname, k.contype, f.relname,
       (SELECT a.attname FROM pg_attribute a
        WHERE a.attrelid = k.conrelid AND a.attnum = k.conkey[1]),
       (SELECT a.attname FROM pg_attribute a
        WHERE a.attrelid = k.confrelid AND a.attnum = k.confkey[1])
FROM pg_constraint k JOIN pg_class r ON r.oid = k.conrelid
JOIN pg_namespace n ON n.oid = r.relnamespace LEFT JOIN pg_class f ON f.oid = k.confrelid
WHERE n.nspname = current_schema() AND k.contype IN ('p', 'u', 'f')
"""


def test_every_central_key_begins_with_the_business(shops) -> None:
    a = shops("A")
    with _plain(a).connect() as connection:
        tables = set(
            connection.scalars(
                text(
                    "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = "
                    "c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r'"
                )
            )
        )
        keys = connection.execute(text(_KEYS)).all()
        feed_default = connection.scalar(
            text(
                "SELECT column_default FROM information_schema.columns WHERE table_schema = "
                "current_schema() AND table_name = 'sync_changes' AND column_name = 'seq'"
            )
        )
        sequences = list(
            connection.scalars(
                text(
                    "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = "
                    "c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'S'"
                )
            )
        )
    # left alone: Alembic's own table and a register's coalition copy (see migration 0027)
    exempt = {"alembic_version", "partner_programs"}
    assert {"customers", "sync_changes", "sync_feed_heads", "businesses"} <= tables
    with_primary = {table for table, _, kind, *_ in keys if kind == "p"}
    assert tables - exempt <= with_primary
    wrong = [
        (table, name)
        for table, name, kind, parent, first, parent_first in keys
        if table not in exempt
        and parent not in exempt
        and (first != "business_id" or (kind == "f" and parent_first != "business_id"))
    ]
    assert wrong == []
    assert len([k for k in keys if k[2] == "f"]) > 60  # the check saw the foreign keys
    assert feed_default is None and "sync_changes_seq_seq" not in sequences
    # the README's Citus DDL names every table of the real schema, parents before children
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    ddl = readme[readme.index("CREATE EXTENSION citus;") :]
    ddl = ddl[: ddl.index("```")]
    listed = re.findall(r"'([a-z_]+)'", ddl[ddl.index("unnest(ARRAY[") :])
    assert sorted(listed) == sorted(tables - exempt - {"businesses"})
    parents = {(t, p) for t, _, kind, p, *_ in keys if kind == "f" and p not in exempt}
    order = {name: i for i, name in enumerate(["businesses", *listed])}
    assert [(t, p) for t, p in parents if t != p and order[p] > order[t]] == []


def test_the_same_row_ids_in_two_businesses_stay_apart(pg_url: str, tmp_path, monkeypatch) -> None:
    """A shop file copied to start a second business: every id the same in both. Each
    business's copy is its own row; nothing of one reaches the other's registers."""
    import shutil

    monkeypatch.delenv("DANGOL_NOW", raising=False)
    first = open_shop(str(tmp_path / "A1.sqlite"), now=START)
    customers.enroll(first, PHONE)
    sales.record_sale(first, resolve_customer(first, PHONE), 10_000)
    first.close()
    shutil.copy(tmp_path / "A1.sqlite", tmp_path / "B1.sqlite")
    opened = [open_shop(str(tmp_path / f"{n}.sqlite"), now=START) for n in ("A1", "B1")]
    a1, b1 = opened
    try:
        sync.setup_sync(a1, pg_url, store="본점", register="A1")
        sync.setup_sync(b1, pg_url, store="본점", register="B1", new_business=True)
        assert a1.register_id == b1.register_id and _business(a1) != _business(b1)
        member = resolve_customer(b1, PHONE)
        assert member == resolve_customer(a1, PHONE)
        sales.record_sale(b1, member, 70_000)
        customer_admin.update_profile(b1, member, customer_admin.ProfileChange(name="비손님"))
        sync.sync_now(b1)
        sales.record_sale(a1, resolve_customer(a1, PHONE), 30_000)
        sync.sync_now(a1)
        for name, business in (("A2", _business(a1)), ("B2", _business(b1))):
            ctx = open_shop(str(tmp_path / f"{name}.sqlite"), now=START)
            opened.append(ctx)
            sync.setup_sync(ctx, pg_url, store="본점", register=name, business=business)
        a2, b2 = opened[2:]
        for ctx in (a1, b1):
            sync.sync_now(ctx)

        def amounts(ctx: Context) -> list[int]:
            with ctx.db.read() as session:
                return sorted(int(x) for x in session.scalars(select(Sale.amount)))

        assert amounts(a1) == amounts(a2) == [10_000, 30_000]
        assert amounts(b1) == amounts(b2) == [10_000, 70_000]
        names = []
        for ctx in (a1, a2, b2):
            with ctx.db.read() as session:
                names.append(session.scalar(select(Customer.name).where(Customer.id == member)))
        assert names[0] == names[1] != "비손님" and names[2] == "비손님"
        # the online redemption check reads its own business's ledger: A's points, not A+B's
        for ctx in (a1, b1):
            with ctx.db.read() as session:
                own = balances(session, member, ctx.now()).points
            assert own > 0 and sync.central_points(ctx, member) == own
        with _plain(a1).connect() as connection:
            copies = connection.scalar(
                text("SELECT count(*) FROM customers WHERE id = :c"), {"c": member}
            )
            sales_there = connection.scalar(text("SELECT count(*) FROM sales"))
        assert copies == 2 and sales_there == 4
    finally:
        for ctx in opened:
            ctx.close()
        for url in list(server._engines):
            server.forget_engine(url)


def test_a_setup_that_cannot_tell_its_business_is_refused_and_changes_nothing(
    shops, pg_url: str, tmp_path
) -> None:
    from app.domain.errors import Refused

    shops("A1")
    shops("B1", new=True)
    c = open_shop(str(tmp_path / "C.sqlite"), now=START)
    try:
        for options, code in (
            ({}, "sync.business_choose"),  # two businesses there: which one?
            ({"business": str(uuid.uuid4())}, "sync.business_unknown"),
            ({"business": "not an id"}, "sync.business_unknown"),
        ):
            with pytest.raises(Refused) as refused:
                sync.setup_sync(c, pg_url, store="본점", register="C", **options)
            assert refused.value.code == code
            assert sync.configured_url(c) is None and sync.BUSINESS_KEY not in c.settings
    finally:
        c.close()


def test_each_business_keeps_its_own_figures_and_a_new_register_copies_its_own(
    shops, pg_url: str
) -> None:
    """The central's monthly figures (app.sync.central_figures) are kept per business: B's sales
    never move A's figures, and a new register of B copies B's figures only, equal to B's."""
    from app.db.models import MonthlyStat
    from tests.sync.test_sync import stats

    a1 = shops("A1")
    b1 = shops("B1", new=True)
    for ctx, amount, phones in ((a1, 10_000, 3), (b1, 70_000, 1)):
        for i in range(phones):
            phone = f"010-5555-{i:04d}"
            customers.enroll(ctx, phone)
            sales.record_sale(ctx, resolve_customer(ctx, phone), amount)
        sync.sync_now(ctx)

    def central(ctx: Context) -> dict[tuple[str, str], int]:
        business = uuid.UUID(_business(ctx))
        with _plain(ctx).connect() as connection:
            rows = connection.execute(
                select(MonthlyStat.month, MonthlyStat.metric, MonthlyStat.value).where(
                    text("business_id = :b").bindparams(b=business)
                )
            ).all()
        out: dict[tuple[str, str], int] = {}
        for month, metric, value in rows:
            out[(month, metric)] = out.get((month, metric), 0) + int(value)
        return {k: v for k, v in out.items() if v}

    assert central(a1) == stats(a1) and central(b1) == stats(b1)
    assert central(a1) != central(b1)
    b2 = shops("B2", business=_business(b1))
    assert stats(b2) == stats(b1) == central(b1)
    assert stats(a1) == central(a1)  # A's untouched by B's new register
