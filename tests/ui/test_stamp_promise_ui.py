"""The counter, its toast and the customer display show a card at the goal it was started with."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app.services import customers, program, sales
from app.services.customers import resolve_customer
from app.services.program import load_program
from tests.ui.conftest import SCREENSHOTS, settle

PHONE = "010-1234-5678"


def test_three_of_ten_stays_three_of_ten_after_the_goal_becomes_eight(window, qtbot) -> None:
    ctx, counter = window.ctx, window.counter
    customers.enroll(ctx, PHONE, name="김민준")
    for _ in range(3):
        sales.record_sale(ctx, resolve_customer(ctx, PHONE), 4_500)
    doc = program.show_program(ctx)
    doc["stamps"].update(goal=8, reward="라떼 1잔")
    load_program(ctx, doc)
    window.display_action.setChecked(True)
    counter.search.setText(PHONE)
    QTest.keyClick(counter.search, Qt.Key.Key_Return)
    settle(qtbot, window)
    assert counter.status is not None
    assert counter.panel.stamp_label.text() == "스탬프 3/10"
    assert (counter.panel.stamps.filled, counter.panel.stamps.goal) == (3, 10)
    assert window.display is not None
    assert "스탬프 3/10" in window.display.texts()
    assert (window.display.stamps.filled, window.display.stamps.goal) == (3, 10)
    folder = Path(SCREENSHOTS) / "office"
    folder.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(folder / "stamps-3-of-10-after-goal-8.png"))

    counter.buttons["sale"].click()
    counter.dialog.amount_edit.setText("4,500")
    counter.dialog.accept()
    settle(qtbot, window)
    assert counter.toast.text().endswith("스탬프 4/10")
    assert counter.panel.stamp_label.text() == "스탬프 4/10"
    assert "스탬프 4/10" in window.display.texts()
