"""0020: the wallet's table, its sync trigger as tracking writes it, and its checks."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.db import migrate
from app.db.engine import Database, resolve_url
from app.db.models import WalletEntry
from app.services import customers
from app.services.context import open_shop
from app.sync.tracking import trigger_statements
from tests.conftest import START


def test_downgrade_and_upgrade_keep_the_trigger_in_step(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    open_shop(str(path), now=START).close()
    db = Database(resolve_url(str(path)))
    try:
        migrate.downgrade(db.engine, "0019")  # names a fixed revision (the lead re-chains)
        with db.engine.connect() as connection:
            assert not sa.inspect(connection).has_table("wallet_entries")
        migrate.upgrade(db.engine)
        with db.engine.connect() as connection:
            live = [s for s in trigger_statements(connection) if " ON wallet_entries " in s]
            rows = connection.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE tbl_name = 'wallet_entries'"
                " AND type = 'trigger'"
            ).fetchall()
        assert [r[0] for r in rows] == live and len(live) == 1
    finally:
        db.dispose()


def test_the_purse_and_the_kind_are_checked_by_the_database_too(db_url: str) -> None:
    ctx = open_shop(db_url, now=START)
    try:
        who = customers.enroll(ctx, "010-1234-5678").id
        for purse, kind in (("points", "earn"), ("cashback", "gift")):
            with pytest.raises(IntegrityError), ctx.db.write() as session:
                session.add(
                    WalletEntry(customer_id=who, purse=purse, kind=kind, won=1, occurred_at=START)
                )
    finally:
        ctx.close()
