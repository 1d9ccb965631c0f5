"""The win-back page sends: "메시지 보내기" counts who will receive the message and who will not
(and why) before asking, then queues exactly the allowed ones through the outbox, off the UI
thread; the rules of consents.may_send decide. A real SQLite shop, real widgets."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy.event
from sqlalchemy import select

from app.db.models import Message
from app.domain.errors import Refused
from app.services import consents, customers, messages, sales, winback
from app.services.customer_admin import withdraw_customer
from app.ui import text
from tests.services.helpers import snapshot
from tests.ui.backoffice.confirm_help import answer
from tests.ui.test_messages_page import SHOTS, keyless, office, settle, shoot, stop

__all__ = ["keyless"]  # the fixture, shared with the Messages page's tests

JAN = datetime(2026, 1, 10, 3, 0, tzinfo=UTC)
NOW = datetime(2026, 3, 12, 5, 0, tzinfo=UTC)  # 14:00 in Seoul
NIGHT = datetime(2026, 3, 12, 13, 30, tzinfo=UTC)  # 22:30 in Seoul
PHONES = {
    "consent": "010-2000-0001",  # accepts text ads, holds a come-back coupon: receives it
    "no_consent": "010-2000-0002",  # holds the coupon, never accepted ads
    "late": "010-2000-0003",  # accepts ads but came after the coupons were issued: none
    "withdrew_ads": "010-2000-0004",  # accepted, then withdrew advertising
}


def queued(ctx: Any) -> list[Message]:
    with ctx.db.read() as session:
        return list(session.scalars(select(Message).order_by(Message.created_at)))


@pytest.fixture
def dormant(sqlite_ctx: Any, keyless: None) -> tuple[Any, dict[str, Any]]:
    return build_dormant(sqlite_ctx)


@pytest.fixture
def dormant_any(ctx: Any, keyless: None) -> tuple[Any, dict[str, Any]]:
    """The same shop on SQLite and on PostgreSQL (the members' rows locked there)."""
    return build_dormant(ctx)


def build_dormant(ctx: Any) -> tuple[Any, dict[str, Any]]:
    """Four members who last came in January; coupons issued to the three there in March."""
    ctx.fixed_now = JAN
    ids = {}
    for key in ("consent", "no_consent", "withdrew_ads"):
        ids[key] = customers.enroll(
            ctx, PHONES[key], name="회원", marketing_consent=key != "no_consent"
        ).id
        sales.record_sale(ctx, ids[key], 10_000 if key != "consent" else 50_000)
    ctx.fixed_now = NOW
    consents.set_consent(ctx, ids["withdrew_ads"], "sms", "ad", False)
    winback.issue_winback_coupons(ctx, 30, "amount", 3000, 30)
    ctx.fixed_now = JAN
    ids["late"] = customers.enroll(ctx, PHONES["late"], name="회원", marketing_consent=True).id
    sales.record_sale(ctx, ids["late"], 5_000)
    ctx.fixed_now = NOW
    messages.setup_provider(ctx, "KEY", "SECRET", "02-123-4567")
    messages.set_rules(ctx, optout="080-123-4567")
    assert queued(ctx) == []
    return ctx, ids


def winback_page(ctx: Any, qtbot: Any) -> tuple[Any, Any]:
    win = office(ctx, qtbot)
    page = win.page("page.winback")
    page.days.setValue(30)
    page.find()
    settle(qtbot, win)
    assert page.list.rowCount() == 4
    return win, page


def test_the_send_counts_first_then_queues_only_the_allowed(
    app: Any, dormant: Any, qtbot: Any
) -> None:
    ctx, ids = dormant
    win, page = winback_page(ctx, qtbot)
    try:
        shoot(win, "winback-ko")
        before = snapshot(ctx)
        page.send_button.click()
        asked = answer(
            qtbot,
            page.dialogs,
            "winbackSendConfirm",
            accept=False,
            buttons=("보내기", "닫기"),
        )
        assert asked.splitlines() == [
            "고른 4명 가운데 1명에게 재방문 메시지를 보낼까요?",
            "받지 않는 3명: 이 채널의 광고 수신 동의 없음 2명, 재방문 쿠폰 없음 (먼저 발행) 1명.",
        ]
        settle(qtbot, win)
        assert snapshot(ctx) == before and queued(ctx) == []  # 닫기: nothing queued
        assert page.send_button.isEnabled()

        page.send_button.click()
        qtbot.waitUntil(lambda: page.dialogs.current is not None, timeout=10_000)
        shoot(win, "winback-confirm-ko")
        box = page.dialogs.current
        assert box.grab().save(str(SHOTS / "winback-confirm-dialog-ko.png"))
        box.findChild(object, "winbackSendConfirmAccept").click()
        settle(qtbot, win)
        (message,) = queued(ctx)
        assert (message.customer_id, message.kind, message.status) == (
            ids["consent"],
            "winback",
            "queued",
        )
        assert (message.purpose, message.channel) == ("ad", "sms")
        assert "4월 10일까지" in message.text and "#{" not in message.text  # 30 days from 3/12
        assert page.message.text().startswith("재방문 메시지 1건을 발송 대기열에 넣었습니다.")
        assert not page.progress.isVisible() and page.send_button.isEnabled()
        shoot(win, "winback-sent-ko")

        page.send_button.click()  # again: the one who got it is not sent it twice
        settle(qtbot, win)
        assert page.dialogs.current is None
        assert "이미 보냈거나 대기 중 1명" in page.send_error.text()
        assert len(queued(ctx)) == 1
        shoot(win, "winback-nobody-ko")
    finally:
        stop(win)


def test_only_the_selected_members_are_asked_about(app: Any, dormant: Any, qtbot: Any) -> None:
    ctx, ids = dormant
    win, page = winback_page(ctx, qtbot)
    try:
        phones = [page.list.item(r, 1).text() for r in range(page.list.rowCount())]
        row = phones.index("010-****-0002")  # no consent
        page.list.selectRow(row)
        assert page.chosen() == [ids["no_consent"]]
        page.send_button.click()
        settle(qtbot, win)
        assert page.dialogs.current is None
        assert page.send_error.text() == (
            "메시지를 받을 수 있는 회원이 없습니다. 이 채널의 광고 수신 동의 없음 1명."
        )
        assert queued(ctx) == []
    finally:
        stop(win)


def test_the_rules_decide_withdrawn_and_night(dormant_any: Any) -> None:
    """Straight through the service: a withdrawn member is refused by may_send's rule, and at
    night one without night consent is counted as held until 08:00, still queued; the log
    of the month shows it (SQLite and PostgreSQL)."""
    ctx, ids = dormant_any
    withdraw_customer(ctx, ids["late"])
    ctx.fixed_now = NIGHT
    chosen = [ids["consent"], ids["late"], ids["no_consent"]]
    plan = winback.winback_send_plan(ctx, chosen)
    assert (plan.chosen, plan.to_send, plan.held_night) == (3, 1, 1)
    assert plan.excluded == {"withdrawn": 1, "no_ad_consent": 1}
    statements: list[str] = []
    engine = ctx.db.engine
    listen = sqlalchemy.event.listen
    listen(engine, "before_cursor_execute", lambda *a: statements.append(str(a[2])))
    done = winback.send_winback_messages(ctx, chosen)
    assert (done.queued, done.held_night) == (1, 1)
    (message,) = queued(ctx)
    assert message.customer_id == ids["consent"]
    # the trigger stays off, and its row was not even written meanwhile
    assert messages.trigger(ctx, "winback")["on"] is False
    assert not [s for s in statements if s.lstrip().upper().startswith("UPDATE MESSAGE_TEMPLATES")]
    assert any(s.lstrip().upper().startswith("INSERT INTO MESSAGES") for s in statements)
    log = messages.month_log(ctx, "2026-03")
    assert [(r.message.kind, r.message.status, r.phone_masked) for r in log.rows] == [
        ("winback", "queued", "010-****-0001")
    ]
    assert log.counts == {"queued": 1} and log.cost_won == 0
    assert messages.month_log(ctx, "2026-03", "sent").rows == []


def test_without_provider_or_opt_out_it_refuses_and_says_how(
    app: Any, dormant: Any, qtbot: Any
) -> None:
    ctx, ids = dormant
    chosen = [ids["consent"]]
    messages.set_rules(ctx, optout="")
    with pytest.raises(Refused) as refused:
        winback.winback_send_plan(ctx, chosen)
    assert refused.value.code == "winback.no_optout"
    win, page = winback_page(ctx, qtbot)
    try:
        page.send_button.click()
        settle(qtbot, win)
        assert "080" in page.send_error.text() and page.dialogs.current is None
        assert queued(ctx) == []
    finally:
        stop(win)
    ctx.settings.pop(messages.PROVIDER_KEY)
    with pytest.raises(Refused) as refused:
        winback.send_winback_messages(ctx, chosen)
    assert refused.value.code == "messages.no_provider"
    assert queued(ctx) == []


def test_the_send_in_english(app: Any, dormant: Any, qtbot: Any) -> None:
    text.set_language("en")
    try:
        win, page = winback_page(dormant[0], qtbot)
        try:
            assert page.send_button.text() == "Send the message"
            page.send_button.click()
            qtbot.waitUntil(lambda: page.dialogs.current is not None, timeout=10_000)
            asked = page.dialogs.current.text()
            assert asked.startswith("Send the win-back message to 1 of the 4 chosen?")
            assert "no come-back coupon (issue one first) 1" in asked
            shoot(win, "winback-confirm-en")
            assert page.dialogs.current.grab().save(str(SHOTS / "winback-confirm-dialog-en.png"))
            page.dialogs.current.findChild(object, "winbackSendConfirmReject").click()
            settle(qtbot, win)
        finally:
            stop(win)
    finally:
        text.set_language("ko")


def test_the_csv_export_stays(app: Any, dormant: Any, qtbot: Any, tmp_path: Any) -> None:
    win, page = winback_page(dormant[0], qtbot)
    try:
        out = tmp_path / "sms.csv"
        page.ask_save_path = lambda suggested: out
        page.export_button.click()
        settle(qtbot, win)
        rows = out.read_text(encoding="utf-8-sig").splitlines()
        assert rows[0] == "phone,name" and "01020000001,회원" in rows
        assert "01020000002,회원" not in rows  # no consent, not in the file
    finally:
        stop(win)
