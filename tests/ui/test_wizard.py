"""The first-run wizard driven page by page: refusals beside the field, choices saved, once only."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QWizard

from app.services import program, settings, setup
from app.services.store import store_name
from tests.services.helpers import snapshot


@pytest.fixture
def wizard(app, sqlite_ctx, qtbot):
    from app.ui.tasks import ServiceRunner
    from app.ui.wizard import SetupWizard

    sqlite_ctx.fixed_now = None
    runner = ServiceRunner()
    wiz = SetupWizard(sqlite_ctx, runner, "내 가게")
    qtbot.addWidget(wiz)
    wiz.show()
    qtbot.waitExposed(wiz)
    yield wiz
    runner.stop()


def _next(wiz) -> None:
    wiz.button(QWizard.WizardButton.NextButton).click()


def test_the_owner_goes_through_every_page(wizard, sqlite_ctx, qtbot, shot) -> None:
    ctx = sqlite_ctx
    assert wizard.currentPage() is wizard.store
    assert wizard.store.name.text() == ""  # the seed's "내 가게" is not offered as a name
    _next(wizard)
    assert wizard.currentPage() is wizard.store
    assert wizard.store.error.text() == "가게 이름을 입력하세요."
    shot(wizard, "wizard-1-store-empty")
    wizard.store.name.setText("단골 카페 역삼점")
    shot(wizard, "wizard-1-store")
    _next(wizard)

    # two different PINs: refused beside the fields, the second one cleared, nothing written
    before = snapshot(ctx)
    assert wizard.currentPage() is wizard.pin
    qtbot.keyClicks(wizard.pin.pin, "4821")
    qtbot.keyClicks(wizard.pin.again, "4812")
    _next(wizard)
    assert wizard.currentPage() is wizard.pin
    assert wizard.pin.error.text() == "두 PIN이 서로 다릅니다. 같은 PIN을 두 번 입력하세요."
    assert wizard.pin.again.text() == ""
    assert snapshot(ctx) == before
    shot(wizard, "wizard-2-pin-mismatch")
    qtbot.keyClicks(wizard.pin.again, "4821")
    assert wizard.pin.error.text() == ""
    _next(wizard)

    assert wizard.currentPage() is wizard.program
    assert wizard.program.template() == "both"
    wizard.program.buttons["stamps"].click()
    shot(wizard, "wizard-3-program")
    _next(wizard)

    assert wizard.currentPage() is wizard.printer
    assert not wizard.printer.device_form.isEnabled()
    wizard.printer.escpos.click()
    wizard.printer.widths[58].click()
    _next(wizard)
    assert wizard.currentPage() is wizard.printer
    assert "장치 경로" in wizard.printer.error.text()
    shot(wizard, "wizard-4-printer-no-device")
    qtbot.keyClicks(wizard.printer.device, "/dev/usb/lp0")
    shot(wizard, "wizard-4-printer")
    _next(wizard)

    assert wizard.currentPage() is wizard.last
    assert "단골 카페 역삼점" in wizard.last.summary.text()
    assert "스탬프 카드" in wizard.last.summary.text()
    assert "58 mm" in wizard.last.summary.text()
    shot(wizard, "wizard-5-last")
    assert snapshot(ctx) == before  # nothing is written before Finish

    wizard.button(QWizard.WizardButton.FinishButton).click()
    qtbot.waitUntil(lambda: wizard.result() == QWizard.DialogCode.Accepted, timeout=10_000)
    assert wizard.result_ is not None and wizard.result_.demo is None
    assert settings.setting(ctx, "printer") == {
        "kind": "escpos",
        "width": 58,
        "device": "/dev/usb/lp0",
    }
    assert program.show_program(ctx)["tiers"]["levels"][0]["earn_percent"] == 0
    assert not setup.needs_setup(ctx)


def test_the_wizard_never_runs_again(app, sqlite_ctx, monkeypatch) -> None:
    from app.ui import app as gui
    from app.ui.wizard import SetupWizard

    shown: list[int] = []
    monkeypatch.setattr(SetupWizard, "exec", lambda self: shown.append(1) or 0)
    # a new shop: the wizard; "later" (0) opens the counter, writing nothing (issue 13 item 8)
    before = snapshot(sqlite_ctx)
    assert gui.first_run(sqlite_ctx) is True
    assert shown == [1]
    assert setup.needs_setup(sqlite_ctx)
    assert snapshot(sqlite_ctx) == before

    setup.complete_setup(
        sqlite_ctx,
        store_name="단골 베이커리",
        pin="1357",
        pin_again="1357",
        template="points",
        printer={"kind": "pdf", "width": 80, "device": ""},
    )
    assert gui.first_run(sqlite_ctx) is True
    assert shown == [1]  # not shown a second time (and no demo question either)
    assert store_name(sqlite_ctx) == "단골 베이커리"


def test_the_wizard_in_english(app, sqlite_ctx, qtbot, shot) -> None:
    from app.ui.tasks import ServiceRunner
    from app.ui.text import set_language
    from app.ui.wizard import SetupWizard

    set_language("en")
    runner = ServiceRunner()
    try:
        wiz = SetupWizard(sqlite_ctx, runner, "내 가게")
        qtbot.addWidget(wiz)
        wiz.show()
        wiz.store.name.setText("Corner Café")
        _next(wiz)
        _next(wiz)
        assert wiz.pin.error.text() == "A PIN is digits only."
        wiz.pin.pin.setText("2468")
        wiz.pin.again.setText("2468")
        _next(wiz)
        shot(wiz, "wizard-3-program-en")
        assert wiz.button(QWizard.WizardButton.NextButton).text() == "Next"
    finally:
        set_language("ko")
        runner.stop()
