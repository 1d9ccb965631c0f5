"""0026: lunar_birthdays gets its id (derived from the member's) and the `lunar` flag; a lunar
birthday kept before the upgrade is kept after it, and back; the three insight tables have
their sync triggers at once.

Downgrades to the fixed revision 0025 (the one this migration follows at branch time)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from app.db import migrate
from app.db.engine import Database, resolve_url
from app.services import birthdays, customers
from app.services.context import open_shop
from app.sync.tracking import missing_triggers
from tests.conftest import START


def test_lunar_birthdays_upgrade_from_0025_and_back(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    ctx = open_shop(str(path), now=START)
    who = customers.enroll(ctx, "010-1234-5678", birthday="1990-08-15").id
    other = customers.enroll(ctx, "010-1234-0000", birthday="1991-01-01").id
    birthdays.set_lunar_birthday(ctx, who, True)
    birthdays.set_lunar_birthday(ctx, other, True)
    birthdays.set_lunar_birthday(ctx, other, False)  # off: a row with lunar false
    ctx.close()
    db = Database(resolve_url(str(path)))
    try:
        migrate.downgrade(db.engine, "0025")
        with db.engine.connect() as connection:
            rows = list(connection.execute(sa.text("SELECT customer_id FROM lunar_birthdays")))
            assert len(rows) == 1  # only the member still lunar
            assert "id" not in {
                c["name"] for c in sa.inspect(connection).get_columns("lunar_birthdays")
            }
        migrate.upgrade(db.engine)
        with db.engine.connect() as connection:
            row = connection.execute(sa.text("SELECT id, lunar FROM lunar_birthdays")).one()
            assert missing_triggers(connection) == []
        assert str(row[0]).replace("-", "") == birthdays.lunar_id(who).hex and row[1] == 1
    finally:
        db.dispose()
    ctx = open_shop(str(path), now=START)
    try:
        assert birthdays.set_lunar_birthday(ctx, who, False).lunar is False
        assert birthdays.set_lunar_birthday(ctx, who, True).lunar is True
    finally:
        ctx.close()
