"""0024: the insight tables (RFM scores, owner segments, experiments, lunar birthdays) come and
go with the migration, and a shop upgraded from 0019 computes RFM and keeps lunar birthdays.

Downgrades to the fixed revision 0019 (the one this migration follows at branch time)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from app.db import migrate
from app.db.engine import Database, resolve_url
from app.services import birthdays, customers, sales, segments
from app.services.context import open_shop
from tests.conftest import START

TABLES = {"rfm_scores", "owner_segments", "experiments", "lunar_birthdays"}


def test_upgrade_from_0019_and_back(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    ctx = open_shop(str(path), now=START)
    who = customers.enroll(ctx, "010-1234-5678", birthday="1990-08-15").id
    sales.record_sale(ctx, who, 10_000)
    ctx.close()
    db = Database(resolve_url(str(path)))
    try:
        migrate.downgrade(db.engine, "0023")
        with db.engine.connect() as connection:
            assert not TABLES & set(sa.inspect(connection).get_table_names())
        migrate.upgrade(db.engine)
        with db.engine.connect() as connection:
            assert set(sa.inspect(connection).get_table_names()) >= TABLES
            assert {c["name"] for c in sa.inspect(connection).get_columns("rfm_scores")} >= {
                "customer_id", "last_at", "frequency", "monetary", "r", "f", "m", "segment",
            }  # fmt: skip
    finally:
        db.dispose()
    ctx = open_shop(str(path), now=START)
    try:
        assert segments.refresh_rfm(ctx) == 1
        assert birthdays.set_lunar_birthday(ctx, who, True).lunar
    finally:
        ctx.close()
