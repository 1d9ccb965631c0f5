"""The program page's plans table: the plans in force are shown, a bad cell is refused in
words, a new plan saved; a program without plans is saved without the section."""

from __future__ import annotations

import copy

from app.domain.program import DEFAULT_PROGRAM_JSON
from app.services import program
from tests.services.helpers import snapshot
from tests.ui.conftest import settle

PLAN = {
    "code": "AM30",
    "name": "아메리카노 30일",
    "price": 39_000,
    "days": 30,
    "benefit": "free_item",
    "items": ["아메리카노"],
    "uses_per_day": 1,
    "hours": [7, 11],
    "refund": "pro_rata",
}


def test_plans_are_edited_on_the_program_page(window, qtbot, shot) -> None:
    document = copy.deepcopy(DEFAULT_PROGRAM_JSON)
    document["passes"] = [PLAN]
    program.load_program(window.ctx, document)
    window.backoffice_action.trigger()
    page = window.backoffice.page("page.program")
    settle(qtbot, window)
    table = page.pass_plans
    assert table.rowCount() == 1 and table.cell(0, "pass_hours") == "7-11"
    assert table.cell(0, "pass_price") == "39,000" and not page.save_button.isEnabled()
    assert (
        table.cell(0, "pass_benefit") == "무료 품목"
        and table.cell(0, "pass_refund") == "남은 일수만큼"
    )

    before = snapshot(window.ctx)
    table.add_row(
        {
            "pass_code": "LATTE",
            "pass_name": "라떼 10% 할인",
            "pass_price": "9,900",
            "pass_days": "7",
            "pass_benefit": "할인",
            "pass_percent": "10",
            "pass_uses": "2",
            "pass_refund": "maybe",
        }
    )
    page.revalidate()
    assert not page.save_button.isEnabled() and "구독권 요금제 2행 · 환불" in page.error.text()
    assert "환불 규칙" in page.error.text()
    page.save()
    settle(qtbot, window)
    assert snapshot(window.ctx) == before

    table.item(1, table.columns.index("pass_refund")).setText("환불 없음")
    assert page.save_button.isEnabled() and not page.error.isVisible()
    page.form_scroll.ensureWidgetVisible(table)
    shot(window.backoffice, "backoffice_program_passes")
    page.save_button.click()
    settle(qtbot, window)
    plans = program.program_in_force(window.ctx).passes
    assert [p.code for p in plans] == ["AM30", "LATTE"] and plans[1].percent == 10

    for _ in range(2):
        table.selectRow(0)
        table.remove_selected()
    page.revalidate()
    page.save_button.click()
    settle(qtbot, window)
    assert "passes" not in program.show_program(window.ctx)
