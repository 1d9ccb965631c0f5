"""Consents travel between registers, and follow the person when two records become one."""

from __future__ import annotations

from datetime import UTC, datetime

from app.services import consents, customers, sync
from app.services.customers import resolve_customer

PHONE = "010-1234-5678"
DAY = datetime(2026, 3, 12, 5, 0, tzinfo=UTC)


def _may(ctx, channel: str, purpose: str):
    with ctx.db.read() as session:
        return consents.may_send(ctx, session, resolve_customer(ctx, PHONE), channel, purpose, DAY)


def test_a_consent_given_at_one_register_holds_at_the_other(registers) -> None:
    a, b = registers("A"), registers("B")
    member = customers.enroll(a, PHONE).id
    sync.sync_now(a)
    sync.sync_now(b)
    assert _may(b, "alimtalk", "ad") == (False, None, "no_ad_consent")
    consents.set_consent(a, member, "alimtalk", "ad", True, source="counter")
    sync.sync_now(a)
    sync.sync_now(b)
    assert _may(b, "alimtalk", "ad") == (True, None, "ok")
    consents.set_consent(b, member, "alimtalk", "ad", False, source="reply")
    sync.sync_now(b)
    sync.sync_now(a)
    assert _may(a, "alimtalk", "ad") == (False, None, "no_ad_consent")
    assert sync.sync_status(a).in_sync and sync.sync_status(b).in_sync


def test_the_same_person_enrolled_at_two_registers_keeps_both_records_consents(registers) -> None:
    a, b = registers("A"), registers("B")
    customers.enroll(a, PHONE)
    on_b = customers.enroll(b, PHONE).id
    consents.set_consent(b, on_b, "friendtalk", "ad", True, source="display")
    sync.sync_now(a)
    sync.sync_now(b)
    sync.sync_now(a)
    for ctx in (a, b):
        assert _may(ctx, "friendtalk", "ad") == (True, None, "ok"), ctx
