"""0012: the single marketing flag becomes an SMS-advertising grant with its date and source."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, text, update

from app.db import migrate
from app.db.engine import Database, resolve_url
from app.db.models import ConsentEvent, Customer
from app.services import consents, customers
from app.services.context import open_shop
from tests.conftest import START


def _back_to_0011_with_flags(db_url: str) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    """A shop as 0011 left it: two members with the marketing flag (one from an import of
    a year before), one without."""
    ctx = open_shop(db_url, now=START)
    try:
        counter = customers.enroll(ctx, "010-1234-5678", marketing_consent=True).id
        imported = customers.enroll(ctx, "010-2222-3333", marketing_consent=True).id
        plain = customers.enroll(ctx, "010-3333-4444").id
        with ctx.db.write() as session:
            session.execute(
                update(Customer)
                .where(Customer.id == imported)
                .values(
                    marketing_consent_at=START - timedelta(days=365),
                    marketing_consent_source="import",
                )
            )
            session.execute(
                update(Customer).where(Customer.id == counter).values(marketing_consent_source=None)
            )
    finally:
        ctx.close()
    db = Database(resolve_url(db_url))
    try:
        migrate.downgrade(db.engine, "0011")
    finally:
        db.dispose()
    return counter, imported, plain


def test_the_marketing_flag_keeps_its_date_and_source(db_url: str) -> None:
    counter, imported, plain = _back_to_0011_with_flags(db_url)
    ctx = open_shop(db_url, now=START)
    try:
        with ctx.db.read() as session:
            rows = {r.customer_id: r for r in session.scalars(select(ConsentEvent))}
        assert set(rows) == {counter, imported}
        assert (rows[imported].action, rows[imported].channel, rows[imported].purpose) == (
            "grant",
            "sms",
            "ad",
        )
        assert rows[imported].at == START - timedelta(days=365)
        assert rows[imported].source == "import"
        assert rows[counter].at == START and rows[counter].source is None  # before sources
        # the same id on every database that migrates the same member
        assert rows[counter].id == uuid.uuid5(
            uuid.UUID("5b0c7f0e-2d1a-4f43-9a51-0c6e6a1d0012"), str(counter)
        )
        state = consents.consent_state(ctx, imported)
        granted = [(c.channel, c.purpose, c.night) for c in state.consents if c.granted]
        assert granted == [("sms", "ad", False)]  # the other channels are not granted
        assert not any(c.granted for c in consents.consent_state(ctx, plain).consents)
        if ctx.db.engine.dialect.name == "postgresql":  # the central feed lists them
            with ctx.db.read() as session:
                fed = session.scalar(
                    text("SELECT count(*) FROM sync_changes WHERE tbl = 'consent_events'")
                )
            assert fed == 2
    finally:
        ctx.close()


def test_the_new_table_is_tracked_by_the_trigger_sync_writes(tmp_path: Path) -> None:
    """The frozen trigger of 0012 is what app/sync/tracking.py writes for the table, and the
    migrated rows are not queued for sync (every database makes the same rows itself)."""
    from app.sync.tracking import trigger_statements

    path = str(tmp_path / "s.sqlite")
    _back_to_0011_with_flags(path)
    db = Database(resolve_url(path))
    try:
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE sync_clock SET tracking = 1 WHERE id = 1"))
        migrate.upgrade(db.engine)
        with db.engine.connect() as connection:
            live = [s for s in trigger_statements(connection) if "sync_new_consent_events " in s]
            (stored,) = connection.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = 'sync_new_consent_events'"
            ).fetchone()
            queued = connection.exec_driver_sql(
                "SELECT count(*) FROM sync_outbox WHERE tbl = 'consent_events'"
            ).scalar()
        assert live == [stored]
        assert queued == 0
    finally:
        db.dispose()
    ctx = open_shop(path, now=START)
    try:
        member = customers.resolve_customer(ctx, "010-3333-4444")
        consents.set_consent(ctx, member, "alimtalk", "ad", True)
        with ctx.db.read() as session:
            queued = session.scalar(
                text("SELECT count(*) FROM sync_outbox WHERE tbl = 'consent_events'")
            )
        assert queued == 1  # a new consent is sent to the other registers
    finally:
        ctx.close()
