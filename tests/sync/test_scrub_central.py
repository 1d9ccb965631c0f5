"""Migration 0009 on the central PostgreSQL: a sync.setup row an older register pushed with
the password in its URL is scrubbed when a register of this version next syncs (the central
schema is brought up to date by the same migrations), and its chain still holds."""

from __future__ import annotations

import json

from sqlalchemy import select

from app.db import migrate
from app.db.models import AuditEntry, Setting
from app.services import sync
from app.services.audit import verify_audit_chain
from app.services.audit_chain import GENESIS_HASH, audit, hash_holds
from app.sync import server

SECRET = "Pw-0ld-Versi0n-k3pt"


def test_the_central_copy_is_scrubbed_when_a_register_syncs(registers, pg_url) -> None:
    a = registers("A")
    b = registers("B")  # set up while the central was as it is now
    old_url = pg_url.replace("postgres@", f"postgres:{SECRET}@", 1)
    with a.db.write() as session:  # what an older version wrote and pushed
        audit(a, session, "sync.setup", detail={"url": old_url, "store": "본점"})
    sync.sync_now(a)
    url = sync.configured_url(a)
    assert url is not None
    central = sync.business_engine(a, url)  # a write: the business's connection (0027)
    with central.begin() as connection:
        set_setting_row = {"key": "sync.url", "value": json.dumps(old_url)}
        connection.execute(Setting.__table__.insert(), [set_setting_row])
    central = server.central_engine(url)
    migrate.downgrade(central, "0007")  # the central as the older version left it
    server.forget_engine(url)
    with central.connect() as connection:
        details = [d for d in connection.scalars(select(AuditEntry.detail)) if d]
    central.dispose()  # forgotten by the cache above: its pool is closed here, not by the collector
    assert [d for d in details if SECRET in d]  # the tester's finding, centrally

    sync.sync_now(b)  # this version's next sync brings the central schema up to date

    central = server.central_engine(url)
    assert migrate.current_revision(central) == migrate.head_revision()
    with central.connect() as connection:
        rows = list(connection.execute(select(AuditEntry)))
        values = list(connection.scalars(select(Setting.value)))
    assert not [r for r in rows if SECRET in (r.detail or "")]
    assert not [v for v in values if SECRET in v]
    # every register's chain on the central still links and hashes (the scrubbed row sealed)
    by_register: dict[object, dict[str, object]] = {}
    for row in rows:
        assert hash_holds(row, row.hash), row.action
        by_register.setdefault(row.register_id, {})[row.prev_hash] = row
    for links in by_register.values():
        link, seen = GENESIS_HASH, 0
        while link in links:
            link = links[link].hash  # type: ignore[attr-defined]
            seen += 1
        assert seen == len(links)
    # B pulled the scrubbed row: its own chain check accepts the seal
    assert verify_audit_chain(b).intact
    with b.db.read() as session:
        pulled = [e.detail or "" for e in session.scalars(select(AuditEntry))]
    assert not [d for d in pulled if SECRET in d]
