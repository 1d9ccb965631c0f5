"""The owner links a staff member to their own membership on the staff page."""

from __future__ import annotations

from app.services import customers, fraud, staff
from tests.services.helpers import snapshot
from tests.ui.conftest import settle


def test_link_and_unlink_a_staff_members_own_number(window, qtbot, shot) -> None:
    ctx = window.ctx
    cashier = staff.add_staff(ctx, "박직원", "cashier", "2468")
    customers.enroll(ctx, "010-1234-5678", name="박직원")
    window.backoffice_action.trigger()
    page = window.backoffice.page("page.staff")
    settle(qtbot, window)
    page.reload()
    settle(qtbot, window)
    assert not page.own_button.isEnabled()  # nobody picked yet
    page.select(cashier.id)
    settle(qtbot, window)
    assert "연결되어 있지 않습니다" in page.own_for.text()

    before = snapshot(ctx)
    page.own_phone.setText("010-9999-0000")  # nobody has this number
    page.own_button.click()
    settle(qtbot, window)
    assert page.own_error.isVisible() and page.own_error.text()
    assert snapshot(ctx) == before and fraud.linked_customer(ctx, cashier.id) is None

    page.own_phone.setText("010-1234-5678")
    page.own_button.click()
    settle(qtbot, window)
    assert fraud.linked_customer(ctx, cashier.id) == "010-****-5678"
    assert "010-****-5678" in page.own_for.text() and "010-****-5678" in page.message.text()
    assert "1234" not in page.own_for.text()  # never the full number
    shot(window.backoffice, "backoffice_staff_own")

    page.unlink_button.click()
    settle(qtbot, window)
    assert fraud.linked_customer(ctx, cashier.id) is None
    assert "연결되어 있지 않습니다" in page.own_for.text()
