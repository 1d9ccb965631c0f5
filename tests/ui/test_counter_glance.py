"""Issue 13 items 2 and 4 at the counter: money moves only on purpose; readable at a glance.

Real widgets, offscreen, on a real SQLite file; screenshots in build/screenshots/counter/.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from app.services import customers, owner, sales, settings, staff
from app.services.customers import resolve_customer
from tests.services.helpers import snapshot
from tests.ui.conftest import settle
from tests.ui.counter_help import shot

PHONE = "010-1234-5678"


def _button(box: QMessageBox, name: str) -> QPushButton:
    button = box.findChild(QPushButton, name)
    assert button is not None, name
    return button


def _ready_for_a_reward(window, qtbot) -> None:
    ctx, counter = window.ctx, window.counter
    member = customers.enroll(ctx, PHONE, name="김민준")
    for _ in range(10):
        sales.record_sale(ctx, member.id, 4_500)
    counter.lookup(PHONE)
    settle(qtbot, window)
    assert counter.status is not None and counter.status.rewards_ready == 1


def test_a_ready_reward_is_a_banner_and_f4_asks_first(window, qtbot) -> None:
    ctx, counter = window.ctx, window.counter
    _ready_for_a_reward(window, qtbot)
    banner = counter.panel.reward_banner
    assert banner.isVisible() and banner.text() == "보상 1개 사용 가능 · F4"
    assert banner.height() >= 40  # a banner, not a footnote
    shot(window, "counter/reward-banner")

    before = snapshot(ctx)
    QTest.keyClick(counter.search, Qt.Key.Key_F4)
    box = counter.dialog
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert "스탬프 10개" in box.text() and "아메리카노" in box.text()
    assert _button(box, "stampsConfirmAccept").text() == "보상 사용"
    assert _button(box, "stampsConfirmReject").text() == "닫기"
    assert all(b.height() >= 44 for b in box.findChildren(QPushButton) if b.isVisible())
    shot(box, "counter/stamps-confirm")
    assert snapshot(ctx) == before  # asking wrote nothing

    _button(box, "stampsConfirmReject").click()
    settle(qtbot, window)
    assert snapshot(ctx) == before and counter.dialog is None
    assert counter.status.rewards_ready == 1
    qtbot.waitUntil(window.isActiveWindow)  # back on the counter, its keys work again

    QTest.keyClick(counter.search, Qt.Key.Key_F4)
    QTest.keyClick(counter.search, Qt.Key.Key_F4)  # a second F4 opens no second question
    box = counter.dialog
    _button(box, "stampsConfirmAccept").click()
    settle(qtbot, window)
    assert counter.status.rewards_ready == 0 and counter.status.stamps == 0
    assert "아메리카노" in counter.toast.text()
    assert not counter.panel.reward_banner.isVisible()
    assert not counter.buttons["stamps"].isEnabled()


def test_the_void_question_says_what_its_buttons_do(window, qtbot) -> None:
    ctx, counter = window.ctx, window.counter
    customers.enroll(ctx, PHONE)
    counter.lookup(PHONE)
    settle(qtbot, window)
    counter.record_sale(12_000)
    settle(qtbot, window)
    before = snapshot(ctx)
    QTest.keyClick(counter.search, Qt.Key.Key_F8)
    box = counter.dialog
    assert isinstance(box, QMessageBox)
    texts = sorted(b.text() for b in box.findChildren(QPushButton) if b.isVisible())
    assert texts == sorted(["거래 취소", "닫기"])  # not 확인 / 취소
    assert box.defaultButton() is _button(box, "voidConfirmReject")  # Enter voids nothing
    shot(box, "counter/void-confirm")
    _button(box, "voidConfirmReject").click()
    settle(qtbot, window)
    assert snapshot(ctx) == before
    counter.void_last()
    _button(counter.dialog, "voidConfirmAccept").click()
    settle(qtbot, window)
    assert counter.status.points == 0 and "취소했습니다" in counter.message.text()


def test_a_coupon_shows_its_value_and_last_day_and_says_what_to_take_off(window, qtbot) -> None:
    ctx, counter = window.ctx, window.counter
    member = customers.enroll(ctx, PHONE, name="김민준")
    issued = owner.issue_coupon(ctx, member.id, "amount", 3_000, 30)
    owner.issue_coupon(ctx, member.id, "percent", 10, 7)
    counter.lookup(PHONE)
    settle(qtbot, window)
    (coupon,) = [c for c in counter.status.coupons if c.code == issued.code]
    last_day = customers.last_valid_day(ctx, coupon.valid_until)
    assert "3,000원 할인" in counter.panel.coupons.text()
    assert f"{last_day.isoformat()}까지" in counter.panel.coupons.text()
    assert "amount" not in counter.panel.coupons.text()

    QTest.keyClick(counter.search, Qt.Key.Key_F5)
    dialog = counter.dialog
    rows = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    assert any("3,000원 할인" in row and last_day.isoformat() in row for row in rows), rows
    assert any("10% 할인" in row for row in rows), rows
    assert not any("amount" in row or "percent" in row for row in rows)
    first = dialog.list.visualItemRect(dialog.list.item(0))
    assert first.height() >= 44  # a row a finger can pick
    shot(dialog, "counter/coupon-picker")
    row = next(i for i, text in enumerate(rows) if issued.code in text)
    dialog.list.setCurrentRow(row)
    dialog.accept_button.click()
    settle(qtbot, window)
    assert "3,000원 할인하세요" in counter.toast.text()
    shot(window, "counter/coupon-used")


def test_f3_is_off_below_the_minimum_and_says_why(window, qtbot) -> None:
    ctx, counter = window.ctx, window.counter
    member = customers.enroll(ctx, PHONE)
    sales.record_sale(ctx, member.id, 20_000)  # 400 P, below the 1,000 P minimum
    counter.lookup(PHONE)
    settle(qtbot, window)
    assert not counter.buttons["redeem"].isEnabled()
    assert counter.redeem_reason.isVisible()
    assert counter.redeem_reason.text() == "1,000P부터 사용 가능 (보유 400P)"
    QTest.keyClick(counter.search, Qt.Key.Key_F3)
    assert counter.dialog is None and "1,000P부터" in counter.message.text()
    shot(window, "counter/f3-below-minimum")
    sales.record_sale(ctx, member.id, 40_000)
    counter.refresh()
    settle(qtbot, window)
    assert counter.buttons["redeem"].isEnabled() and not counter.redeem_reason.isVisible()


def test_amounts_are_grouped_while_typing(window, qtbot) -> None:
    ctx, counter = window.ctx, window.counter
    customers.enroll(ctx, PHONE)
    counter.lookup(PHONE)
    settle(qtbot, window)
    counter.buttons["sale"].click()
    dialog = counter.dialog
    QTest.keyClicks(dialog.amount_edit, "1234567")
    assert dialog.amount_edit.text() == "1,234,567"
    assert dialog.amount.real == 1_234_567
    # the caret stays after the same digit when typing in the middle
    dialog.amount_edit.setCursorPosition(1)  # after "1"
    QTest.keyClicks(dialog.amount_edit, "0")
    assert dialog.amount_edit.text() == "10,234,567"
    assert dialog.amount_edit.text()[: dialog.amount_edit.cursorPosition()] == "10"
    dialog.amount_edit.clear()
    keys = {b.text(): b for b in dialog.findChildren(QPushButton) if b.objectName() == "keypadKey"}
    for key in ("1", "2", "00", "0"):
        keys[key].click()
    assert dialog.amount_edit.text() == "12,000" and "240P" in dialog.preview.text()
    dialog.amount_edit.setText("-5000")  # what is not a plain number is left to be explained
    assert dialog.amount_edit.text() == "-5000"
    dialog.reject()

    sales.record_sale(ctx, resolve_customer(ctx, PHONE), 100_000)
    counter.refresh()
    settle(qtbot, window)
    counter.buttons["redeem"].click()
    QTest.keyClicks(counter.dialog.points_edit, "2000")
    assert counter.dialog.points_edit.text() == "2,000" and counter.dialog.points == 2000
    counter.dialog.reject()


def test_the_shortcut_line_lists_every_key(window) -> None:
    counter = window.counter
    hint = counter.hint.text()
    # the buttons' keys, and F7 that gives a waiting POS sale to the member on screen
    # (F10 sits on the panel with a wallet, F11/F12 with plans: tests/ui/test_pass_desk.py)
    shown = [b for key, b in counter.buttons.items() if key != "wallet"]
    keys = {b.text().split()[-1] for b in shown} | {"Enter", "↑↓", "F7"}
    assert keys >= {"F2", "F3", "F4", "F5", "F6", "F8", "F9", "Esc"}
    missing = [key for key in keys if key not in hint]
    assert not missing, (missing, hint)


def test_show_number_becomes_hide_number(window, qtbot) -> None:
    ctx, counter = window.ctx, window.counter
    customers.enroll(ctx, PHONE)
    counter.lookup(PHONE)
    settle(qtbot, window)
    assert counter.panel.reveal.text() == "번호 보기"
    counter.panel.reveal.click()  # the owner: no PIN asked
    settle(qtbot, window)
    assert counter.panel.phone.text().endswith("010-1234-5678")
    assert counter.panel.reveal.text() == "번호 숨기기"
    counter.panel.reveal.click()
    assert counter.panel.phone.text() == "010-****-5678"
    assert counter.panel.reveal.text() == "번호 보기"


def test_several_last4_matches_can_be_told_apart(window, qtbot) -> None:
    ctx, counter = window.ctx, window.counter
    first = customers.enroll(ctx, "010-1111-5678", name="김민준")
    customers.enroll(ctx, "010-2222-5678", name="김민지")
    customers.enroll(ctx, "010-3333-5678")
    sales.record_sale(ctx, first.id, 50_000)
    counter.lookup("5678")
    settle(qtbot, window)
    rows = [counter.matches.item(i).text() for i in range(counter.matches.count())]
    assert len(rows) == 3 and len(set(rows)) == 3
    today = ctx.local(ctx.now()).date().isoformat()
    assert any("김*준" in r and f"최근 방문 {today}" in r and "1,000P" in r for r in rows), rows
    assert any("이름 없음" in r and "방문 기록 없음" in r for r in rows), rows
    assert not any("1111" in r or "2222" in r or "3333" in r for r in rows)
    shot(window, "counter/last4-matches")

    settings.update_settings(ctx, phone_mask="last")  # the owner hides more: so does the list
    counter.lookup("5678")
    settle(qtbot, window)
    rows = [counter.matches.item(i).text() for i in range(counter.matches.count())]
    assert not any("5678" in r for r in rows), rows


def test_a_name_with_many_matches_uses_the_panels_space(window, qtbot) -> None:
    ctx, counter = window.ctx, window.counter
    given = "가나다라마바사아자차카타파하거너더러머버서어저처커터퍼허고노"
    for i, syllable in enumerate(given):
        customers.enroll(ctx, f"010-4000-{i:04d}", name=f"김하{syllable}")
    window.resize(1366, 768)
    counter.lookup("김하")
    settle(qtbot, window)
    QApplication.processEvents()
    assert counter.matches.count() == 30
    assert not counter.panel.isVisible()
    row = counter.matches.visualItemRect(counter.matches.item(0)).height()
    assert counter.matches.viewport().height() >= 8 * row, (counter.matches.height(), row)
    shot(window, "counter/name-many-matches")
    counter.matches.setCurrentRow(5)
    picked = counter.matches.item(5).data(Qt.ItemDataRole.UserRole).id
    QTest.keyClick(counter.matches, Qt.Key.Key_Return)
    settle(qtbot, window)
    assert counter.panel.isVisible() and counter.status.id == picked


def test_the_owners_first_pin_is_typed_twice_at_sign_in(window, qtbot) -> None:
    ctx = window.ctx
    window.sign_out()
    signin = window.signin
    assert signin.pin_again.isVisible()  # the owner has no PIN yet
    before = snapshot(ctx)
    signin.pin.setText("4821")
    signin.pin_again.setText("4812")
    shot(window, "counter/signin-first-pin")
    signin.button.click()
    settle(qtbot, window)
    assert window.stack.currentWidget() is signin
    assert "두 PIN이 서로 다릅니다" in signin.error.text()
    assert snapshot(ctx) == before
    signin.pin.setText("4821")
    signin.pin_again.setFocus()
    keys = {b.text(): b for b in signin.findChildren(QPushButton) if b.objectName() == "keypadKey"}
    for key in "4821":  # the keypad types into the second field once it has the focus
        keys[key].click()
    assert signin.pin_again.text() == "4821" and signin.pin.text() == "4821"
    signin.button.click()
    settle(qtbot, window)
    assert window.stack.currentWidget() is window.counter
    window.sign_out()
    assert not signin.pin_again.isVisible()  # from now on one PIN signs in
    assert staff.sign_in(ctx, ctx.staff_id, "4821").role == "owner"
