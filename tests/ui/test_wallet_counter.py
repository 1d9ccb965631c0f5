"""The wallet at the counter: the panel shows it, F10 spends or tops up, refusals in words."""

from __future__ import annotations

import pytest

from app.services import customers, program, sales, wallet
from tests.services.helpers import snapshot
from tests.ui.conftest import settle
from tests.ui.test_screen_fit import check

PHONE = "010-1234-5678"
SHOTS = "build/screenshots/wallet"


@pytest.fixture
def wallet_window(app, sqlite_ctx, qtbot):
    """The counter of a shop whose program has cashback (5 %) and top-ups up to 100,000원."""
    from app.services.program import program_in_force
    from app.ui.main_window import MainWindow

    document = program.show_program(sqlite_ctx)
    document["cashback"] = {"percent": {"BASIC": 5}, "prepaid_limit": 100_000}
    program.load_program(sqlite_ctx, document)
    sqlite_ctx.fixed_now = None
    win = MainWindow(sqlite_ctx, "단골 카페", program_in_force(sqlite_ctx), require_sign_in=False)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()


def _save(widget, name: str) -> None:
    import os

    from PySide6.QtWidgets import QApplication

    os.makedirs(SHOTS, exist_ok=True)  # the screenshots people look at (not in the repository)
    QApplication.processEvents()
    widget.grab().save(f"{SHOTS}/{name}.png")


def test_the_wallet_on_the_panel_and_through_f10(wallet_window, qtbot) -> None:
    win = wallet_window
    ctx, counter = win.ctx, win.counter
    member = customers.enroll(ctx, PHONE, name="김민준")
    sales.record_sale(ctx, member.id, 30_000)  # 1,500원 cashback
    wallet.topup(ctx, member.id, 20_000, "CARD-1")
    counter.search.setText(PHONE)
    counter.lookup(PHONE)
    settle(qtbot, win)
    assert counter.buttons["wallet"].isVisible() and counter.buttons["wallet"].isEnabled()
    assert counter.panel.wallet.text() == "적립금 1,500원 · 선불 20,000원"
    _save(win, "counter-wallet")
    check(win, (1024, 600), "counter with the wallet")  # the small screen still fits

    counter.open_wallet()
    dialog = counter.dialog
    dialog.won_edit.setText("30,000")
    dialog.accept_button.click()  # more than the wallet holds: said in the dialog, nothing sent
    assert dialog.isVisible() and "모자랍니다" in dialog.error.text()
    before = snapshot(ctx)
    dialog.topup_mode.setChecked(True)
    dialog.won_edit.setText("90,000")
    dialog.ref_edit.setText("A-77")
    dialog.accept_button.click()
    assert dialog.isVisible() and "한도" in dialog.error.text()
    _save(dialog, "dialog-wallet-refused")
    assert snapshot(ctx) == before
    check(dialog, (1024, 600), "wallet dialog")
    dialog.spend_mode.setChecked(True)
    dialog.won_edit.setText("2,000")
    _save(dialog, "dialog-wallet-spend")
    dialog.accept_button.click()
    settle(qtbot, win)
    assert counter.panel.wallet.text() == "적립금 0원 · 선불 19,500원"
    assert "2,000원 사용" in counter.toast.text() and not counter.undo.isVisible()
    status = wallet.wallet_status(ctx, member.id)
    assert (status.cashback, status.prepaid) == (0, 19_500)
    _save(win, "counter-wallet-after")


def test_without_cashback_the_counter_is_as_before(window, qtbot) -> None:
    counter = window.counter
    customers.enroll(window.ctx, PHONE)
    counter.lookup(PHONE)
    settle(qtbot, window)
    assert counter.status is not None
    assert not counter.buttons["wallet"].isVisible() and not counter.panel.wallet_row.isVisible()


def test_the_reports_page_shows_cashback_and_prepaid_apart(window, qtbot) -> None:
    from PySide6.QtWidgets import QApplication

    ctx = window.ctx
    window.backoffice_action.trigger()
    page = window.backoffice.page("page.reports")
    settle(qtbot, window)
    assert not page.wallet_table.isVisible()  # no wallet entry: the page as before
    document = program.show_program(ctx)
    document["cashback"] = {"percent": {"BASIC": 5}, "prepaid_limit": 100_000}
    program.load_program(ctx, document)
    who = customers.enroll(ctx, PHONE).id
    sales.record_sale(ctx, who, 20_000)
    wallet.topup(ctx, who, 50_000, "CARD-9")
    wallet.spend(ctx, who, 1_500)
    window.backoffice.resize(1280, 900)
    page.refresh()
    settle(qtbot, window)
    table = page.wallet_table
    assert table.isVisible()
    cells = [[table.item(r, c).text() for c in range(6)] for r in range(2)]
    assert cells[0][1:] == ["1,000원", "1,000원", "0원", "0원", "0원"]
    assert cells[1][1:] == ["50,000원", "500원", "0원", "0원", "49,500원"]
    assert "49,500원" in page.wallet_note.text()
    page.body.parent().parent().verticalScrollBar().setValue(10_000)
    QApplication.processEvents()
    _save(window.backoffice, "backoffice-reports-wallet")
