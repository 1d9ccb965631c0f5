"""The Messages page's announcement tab: the owner writes the text, narrows the members, counts
who receives it (and why the others not) and only then sends, asked once more with the count;
the outbox gets exactly the members the count said. A real SQLite shop, real widgets."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from app.db.models import Message
from app.services import customers, messages, sales
from tests.ui.backoffice.confirm_help import answer
from tests.ui.test_messages_page import SHOTS, keyless, messages_page, open_tab, settle

__all__ = ["keyless"]

NOW = datetime(2026, 3, 12, 5, 0, tzinfo=UTC)  # 14:00 in Seoul
TEXT = "이번 주말 신메뉴 출시! 아메리카노 1+1"


def campaign(ctx: Any) -> list[Message]:
    with ctx.db.read() as session:
        return list(session.scalars(select(Message).where(Message.kind == "campaign")))


def test_the_owner_counts_then_sends_an_announcement(
    app: Any, sqlite_ctx: Any, keyless: None, qtbot: Any
) -> None:
    ctx = sqlite_ctx
    ctx.fixed_now = NOW
    yes = customers.enroll(ctx, "010-3000-0001", name="김동의", marketing_consent=True).id
    customers.enroll(ctx, "010-3000-0002", name="이거절", marketing_consent=False)
    away = customers.enroll(ctx, "010-3000-0003", name="박방문", marketing_consent=True).id
    sales.record_sale(ctx, away, 10_000)  # visited today: not "away for 30 days"
    messages.setup_provider(ctx, "KEY", "SECRET", "02-123-4567")
    messages.set_rules(ctx, optout="080-123-4567")
    win, page = messages_page(ctx, qtbot)
    open_tab(page, "announceTab")
    tab = page.announce
    settle(qtbot, win)
    assert not tab.send_button.isEnabled()  # nothing counted yet

    tab.count()  # an empty text: refused in words, nothing counted
    settle(qtbot, win)
    assert "내용" in tab.error.text() and not tab.send_button.isEnabled()

    tab.text.setPlainText(TEXT)
    tab.away.setValue(30)
    tab.count()
    settle(qtbot, win)
    said = tab.summary.text()
    assert "2명 중 1명이 받게 됩니다" in said, said  # 김동의 (박방문 came today)
    assert "제외 1명" in said and "광고" in said, said  # 이거절: no advertising consent
    assert tab.send_button.isEnabled() and campaign(ctx) == []  # counting writes nothing
    win.resize(1280, 800)
    SHOTS.mkdir(parents=True, exist_ok=True)
    win.grab().save(str(SHOTS / "announce-counted.png"))

    tab.away.setValue(0)  # a change: the count is no longer this audience's
    assert not tab.send_button.isEnabled() and "다시 확인" in tab.summary.text()
    tab.away.setValue(30)
    tab.count()
    settle(qtbot, win)
    tab.send()
    text = answer(qtbot, tab.dialogs, "announceConfirm", accept=False, buttons=("보내기", "취소"))
    assert "1명에게" in text and TEXT in text
    assert campaign(ctx) == [] and tab.send_button.isEnabled()  # cancelled: nothing queued

    tab.send()
    answer(qtbot, tab.dialogs, "announceConfirm", accept=True, buttons=("보내기", "취소"))
    settle(qtbot, win)
    queued = campaign(ctx)
    assert [m.customer_id for m in queued] == [yes]
    assert "대기열에 넣었습니다" in tab.summary.text() and not tab.send_button.isEnabled()
    win.grab().save(str(SHOTS / "announce-sent.png"))

    tab.count()  # the same text the same day: already sent, nobody more
    settle(qtbot, win)
    assert "이미 보냄" in tab.summary.text() and not tab.send_button.isEnabled()
    assert len(campaign(ctx)) == 1
