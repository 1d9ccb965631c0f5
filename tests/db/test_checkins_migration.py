"""Migration 0015: a shop at 0013 upgrades to the checkins table, and back."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect

from app.db import migrate
from app.db.engine import Database, resolve_url
from app.services import checkin, customers
from app.services.context import open_shop


def test_a_shop_before_checkins_upgrades_and_checks_in(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    ctx = open_shop(str(path))
    customers.enroll(ctx, "010-1234-5678")
    ctx.close()
    db = Database(resolve_url(str(path)))
    try:
        migrate.downgrade(db.engine, "0013")
        assert not inspect(db.engine).has_table("checkins")
    finally:
        db.dispose()

    ctx = open_shop(str(path))
    try:
        assert ctx.upgraded_from == "0013"
        columns = {c["name"] for c in inspect(ctx.db.engine).get_columns("checkins")}
        assert columns == {"id", "customer_id", "at", "source", "device", "sale_id", "register_id"}
        result = checkin.check_in(ctx, "5678", "display", None)
        assert result.kind == checkin.MEMBER
        assert [c.id for c in checkin.latest_checkins(ctx, result.at.replace(year=2000))] == [
            result.checkin_id
        ]
    finally:
        ctx.close()
