"""What became of each message, asked of a stand-in of Solapi's documented API: delivered,
failed with the reason, fell back to SMS, with the final cost; a message the provider took
before a cut is never sent again; the two-yearly consent notice is queued by the daily run
once per due date and marked sent when delivered."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from app.db.models import Message
from app.services import consents, customers, daily, messages, sales
from tests.messaging.solapi_standin import SolapiStandIn

PHONE = "010-1234-5678"


@pytest.fixture
def standin() -> Iterator[SolapiStandIn]:
    api = SlowCarrier().start()
    yield api
    api.stop()


@pytest.fixture
def shop(ctx: Any, standin: SolapiStandIn, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.setenv("DANGOL_SOLAPI_SECRET", "SECRET")
    messages.setup_provider(ctx, "KEY", "SECRET", "02-123-4567", pf_id="PF1", base_url=standin.url)
    messages.set_trigger(ctx, "points_earned", template_id="TPL_EARNED")
    return ctx


def _rows(ctx: Any) -> list[Message]:
    with ctx.db.read() as session:
        return list(session.scalars(select(Message).order_by(Message.created_at, Message.id)))


def _later(ctx: Any, **delta: float) -> None:
    ctx.fixed_now = ctx.now() + timedelta(**delta)


class SlowCarrier(SolapiStandIn):
    """Reports a message on its way (3000) until a test says what became of it."""

    def send_many(self, body: dict[str, Any]) -> dict[str, Any]:
        answer = super().send_many(body)
        for taken in answer["messageList"]:
            self.report(taken["messageId"], "3000")
        return answer


def _sent_one(shop: Any, standin: SolapiStandIn) -> Message:
    sales.record_sale(shop, customers.enroll(shop, PHONE, name="김민준").id, 12000)
    messages.send_due(shop)
    (message,) = _rows(shop)
    assert message.status == "sent" and message.provider_message_id is not None
    return message


def _asked(standin: SolapiStandIn) -> int:
    return standin.requests.count("GET /messages/v4/list-old")


def test_delivered_with_its_final_cost(shop: Any, standin: SolapiStandIn) -> None:
    sent = _sent_one(shop, standin)
    assert sent.delivery is None and sent.cost_won == 13
    assert _asked(standin) == 1  # asked right after it was taken: still on its way
    messages.send_due(shop)
    assert _asked(standin) == 1  # asked no more than once a minute
    assert _rows(shop)[0].delivery is None and _rows(shop)[0].checked_at is not None
    standin.report(str(sent.provider_message_id), "4000")
    _later(shop, minutes=2)
    report = messages.send_due(shop)
    (line,) = report.delivered
    (done,) = _rows(shop)
    assert (done.status, done.delivery, done.channel, done.cost_won) == (
        "sent",
        "delivered",
        "alimtalk",
        13,
    )
    assert done.delivered_at == shop.now() and line.delivery == "delivered"
    _later(shop, minutes=2)
    messages.send_due(shop)
    assert _asked(standin) == 2  # a delivered message is not asked again
    (logged,) = messages.log(shop)
    assert (logged.delivery, logged.delivered_at) == (
        "delivered",
        shop.now() - timedelta(minutes=2),
    )


def test_failed_with_the_reason_and_refunded(shop: Any, standin: SolapiStandIn) -> None:
    sent = _sent_one(shop, standin)
    standin.report(str(sent.provider_message_id), "3104")
    _later(shop, minutes=2)
    messages.send_due(shop)
    (failed,) = _rows(shop)
    assert (failed.status, failed.delivery, failed.cost_won) == ("failed", "failed", 0)
    assert failed.last_error is not None and failed.last_error.startswith("3104")
    assert failed.delivered_at is None
    assert len(standin.accepted) == 1  # a failure at the carrier is not sent again


def test_an_alimtalk_that_went_by_sms(shop: Any, standin: SolapiStandIn) -> None:
    sent = _sent_one(shop, standin)
    standin.report(str(sent.provider_message_id), "4000", replacement=True)
    _later(shop, minutes=2)
    messages.send_due(shop)
    (went,) = _rows(shop)
    assert (went.status, went.delivery, went.channel, went.cost_won) == (
        "fell_back",
        "fell_back",
        "sms",
        8,
    )
    assert messages.month_cost(shop, "2026-03") == 8


def test_a_cut_after_the_provider_took_it_never_sends_twice(
    shop: Any, standin: SolapiStandIn
) -> None:
    sales.record_sale(shop, customers.enroll(shop, PHONE).id, 12000)
    standin.cut_after_accept = 1  # it takes the message; the answer is lost
    report = messages.send_due(shop)
    assert report.offline and len(standin.accepted) == 1
    (waiting,) = _rows(shop)
    assert waiting.status == "queued" and waiting.provider_message_id is None
    _later(shop, minutes=5)
    messages.send_due(shop)  # looked up by its key first: found, not sent again
    (found,) = _rows(shop)
    assert len(standin.accepted) == 1
    assert found.status == "sent" and found.provider_message_id == standin.accepted[0]["messageId"]
    standin.report(str(found.provider_message_id), "4000")
    _later(shop, minutes=2)
    messages.send_due(shop)
    assert _rows(shop)[0].delivery == "delivered" and len(standin.accepted) == 1


def test_offline_while_asking_keeps_it_for_later(shop: Any, standin: SolapiStandIn) -> None:
    sent = _sent_one(shop, standin)
    standin.report(str(sent.provider_message_id), "4000")
    _later(shop, minutes=2)
    standin.cut_before = 1
    report = messages.send_due(shop)
    assert report.offline and report.delivered == []
    assert _rows(shop)[0].delivery is None
    _later(shop, minutes=2)
    assert messages.send_due(shop).delivered[0].delivery == "delivered"


# --- the two-yearly notice of consent --------------------------------------------------------


def test_the_consent_notice_is_queued_once_and_marked_when_delivered(
    shop: Any, standin: SolapiStandIn
) -> None:
    who = customers.enroll(shop, PHONE, name="김민준", marketing_consent=True).id
    customers.enroll(shop, "010-2222-3333")  # no advertising consent: no notice
    shop.fixed_now = shop.now() + timedelta(days=2 * 366)
    (due,) = consents.notice_due(shop)
    assert due.member_id == who
    daily.run_daily(shop)
    daily.run_daily(shop)  # twice is harmless: one notice per due date
    (notice,) = [m for m in _rows(shop) if m.kind == "consent_notice"]
    assert (notice.purpose, notice.channel, notice.status) == ("info", "alimtalk", "queued")
    assert notice.idempotency_key == f"consent_notice:{who}:{due.due_on.isoformat()}"
    assert "김민준님" in notice.text and "문자 마케팅 정보" in notice.text
    assert "광고" not in notice.text
    messages.send_due(shop)
    assert _rows(shop)[-1].status == "sent"
    assert consents.notice_due(shop)  # accepted is not delivered: still due
    standin.report(str(_rows(shop)[-1].provider_message_id), "4000")
    _later(shop, minutes=2)
    messages.send_due(shop)
    assert _rows(shop)[-1].delivery == "delivered"
    assert consents.notice_due(shop) == []
    assert consents.consent_state(shop, who).last_notice_at == shop.now()
    daily.run_daily(shop)
    assert len([m for m in _rows(shop) if m.kind == "consent_notice"]) == 1


def test_no_notice_queued_without_a_provider(ctx: Any) -> None:
    customers.enroll(ctx, PHONE, marketing_consent=True)
    ctx.fixed_now = ctx.now() + timedelta(days=2 * 366)
    daily.run_daily(ctx)
    assert _rows(ctx) == []


def test_a_consent_notice_that_failed_is_queued_again_the_next_day_at_most_three_times(
    shop: Any, standin: SolapiStandIn
) -> None:
    who = customers.enroll(shop, PHONE, name="김민준", marketing_consent=True).id
    shop.fixed_now = shop.now() + timedelta(days=2 * 366)
    (due,) = consents.notice_due(shop)
    first = f"consent_notice:{who}:{due.due_on.isoformat()}"

    def notices() -> list[Message]:
        return [m for m in _rows(shop) if m.kind == "consent_notice"]

    def fail_the_last() -> None:
        messages.send_due(shop)
        standin.report(str(notices()[-1].provider_message_id), "3059")  # carrier: undelivered
        _later(shop, minutes=2)
        messages.send_due(shop)
        assert (notices()[-1].status, notices()[-1].delivery) == ("failed", "failed")

    daily.run_daily(shop)
    fail_the_last()
    daily.run_daily(shop)  # the same day: not again yet
    assert [m.idempotency_key for m in notices()] == [first]
    for attempt in (2, 3):
        _later(shop, days=1)
        daily.run_daily(shop)  # the next day: tried again, under its own key
        assert [m.idempotency_key for m in notices()][-1] == f"{first}:{attempt}"
        assert notices()[-1].status == "queued"
        fail_the_last()
    _later(shop, days=1)
    daily.run_daily(shop)  # three tries made: given up until the owner looks
    assert len(notices()) == 3
    assert consents.notice_due(shop)  # still due: nothing was delivered
    assert consents.consent_state(shop, who).last_notice_at is None


def test_a_retried_consent_notice_delivered_ends_the_tries(
    shop: Any, standin: SolapiStandIn
) -> None:
    who = customers.enroll(shop, PHONE, name="김민준", marketing_consent=True).id
    shop.fixed_now = shop.now() + timedelta(days=2 * 366)
    daily.run_daily(shop)
    messages.send_due(shop)
    (failed,) = [m for m in _rows(shop) if m.kind == "consent_notice"]
    standin.report(str(failed.provider_message_id), "3059")
    _later(shop, minutes=2)
    messages.send_due(shop)
    _later(shop, days=1)
    daily.run_daily(shop)
    messages.send_due(shop)
    retried = [m for m in _rows(shop) if m.kind == "consent_notice"][-1]
    standin.report(str(retried.provider_message_id), "4000")
    _later(shop, minutes=2)
    messages.send_due(shop)
    assert consents.notice_due(shop) == []
    assert consents.consent_state(shop, who).last_notice_at is not None
    _later(shop, days=1)
    daily.run_daily(shop)
    assert len([m for m in _rows(shop) if m.kind == "consent_notice"]) == 2
