"""The main window: language, idle sign-out, and the demo shop offered on first run."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox
from sqlalchemy import func, select

from app.db.models import Customer
from app.services import customers, settings
from app.ui import text
from tests.ui.conftest import settle


def test_switching_to_english_rebuilds_the_screens(window, qtbot, shot) -> None:
    customers.enroll(window.ctx, "010-1234-5678")
    window.language_action.trigger()
    settle(qtbot, window)
    try:
        assert settings.setting(window.ctx, "language") == "en"
        counter = window.counter
        assert counter.search.placeholderText().startswith("Phone")
        assert counter.buttons["sale"].text().startswith("Sale")
        counter.lookup("010-1234-5678")
        settle(qtbot, window)
        assert counter.panel.stamp_label.text() == "Stamps 0/10"
        shot(window, "counter-english")
        window.language_action.trigger()
        settle(qtbot, window)
        assert window.counter.buttons["sale"].text().startswith("적립")
    finally:
        text.set_language("ko")


def test_idle_time_signs_the_cashier_out(window, qtbot) -> None:
    settings.update_settings(window.ctx, idle_minutes=1)
    window.on_signed_in(window.signin.people.item(0).data(0x0100))
    assert window.idle.isActive() and window.idle.interval() == 60_000
    window.idle.timeout.emit()
    assert window.stack.currentWidget() is window.signin
    assert window.counter.status is None


def test_a_fresh_install_offers_the_demo_shop_once(app, sqlite_ctx, monkeypatch) -> None:
    from app.ui.app import offer_demo

    asked = []

    def answer(*args: object, **kwargs: object) -> QMessageBox.StandardButton:
        asked.append(args)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer)
    offer_demo(sqlite_ctx)
    offer_demo(sqlite_ctx)
    assert len(asked) == 1
    with sqlite_ctx.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Customer)) == 200
