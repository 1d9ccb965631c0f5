"""Restore takes back only a database that is really ours, and a refused one changes nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.db import migrate
from app.domain.errors import Refused
from app.services import backup, customers
from app.services.customers import resolve_customer
from tests.services.helpers import snapshot


def _lookalike(path: Path, tables: dict[str, str]) -> Path:
    """A SQLite file with our newest revision and only the tables given."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
    conn.execute("INSERT INTO alembic_version VALUES (?)", (migrate.head_revision(),))
    for name, columns in tables.items():
        conn.execute(f"CREATE TABLE {name} ({columns})")
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize(
    "tables",
    [
        pytest.param({"ledger_entries": "id"}, id="no customers table"),
        pytest.param({"customers": "id", "ledger_entries": "id"}, id="two bare tables"),
    ],
)
def test_a_lookalike_is_refused_and_a_real_restore_still_works(
    sqlite_ctx, tmp_path: Path, tables: dict[str, str]
) -> None:
    ctx = sqlite_ctx
    customers.enroll(ctx, "010-1234-5678")
    good = tmp_path / "good.sqlite"
    backup.backup(ctx, good)
    customers.enroll(ctx, "010-2222-3333")
    before = snapshot(ctx)
    fake = _lookalike(tmp_path / "fake.sqlite", tables)
    with pytest.raises(Refused) as refused:
        backup.restore(ctx, fake)
    assert refused.value.code in ("backup.not_ours", "backup.damaged")
    assert snapshot(ctx) == before
    assert customers.customer_status(ctx, resolve_customer(ctx, "010-2222-3333")).points == 0
    backup.restore(ctx, good)
    with pytest.raises(Refused):
        resolve_customer(ctx, "010-2222-3333")
    assert resolve_customer(ctx, "010-1234-5678")


def test_a_backup_missing_a_column_is_refused(sqlite_ctx, tmp_path: Path) -> None:
    ctx = sqlite_ctx
    customers.enroll(ctx, "010-1234-5678")
    good = tmp_path / "good.sqlite"
    backup.backup(ctx, good)
    cut = tmp_path / "cut.sqlite"
    cut.write_bytes(good.read_bytes())
    conn = sqlite3.connect(cut)
    conn.execute("ALTER TABLE audit_log DROP COLUMN detail")
    conn.commit()
    conn.close()
    before = snapshot(ctx)
    with pytest.raises(Refused) as refused:
        backup.restore(ctx, cut)
    assert refused.value.code == "backup.not_ours"
    assert snapshot(ctx) == before
    assert backup.restore(ctx, good).customers == 1


def test_a_restore_leaves_no_staging_file_behind(sqlite_ctx, tmp_path: Path) -> None:
    ctx = sqlite_ctx
    customers.enroll(ctx, "010-1234-5678")
    good = tmp_path / "good.sqlite"
    backup.backup(ctx, good)
    fake = _lookalike(tmp_path / "fake.sqlite", {"customers": "id", "ledger_entries": "id"})
    with pytest.raises(Refused):
        backup.restore(ctx, fake)
    backup.restore(ctx, good)
    live = ctx.db.path
    assert live is not None
    leftovers = [p.name for p in live.parent.iterdir() if "restoring" in p.name]
    assert leftovers == []


def test_a_backup_from_an_older_version_is_upgraded_before_it_goes_live(
    sqlite_ctx, tmp_path: Path
) -> None:
    from app.db.engine import Database, resolve_url

    ctx = sqlite_ctx
    customers.enroll(ctx, "010-1234-5678")
    old = tmp_path / "old.sqlite"
    backup.backup(ctx, old)
    db = Database(resolve_url(str(old)))
    migrate.downgrade(db.engine, "0006")
    db.dispose()
    backup.restore(ctx, old)
    assert migrate.current_revision(ctx.db.engine) == migrate.head_revision()
    assert resolve_customer(ctx, "010-1234-5678")
    customers.enroll(ctx, "010-2222-3333")  # the shop works on it
