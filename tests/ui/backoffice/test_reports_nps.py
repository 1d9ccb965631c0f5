"""The reports page's visit ratings: NPS by month with its answers, the warning, the comments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtWidgets import QApplication

from app.services import customers, ratings, sales
from tests.ui.conftest import settle


def _rate(ctx, at: datetime, scores: list[int], comment_of: dict[int, str]) -> None:
    """Ratings of sales at that moment (the window runs on the real clock)."""
    ctx.fixed_now = at
    try:
        who = customers.enroll(ctx, f"010-7777-{at.month:02d}{at.day:02d}", name="김단골").id
        for index, score in enumerate(scores):
            sale = sales.record_sale(ctx, who, 10_000).sale_id
            ratings.record_rating(ctx, sale, score, comment_of.get(index))
    finally:
        ctx.fixed_now = None


def _cell(table, row: int, column: int) -> str:
    item = table.item(row, column)
    return item.text() if item is not None else ""


def test_the_reports_show_nps_by_month_and_the_comments(window, qtbot, shot) -> None:
    ctx = window.ctx
    now = datetime.now(UTC)
    this_month = ctx.month_of(now)
    earlier = now - timedelta(days=40)
    last_month = ctx.month_of(earlier)
    _rate(ctx, now, [10, 9, 9, 7, 3, 0], {4: "자리가 좁아요", 0: "라떼가 최고예요"})
    _rate(ctx, earlier, [10] * 25 + [5] * 5, {1: "늘 친절해요"})  # 30 answers: no warning

    window.backoffice_action.trigger()
    page = window.backoffice.page("page.reports")
    window.backoffice.resize(1280, 900)
    settle(qtbot, window)
    qtbot.waitUntil(lambda: this_month in page.nps_arrived, timeout=5000)
    table = page.nps_table
    months = [_cell(table, r, 0) for r in range(table.rowCount())]
    assert months[0] == this_month  # the newest first
    row = months.index(this_month)
    assert [_cell(table, row, c) for c in range(5)] == [this_month, "6", "50.0%", "33.3%", "+17"]
    assert "30건 미만" in _cell(table, row, 5)
    back = months.index(last_month)
    assert [_cell(table, back, c) for c in (1, 4, 5)] == ["30", "+67", ""]  # 83.3 - 16.7
    assert "9–10점" in page.nps_how.text() and "반올림" in page.nps_how.text()
    comments = [_cell(page.comment_table, r, 2) for r in range(page.comment_table.rowCount())]
    assert comments == ["자리가 좁아요", "라떼가 최고예요"]  # newest first, scores beside
    assert _cell(page.comment_table, 0, 1) == "3"
    assert this_month in page.comments_title.text()
    page.body.parent().parent().verticalScrollBar().setValue(10_000)
    QApplication.processEvents()
    shot(window.backoffice, "backoffice_reports_nps")

    page._load_comments(back)  # the owner clicks last month's row
    qtbot.waitUntil(lambda: last_month in page.nps_arrived, timeout=5000)
    assert [_cell(page.comment_table, 0, c) for c in (1, 2)] == ["10", "늘 친절해요"]
    assert last_month in page.comments_title.text()


def test_a_month_without_ratings_says_so(window, qtbot) -> None:
    window.backoffice_action.trigger()
    page = window.backoffice.page("page.reports")
    settle(qtbot, window)
    this_month = window.ctx.month_of(datetime.now(UTC))
    qtbot.waitUntil(lambda: this_month in page.nps_arrived, timeout=5000)
    assert [_cell(page.nps_table, 0, c) for c in (0, 1, 4, 5)] == [
        this_month,
        "0",
        "—",
        "응답 없음",
    ]
    assert "없습니다" in _cell(page.comment_table, 0, 2)
