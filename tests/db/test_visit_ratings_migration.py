"""0016: the visit ratings table, and staff.customer_id tracked by the sync trigger of staff."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.db import migrate
from app.db.engine import Database, resolve_url
from app.db.models import VisitRating
from app.services import customers, fraud, ratings, sales, staff
from app.services.context import open_shop
from app.sync.tracking import _update_trigger, trigger_statements
from tests.conftest import START


def _staff_trigger(connection: sa.Connection) -> tuple[str, list[str]]:
    """The stored change trigger of staff, and the one tracking writes for its columns now
    (built for staff alone: at 0015 the later synced tables are not there yet)."""
    (stored,) = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE name = 'sync_edit_staff'"
    ).fetchone()
    columns = [c["name"] for c in sa.inspect(connection).get_columns("staff") if c["name"] != "id"]
    return stored, [_update_trigger("staff", columns)]


def test_upgrade_and_downgrade_keep_the_staff_trigger_in_step(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    ctx = open_shop(str(path), now=START)
    cashier = staff.add_staff(ctx, "박직원", "cashier", "2468").id
    ctx.close()
    db = Database(resolve_url(str(path)))
    try:
        migrate.downgrade(db.engine, "0015")
        with db.engine.connect() as connection:
            assert not sa.inspect(connection).has_table("visit_ratings")
            columns = {c["name"] for c in sa.inspect(connection).get_columns("staff")}
            stored, live = _staff_trigger(connection)
        assert "customer_id" not in columns and "customer_id" not in stored
        assert live == [stored]
        migrate.upgrade(db.engine)
        with db.engine.connect() as connection:
            assert sa.inspect(connection).has_table("visit_ratings")
            stored, live = _staff_trigger(connection)
        assert '"customer_id"' in stored
        assert live == [stored]
        with db.engine.connect() as connection:  # the ratings' own triggers, as tracking has them
            live = [s for s in trigger_statements(connection) if " ON visit_ratings " in s]
            rows = connection.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE tbl_name = 'visit_ratings'"
                " AND type = 'trigger' ORDER BY name DESC"
            ).fetchall()
        assert [r[0] for r in rows] == live and len(live) == 2
    finally:
        db.dispose()
    ctx = open_shop(str(path), now=START)  # the upgraded shop stores ratings and links
    try:
        who = customers.enroll(ctx, "010-1234-5678").id
        sale = sales.record_sale(ctx, who, 10_000).sale_id
        assert ratings.record_rating(ctx, sale, 10).score == 10
        fraud.link_staff_customer(ctx, cashier, who)
    finally:
        ctx.close()


def test_the_score_is_checked_by_the_database_too(db_url: str) -> None:
    ctx = open_shop(db_url, now=START)
    try:
        who = customers.enroll(ctx, "010-1234-5678").id
        sale = sales.record_sale(ctx, who, 10_000).sale_id
        with pytest.raises(IntegrityError), ctx.db.write() as session:
            session.add(VisitRating(sale_id=sale, customer_id=who, score=11, at=START, source="x"))
    finally:
        ctx.close()
