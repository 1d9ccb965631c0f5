"""Consent events on SQLite and PostgreSQL: recorded, mirrored, audited; may_send and the notice."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.db.models import AuditEntry, ConsentEvent, Customer
from app.domain.errors import Refused
from app.services import consents, customer_admin, customers
from app.services.customer_admin import ProfileChange
from tests.conftest import START
from tests.services.helpers import snapshot


def _events(ctx, customer_id) -> list[ConsentEvent]:
    with ctx.db.read() as session:
        return list(
            session.scalars(
                select(ConsentEvent)
                .where(ConsentEvent.customer_id == customer_id)
                .order_by(ConsentEvent.at, ConsentEvent.id)
            )
        )


def _customer(ctx, customer_id) -> Customer:
    with ctx.db.read() as session:
        customer = session.get(Customer, customer_id)
        assert customer is not None
        session.expunge(customer)
        return customer


def _may(ctx, customer_id, channel: str, purpose: str, when: datetime):
    with ctx.db.read() as session:
        return consents.may_send(ctx, session, customer_id, channel, purpose, when)


def test_enrolment_with_marketing_consent_records_sms_advertising(ctx) -> None:
    member = customers.enroll(ctx, "010-1234-5678", marketing_consent=True).id
    plain = customers.enroll(ctx, "010-2222-3333").id
    (event,) = _events(ctx, member)
    assert (event.action, event.channel, event.purpose, event.night) == (
        "grant",
        "sms",
        "ad",
        False,
    )
    assert (event.at, event.source, event.staff_id) == (START, "counter", ctx.staff_id)
    assert _events(ctx, plain) == []
    shown = consents.consent_state(ctx, member)
    sms_ad = next(
        c for c in shown.consents if (c.channel, c.purpose, c.night) == ("sms", "ad", False)
    )
    assert sms_ad.granted and sms_ad.granted_at == START
    assert shown.notice_due_on == date(2028, 3, 12)


def test_a_withdrawal_is_a_new_row_mirrored_in_the_old_flag_and_audited(ctx) -> None:
    member = customers.enroll(ctx, "010-1234-5678", marketing_consent=True).id
    ctx.fixed_now = START + timedelta(days=5)
    consents.set_consent(ctx, member, "sms", "ad", True, night=True, source="counter")
    ctx.fixed_now = START + timedelta(days=10)
    shown = consents.set_consent(ctx, member, "sms", "ad", False, source="reply")
    rows = _events(ctx, member)
    assert [(r.action, r.night) for r in rows] == [
        ("grant", False),
        ("grant", True),
        ("withdraw", False),
        ("withdraw", True),  # advertising withdrawn takes night advertising with it
    ]
    assert rows[0].at == START  # the grant row is untouched
    assert not any(c.granted for c in shown.consents)
    customer = _customer(ctx, member)
    assert customer.marketing_consent_at is None and customer.marketing_consent_source is None
    with ctx.db.read() as session:
        details = [
            json.loads(a.detail or "{}")
            for a in session.scalars(
                select(AuditEntry).where(AuditEntry.action == "consent.set").order_by(AuditEntry.id)
            )
        ]
    assert [(d["granted"], d["night"], d["source"]) for d in details] == [
        (True, True, "counter"),
        (False, False, "reply"),
        (False, True, "reply"),
    ]


def test_granting_sms_advertising_sets_the_old_columns(ctx) -> None:
    member = customers.enroll(ctx, "010-1234-5678").id
    consents.set_consent(ctx, member, "alimtalk", "ad", True)
    assert _customer(ctx, member).marketing_consent_at is None  # only SMS is the old flag
    consents.set_consent(ctx, member, "sms", "ad", True, source="display")
    customer = _customer(ctx, member)
    assert (customer.marketing_consent_at, customer.marketing_consent_source) == (START, "display")
    assert customers.customer_status(ctx, member).marketing_consent is True


def test_refusals_write_nothing(ctx) -> None:
    member = customers.enroll(ctx, "010-1234-5678").id
    before = snapshot(ctx)
    for call, code in (
        (lambda: consents.set_consent(ctx, member, "fax", "ad", True), "consent.channel_unknown"),
        (lambda: consents.set_consent(ctx, member, "sms", "x", True), "consent.purpose_unknown"),
        (
            lambda: consents.set_consent(ctx, member, "sms", "info", True, night=True),
            "consent.night_is_ad",
        ),
        (
            lambda: consents.set_consent(ctx, member, "sms", "ad", True, night=True),
            "consent.night_needs_ad",
        ),
        (
            lambda: consents.set_consent(ctx, member, "sms", "ad", True, source="x"),
            "consent.source_unknown",
        ),
    ):
        with pytest.raises(Refused) as refused:
            call()
        assert refused.value.code == code
    assert snapshot(ctx) == before


def test_the_profile_checkbox_records_an_event_too(ctx) -> None:
    member = customers.enroll(ctx, "010-1234-5678").id
    customer_admin.update_profile(ctx, member, ProfileChange(marketing_consent=True))
    ctx.fixed_now = START + timedelta(hours=1)
    customer_admin.update_profile(ctx, member, ProfileChange(marketing_consent=False))
    rows = _events(ctx, member)
    assert [(r.action, r.channel, r.purpose, r.source) for r in rows] == [
        ("grant", "sms", "ad", "back_office"),
        ("withdraw", "sms", "ad", "back_office"),
    ]


# --- may_send on both databases ----------------------------------------------------------------


def test_may_send_follows_the_rules(ctx) -> None:
    member = customers.enroll(ctx, "010-1234-5678", marketing_consent=True).id
    day = datetime(2026, 3, 12, 5, 0, tzinfo=UTC)  # 14:00 in Seoul
    night = datetime(2026, 3, 12, 13, 30, tzinfo=UTC)  # 22:30 in Seoul
    assert _may(ctx, member, "sms", "info", night) == (True, None, "ok")
    assert _may(ctx, member, "sms", "ad", day) == (True, None, "ok")
    assert _may(ctx, member, "alimtalk", "ad", day) == (False, None, "no_ad_consent")
    held = datetime(2026, 3, 12, 23, 0, tzinfo=UTC)  # 08:00 in Seoul the next morning
    assert _may(ctx, member, "sms", "ad", night) == (False, held, "night_hold")
    consents.set_consent(ctx, member, "sms", "ad", True, night=True)
    assert _may(ctx, member, "sms", "ad", night) == (True, None, "ok")
    consents.set_consent(ctx, member, "alimtalk", "info", False, source="reply")
    assert _may(ctx, member, "alimtalk", "info", day) == (False, None, "info_withdrawn")


@pytest.mark.parametrize("how", ["withdraw", "erase"])
def test_a_member_who_left_gets_nothing(ctx, how: str) -> None:
    member = customers.enroll(ctx, "010-1234-5678", marketing_consent=True).id
    if how == "withdraw":
        customer_admin.withdraw_customer(ctx, member)
    else:
        customer_admin.erase_member(ctx, member)
    status = "withdrawn" if how == "withdraw" else "erased"
    for purpose in ("info", "ad"):
        assert _may(ctx, member, "sms", purpose, START) == (False, None, status)
    with pytest.raises(Refused) as refused:
        consents.set_consent(ctx, member, "sms", "ad", True)
    assert refused.value.code == "customer.inactive"


def test_a_member_without_program_consent_gets_no_info(ctx) -> None:
    member = customers.enroll(ctx, "010-1234-5678").id
    with ctx.db.write() as session:
        customer = session.get(Customer, member)
        assert customer is not None
        customer.program_consent_at = None
    assert _may(ctx, member, "sms", "info", START) == (False, None, "no_program_consent")


def test_an_unknown_member_gets_nothing(ctx) -> None:
    import uuid

    assert _may(ctx, uuid.uuid4(), "sms", "info", START) == (False, None, "unknown_member")


# --- the two-yearly notice -----------------------------------------------------------------


def test_notice_due_lists_members_two_years_on_and_a_notice_resets_it(ctx) -> None:
    old = customers.enroll(ctx, "010-1234-5678", marketing_consent=True).id
    customers.enroll(ctx, "010-2222-3333")  # no advertising consent: never due
    ctx.fixed_now = START + timedelta(days=200)
    later = customers.enroll(ctx, "010-3333-4444").id
    consents.set_consent(ctx, later, "alimtalk", "ad", True)
    gone = customers.enroll(ctx, "010-4444-5555", marketing_consent=True).id
    ctx.fixed_now = START
    assert consents.notice_due(ctx, on=date(2028, 3, 11)) == []
    (due,) = consents.notice_due(ctx, on=date(2028, 3, 12))
    assert (due.member_id, due.due_on, due.channels, due.night) == (
        old,
        date(2028, 3, 12),
        ["sms"],
        False,
    )
    assert due.phone_masked == "010-****-5678" and due.consented_at == START
    customer_admin.withdraw_customer(ctx, gone)
    on = date(2028, 12, 31)
    assert [d.member_id for d in consents.notice_due(ctx, on=on)] == [old, later]
    sent = datetime(2028, 3, 13, 1, 0, tzinfo=UTC)
    consents.notice_sent(ctx, old, sent)
    assert [d.member_id for d in consents.notice_due(ctx, on=on)] == [later]
    assert consents.consent_state(ctx, old).last_notice_at == sent
    assert consents.consent_state(ctx, old).notice_due_on == date(2030, 3, 13)
    with ctx.db.read() as session:
        assert session.scalars(
            select(AuditEntry).where(AuditEntry.action == "consent.notice")
        ).one()


def test_merging_two_records_keeps_the_persons_latest_word(ctx) -> None:
    keep = customers.enroll(ctx, "010-1234-5678").id
    absorb = customers.enroll(ctx, "010-2222-3333", marketing_consent=True).id
    ctx.fixed_now = START + timedelta(hours=1)
    consents.set_consent(ctx, absorb, "alimtalk", "ad", True)
    consents.set_consent(ctx, keep, "alimtalk", "ad", False, source="reply")  # said later
    ctx.fixed_now = START + timedelta(hours=2)
    customer_admin.merge_customers(ctx, keep, absorb)
    state = consents.consent_state(ctx, keep)
    granted = {(c.channel, c.purpose) for c in state.consents if c.granted}
    assert granted == {("sms", "ad")}  # the alimtalk withdrawal came after its grant
    assert _customer(ctx, keep).marketing_consent_at == START  # the old flag follows
    assert _events(ctx, absorb) == []


def test_an_import_keeps_when_and_how_the_consent_was_given(ctx, tmp_path) -> None:
    from app.services import transfer

    path = tmp_path / "members.csv"
    path.write_text(
        "phone,marketing_consent,marketing_consent_at,marketing_consent_source\n"
        "010-1111-2222,y,2025-05-01T10:00:00+09:00,counter\n"
        "010-3333-4444,y,,\n"
        "010-5555-6666,n,,\n",
        encoding="utf-8",
    )
    assert transfer.import_customers(ctx, path).imported == 3
    rows = {}
    for phone in ("010-1111-2222", "010-3333-4444", "010-5555-6666"):
        rows[phone] = _events(ctx, customers.resolve_customer(ctx, phone))
    (kept,) = rows["010-1111-2222"]
    assert kept.at == datetime(2025, 5, 1, 1, 0, tzinfo=UTC) and kept.source == "counter"
    (plain,) = rows["010-3333-4444"]
    assert (plain.at, plain.source) == (START, "import")
    assert rows["010-5555-6666"] == []
    customer = _customer(ctx, customers.resolve_customer(ctx, "010-1111-2222"))
    assert customer.marketing_consent_at == kept.at  # the old column says the same
