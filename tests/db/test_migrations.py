"""Migrations: the models and the migrated schema agree; older databases upgrade, copied aside."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app.db import migrate
from app.db.base import Base
from app.db.engine import Database, resolve_url
from app.domain.errors import Refused
from app.services import customers, sales
from app.services.context import open_shop
from app.services.customers import resolve_customer


def test_migrated_schema_matches_the_models(db_url: str) -> None:
    db = Database(resolve_url(db_url))
    try:
        migrate.upgrade(db.engine)
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diff = compare_metadata(context, Base.metadata)
        assert diff == []
    finally:
        db.dispose()


def test_sqlite_connection_settings(tmp_path: Path) -> None:
    ctx = open_shop(str(tmp_path / "s.sqlite"))
    try:
        with ctx.db.engine.connect() as connection:

            def pragma(name: str) -> object:
                return connection.execute(text(f"PRAGMA {name}")).scalar()

            assert pragma("journal_mode") == "wal"
            assert pragma("foreign_keys") == 1
            assert pragma("synchronous") == 2  # FULL
            assert pragma("busy_timeout") == 30_000
    finally:
        ctx.close()


def test_an_older_database_is_copied_aside_then_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    ctx = open_shop(str(path))
    customers.enroll(ctx, "010-1234-5678")
    sales.record_sale(ctx, resolve_customer(ctx, "010-1234-5678"), 10_000)
    ctx.close()
    # take the schema back to the first release, as an old version would have left it
    db = Database(resolve_url(str(path)))
    migrate.downgrade(db.engine, "0001")
    db.dispose()

    ctx = open_shop(str(path))
    try:
        assert ctx.upgraded_from == "0001"
        copy = Path(ctx.backup_path or "")
        assert copy.is_file() and copy != path
        with sqlite3.connect(copy) as conn:
            assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
        assert migrate.current_revision(ctx.db.engine) == migrate.head_revision()
        assert customers.customer_status(ctx, resolve_customer(ctx, "010-1234-5678")).points == 200
    finally:
        ctx.close()


def test_a_database_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    open_shop(str(path)).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(Refused) as refused:
        open_shop(str(path))
    assert refused.value.code == "db.newer_version"


def test_revision_numbers_agree_with_alembic() -> None:
    """The fast head lookup (file names) names the head Alembic itself finds."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate.alembic_config())
    assert migrate.head_revision() == script.get_current_head()
    assert migrate.known_revisions() == {s.revision for s in script.walk_revisions()}


def test_the_wal_is_checkpointed_off_the_sale_path(tmp_path: Path) -> None:
    import time

    ctx = open_shop(str(tmp_path / "s.sqlite"))
    try:
        with ctx.db.engine.connect() as connection:
            assert connection.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 0
        customers.enroll(ctx, "010-1234-5678")
        for _ in range(30):
            sales.record_sale(ctx, resolve_customer(ctx, "010-1234-5678"), 1000)
        checkpointer = ctx.db.checkpointer
        assert checkpointer is not None and checkpointer.commits == 32  # seeding, enroll, sales
        deadline = time.monotonic() + 15  # the first quiet moment (2 s) after the sales
        while checkpointer.runs < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert checkpointer.runs >= 1
    finally:
        ctx.close()
    # closing copies the rest back: the file alone holds every sale
    with sqlite3.connect(tmp_path / "s.sqlite") as conn:
        assert conn.execute("SELECT count(*) FROM sales").fetchone() == (30,)


def test_a_merged_customer_can_be_stored_after_the_upgrade(db_url: str) -> None:
    from sqlalchemy import update

    from app.db.models import Customer

    ctx = open_shop(db_url)
    try:
        kept = customers.enroll(ctx, "010-1234-5678").id
        gone = customers.enroll(ctx, "010-2222-3333").id
        with ctx.db.write() as session:
            session.execute(
                update(Customer)
                .where(Customer.id == gone)
                .values(status="merged", merged_into_id=kept, phone=None, phone_last4=None)
            )
        with pytest.raises(IntegrityError), ctx.db.write() as session:
            session.execute(update(Customer).where(Customer.id == kept).values(status="x"))
    finally:
        ctx.close()


def test_adding_the_back_office_indexes_keeps_the_sync_triggers(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    open_shop(str(path)).close()
    db = Database(resolve_url(str(path)))
    migrate.downgrade(db.engine, "0006")
    db.dispose()

    def triggers() -> set[str]:
        with sqlite3.connect(path) as conn:
            rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            return {row[0] for row in rows}

    before = triggers()
    assert before
    open_shop(str(path)).close()  # upgrades through 0007 to the head
    assert before <= triggers()  # later revisions add triggers of their new tables
    with sqlite3.connect(path) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert {"ix_customers_tier_status_id", "ix_customers_status_id"} <= names


def test_the_consent_source_columns_are_tracked_by_the_sync_trigger(tmp_path: Path) -> None:
    """0008 adds the columns without rebuilding the table and re-creates the change trigger
    of customers as app/sync/tracking.py writes it for the new columns."""
    from app.sync.tracking import trigger_statements

    path = tmp_path / "s.sqlite"
    open_shop(str(path)).close()
    db = Database(resolve_url(str(path)))
    migrate.downgrade(db.engine, "0007")
    with db.engine.connect() as connection:
        columns = {r[1] for r in connection.exec_driver_sql("PRAGMA table_info(customers)")}
    assert "program_consent_source" not in columns
    migrate.upgrade(db.engine)
    with db.engine.connect() as connection:
        live = [s for s in trigger_statements(connection) if "sync_edit_customers " in s]
        (stored,) = connection.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE name = 'sync_edit_customers'"
        ).fetchone()
    db.dispose()
    assert "marketing_consent_source" in stored
    assert live == [stored]
