"""A coalition of shops, each on its own SQLite file, meeting in a real PostgreSQL database of
its own (created and dropped here): consent, earning and spending across shops, offline
spending, closing, settlement, statements (PDF and CSV read back), acknowledgement, tamper."""

from __future__ import annotations

import dataclasses
import io
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from pypdf import PdfReader
from sqlalchemy import update

from app.db.models import PartnerProgram
from app.domain import partners as rules
from app.domain.errors import Refused
from app.services import customers, partners
from app.services.context import Context, open_shop
from app.sync import server
from tests.conftest import START, _fresh_copy

pytestmark = pytest.mark.postgres
ADMIN = "host=127.0.0.1 user=postgres dbname=test"
APRIL = START + timedelta(days=25)  # 2026-04-06: March is over


@pytest.fixture(scope="module")
def coalition_url(pg_available: bool) -> Iterator[str]:
    name = "p19_" + uuid.uuid4().hex[:12]
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    try:
        yield url
    finally:
        server.forget_engine(url)
        with psycopg.connect(ADMIN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture
def shops(
    coalition_url: str, tmp_path: Path, migrated_sqlite: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[str], Context]]:
    """make(name) -> a shop of its own (a copy of the migrated template: fast)."""
    monkeypatch.delenv("DANGOL_NOW", raising=False)
    opened: list[Context] = []

    def make(name: str) -> Context:
        ctx = open_shop(_fresh_copy(migrated_sqlite, tmp_path / f"{name}.sqlite"), now=START)
        opened.append(ctx)
        return ctx

    yield make
    for ctx in opened:
        ctx.close()


def _coalition(make: Callable[[str], Context], url: str, *names: str) -> list[Context]:
    first = make(names[0])
    code = partners.create_program(
        first,
        "골목 제휴",
        point_value="1",
        earn_rate="0.01",
        offline_limit=500,
        shop_name=names[0],
        url=url,
    ).join_code
    assert code is not None
    rest = []
    for name in names[1:]:
        ctx = make(name)
        partners.join_program(ctx, code, shop_name=name, url=url)
        rest.append(ctx)
    return [first, *rest]


def _move(*shops: Context, to=APRIL) -> None:  # type: ignore[no-untyped-def]
    for ctx in shops:
        ctx.fixed_now = to


def test_two_shops_earn_spend_settle_and_acknowledge(shops, coalition_url, tmp_path) -> None:
    a, b = _coalition(shops, coalition_url, "가나베이커리", "다라꽃집")
    info = partners.list_program(b)
    assert [s.name for s in info.shops] == ["가나베이커리", "다라꽃집"] and info.point_value == "1"
    phone = "010-1234-5678"
    member = customers.enroll(a, phone).id
    # no consent yet: the partner cannot find the member, the home shop cannot earn for them
    with pytest.raises(Refused) as refused:
        partners.find_member(b, phone)
    assert refused.value.code == "partner.member_not_found"
    with pytest.raises(Refused):
        partners.partner_sale(a, phone, 10_000)
    consent = partners.set_partner_consent(a, member, True, source="counter")
    assert consent.sent and "다라꽃집" in consent.notice

    earned = partners.partner_sale(a, phone, 50_000)
    assert (earned.earned, earned.balance, earned.queued) == (500, 500, 0)
    seen = partners.find_member(b, phone)
    assert (seen.own, seen.home_shop, seen.balance, seen.customer_id) == (
        False,
        "가나베이커리",
        500,
        None,
    )
    with pytest.raises(Refused) as refused:
        partners.partner_sale(b, phone, 10_000, spend=501)
    assert refused.value.code == "partner.not_enough"
    spent = partners.partner_sale(b, phone, 10_000, spend=300)
    assert (spent.spent, spent.spent_value, spent.earned, spent.balance) == (300, 300, 97, 297)
    assert partners.find_member(a, phone).balance == 297  # B's points count at A too

    # settlement waits for every shop's "closed up to" mark
    _move(a, b)
    with pytest.raises(Refused) as refused:
        partners.settle(a, "2026-03")
    assert refused.value.code == "partner.waiting"
    with pytest.raises(Refused) as refused:
        partners.close_month(a, "2026-04")
    assert refused.value.code == "partner.month_open"
    partners.close_month(a, "2026-03")
    partners.close_month(b, "2026-03")
    made = partners.settle(b, "2026-03")
    assert made.made == 1
    (ours,) = made.statements
    assert (ours.other_shop, ours.theirs_spent_here, ours.ours_spent_there, ours.net) == (
        "가나베이커리",
        300,
        0,
        300,
    )
    assert (ours.issued_here, ours.issued_there) == (97, 500)
    assert partners.settle(a, "2026-03").made == 0  # made once
    (theirs,) = partners.statement_views(a, "2026-03")
    assert theirs.net == -300 and theirs.hash == ours.hash

    pdf, csv_file = tmp_path / "s.pdf", tmp_path / "s.csv"
    partners.write_statements(a, "2026-03", pdf=pdf, csv_file=csv_file)
    words = PdfReader(io.BytesIO(pdf.read_bytes())).pages[0].extract_text()
    assert (
        "가나베이커리" in words
        and "다라꽃집" in words
        and "300" in words
        and ours.hash[:16] in words
    )
    lines = csv_file.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("month,") and "가나베이커리,다라꽃집,300" in lines[1].replace(
        '"', ""
    )

    partners.acknowledge(a, "2026-03", with_shop="다라꽃집")
    (after,) = partners.statement_views(b, "2026-03")
    assert (after.acked_by_us, after.acked_by_them) == (False, True)
    partners.acknowledge(b, "2026-03")
    (after,) = partners.statement_views(b, "2026-03")
    assert after.acked_by_us and after.acked_by_them

    # withdrawal takes effect at once for the partner
    partners.set_partner_consent(a, member, False)
    with pytest.raises(Refused) as refused:
        partners.find_member(b, phone)
    assert refused.value.code == "partner.member_not_found"
    with b.db.write() as session:  # and B, offline now, no longer serves them either
        session.execute(update(PartnerProgram).values(url="postgresql://postgres@127.0.0.1:1/x"))
    with pytest.raises(Refused) as refused:
        partners.find_member(b, phone)
    assert refused.value.code == "partner.lookup_offline"
    with b.db.write() as session:
        session.execute(update(PartnerProgram).values(url=coalition_url))

    # a statement changed in the central database is found out
    name = coalition_url.rsplit("/", 1)[1]
    with psycopg.connect(f"host=127.0.0.1 user=postgres dbname={name}", autocommit=True) as conn:
        conn.execute(
            "UPDATE partner.statements SET body = replace(body, '300', '30')"
            " WHERE coalition_id = %s",
            (info.coalition_id,),
        )
    for ctx in (a, b):
        with pytest.raises(Refused) as refused:
            partners.statement_views(ctx, "2026-03")
        assert refused.value.code == "partner.chain_broken"
    # even rewritten with a chain hashed again: the owners acknowledged another hash
    forged = dataclasses.replace(statement_of_month(coalition_url, info.coalition_id), net=30)
    with psycopg.connect(f"host=127.0.0.1 user=postgres dbname={name}", autocommit=True) as conn:
        conn.execute(
            "UPDATE partner.statements SET body = %s, hash = %s WHERE coalition_id = %s",
            (forged.body(), forged.hash, info.coalition_id),
        )
    for ctx in (a, b):
        with pytest.raises(Refused) as refused:
            partners.statement_views(ctx, "2026-03")
        assert refused.value.code == "partner.chain_broken"


def statement_of_month(url: str, coalition: uuid.UUID) -> rules.Statement:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(f"host=127.0.0.1 user=postgres dbname={name}") as conn:
        (body,) = conn.execute(
            "SELECT body FROM partner.statements WHERE coalition_id = %s", (coalition,)
        ).fetchone()
    return rules.statement_of(body)


def test_three_shops_offline_spend_and_the_chain(shops, coalition_url) -> None:
    a, b, c = _coalition(shops, coalition_url, "A상회", "B식당", "C카페")
    ma = customers.enroll(a, "010-1111-2222").id
    mc = customers.enroll(c, "010-3333-4444").id
    partners.set_partner_consent(a, ma, True)
    partners.set_partner_consent(c, mc, True)
    partners.partner_sale(a, "010-1111-2222", 100_000)  # 1,000 points of A
    partners.partner_sale(c, "010-3333-4444", 40_000)  # 400 points of C
    assert partners.find_member(b, "010-1111-2222").spendable == 1000  # seen online

    # B loses the central database: the balance as last seen, at most 500 points offline
    with b.db.write() as session:
        session.execute(update(PartnerProgram).values(url="postgresql://postgres@127.0.0.1:1/x"))
    offline = partners.find_member(b, "010-1111-2222")
    assert (offline.online, offline.spendable) == (False, 500)
    partners.partner_sale(b, "010-1111-2222", 20_000, spend=400)
    with pytest.raises(Refused) as refused:
        partners.partner_sale(b, "010-1111-2222", 20_000, spend=101)
    assert refused.value.code == "partner.not_enough"
    with pytest.raises(Refused) as refused:
        partners.find_member(b, "010-3333-4444")  # never seen: not found offline
    assert refused.value.code == "partner.lookup_offline"
    _move(a, b, c)
    with pytest.raises(Refused):
        partners.close_month(b, "2026-03")
    with b.db.write() as session:
        session.execute(update(PartnerProgram).values(url=coalition_url))
    assert partners.send(b).entries == 2  # the offline spend and earn, sent
    partners.partner_sale(b, "010-3333-4444", 5_000, spend=0)
    # C's member spends at A in the same month; A's member at C
    _move(a, b, c, to=START + timedelta(days=1))
    partners.partner_sale(a, "010-3333-4444", 1_000, spend=250)
    partners.partner_sale(c, "010-1111-2222", 1_000, spend=100)
    _move(a, b, c)
    for ctx in (a, b, c):
        partners.close_month(ctx, "2026-03")
    march = partners.settle(c, "2026-03")
    assert march.made == 3
    positions = {
        name: sum(v.net for v in partners.statement_views(ctx, "2026-03"))
        for name, ctx in (("A", a), ("B", b), ("C", c))
    }
    # A's 400 spent at B and 100 at C; C's 250 spent at A
    assert positions == {"A": -400 - 100 + 250, "B": 400, "C": 100 - 250}
    assert sum(positions.values()) == 0
    # April, settled on its own: each pair's statement links to its March one
    _move(a, b, c, to=START + timedelta(days=52))
    for ctx in (a, b, c):
        partners.close_month(ctx, "2026-04")
    april = partners.settle(a, "2026-04")
    by_pair = {v.other_shop: v for v in march.statements}
    for view in partners.statement_views(c, "2026-04"):
        assert view.prev_hash == by_pair[view.other_shop].hash and view.net == 0
    assert april.made == 3
    # an erased member leaves the coalition with their data
    customers.erase_customer(c, mc)
    assert partners.send(c).accounts == 1  # the withdrawal the erasure wrote
    with pytest.raises(Refused) as refused:
        partners.find_member(a, "010-3333-4444")
    assert refused.value.code == "partner.member_not_found"
