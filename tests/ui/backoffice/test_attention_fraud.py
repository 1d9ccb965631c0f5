"""The fraud guards and a low rating on the owner's "needs attention" list, in sentences."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.services import customers, ratings, sales
from tests.ui.conftest import settle


def test_guards_and_low_ratings_say_what_happened(window, qtbot, shot) -> None:
    ctx = window.ctx
    who = customers.enroll(ctx, "010-1234-5678", name="김단골").id
    now = datetime.now(UTC)
    sale_ids = []
    for minutes in (20, 10, 0):  # three earnings in 20 minutes on one number
        ctx.fixed_now = now - timedelta(minutes=minutes)
        sale_ids.append(sales.record_sale(ctx, who, 10_000).sale_id)
    ratings.record_rating(ctx, sale_ids[-1], 2, "너무 오래 기다렸어요")
    ctx.fixed_now = None

    window.backoffice_action.trigger()
    window.backoffice.resize(1280, 800)
    page = window.backoffice.page("page.sync")
    settle(qtbot, window)
    page.refresh()
    qtbot.waitUntil(lambda: page.attention.rowCount() == 2, timeout=5000)
    texts = [page.attention.item(r, 0).text() for r in range(2)]
    assert any("30분 안에 3번 적립" in x for x in texts), texts
    assert any("2점" in x and "너무 오래 기다렸어요" in x for x in texts), texts
    assert all("010-****-5678" in page.attention.item(r, 1).text() for r in range(2))
    shot(window.backoffice, "backoffice_attention_fraud")
