"""Issue 13 item 7: a campaign's days, hours, tiers and dates are picked with widgets, not typed;
what the owner picked is exactly what the saved program holds, and reads back the same."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication, QCheckBox, QDateEdit, QLineEdit, QSpinBox

from app.domain.program import Program
from app.services import program
from app.ui.backoffice.program_page import ProgramPage
from tests.services.helpers import snapshot
from tests.ui.conftest import SCREENSHOTS, settle

SHOTS = Path(SCREENSHOTS) / "office"


def _program_page(window, qtbot, size=(1024, 600)):
    window.backoffice_action.trigger()
    page = window.backoffice.page("page.program")
    window.backoffice.resize(*size)
    settle(qtbot, window)
    return page


def _shown(qtbot, editor):
    """A new editor, laid out and shown as it is on screen before anyone can click it."""
    qtbot.waitUntil(editor.isVisible, timeout=2_000)
    QApplication.processEvents()
    return editor


def _click(qtbot, box: QCheckBox) -> None:
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=box.rect().center())


def _type(qtbot, edit: QLineEdit, text: str) -> None:
    """Keys for what a keyboard sends; Hangul arrives whole, as the input method commits it."""
    edit.selectAll()
    if text.isascii():
        qtbot.keyClicks(edit, text)
    else:
        edit.insert(text)


def _save(widget, name: str) -> None:
    QApplication.processEvents()
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert widget.grab().save(str(SHOTS / f"{name}.png"))


def test_a_campaign_edited_with_widgets_is_saved_exactly_and_reads_back(window, qtbot) -> None:
    page = _program_page(window, qtbot)
    assert page.campaigns.editors == [] and page.campaigns.empty.isVisible()
    qtbot.mouseClick(page.campaigns.add_button, Qt.MouseButton.LeftButton)
    (editor,) = page.campaigns.editors
    _shown(qtbot, editor)
    assert editor.title() == "이벤트 1"
    # every part is a widget: nothing about days, hours, tiers or dates is typed text
    assert all(isinstance(b, QCheckBox) for b in editor.days)
    assert [b.text() for b in editor.days] == list("월화수목금토일")
    assert isinstance(editor.start, QDateEdit) and isinstance(editor.end, QDateEdit)
    assert isinstance(editor.hour_from, QSpinBox) and not editor.hour_from.isEnabled()
    assert (editor.hour_from.minimum(), editor.hour_from.maximum()) == (0, 23)
    assert (editor.hour_to.minimum(), editor.hour_to.maximum()) == (1, 24)
    assert [(c, b.text()) for c, b in editor.tier_boxes.items()] == [
        ("BASIC", "베이직"),
        ("SILVER", "실버"),
        ("GOLD", "골드"),
        ("PLATINUM", "플래티넘"),
    ]

    _type(qtbot, editor.name, "점심 1.5배")
    _type(qtbot, editor.multiplier, "1.5")
    editor.bonus.setValue(200)
    editor.start.setDate(QDate(2026, 3, 2))
    editor.end.setDate(QDate(2026, 3, 31))
    for day in (1, 3, 5, 6):  # Tuesday, Thursday, Saturday, Sunday off: Mon, Wed, Fri left
        _click(qtbot, editor.days[day])
    _click(qtbot, editor.limit_hours)
    assert editor.hour_from.isEnabled() and editor.hour_to.isEnabled()
    editor.hour_from.setValue(11)
    editor.hour_to.setValue(14)
    for code in ("BASIC", "SILVER"):
        _click(qtbot, editor.tier_boxes[code])
    assert page.save_button.isEnabled() and not page.error.isVisible()
    page.form_scroll.ensureWidgetVisible(editor)
    _save(window.backoffice, "campaign-editor-1024x600")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot, window)

    expected = {
        "name": "점심 1.5배",
        "multiplier": 1.5,
        "bonus": 200,
        "start": "2026-03-02",
        "end": "2026-03-31",
        "weekdays": [0, 2, 4],
        "hours": [11, 14],
        "tiers": ["GOLD", "PLATINUM"],
    }
    assert program.show_program(window.ctx)["campaigns"] == [expected]

    # read back on a fresh page: the same widgets ticked, and nothing to save
    again = ProgramPage(window.ctx, window.runner)
    qtbot.addWidget(again)
    settle(qtbot, window)
    again.show()
    (editor,) = again.campaigns.editors
    _shown(qtbot, editor)
    assert editor.name.text() == "점심 1.5배" and editor.multiplier.text() == "1.5"
    assert editor.bonus.value() == 200
    assert editor.start.date() == QDate(2026, 3, 2) and editor.end.date() == QDate(2026, 3, 31)
    assert [b.isChecked() for b in editor.days] == [True, False, True, False, True, False, False]
    assert editor.limit_hours.isChecked()
    assert (editor.hour_from.value(), editor.hour_to.value()) == (11, 14)
    assert {c for c, b in editor.tier_boxes.items() if b.isChecked()} == {"GOLD", "PLATINUM"}
    assert not again.save_button.isEnabled()
    assert Program.from_json(again.document()).to_json()["campaigns"] == [expected]

    # every day and every tier ticked is stored as "every" (empty lists), hours off as all day
    for day in (1, 3, 5, 6):
        _click(qtbot, editor.days[day])
    for code in ("BASIC", "SILVER"):
        _click(qtbot, editor.tier_boxes[code])
    _click(qtbot, editor.limit_hours)
    again.save_button.click()
    settle(qtbot, window)
    (saved,) = program.show_program(window.ctx)["campaigns"]
    assert (saved["weekdays"], saved["hours"], saved["tiers"]) == ([], None, [])
    in_force = program.program_in_force(window.ctx).campaigns[0]
    assert in_force.weekdays == frozenset() and in_force.tiers == frozenset()


def test_every_campaign_problem_is_listed_at_once_and_nothing_is_saved(window, qtbot) -> None:
    page = _program_page(window, qtbot, (1366, 768))
    before = snapshot(window.ctx)
    editor = _shown(qtbot, page.campaigns.add_new())
    _type(qtbot, editor.multiplier, "두 배")
    editor.start.setDate(QDate(2026, 5, 10))
    editor.end.setDate(QDate(2026, 5, 1))
    for box in editor.days:
        _click(qtbot, box)
    for box in editor.tier_boxes.values():
        _click(qtbot, box)
    _click(qtbot, editor.limit_hours)
    editor.hour_from.setValue(15)
    editor.hour_to.setValue(15)
    text = page.error.text()
    assert not page.save_button.isEnabled()
    assert text.startswith("고칠 곳이 6군데 있습니다:"), text
    for part in ("이름", "배수", "종료일", "요일", "대상 등급", "시간"):
        assert f"이벤트 1 · {part}" in text, (part, text)
    assert "(숫자 필요)" in text and "number" not in text  # the type in words, not its code
    page.form_scroll.ensureWidgetVisible(editor)
    _save(window.backoffice, "campaign-every-problem")
    page.save()
    settle(qtbot, window)
    assert snapshot(window.ctx) == before

    # removing the campaign takes its problems with it
    qtbot.mouseClick(editor.remove, Qt.MouseButton.LeftButton)
    assert page.campaigns.editors == [] and not page.error.isVisible()


def test_the_tier_boxes_follow_the_tier_table(window, qtbot) -> None:
    page = _program_page(window, qtbot)
    every = _shown(qtbot, page.campaigns.add_new())
    some = _shown(qtbot, page.campaigns.add_new())
    _type(qtbot, every.name, "전체")
    _type(qtbot, some.name, "골드만")
    for code in ("BASIC", "SILVER", "PLATINUM"):
        _click(qtbot, some.tier_boxes[code])
    assert some.title() == "이벤트 2"

    page.tiers.add_row(
        {"code": "vip", "name": "VIP", "min_spend": "9,000,000", "earn_percent": "7"}
    )
    page.revalidate()
    assert list(every.tier_boxes) == ["BASIC", "SILVER", "GOLD", "PLATINUM", "VIP"]
    assert all(b.isChecked() for b in every.tier_boxes.values())  # still every tier
    assert not some.tier_boxes["VIP"].isChecked()  # a limited campaign is not widened
    assert page.document()["campaigns"][1]["tiers"] == ["GOLD"]

    # a tier the campaign is for is deleted from the table: said, not silently dropped
    page.tiers.selectRow(2)
    page.tiers.remove_selected()
    page.revalidate()
    assert "GOLD" in some.tier_boxes and some.tier_boxes["GOLD"].isChecked()
    assert "이벤트 2 · 대상 등급" in page.error.text() and "GOLD" in page.error.text()
