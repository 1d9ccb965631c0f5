"""0025: the coalition's local tables come and go with the migration; their rules hold."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.db import migrate
from app.db.engine import Database, resolve_url
from app.db.models import PartnerEntry, PartnerProgram
from tests.conftest import _fresh_copy

TABLES = {
    "partner_programs",
    "partner_entries",
    "partner_consent_events",
    "partner_sent",
    "partner_seen",
}


def test_upgrade_and_downgrade(tmp_path: Path, migrated_sqlite: Path) -> None:
    path = _fresh_copy(migrated_sqlite, tmp_path / "s.sqlite")
    db = Database(resolve_url(path))
    try:
        migrate.downgrade(db.engine, "0024")
        with db.engine.connect() as connection:
            assert not TABLES & set(sa.inspect(connection).get_table_names())
        migrate.upgrade(db.engine)
        with db.engine.connect() as connection:
            assert set(sa.inspect(connection).get_table_names()) >= TABLES
    finally:
        db.dispose()


def test_an_entry_has_a_kind_and_points(sqlite_ctx) -> None:
    now = datetime(2026, 3, 12, tzinfo=UTC)
    with sqlite_ctx.db.write() as session:
        program = PartnerProgram(
            id=uuid.uuid4(),
            business_id=uuid.uuid4(),
            name="n",
            shop_name="s",
            point_value="1",
            earn_rate="0.01",
            offline_limit=0,
            secret="x",
            url="postgresql://h/d",
            joined_at=now,
        )
        session.add(program)
    for kind, points in (("gift", 5), ("earn", 0)):
        with pytest.raises(IntegrityError), sqlite_ctx.db.write() as session:
            session.add(
                PartnerEntry(
                    coalition_id=program.id,
                    account_id=program.id,
                    kind=kind,
                    points=points,
                    month="2026-03",
                    at=now,
                )
            )
