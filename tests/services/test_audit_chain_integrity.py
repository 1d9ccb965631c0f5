"""The audit chain follows its own links, not the PC's clock, and notices rows cut off its end."""

from __future__ import annotations

import os
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from app.db.models import AuditEntry, Setting
from app.services import audit_chain, backup, customers
from app.services.audit import verify_audit_chain
from tests.conftest import START

PHONES = ("010-1234-5678", "010-2222-3333", "010-4444-5555", "010-6666-7777")


def _uuid7_at(moment_ms: int) -> uuid.UUID:
    """A version 7 id as a PC whose clock reads moment_ms would make it."""
    raw = bytearray(moment_ms.to_bytes(6, "big") + os.urandom(10))
    raw[6] = 0x70 | (raw[6] & 0x0F)
    raw[8] = 0x80 | (raw[8] & 0x3F)
    return uuid.UUID(bytes=bytes(raw))


def _clock_set_back(ctx, monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on ids and times come from a clock a year behind."""
    earlier = START - timedelta(days=365)
    ms = iter(range(int(earlier.timestamp() * 1000), 2**47))
    monkeypatch.setattr(audit_chain, "new_id", lambda: _uuid7_at(next(ms)))
    ctx.fixed_now = earlier


def _in_chain_order(ctx) -> list[AuditEntry]:
    with ctx.db.read() as session:
        rows = {e.prev_hash: e for e in session.scalars(select(AuditEntry))}
    ordered, link = [], audit_chain.GENESIS_HASH
    while link in rows:
        ordered.append(rows[link])
        link = rows[link].hash
    return ordered


def test_a_clock_set_back_leaves_an_intact_chain_intact(ctx, monkeypatch) -> None:
    customers.enroll(ctx, PHONES[0])
    customers.enroll(ctx, PHONES[1])
    _clock_set_back(ctx, monkeypatch)
    customers.enroll(ctx, PHONES[2])
    customers.enroll(ctx, PHONES[3])
    check = verify_audit_chain(ctx)
    assert (check.intact, check.rows, check.truncated) == (True, 4, False)
    assert [e.action for e in _in_chain_order(ctx)] == ["customer.enroll"] * 4


def test_a_clock_set_back_does_not_hide_an_edit(ctx, monkeypatch) -> None:
    customers.enroll(ctx, PHONES[0])
    _clock_set_back(ctx, monkeypatch)
    customers.enroll(ctx, PHONES[1])
    customers.enroll(ctx, PHONES[2])
    second = _in_chain_order(ctx)[1]
    with ctx.db.write() as session:
        session.execute(
            update(AuditEntry).where(AuditEntry.id == second.id).values(action="customer.view")
        )
    check = verify_audit_chain(ctx)
    assert check.intact is False
    assert check.first_broken == second.id


def test_deleting_the_newest_rows_is_reported(ctx) -> None:
    for phone in PHONES:
        customers.enroll(ctx, phone)
    newest = _in_chain_order(ctx)[-2:]
    with ctx.db.write() as session:
        session.execute(delete(AuditEntry).where(AuditEntry.id.in_([e.id for e in newest])))
    check = verify_audit_chain(ctx)
    assert (check.intact, check.truncated, check.rows, check.expected_rows) == (False, True, 2, 4)


def test_deleting_every_row_is_reported(ctx) -> None:
    for phone in PHONES[:2]:
        customers.enroll(ctx, phone)
    with ctx.db.write() as session:
        session.execute(delete(AuditEntry))
    check = verify_audit_chain(ctx)
    assert (check.intact, check.truncated, check.rows, check.expected_rows) == (False, True, 0, 2)


def test_a_failed_transaction_does_not_move_the_count(ctx) -> None:
    customers.enroll(ctx, PHONES[0])
    with pytest.raises(RuntimeError), ctx.db.write() as session:
        audit_chain.audit(ctx, session, "customer.view")
        raise RuntimeError("the sale failed")
    customers.enroll(ctx, PHONES[1])
    check = verify_audit_chain(ctx)
    assert (check.intact, check.rows, check.expected_rows) == (True, 2, 2)


def test_a_backup_remembers_the_count_when_the_settings_are_rewritten_too(
    sqlite_ctx, tmp_path: Path
) -> None:
    ctx = sqlite_ctx
    for phone in PHONES[:3]:
        customers.enroll(ctx, phone)
    copy = tmp_path / "backups" / "monday.sqlite"
    backup.backup(ctx, copy)
    # someone cuts the log back to one row and forges the count beside it
    _first, *rest = _in_chain_order(ctx)
    with ctx.db.write() as session:
        session.execute(delete(AuditEntry).where(AuditEntry.id.in_([e.id for e in rest])))
        session.execute(delete(Setting).where(Setting.key.startswith("audit.")))
    assert verify_audit_chain(ctx).intact is True  # the table alone cannot tell
    check = verify_audit_chain(ctx, backups=[copy])
    assert (check.intact, check.truncated, check.rows, check.expected_rows) == (False, True, 1, 3)


def test_an_old_log_without_a_count_is_taken_as_it_is_and_counted_from_then(ctx) -> None:
    for phone in PHONES[:2]:
        customers.enroll(ctx, phone)
    with ctx.db.write() as session:
        session.execute(delete(Setting).where(Setting.key.startswith("audit.")))
    customers.enroll(ctx, PHONES[2])
    check = verify_audit_chain(ctx)
    assert (check.intact, check.rows, check.expected_rows) == (True, 3, 3)
