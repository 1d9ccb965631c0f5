"""Issue 13 item 8: "나중에" opens the counter, the wizard is reopened from the back office, the
demo shop is a clear choice, and a person typing fast is never taken for a card scan."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QRadioButton, QWizard

from app.services import customers, setup
from tests.services.helpers import snapshot
from tests.ui.conftest import settle
from tests.ui.counter_help import shot

PHONE = "010-1234-5678"


def _burst(widget, text: str) -> None:
    """Keys as a USB scanner sends them: all at once (well under a millisecond apart)."""
    for char in text:
        key = Qt.Key(ord(char.upper())) if char.isascii() else Qt.Key.Key_unknown
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(
                widget, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, char)
            )


def test_later_opens_the_counter_with_the_new_shops_defaults(app, sqlite_ctx, qtbot) -> None:
    from app.services.program import program_in_force
    from app.services.store import store_name
    from app.ui import app as gui
    from app.ui.main_window import MainWindow
    from app.ui.wizard import SetupWizard

    sqlite_ctx.fixed_now = None
    before = snapshot(sqlite_ctx)

    # the owner presses 나중에 (the wizard's cancel button) as soon as it shows
    def press_later(self) -> int:  # type: ignore[no-untyped-def]
        self.show()
        assert self.button(QWizard.WizardButton.CancelButton).text() == "나중에"
        assert "[나중에]" in self.store.later.text()  # what it does is said on the first page
        self.button(QWizard.WizardButton.CancelButton).click()
        return self.result()

    original = SetupWizard.exec
    SetupWizard.exec = press_later  # type: ignore[method-assign]
    try:
        assert gui.first_run(sqlite_ctx) is True  # not a silent quit
    finally:
        SetupWizard.exec = original  # type: ignore[method-assign]
    assert snapshot(sqlite_ctx) == before

    window = MainWindow(sqlite_ctx, store_name(sqlite_ctx), program_in_force(sqlite_ctx))
    qtbot.addWidget(window)
    window.show()
    try:
        signin = window.signin
        assert window.stack.currentWidget() is signin
        assert signin.pin_again.isVisible()  # the owner's first PIN, twice
        signin.pin.setText("2580")
        signin.pin_again.setText("2580")
        signin.button.click()
        settle(qtbot, window)
        counter = window.counter
        assert window.stack.currentWidget() is counter
        customers.enroll(sqlite_ctx, PHONE)
        counter.lookup(PHONE)
        settle(qtbot, window)
        counter.record_sale(12_000)  # the default program (stamps and points) works
        settle(qtbot, window)
        assert counter.toast.text() == "+240P · 스탬프 1/10"

        # the back office offers the wizard again until it is finished
        window.open_backoffice()
        office = window.backoffice
        assert office is not None and office.setup_bar.isVisible()
        assert office.setup_button.text() == "처음 설정 열기"
        shot(office, "counter/backoffice-reopen-wizard")
        office.setup_button.click()
        wizard = office.wizard
        assert wizard is not None and wizard.isVisible()
        wizard.store.name.setText("단골 카페 역삼점")
        wizard.button(QWizard.WizardButton.NextButton).click()
        wizard.pin.pin.setText("2580")
        wizard.pin.again.setText("2580")
        for _ in range(3):
            wizard.button(QWizard.WizardButton.NextButton).click()
        assert wizard.currentPage() is wizard.last
        wizard.button(QWizard.WizardButton.FinishButton).click()
        qtbot.waitUntil(lambda: not office.setup_bar.isVisible(), timeout=10_000)
        settle(qtbot, window)
        assert not setup.needs_setup(sqlite_ctx)
        assert "단골 카페 역삼점" in window.windowTitle()
    finally:
        window.close()


def test_the_demo_shop_is_a_clear_choice(app, sqlite_ctx, qtbot) -> None:
    from app.ui.tasks import ServiceRunner
    from app.ui.wizard import SetupWizard

    runner = ServiceRunner()
    try:
        wizard = SetupWizard(sqlite_ctx, runner, "내 가게")
        qtbot.addWidget(wizard)
        wizard.show()
        wizard.store.name.setText("단골 카페")
        wizard.button(QWizard.WizardButton.NextButton).click()
        wizard.pin.pin.setText("2580")
        wizard.pin.again.setText("2580")
        for _ in range(3):
            wizard.button(QWizard.WizardButton.NextButton).click()
        page = wizard.last
        assert wizard.currentPage() is page
        choices = [b for b in page.findChildren(QRadioButton) if b.isVisible()]
        assert {b.objectName() for b in choices} == {"demoEmpty", "demo"}
        assert page.empty.isChecked() and not page.demo.isChecked()  # real business by default
        assert "데모 가게" in page.demo.text() and "200명" in page.demo.text()
        assert all(b.height() >= 44 for b in choices)
        shot(wizard, "counter/wizard-demo-choice")
        page.demo.click()
        assert wizard.choices()["demo"] is True
    finally:
        runner.stop()


def test_a_person_typing_at_50_ms_a_key_is_never_a_scan(window, qtbot) -> None:
    ctx, counter = window.ctx, window.counter
    member = customers.enroll(ctx, PHONE)
    counter.search.setFocus()
    QTest.keyClicks(counter.search, member.card, delay=50)
    QTest.keyClick(counter.search, Qt.Key.Key_Return)
    settle(qtbot, window)
    assert counter.status is not None and counter.status.id == member.id
    assert counter.message.text() != "카드를 읽었습니다."


@pytest.mark.parametrize("typed", ["010-1234-5678", "01012345678"])
def test_a_fast_burst_that_is_not_card_shaped_is_what_was_typed(window, qtbot, typed) -> None:
    """Timing alone is not a scan: a phone number at scanner speed stays a phone number, and
    nothing the cashier had typed before it is dropped."""
    ctx, counter = window.ctx, window.counter
    member = customers.enroll(ctx, PHONE)
    counter.search.setFocus()
    _burst(counter.search, typed)
    QTest.keyClick(counter.search, Qt.Key.Key_Return)
    settle(qtbot, window)
    assert counter.status is not None and counter.status.id == member.id
    assert counter.message.text() != "카드를 읽었습니다."

    counter.clear()
    counter.search.setText("김")  # the cashier had started a name, then ...
    _burst(counter.search, "민준이라고해요")  # ... a fast roll of keys that is no card
    QTest.keyClick(counter.search, Qt.Key.Key_Return)
    settle(qtbot, window)
    assert counter.search.text() == "김민준이라고해요"  # nothing dropped


def test_a_card_scan_is_still_a_scan(window, qtbot) -> None:
    ctx, counter = window.ctx, window.counter
    member = customers.enroll(ctx, PHONE)
    counter.search.setFocus()
    QTest.keyClicks(counter.search, "01", delay=90)
    _burst(counter.search, member.card)
    QTest.keyClick(counter.search, Qt.Key.Key_Return)
    settle(qtbot, window)
    assert counter.status is not None and counter.status.id == member.id
    assert counter.message.text() == "카드를 읽었습니다."
    assert counter.search.text() == member.card
