"""0028: the counter's last-4 and name searches get their indexes (ix_customers_last4_active_name,
ix_customers_active_name) and ix_customers_phone_last4 goes; a shop made at 0027 upgrades
with its sync triggers and its members found, and goes back. On the sync's central
PostgreSQL the new indexes lead with business_id, as every index there does since 0027.

Downgrades to the fixed revision 0027 (the one this migration follows at branch time)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from app.db import migrate
from app.db.engine import Database, resolve_url
from app.services import customers
from app.services.context import open_shop
from app.services.customers import lean_search, search
from tests.conftest import START

NEW = {"ix_customers_last4_active_name", "ix_customers_active_name"}
OLD = "ix_customers_phone_last4"
LAST4 = (
    "phone_last4, status, name, id, phone, birthday, tier_code, enrolled_at, marketing_consent_at"
)


def _indexes(engine: Engine) -> dict[str, str]:
    """The customers table's indexes: name -> its columns, as the database lists them."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            names = connection.exec_driver_sql("PRAGMA index_list(customers)").all()
            return {
                row[1]: ", ".join(
                    column[2]
                    for column in connection.exec_driver_sql(f"PRAGMA index_info({row[1]})")
                )
                for row in names
            }
        rows = connection.execute(
            text(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                "AND tablename = 'customers'"
            )
        ).all()
        return {name: definition.split("(", 1)[1].rsplit(")", 1)[0] for name, definition in rows}


def _triggers(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}


def test_a_shop_at_0027_upgrades_and_goes_back(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    ctx = open_shop(str(path), now=START)
    ids = [customers.enroll(ctx, f"010-{1000 + n}-5678", name="김민수").id for n in range(3)]
    ctx.close()
    db = Database(resolve_url(str(path)))
    try:
        triggers = _triggers(path)
        assert triggers
        migrate.downgrade(db.engine, "0027")
        found = _indexes(db.engine)
        assert found[OLD] == "phone_last4" and not NEW & set(found)
        assert _triggers(path) == triggers
    finally:
        db.dispose()
    ctx = open_shop(str(path), now=START)  # the app upgrades what it opens
    try:
        assert ctx.upgraded_from == "0027"
        found = _indexes(ctx.db.engine)
        assert OLD not in found
        assert found["ix_customers_last4_active_name"] == LAST4
        assert found["ix_customers_active_name"] == "status, name, id"
        assert found["ix_customers_name"] == "name"  # the back office's, every status
        assert _triggers(path) == triggers
        assert sorted(row.id for row in lean_search(ctx, "5678")) == sorted(ids)
        with ctx.db.read() as session:
            assert [c.id for c in search(session, "5678")] == [
                row.id for row in lean_search(ctx, "5678")
            ]
    finally:
        ctx.close()


@pytest.mark.postgres
@pytest.mark.parametrize("central", [False, True])
def test_postgresql_upgrades_and_goes_back(pg_url: str, central: bool) -> None:
    """A shop's own PostgreSQL as SQLite; the central one with business_id first."""
    db = Database(resolve_url(pg_url))
    key = "business_id, " if central else ""
    try:
        migrate.upgrade(db.engine, central=central)
        found = _indexes(db.engine)
        assert found["ix_customers_last4_active_name"] == key + LAST4
        assert found["ix_customers_active_name"] == key + "status, name, id"
        assert OLD not in found
        migrate.downgrade(db.engine, "0027")
        found = _indexes(db.engine)
        assert found[OLD] == key + "phone_last4" and not NEW & set(found)
        migrate.upgrade(db.engine, central=central)
        assert _indexes(db.engine)["ix_customers_last4_active_name"] == key + LAST4
    finally:
        db.dispose()
