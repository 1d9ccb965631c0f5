"""0023: the mobile wallets' table (Google Wallet objects, each its own outbox entry): made by
the upgrade with its checks, gone after the downgrade to its predecessor (a fixed revision: the lead
re-chains the migrations at the merge), made again by the next upgrade."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.db import migrate
from app.db.base import UTCDateTime
from app.db.engine import Database, resolve_url
from app.services import customers
from app.services.context import open_shop
from tests.conftest import START

INSERT = sa.text(
    "INSERT INTO mobile_wallet_passes (id, kind, customer_id, token, object_id, status, "
    "inserted, send_after, attempts, created_at) VALUES (:id, :kind, :customer, 'T', :object, "
    ":status, false, :at, 0, :at)"
).bindparams(
    sa.bindparam("id", type_=sa.Uuid()),
    sa.bindparam("customer", type_=sa.Uuid()),
    sa.bindparam("at", type_=UTCDateTime()),
)


def test_the_table_comes_and_goes_with_0023(db_url: str) -> None:
    ctx = open_shop(db_url, now=START)
    who = customers.enroll(ctx, "010-1234-5678").id
    ctx.close()
    db = Database(resolve_url(db_url))
    values = {"kind": "google", "customer": who, "status": "queued", "at": START}
    try:
        with db.engine.begin() as connection:
            connection.execute(INSERT, {**values, "id": uuid.uuid4(), "object": "1.a"})
        for bad in ({"kind": "apple"}, {"status": "sent"}, {"object": "1.a"}):
            with pytest.raises(IntegrityError), db.engine.begin() as connection:
                connection.execute(INSERT, {**values, "id": uuid.uuid4(), "object": "1.b", **bad})
        migrate.downgrade(db.engine, "0021")
        with db.engine.connect() as connection:
            assert not sa.inspect(connection).has_table("mobile_wallet_passes")
        migrate.upgrade(db.engine)
        with db.engine.connect() as connection:
            assert sa.inspect(connection).has_table("mobile_wallet_passes")
            indexes = {
                i["name"] for i in sa.inspect(connection).get_indexes("mobile_wallet_passes")
            }
        assert "ix_mobile_wallet_passes_status_send_after" in indexes
        assert migrate.current_revision(db.engine) == migrate.head_revision()
    finally:
        db.dispose()
