"""A sale's rows written by prebuilt Core statements are the rows the Session wrote (issue 17).

Two members with the same history; each step sells to one through the unit of work
(``LEAN_WRITES = False``) and to the other through the lean INSERTs, at the same moment. Every
row either sale added or changed -- every column of every table, the audit log and (on SQLite)
the sync outbox included -- must be the same, the member's and the new rows' ids aside; the
figures must move by the same amounts, the audit chain must hold, and the balance carried
forward must be what a fresh read gives.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Table, select, text

from app.db.base import Base
from app.services import customers, program, sales
from app.services.audit import verify_audit_chain
from app.services.context import Context
from app.services.ledger import balances

# rows these tables hold change as a whole (the running figures, the chain's tip, the clock)
SHARED = {"monthly_stats", "settings", "sync_clock"}
# chained, clocked or counted, or the two members' own numbers
SKIPPED_COLUMNS = {"hash", "prev_hash", "hlc", "seq", "phone", "phone_last4"}


def snapshot(ctx: Context) -> dict[str, list[dict[str, Any]]]:
    tables: dict[str, list[dict[str, Any]]] = {}
    with ctx.db.read() as session:
        for table in Base.metadata.sorted_tables:
            tables[table.name] = [dict(row._mapping) for row in session.execute(select(table))]
    return tables


def added(before: dict[str, list[dict[str, Any]]], after: dict[str, list[dict[str, Any]]]):  # type: ignore[no-untyped-def]
    """Per table, the rows after that were not there before (as whole rows)."""
    out = {}
    for name, rows in after.items():
        if name in SHARED:
            continue
        old = [repr(sorted(r.items())) for r in before[name]]
        out[name] = [r for r in rows if repr(sorted(r.items())) not in old]
    return out


def figures(rows: list[dict[str, Any]]) -> Counter[tuple[str, str]]:
    return Counter({(r["month"], r["metric"]): r["value"] for r in rows})


def moves(before: Counter[tuple[str, str]], after: Counter[tuple[str, str]]) -> dict[Any, int]:
    """Every figure that moved and by how much, up or down (Counter's `-` keeps only ups)."""
    keys = set(before) | set(after)
    return {k: after[k] - before[k] for k in keys if after[k] != before[k]}


def normalized(rows: dict[str, list[dict[str, Any]]], member: uuid.UUID) -> dict[str, list[str]]:
    """The rows with the member's id and every new row's id named by the table of the row."""
    names: dict[str, str] = {member.hex: "member"}
    for table, found in rows.items():
        for row in found:
            if isinstance(row.get("id"), uuid.UUID):
                names.setdefault(row["id"].hex, f"new {table}")

    def value(v: Any) -> Any:
        if isinstance(v, uuid.UUID):
            return names.get(v.hex, v)
        if isinstance(v, str):
            return names.get(v.replace("-", ""), v)
        return v

    return {
        table: sorted(
            repr(sorted((k, value(v)) for k, v in row.items() if k not in SKIPPED_COLUMNS))
            for row in found
        )
        for table, found in rows.items()
        if found
    }


def sell(ctx: Context, who: uuid.UUID, amount: int, lean: bool, mp: pytest.MonkeyPatch) -> Any:
    mp.setattr(sales, "LEAN_WRITES", lean)
    if ctx.token is None:
        return sales.record_sale(ctx, who, amount, with_slip=True)
    with ctx.db.write() as session:
        return sales.record_sale_in(
            ctx, session, who, amount, 1, ctx.now(), audit_as=("pos.sale", {"ref": "R-1"})
        )


def compare_step(
    ctx: Context, a: uuid.UUID, b: uuid.UUID, amount: int, mp: pytest.MonkeyPatch
) -> None:
    results = []
    changes = []
    for who, lean in ((a, False), (b, True)):
        before = snapshot(ctx)
        result = sell(ctx, who, amount, lean, mp)
        after = snapshot(ctx)
        moved = moves(figures(before["monthly_stats"]), figures(after["monthly_stats"]))
        changes.append((normalized(added(before, after), who), moved))
        with ctx.db.read() as session:
            bal = balances(session, who, ctx.now())
        assert (result.points, result.stamps) == (bal.points, bal.stamps)  # carried forward
        assert bal.due_now == 0
        results.append(result)
    (orm_rows, orm_moved), (lean_rows, lean_moved) = changes
    for table in sorted(set(orm_rows) | set(lean_rows)):
        assert orm_rows.get(table) == lean_rows.get(table), table
    assert orm_moved == lean_moved
    assert orm_rows["sales"] and orm_rows["ledger_entries"]
    orm, lean = results
    assert (orm.points, orm.stamps, orm.tier, orm.promoted_from) == (
        lean.points,
        lean.stamps,
        lean.tier,
        lean.promoted_from,
    )


def test_lean_sale_rows_are_the_orm_rows(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    document = program.show_program(ctx)
    document["points"]["expiry_months"] = 1
    document["campaigns"] = [
        {
            "name": "목요일 두 배",
            "multiplier": 2,
            "bonus": 50,
            "start": "2026-01-01",
            "end": "2027-12-31",
            "weekdays": [3],
            "hours": None,
            "tiers": [],
        }
    ]
    program.load_program(ctx, document)
    if ctx.db.engine.dialect.name == "sqlite":  # sync set up: the triggers write the outbox
        with ctx.db.write() as session:
            session.execute(text("UPDATE sync_clock SET tracking = 1 WHERE id = 1"))
    a = customers.enroll(ctx, "010-5555-0001").id
    b = customers.enroll(ctx, "010-5555-0002").id
    start = ctx.now()  # a Thursday: the campaign's bonus comes with that day's sales
    for day, amount in enumerate((80_000, 300_000, 12_000, 1_000_000, 3_300)):
        ctx.fixed_now = start + timedelta(days=20 * day)  # lots expire between the sales
        compare_step(ctx, a, b, amount, monkeypatch)
    ctx.token = "pos-1"  # a door's own audit entry
    compare_step(ctx, a, b, 7_000, monkeypatch)
    ctx.token = None
    assert verify_audit_chain(ctx).intact


def test_tables_compared_are_the_models(ctx: Context) -> None:
    """The snapshot reads every table of the models (a new table is compared too)."""
    tables = snapshot(ctx)
    assert {"sales", "ledger_entries", "customer_months", "audit_log"} <= set(tables) or {
        "sales",
        "ledger_entries",
        "customer_months",
    } <= set(tables)
    assert all(isinstance(t, Table) for t in Base.metadata.sorted_tables)
