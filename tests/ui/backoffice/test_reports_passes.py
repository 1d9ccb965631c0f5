"""The reports page's passes: open today, use rate, breakage, revenue, and the months."""

from __future__ import annotations

import copy

from PySide6.QtWidgets import QApplication

from app.domain.program import DEFAULT_PROGRAM_JSON
from app.services import customers, passes, program
from tests.ui.conftest import settle

PLAN = {
    "code": "AM30",
    "name": "아메리카노 30일",
    "price": 39_000,
    "days": 30,
    "benefit": "free_item",
    "items": ["아메리카노"],
    "uses_per_day": 1,
    "refund": "pro_rata",
}


def test_the_reports_show_the_passes(window, qtbot, shot) -> None:
    ctx = window.ctx
    document = copy.deepcopy(DEFAULT_PROGRAM_JSON)
    document["passes"] = [PLAN]
    program.load_program(ctx, document)
    for phone in ("010-1111-2222", "010-3333-4444"):
        who = customers.enroll(ctx, phone).id
        passes.sell(ctx, who, "AM30")
        passes.use(ctx, who)
    window.backoffice_action.trigger()
    page = window.backoffice.page("page.reports")
    window.backoffice.resize(1280, 900)
    settle(qtbot, window)
    qtbot.waitUntil(lambda: "사용률" in page.pass_summary.text(), timeout=10_000)
    assert "오늘 사용 중 2개" in page.pass_summary.text()
    assert "사용률 100.0%" in page.pass_summary.text()
    assert "78,000원" in page.pass_summary.text()
    last = page.pass_table.rowCount() - 1
    assert page.pass_table.item(last, 1).text() == "2"  # two new this month
    page.body.parent().parent().verticalScrollBar().setValue(10_000)
    QApplication.processEvents()
    shot(window.backoffice, "backoffice_reports_passes")
