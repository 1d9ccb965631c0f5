"""A migration that rebuilds a synced table in batch mode (SQLite's copy-and-rename drops the
table's triggers) leaves a syncing register with every change trigger back, its new column
tracked too, without the migration doing anything about triggers itself."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.db import migrate, peek
from app.db.engine import Database, resolve_url
from app.services import customers
from app.services.context import ensure_schema, open_shop
from app.sync.tracking import create_triggers, missing_triggers
from tests.conftest import START

# a later migration of the kind the brief warns about: customers rebuilt, a column added
REBUILD = '''
"""test only: customers rebuilt in batch mode"""
import sqlalchemy as sa
from alembic import op

revision = "9999"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("customers", recreate="always") as batch:
        batch.add_column(sa.Column("nickname", sa.String(40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("customers", recreate="always") as batch:
        batch.drop_column("nickname")
'''


@pytest.fixture
def ship(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """ship(): from now on the app's migrations plus the rebuilding one, as the next version
    would ship them."""

    def next_version() -> None:
        folder = tmp_path / "migrations"
        shutil.copytree(peek.MIGRATIONS, folder, ignore=shutil.ignore_patterns("__pycache__"))
        head = peek.head_revision()
        (folder / "versions" / "9999_rebuild_customers.py").write_text(REBUILD.format(head=head))
        monkeypatch.setattr(peek, "MIGRATIONS", folder)
        monkeypatch.setattr(migrate, "MIGRATIONS", folder)

    return next_version


def _outbox(db: Database) -> list[tuple[str, str | None]]:
    with db.engine.connect() as connection:
        return [tuple(r) for r in connection.exec_driver_sql("SELECT tbl, field FROM sync_outbox")]


def test_a_rebuilt_synced_table_gets_its_triggers_back(tmp_path: Path, ship) -> None:
    path = tmp_path / "shop.sqlite"
    open_shop(str(path), now=START).close()  # at this version's head (before 9999)
    db = Database(resolve_url(str(path)))
    try:
        with db.engine.begin() as connection:  # a register that syncs: tracking on
            connection.exec_driver_sql("UPDATE sync_clock SET tracking = 1, register_hex = 'ab'")
            create_triggers(connection)
        head = migrate.current_revision(db.engine)
        ship()
        assert peek.head_revision() == "9999"
        previous, _ = ensure_schema(db)
        assert previous == head and migrate.current_revision(db.engine) == "9999"
        with db.engine.connect() as connection:
            assert missing_triggers(connection) == []
            (edit,) = connection.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = 'sync_edit_customers'"
            ).fetchone()
        assert '"nickname"' in edit  # the new column is tracked as well
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DELETE FROM sync_outbox")
    finally:
        db.dispose()
    ctx = open_shop(str(path), now=START)
    try:
        customers.enroll(ctx, "01012340000")  # a new member goes out
        with ctx.db.write() as session:
            session.execute(sa.text("UPDATE customers SET nickname = '단골'"))
        assert ("customers", None) in _outbox(ctx.db)
        assert ("customers", "nickname") in _outbox(ctx.db)
    finally:
        ctx.close()


def test_a_register_that_does_not_sync_keeps_its_quiet_triggers(tmp_path: Path, ship) -> None:
    path = tmp_path / "shop.sqlite"
    open_shop(str(path), now=START).close()
    ship()
    db = Database(resolve_url(str(path)))
    try:
        assert ensure_schema(db)[0] is not None  # upgraded
        with db.engine.connect() as connection:
            assert missing_triggers(connection) == []
    finally:
        db.dispose()
    fresh = tmp_path / "new.sqlite"  # a new shop made by that version: triggers there too
    open_shop(str(fresh), now=START).close()
    db = Database(resolve_url(str(fresh)))
    try:
        with db.engine.connect() as connection:
            assert missing_triggers(connection) == []
    finally:
        db.dispose()
    ctx = open_shop(str(path), now=START)
    try:
        customers.enroll(ctx, "01012340000")
        assert _outbox(ctx.db) == []  # quiet until sync is set up
    finally:
        ctx.close()
