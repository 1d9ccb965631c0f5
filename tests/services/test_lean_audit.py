"""The audit rows and their tip written by prebuilt statements are the rows the ORM path wrote.

Both paths run the same appends on two copies of one shop with the same ids, so every column
of every row, the hashes and the tip setting must come out equal; the chain then verifies."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete, select

from app.db.models import AuditEntry, Setting
from app.services import audit_chain, customers, redemptions, sales
from app.services.audit import verify_audit_chain
from app.services.context import Context
from tests.conftest import START


def _ids() -> Callable[[], uuid.UUID]:
    numbers: Iterator[int] = iter(range(1, 10**6))
    return lambda: uuid.UUID(int=(0x0190 << 112) | next(numbers))


def _appends(ctx: Context) -> None:
    """Single rows, a batch, a row with neither target nor detail, a token's row, two in one
    transaction (the second reads the first's tip) and a Korean detail."""
    with ctx.db.write() as session:
        audit_chain.audit(ctx, session, "test.one", target=7, detail={"n": 1})
    with ctx.db.write() as session:
        audit_chain.audit_many(
            ctx,
            session,
            [("test.a", "t1", {"k": "가"}), ("test.b", None, None), ("test.c", 3, {"z": [1, 2]})],
            at=START + timedelta(minutes=5),
        )
    with ctx.db.write() as session:
        audit_chain.audit(ctx, session, "test.first")
        audit_chain.audit(ctx, session, "test.second", detail={"이름": "김단골"})
    ctx.token = "tok-1"
    try:
        with ctx.db.write() as session:
            audit_chain.audit(ctx, session, "test.token", target="x", detail={"a": 1})
    finally:
        ctx.token = None


def _rows(ctx: Context) -> tuple[list[tuple[Any, ...]], dict[str, str]]:
    with ctx.db.read() as session:
        rows = [
            tuple(r)
            for r in session.execute(
                select(*audit_chain.chain_columns()).order_by(AuditEntry.id)
            ).all()
        ]
        tips = {
            s.key: s.value
            for s in session.scalars(
                select(Setting).where(Setting.key.startswith(audit_chain.TIP_PREFIX))
            )
        }
    return rows, tips


def _run(ctx: Context, monkeypatch: pytest.MonkeyPatch, lean: bool, work: Callable[[], None]):
    monkeypatch.setattr(audit_chain, "LEAN_AUDIT", lean)
    monkeypatch.setattr(audit_chain, "new_id", _ids())
    work()
    return _rows(ctx)


def test_lean_audit_rows_are_the_orm_rows(ctx: Context, monkeypatch) -> None:
    # the two paths on the same shop, one after the other, from the same tip: the second run
    # starts where the first left, so the tip is put back before it
    before = _rows(ctx)
    orm = _run(ctx, monkeypatch, False, lambda: _appends(ctx))
    _put_back(ctx, before)
    lean = _run(ctx, monkeypatch, True, lambda: _appends(ctx))
    assert len(orm[0]) > len(before[0])
    assert lean == orm
    assert verify_audit_chain(ctx).intact


def test_lean_audit_without_a_tip_walks_the_chain(ctx: Context, monkeypatch) -> None:
    """A log from before the tip was kept: both paths count it by its links and add the tip."""
    customers.enroll(ctx, "010-1234-5678")
    with ctx.db.write() as session:
        session.execute(delete(Setting).where(Setting.key.startswith(audit_chain.TIP_PREFIX)))
    before = _rows(ctx)
    assert before[1] == {}
    orm = _run(ctx, monkeypatch, False, lambda: _appends(ctx))
    _put_back(ctx, before)
    lean = _run(ctx, monkeypatch, True, lambda: _appends(ctx))
    assert lean == orm
    (tip,) = lean[1].values()
    assert json.loads(tip)["count"] == len(lean[0])
    assert verify_audit_chain(ctx).intact


def test_lean_audit_in_use_cases(ctx: Context, monkeypatch) -> None:
    """An enrolment, a redemption and a token's sale write their rows on the lean path: the
    chain holds, the tip counts every row and names the newest."""
    monkeypatch.setattr(audit_chain, "LEAN_AUDIT", True)
    who = customers.enroll(ctx, "010-2222-3333").id
    sales.record_sale(ctx, who, 90000)
    ctx.fixed_now = START + timedelta(hours=1)
    redeemed = redemptions.redeem_points(ctx, who, 1000)
    ctx.token = "tok-1"
    try:
        sale = sales.record_sale(ctx, who, 5000)
    finally:
        ctx.token = None
    rows, tips = _rows(ctx)
    by_action = {r[3]: r for r in rows}
    assert by_action["redeem.points"][4] == str(redeemed.redemption_id)
    assert by_action["sale.record"][4] == str(sale.sale_id)
    assert json.loads(by_action["sale.record"][5]) == {"amount": 5000, "token": "tok-1"}
    (tip,) = tips.values()
    with ctx.db.read() as session:
        assert json.loads(tip) == {"count": len(rows), "hash": _newest_hash(session)}
    check = verify_audit_chain(ctx)
    assert check.intact and check.rows == len(rows) and not check.truncated


def test_a_tip_the_session_holds_takes_the_unit_of_work(ctx: Context, monkeypatch) -> None:
    """A tip loaded as an object (the settings read whole) is not written behind its back."""
    monkeypatch.setattr(audit_chain, "LEAN_AUDIT", True)
    with ctx.db.write() as session:
        session.scalars(select(Setting)).all()  # every setting in the identity map
        audit_chain.audit(ctx, session, "test.one")
        audit_chain.audit(ctx, session, "test.two")
        key = audit_chain.tip_key(ctx.register_id)
        held = session.get(Setting, key)
        assert held is not None and json.loads(held.value)["hash"] == _newest_hash(session)
    check = verify_audit_chain(ctx)
    assert check.intact and not check.truncated


def _newest_hash(session) -> str:
    links = dict(session.execute(select(AuditEntry.prev_hash, AuditEntry.hash)).all())
    link = audit_chain.GENESIS_HASH
    while link in links:
        link = links[link]
    return link


def _put_back(ctx: Context, before: tuple[list[tuple[Any, ...]], dict[str, str]]) -> None:
    """The audit log and its tips as they were in `before`."""
    kept = {row[0] for row in before[0]}
    with ctx.db.write() as session:
        for entry in session.scalars(select(AuditEntry)).all():
            if entry.id not in kept:
                session.delete(entry)
        session.execute(delete(Setting).where(Setting.key.startswith(audit_chain.TIP_PREFIX)))
        for key, value in before[1].items():
            session.add(Setting(key=key, value=value))
