"""The search by the last 4 digits (issue 17 item 1): the lean path returns exactly what the
ORM search returns, and SQLite answers it from one range of ix_customers_last4_active_name
(migration 0028) with no sort and no table lookup; the name search likewise from
ix_customers_active_name.

The shop has more than 50 active members with the same last 4 (the search keeps 50), several
of one name (ties go by id), members with no name (NULL sorts first on SQLite, last on
PostgreSQL: both paths run the same ORDER BY), and inactive members who still carry the
digits (left out)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import event, update

from app.db.models import Customer
from app.services import customer_admin, customers
from app.services.context import Context
from app.services.customers import (
    MAX_MATCHES,
    CustomerRecord,
    CustomerRow,
    ListedRow,
    lean_search,
    search,
)

RECORD_FIELDS = (
    "id",
    "phone",
    "phone_last4",
    "name",
    "birthday",
    "status",
    "tier_code",
    "enrolled_at",
    "marketing_consent_at",
)
NAMES = ("김민수", "박서연", "김민수", None, "이도윤", "김민수", None, "최지우")


def _fields(customer: Any) -> tuple[Any, ...]:
    return tuple(getattr(customer, name) for name in RECORD_FIELDS)


def orm_search(ctx: Context, text: str) -> list[tuple[Any, ...]]:
    with ctx.db.read() as session:
        return [_fields(c) for c in search(session, text)]


def build(ctx: Context) -> dict[str, list[uuid.UUID]]:
    """62 active members ending in 2468, 3 ending in 1357, and inactive ones with 2468."""
    made: dict[str, list[uuid.UUID]] = {"2468": [], "1357": [], "inactive": []}
    for n in range(62):
        name = NAMES[n % len(NAMES)]
        made["2468"].append(
            customers.enroll(
                ctx,
                f"010-{3000 + n}-2468",
                name=name,
                birthday="1990-03-05" if n % 3 == 0 else None,
                marketing_consent=n % 2 == 0,
            ).id
        )
    for n in range(3):
        made["1357"].append(customers.enroll(ctx, f"010-{5000 + n}-1357", name="김민수").id)
    # withdrawn and merged members lose their number (forget_person, the merge); these keep
    # it, as a row written by another path might: the status alone must leave them out
    for n, status in enumerate(("withdrawn", "merged", "erased")):
        who = customers.enroll(ctx, f"010-{6000 + n}-2468", name="김민수").id
        made["inactive"].append(who)
        with ctx.db.write() as session:
            session.execute(update(Customer).where(Customer.id == who).values(status=status))
    gone = customers.enroll(ctx, "010-6100-2468", name="가나다").id
    customer_admin.withdraw_customer(ctx, gone)  # the real path: its number goes
    made["inactive"].append(gone)
    return made


def test_the_lean_last4_search_is_the_orm_search(ctx: Context) -> None:
    made = build(ctx)
    for text in ("2468", "1357", "0000", "김민", "김민수", "이도윤", "없음"):
        rows = lean_search(ctx, text)
        assert all(isinstance(row, CustomerRow) for row in rows)
        lean = [_fields(row) for row in rows]
        assert lean == orm_search(ctx, text), text
        # a row decodes to the record the other lean reads give, and equals it
        assert [row.record() for row in rows] == [CustomerRecord(*f) for f in lean]
        assert rows == [CustomerRecord(*f) for f in lean]
    found = lean_search(ctx, "2468")
    assert len(found) == MAX_MATCHES < len(made["2468"])  # 62 match, 50 are kept
    assert {row.id for row in found} <= set(made["2468"])
    assert not {row.id for row in lean_search(ctx, "2468")} & set(made["inactive"])
    # the order: by name, then by id among the same name
    named = [(row.name, row.id) for row in found if row.name is not None]
    assert named == sorted(named)
    ties = [row.id for row in found if row.name == "김민수"]
    assert len(ties) > 5 and ties == sorted(ties)
    assert len(lean_search(ctx, "1357")) == 3


def test_a_row_decodes_a_column_only_when_read(sqlite_ctx: Context) -> None:
    """A date no one reads is never decoded (the phone's and the card's rows)."""
    who = customers.enroll(sqlite_ctx, "010-3000-2468", name="김민수", birthday="1990-03-05")
    (row,) = lean_search(sqlite_ctx, "010-3000-2468")
    raw = list(row._raw)
    raw[7] = "not a time"  # what the driver gave, spoiled: reading it would fail
    spoiled = CustomerRow(tuple(raw), row._decoders)
    record = row.record()
    assert (spoiled.name, spoiled.phone, spoiled.tier_code) == ("김민수", "01030002468", "BASIC")
    assert (spoiled.birthday, spoiled.tier_code) == (record.birthday, record.tier_code)
    assert spoiled.id == who.id
    with pytest.raises(ValueError):
        _ = spoiled.enrolled_at
    assert row == row.record() and hash(row) == hash(row.record())
    assert repr(row) == "CustomerRow" + repr(row.record()).removeprefix("CustomerRecord")
    assert row != spoiled.id


def _statements(ctx: Context, call: Any) -> tuple[Any, int]:
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        seen.append(sql)

    event.listen(ctx.db.engine, "before_cursor_execute", note)
    try:
        return call(), len(seen)
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", note)


@pytest.mark.parametrize("text", ["2468", "김민"])
def test_a_list_reads_the_rest_of_its_records_once_when_asked(
    sqlite_ctx: Context, text: str
) -> None:
    """A list of matches comes with what the counter shows of each (id, name, phone, tier):
    one statement; the first date, status or last 4 asked of any row reads the rest of the
    whole list by one more, and the records are the ORM search's."""
    ctx = sqlite_ctx
    build(ctx)
    rows, ran = _statements(ctx, lambda: lean_search(ctx, text))
    assert ran == 1 and len(rows) > 10
    shown, ran = _statements(ctx, lambda: [(r.id, r.name, r.phone, r.tier_code) for r in rows])
    assert ran == 0
    assert shown == [(f[0], f[3], f[1], f[6]) for f in orm_search(ctx, text)]
    _, ran = _statements(ctx, lambda: rows[7].enrolled_at)
    assert ran == 1
    records, ran = _statements(ctx, lambda: [_fields(r) for r in rows])
    assert ran == 0
    assert records == orm_search(ctx, text)
    assert all(isinstance(row, ListedRow) for row in rows)


def test_a_member_changed_before_the_rest_is_read_gives_its_own_record(
    sqlite_ctx: Context,
) -> None:
    """The rest is read by the list's search; a member it no longer finds (withdrawn since
    the list was shown) is read by its id: its own record as it now is, never another's."""
    ctx = sqlite_ctx
    made = build(ctx)
    rows = lean_search(ctx, "1357")
    assert len(rows) == 3 and {row.id for row in rows} == set(made["1357"])
    gone = rows[1]
    customer_admin.withdraw_customer(ctx, gone.id)
    assert [row.status for row in rows] == ["active", "withdrawn", "active"]
    assert gone.name == "김민수"  # what the list showed stays the list's
    with ctx.db.read() as session:
        now = session.get(Customer, gone.id)
        assert now is not None
        assert (gone.phone_last4, gone.enrolled_at) == (now.phone_last4, now.enrolled_at)
    assert [row.id for row in lean_search(ctx, "1357")] == [rows[0].id, rows[2].id]


def _plans(ctx: Context, call: Any) -> list[list[str]]:
    """EXPLAIN QUERY PLAN of each statement the call ran on the shop (SQLite)."""
    seen: list[tuple[str, Any]] = []

    def note(_conn: Any, _cursor: Any, sql: str, parameters: Any, *_: Any) -> None:
        seen.append((sql, parameters))

    event.listen(ctx.db.engine, "before_cursor_execute", note)
    try:
        call()
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", note)
    plans = []
    with ctx.db.read() as session:
        driver = session.connection().connection.driver_connection
        assert driver is not None
        for sql, parameters in seen:
            if sql.lstrip().upper().startswith("SELECT"):
                rows = driver.execute("EXPLAIN QUERY PLAN " + sql, parameters)
                plans.append([row[3] for row in rows])
    return plans


def test_the_searches_read_one_index_range_in_order(sqlite_ctx: Context) -> None:
    """One SEARCH each, no "USE TEMP B-TREE FOR ORDER BY" (0027 sorted the ~100 rows of a
    last 4 after reading each from the table); the lean last-4 search reads the index only."""
    ctx = sqlite_ctx
    build(ctx)

    def orm(text: str) -> None:
        with ctx.db.read() as session:
            search(session, text)

    last4 = "ix_customers_last4_active_name (phone_last4=? AND status=?)"
    name = "ix_customers_active_name (status=? AND name>? AND name<?)"
    assert _plans(ctx, lambda: lean_search(ctx, "2468")) == [
        [f"SEARCH customers USING COVERING INDEX {last4}"]
    ]
    assert _plans(ctx, lambda: orm("2468")) == [[f"SEARCH customers USING INDEX {last4}"]]
    assert _plans(ctx, lambda: lean_search(ctx, "김민")) == [
        [f"SEARCH customers USING INDEX {name}"]
    ]
    assert _plans(ctx, lambda: orm("김민")) == [[f"SEARCH customers USING INDEX {name}"]]


def test_a_search_after_another_shops_card_scan(sqlite_ctx: Context, tmp_path: Any) -> None:
    """Each Lean compiles on the first engine of its dialect and result processors belong to
    an engine: a blank card scanned in one shop (the card statement compiled there, no record
    decoded) and then a last-4 search in another once made the search fail an identity check
    (the full suite's order hit it: "예기치 않은 오류" at the counter)."""
    from app.domain.errors import Refused
    from app.services.cards import create_blank_cards
    from app.services.context import open_shop

    for lean in (customers._LEAN_BY_CARD, customers._LEAN_LIST_BY_LAST4):
        lean._by_dialect.clear()
    (token,) = create_blank_cards(sqlite_ctx, 1)
    with pytest.raises(Refused):  # a blank card is said in words
        lean_search(sqlite_ctx, token)
    other = open_shop(str(tmp_path / "other.sqlite"))
    try:
        who = customers.enroll(other, "010-4000-1357", name="이서연")
        (row,) = lean_search(other, "1357")
        assert (row.id, row.name) == (who.id, "이서연")
    finally:
        other.close()
