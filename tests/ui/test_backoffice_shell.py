"""The back office opens for an owner only, with one tab a page."""

from __future__ import annotations

from app.services import staff
from app.ui.backoffice.window import PAGES


def test_an_owner_opens_the_back_office(window, qtbot) -> None:
    window.backoffice_action.trigger()
    office = window.backoffice
    assert office is not None and office.isVisible()
    assert office.tabs.count() == len(PAGES)
    for key, _, _ in PAGES:
        assert office.page(key) is not None
    window.sign_out()
    assert window.backoffice is None


def test_a_cashier_is_sent_to_the_owner(window, qtbot) -> None:
    cashier = staff.add_staff(window.ctx, "이알바", "cashier", "1234")
    staff.sign_in(window.ctx, cashier.id, "1234")
    window.backoffice_action.trigger()
    assert window.backoffice is None
    assert "사장님" in window.statusBar().currentMessage()
