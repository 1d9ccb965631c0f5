"""Migration 0009: a sync password older versions left in the saved URL and in the sync.setup
audit row is gone after the upgrade (from the rows and from the file's bytes), and the audit
chain still verifies, against the settings' count and against a backup made before."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from app.db import migrate
from app.db.engine import Database, resolve_url
from app.db.models import AuditEntry, Setting
from app.db.settings import set_setting
from app.services import backup, staff
from app.services.audit import verify_audit_chain
from app.services.audit_chain import audit
from app.services.context import open_shop
from tests.conftest import START

SECRET = "Pw-0ld-Versi0n-k3pt"
OLD_URL = f"postgresql+psycopg://dangol:{SECRET}@db.example.kr:5432/shop?sslmode=require"
CLEAN_URL = "postgresql+psycopg://dangol@db.example.kr:5432/shop?sslmode=require"


def _file_bytes(path: Path) -> bytes:
    found = b""
    for suffix in ("", "-wal", "-journal"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            found += side.read_bytes()
    return found


@pytest.fixture
def old_shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A shop as a version before 0009 left it: the password in both places, rows after the
    sync.setup row, and a backup made then. Returns (live file, backup)."""
    monkeypatch.delenv("DANGOL_NOW", raising=False)
    monkeypatch.delenv("DANGOL_SYNC_PASSWORD", raising=False)
    path = tmp_path / "shop.sqlite"
    ctx = open_shop(str(path), now=START)
    staff.add_staff(ctx, "김하나", "cashier", "1357")
    with ctx.db.write() as session:
        set_setting(session, "sync.url", OLD_URL)
        audit(ctx, session, "sync.setup", detail={"url": OLD_URL, "store": "본점"})
    staff.add_staff(ctx, "박두리", "cashier", "2468")
    copy = tmp_path / "backups" / "before.sqlite"
    backup.backup(ctx, copy)
    ctx.close()
    db = Database(resolve_url(str(path)))
    migrate.downgrade(db.engine, "0007")
    db.dispose()
    assert SECRET.encode() in _file_bytes(path)  # what the tester found
    return path, copy


def test_the_upgrade_scrubs_the_password_and_the_chain_still_holds(old_shop) -> None:
    path, copy = old_shop
    ctx = open_shop(str(path), now=START)
    try:
        assert ctx.upgraded_from == "0007"
        assert ctx.settings["sync.url"] == CLEAN_URL
        with ctx.db.read() as session:
            values = list(session.scalars(select(Setting.value)))
            rows = list(session.scalars(select(AuditEntry)))
        assert not [v for v in values if SECRET in v]
        assert not [r for r in rows if SECRET in (r.detail or "")]
        setup = [json.loads(r.detail or "{}") for r in rows if r.action == "sync.setup"]
        assert setup[0]["url"] == CLEAN_URL and setup[0]["store"] == "본점"
        assert set(setup[0]["scrubbed"]) == {"seal"}
        check = verify_audit_chain(ctx, backups=[copy])
        assert check.intact, check
        assert check.rows == len(rows)
        # the chain goes on from the kept hash
        staff.add_staff(ctx, "최세나", "cashier", "9753")
        assert verify_audit_chain(ctx, backups=[copy]).intact
    finally:
        ctx.close()
    assert SECRET.encode() not in _file_bytes(path)
    with sqlite3.connect(path) as conn:
        conn.execute("VACUUM")
    conn.close()
    assert SECRET.encode() not in _file_bytes(path)


def test_a_scrubbed_row_edited_afterwards_breaks_the_chain(old_shop) -> None:
    path, _ = old_shop
    ctx = open_shop(str(path), now=START)
    try:
        with ctx.db.write() as session:
            row = session.scalars(select(AuditEntry).where(AuditEntry.action == "sync.setup")).one()
            detail = json.loads(row.detail or "{}")
            detail["store"] = "다른 가게"
            row.detail = json.dumps(detail, ensure_ascii=False, sort_keys=True)
            broken = row.id
        check = verify_audit_chain(ctx)
        assert not check.intact and check.first_broken == broken
    finally:
        ctx.close()


def test_a_seal_on_another_action_is_not_accepted(sqlite_ctx) -> None:
    """Only sync.setup rows may carry a scrub: a seal on any other row is an edit."""
    from app.services.audit_chain import SCRUBBED, scrub_seal

    staff.add_staff(sqlite_ctx, "김하나", "cashier", "1357")
    with sqlite_ctx.db.write() as session:
        row = session.scalars(select(AuditEntry).where(AuditEntry.action == "staff.add")).one()
        detail = {"role": "owner"}
        sealed = {**detail, SCRUBBED: {"seal": scrub_seal(row, row.hash, detail)}}
        row.detail = json.dumps(sealed, ensure_ascii=False, sort_keys=True)
    assert not verify_audit_chain(sqlite_ctx).intact


def test_a_database_without_a_password_is_left_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "shop.sqlite"
    ctx = open_shop(str(path), now=START)
    with ctx.db.write() as session:
        set_setting(session, "sync.url", CLEAN_URL)
        audit(ctx, session, "sync.setup", detail={"url": CLEAN_URL, "store": "본점"})
    ctx.close()
    db = Database(resolve_url(str(path)))
    migrate.downgrade(db.engine, "0007")
    db.dispose()
    ctx = open_shop(str(path), now=START)
    try:
        with ctx.db.read() as session:
            row = session.scalars(select(AuditEntry).where(AuditEntry.action == "sync.setup")).one()
        assert json.loads(row.detail or "{}") == {"url": CLEAN_URL, "store": "본점"}
        assert verify_audit_chain(ctx).intact
    finally:
        ctx.close()
