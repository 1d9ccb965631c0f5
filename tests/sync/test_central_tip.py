"""The audit count and last hash of each register are kept centrally when synced: a register
that cuts its own log and forges the count beside it is found out by the central copy."""

from __future__ import annotations

import json

from sqlalchemy import delete, select

from app.db.models import AuditEntry, Setting
from app.services import customers, sync
from app.services.audit import check_audit, verify_audit_chain
from app.services.audit_chain import tip_key
from app.sync import server
from tests.services.test_audit_chain_integrity import PHONES, _in_chain_order


def test_the_central_count_shows_a_cut_the_register_hid(registers) -> None:
    a = registers("A")
    for phone in PHONES[:3]:
        customers.enroll(a, phone)
    sync.sync_now(a)
    central = server.central_engine(sync.configured_url(a) or "")
    key = tip_key(a.register_id)
    with central.connect() as connection:
        kept = json.loads(connection.scalar(select(Setting.value).where(Setting.key == key)))
    with a.db.read() as session:
        local = json.loads(session.get(Setting, key).value)
    assert kept == local and kept["count"] >= 4
    assert check_audit(a).intact
    # the register's own log cut back, its count forged to match
    _first, *rest = _in_chain_order(a)
    with a.db.write() as session:
        session.execute(delete(AuditEntry).where(AuditEntry.id.in_([e.id for e in rest])))
        session.execute(delete(Setting).where(Setting.key.startswith("audit.")))
    assert verify_audit_chain(a).intact  # alone, the register cannot tell
    check = check_audit(a)
    assert (check.intact, check.truncated) == (False, True)
    assert check.expected_rows is not None and check.expected_rows >= kept["count"]


def test_the_central_count_never_goes_back(registers) -> None:
    a = registers("A")
    customers.enroll(a, PHONES[0])
    sync.sync_now(a)
    url = sync.configured_url(a) or ""
    key = tip_key(a.register_id)
    central = sync.business_engine(a, url)  # a write: the business's connection (0027)
    with central.connect() as connection:
        before = json.loads(connection.scalar(select(Setting.value).where(Setting.key == key)))
    smaller = {"count": 1, "hash": "0" * 64}
    with central.begin() as connection:
        connection.execute(sync._KEEP_LARGER_TIP, {"key": key, "value": json.dumps(smaller)})
    with central.connect() as connection:
        after = json.loads(connection.scalar(select(Setting.value).where(Setting.key == key)))
    assert after == before
