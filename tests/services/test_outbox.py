"""The outbox against a stand-in of Solapi's HTTP API on 127.0.0.1, through the real SDK.

Queued in the event's own transaction; sent by send_due (and the worker) with retries and
backoff, never twice (the key travels in Solapi's customFields and is looked up after a cut
or a crash); 알림톡 falls back to SMS; the legal rules are checked when sending."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from app.db.models import LedgerEntry, Message
from app.domain.errors import Refused
from app.services import customers, daily, messages, owner, sales
from app.services.context import open_shop
from app.services.customer_admin import withdraw_customer
from tests.messaging.solapi_standin import SolapiStandIn

PHONE = "010-1234-5678"
DIGITS = "01012345678"


@pytest.fixture
def shop(ctx: Any, standin: SolapiStandIn, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A shop (SQLite, and PostgreSQL) connected to the stand-in, 알림톡 template for receipts."""
    # no OS keyring touched by the tests: the secret comes from the environment
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.setenv("DANGOL_SOLAPI_SECRET", "SECRET")
    messages.setup_provider(ctx, "KEY", "SECRET", "02-123-4567", pf_id="PF1", base_url=standin.url)
    messages.set_trigger(ctx, "points_earned", template_id="TPL_EARNED")
    return ctx


def rows(ctx: Any) -> list[Message]:
    with ctx.db.read() as session:
        return list(session.scalars(select(Message).order_by(Message.created_at, Message.id)))


def member(ctx: Any, phone: str = PHONE, **kw: Any) -> Any:
    return customers.enroll(ctx, phone, name="김민준", **kw).id


def later(ctx: Any, **delta: float) -> None:
    ctx.fixed_now = ctx.now() + timedelta(**delta)


# --- queueing ---------------------------------------------------------------------------


def test_a_sale_queues_its_receipt_in_its_own_transaction(shop: Any) -> None:
    who = member(shop)
    sale = sales.record_sale(shop, who, 12000)
    (queued,) = rows(shop)
    assert (queued.kind, queued.purpose, queued.channel, queued.status) == (
        "points_earned",
        "info",
        "alimtalk",
        "queued",
    )
    assert queued.idempotency_key == f"earned:{sale.sale_id}"
    assert f"{sale.points_earned:,}P가 적립" in queued.text and "김민준님" in queued.text


def test_a_failed_sale_queues_nothing(shop: Any) -> None:
    who = member(shop)
    with pytest.raises(RuntimeError), shop.db.write() as session:
        sales.record_sale_in(shop, session, who, 12000, 1, shop.now())
        raise RuntimeError("the use case failed after the sale was written")
    assert rows(shop) == []


def test_without_a_connected_provider_nothing_is_queued(sqlite_ctx: Any) -> None:
    who = member(sqlite_ctx)
    sales.record_sale(sqlite_ctx, who, 12000)
    assert rows(sqlite_ctx) == []
    with pytest.raises(Refused) as refused:
        messages.send_due(sqlite_ctx)
    assert refused.value.code == "messages.no_provider"


def test_a_trigger_turned_off_queues_nothing(shop: Any) -> None:
    messages.set_trigger(shop, "points_earned", on=False)
    sales.record_sale(shop, member(shop), 12000)
    assert rows(shop) == []


def test_coupon_and_stamp_triggers_queue(shop: Any) -> None:
    who = member(shop)
    owner.issue_coupon(shop, who, "amount", 1000, 30)
    for _ in range(10):  # the default card: 10 stamps
        sales.record_sale(shop, who, 5000)
    kinds = [m.kind for m in rows(shop)]
    assert kinds.count("coupon_issued") == 1
    assert kinds.count("stamp_ready") == 1


def test_the_daily_run_queues_expiry_reminders_once(shop: Any) -> None:
    who = member(shop)
    sales.record_sale(shop, who, 12000)
    with shop.db.read() as session:
        expires = session.scalars(
            select(LedgerEntry.expires_at).where(
                LedgerEntry.customer_id == who, LedgerEntry.expires_at.is_not(None)
            )
        ).first()
    assert expires is not None
    shop.fixed_now = expires - timedelta(days=30) + timedelta(hours=1)
    daily.run_daily(shop)
    daily.run_daily(shop)  # twice is harmless
    later(shop, days=23)
    daily.run_daily(shop)
    reminders = [m for m in rows(shop) if m.kind.startswith("points_expiring")]
    assert [m.kind for m in reminders] == ["points_expiring_30", "points_expiring_7"]
    assert "소멸" in reminders[0].text


# --- sending ----------------------------------------------------------------------------


def test_sent_as_alimtalk_with_its_key_and_cost(shop: Any, standin: SolapiStandIn) -> None:
    sales.record_sale(shop, member(shop), 12000)
    report = messages.send_due(shop)
    (sent,) = rows(shop)
    assert [line.status for line in report.messages] == ["sent"]
    assert (sent.status, sent.channel, sent.cost_won, sent.attempts) == ("sent", "alimtalk", 13, 1)
    (taken,) = standin.accepted
    assert taken["kakaoOptions"]["templateId"] == "TPL_EARNED"
    assert taken["kakaoOptions"]["disableSms"] is False  # Solapi's own SMS replacement
    assert taken["customFields"] == {"dangolKey": sent.idempotency_key}
    assert sent.provider_message_id == taken["messageId"]
    assert messages.month_cost(shop, "2026-03") == 13


def test_a_refused_alimtalk_falls_back_to_sms(shop: Any, standin: SolapiStandIn) -> None:
    standin.refuse_templates = {"TPL_EARNED"}
    sales.record_sale(shop, member(shop), 12000)
    messages.send_due(shop)
    (message,) = rows(shop)
    assert (message.status, message.channel) == ("fell_back", "sms")
    assert "3040" in (message.last_error or "")
    (taken,) = standin.accepted
    assert taken["type"] in ("SMS", "LMS") and "kakaoOptions" not in taken
    assert taken["text"] == message.text


def test_no_approved_template_goes_by_sms(shop: Any, standin: SolapiStandIn) -> None:
    owner.issue_coupon(shop, member(shop), "amount", 1000, 30)  # coupon_issued: no template id
    messages.send_due(shop)
    (message,) = rows(shop)
    assert (message.status, message.channel) == ("sent", "sms")
    assert standin.accepted[0]["type"] in ("SMS", "LMS")


def test_a_cut_connection_retries_with_backoff(shop: Any, standin: SolapiStandIn) -> None:
    sales.record_sale(shop, member(shop), 12000)
    standin.cut_before = 1
    report = messages.send_due(shop)
    (message,) = rows(shop)
    assert report.offline and message.status == "queued" and message.attempts == 1
    assert message.send_after == shop.now() + timedelta(seconds=30)
    assert messages.send_due(shop).messages == []  # not due yet
    later(shop, seconds=31)
    messages.send_due(shop)
    (message,) = rows(shop)
    assert message.status == "sent" and len(standin.accepted) == 1


def test_an_answer_lost_after_solapi_took_it_is_not_sent_twice(
    shop: Any, standin: SolapiStandIn
) -> None:
    sales.record_sale(shop, member(shop), 12000)
    standin.cut_after_accept = 1
    assert messages.send_due(shop).offline
    assert len(standin.accepted) == 1 and rows(shop)[0].status == "queued"
    later(shop, minutes=5)
    messages.send_due(shop)
    (message,) = rows(shop)
    assert message.status == "sent"
    assert message.provider_message_id == standin.accepted[0]["messageId"]
    assert len(standin.accepted) == 1  # looked up by its key, not sent again
    assert "GET /messages/v4/list-old" in standin.requests


def test_offline_nothing_is_sent_and_the_queue_waits(shop: Any, standin: SolapiStandIn) -> None:
    sales.record_sale(shop, member(shop), 12000)
    sales.record_sale(shop, member(shop, "010-2222-3333"), 12000)
    standin.stop()
    report = messages.send_due(shop)
    assert report.offline and [m.status for m in rows(shop)] == ["queued", "queued"]
    assert sum(m.attempts for m in rows(shop)) == 1  # it stopped at the first


def test_a_crash_while_sending_is_recovered_after_a_restart(
    shop: Any, standin: SolapiStandIn
) -> None:
    sales.record_sale(shop, member(shop), 12000)
    sales.record_sale(shop, member(shop, "010-2222-3333"), 12000)
    first, _ = rows(shop)
    # the worker claimed both; Solapi got the first; then the process died
    from app.messaging.base import Outgoing
    from app.services.messages import provider_of

    provider = provider_of(shop)
    assert provider is not None
    provider.send(
        Outgoing(first.idempotency_key, DIGITS, "alimtalk", first.text, first.text, "TPL_EARNED")
    )
    with shop.db.write() as session:
        for m in session.scalars(select(Message)):
            m.status, m.attempts, m.claimed_at = "sending", 1, shop.now()
    target, now = str(shop.db.path or shop.db.url), shop.now()
    shop.close()
    again = open_shop(target, now=now + timedelta(minutes=1))
    try:
        assert messages.send_due(again).messages == []  # a lease not yet over: left alone
        again.fixed_now = now + timedelta(minutes=3)
        messages.send_due(again)
        assert [m.status for m in rows(again)] == ["sent", "sent"]
        assert len(standin.sent_to(DIGITS)) == 1  # the first not again
        assert len(standin.sent_to("01022223333")) == 1
    finally:
        again.close()


def test_the_worker_sends_in_the_background(shop: Any, standin: SolapiStandIn) -> None:
    shop.fixed_now = None  # the worker runs on the wall clock
    worker = messages.start_worker(shop, idle_seconds=0.05)
    assert worker is not None
    try:
        started = time.monotonic()
        sales.record_sale(shop, member(shop), 12000)
        assert time.monotonic() - started < 2  # the sale does not wait for the network
        deadline = time.monotonic() + 10
        while not standin.accepted and time.monotonic() < deadline:
            time.sleep(0.05)
        worker.poke()
        assert len(standin.accepted) == 1
    finally:
        worker.stop()
    assert rows(shop)[0].status == "sent" and len(standin.accepted) == 1


# --- the rules, enforced when sending ------------------------------------------------------


def test_a_withdrawn_member_receives_nothing(shop: Any, standin: SolapiStandIn) -> None:
    who = member(shop)
    sales.record_sale(shop, who, 12000)
    withdraw_customer(shop, who)
    messages.send_due(shop)
    # stopped when they left (not only when sending), and the text with their name is gone
    assert [(m.status, m.last_error, m.text) for m in rows(shop)] == [("refused", "withdrawn", "")]
    assert standin.accepted == []


def test_an_erased_member_receives_nothing(shop: Any, standin: SolapiStandIn) -> None:
    who = member(shop)
    sales.record_sale(shop, who, 12000)
    customers.erase_customer(shop, who)
    messages.send_due(shop)
    (gone,) = rows(shop)
    assert gone.status == "refused" and standin.accepted == []
    assert gone.text == "" and gone.variables == "{}"  # no copy of the person left in the log


def _winback(ctx: Any, who: Any) -> None:
    messages.set_trigger(ctx, "winback", on=True)
    with ctx.db.write() as session:
        coupon = owner.add_coupon(ctx, session, who, "amount", 2000, 14, "winback", ctx.now())
        messages.coupon_issued(ctx, session, coupon, "winback")


def test_no_advertising_without_consent(shop: Any, standin: SolapiStandIn) -> None:
    messages.set_rules(shop, optout="080-123-4567")
    _winback(shop, member(shop, marketing_consent=False))
    messages.send_due(shop)
    assert [(m.status, m.last_error) for m in rows(shop)] == [("refused", "no_ad_consent")]
    assert standin.accepted == []


def test_every_ad_says_advertising_the_store_and_a_free_opt_out(
    shop: Any, standin: SolapiStandIn
) -> None:
    messages.set_rules(shop, optout="080-123-4567")
    _winback(shop, member(shop, marketing_consent=True))
    messages.send_due(shop)
    (ad,) = rows(shop)
    assert ad.status == "sent" and ad.channel == "sms"  # never by 알림톡
    (taken,) = standin.accepted
    assert "kakaoOptions" not in taken
    assert taken["text"].startswith("(광고)내 가게\n")
    assert taken["text"].endswith("무료수신거부 080-123-4567")


def test_an_ad_without_an_opt_out_number_is_refused(shop: Any, standin: SolapiStandIn) -> None:
    _winback(shop, member(shop, marketing_consent=True))
    messages.send_due(shop)
    assert [(m.status, m.last_error) for m in rows(shop)] == [("refused", "no_optout")]
    assert standin.accepted == []


def test_an_ad_at_night_is_held_until_eight(shop: Any, standin: SolapiStandIn) -> None:
    messages.set_rules(shop, optout="080-123-4567")
    shop.fixed_now = datetime(2026, 3, 12, 13, 30, tzinfo=UTC)  # 22:30 in Seoul
    _winback(shop, member(shop, marketing_consent=True))
    messages.send_due(shop)
    (ad,) = rows(shop)
    assert ad.status == "held" and ad.last_error == "night_hold"
    assert ad.send_after == datetime(2026, 3, 12, 23, 0, tzinfo=UTC)  # 08:00 in Seoul
    shop.fixed_now = datetime(2026, 3, 12, 23, 0, tzinfo=UTC)
    messages.send_due(shop)
    assert rows(shop)[0].status == "sent" and len(standin.accepted) == 1


def test_an_informational_text_never_carries_an_ad(shop: Any, standin: SolapiStandIn) -> None:
    with pytest.raises(Refused) as refused:
        messages.set_trigger(shop, "points_earned", template="#{적립}P 적립! 이번 주 특가 이벤트")
    assert refused.value.code == "messages.info_has_ad"
    sales.record_sale(shop, member(shop), 12000)
    with shop.db.write() as session:  # a template kept from before the rule
        for m in session.scalars(select(Message)):
            m.template = m.template + " 주말 특가 세일!"
    messages.send_due(shop)
    assert [(m.status, m.last_error) for m in rows(shop)] == [("refused", "info_has_ad")]
    assert standin.accepted == []


def test_the_owners_quiet_hours_hold_everything(shop: Any, standin: SolapiStandIn) -> None:
    messages.set_rules(shop, quiet="13:00-15:00")  # it is 14:00 in Seoul
    sales.record_sale(shop, member(shop), 12000)
    messages.send_due(shop)
    (held,) = rows(shop)
    assert (held.status, held.last_error) == ("held", "quiet_hours")
    assert held.send_after == datetime(2026, 3, 12, 6, 0, tzinfo=UTC)
    assert standin.accepted == []


def test_the_frequency_cap_holds_the_next_one(shop: Any, standin: SolapiStandIn) -> None:
    messages.set_rules(shop, cap_day=1)
    who = member(shop)
    sales.record_sale(shop, who, 12000)
    messages.send_due(shop)
    later(shop, hours=1)
    sales.record_sale(shop, who, 8000)
    messages.send_due(shop)
    first, second = rows(shop)
    assert first.status == "sent" and (second.status, second.last_error) == ("held", "cap")
    assert first.sent_at is not None and second.send_after == first.sent_at + timedelta(days=1)
    assert len(standin.accepted) == 1


def test_bad_rules_are_refused(shop: Any) -> None:
    for values, code in (
        ({"quiet": "25:00-08:00"}, "messages.quiet_invalid"),
        ({"optout": "010-1234-5678"}, "messages.optout_invalid"),
        ({"cap_day": 0}, "messages.cap_invalid"),
    ):
        with pytest.raises(Refused) as refused:
            messages.set_rules(shop, **values)
        assert refused.value.code == code
