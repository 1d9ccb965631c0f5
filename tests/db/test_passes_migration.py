"""0021: the passes and pass_events tables with their sync triggers (as tracking writes them),
and the seeded pass_renewal template; the downgrade takes them away again.

Downgrades to the fixed revision "0019" (the one before this branch's migration)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from app.db import migrate
from app.db.engine import Database, resolve_url
from app.services.context import open_shop
from app.sync.tracking import trigger_statements
from tests.conftest import START


def _kinds(connection: sa.Connection) -> set[str]:
    return set(connection.scalars(sa.text("SELECT kind FROM message_templates")))


def test_upgrade_and_downgrade(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    open_shop(str(path), now=START).close()
    db = Database(resolve_url(str(path)))
    try:
        migrate.downgrade(db.engine, "0020")
        with db.engine.connect() as connection:
            inspector = sa.inspect(connection)
            assert not inspector.has_table("passes") and not inspector.has_table("pass_events")
            assert "pass_renewal" not in _kinds(connection)
        migrate.upgrade(db.engine)
        with db.engine.connect() as connection:
            assert "pass_renewal" in _kinds(connection)
            live = [
                s
                for s in trigger_statements(connection)
                if " ON passes " in s or " ON pass_events " in s
            ]
            stored = connection.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger'"
                " AND tbl_name IN ('passes', 'pass_events') ORDER BY tbl_name DESC"
            ).fetchall()
        assert [row[0] for row in stored] == live and len(live) == 2
    finally:
        db.dispose()
