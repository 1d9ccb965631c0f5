"""The owner PIN asked at the counter's "번호 보기" is limited like a sign-in, and recorded."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy import func, select

from app.db.models import AuditEntry
from app.services import customers, staff
from tests.ui.conftest import settle

PHONE = "010-1234-5678"


def _try(qtbot, window, pin: str) -> None:
    counter = window.counter
    counter.panel.reveal.click()
    counter.dialog.pin_edit.setText(pin)
    counter.dialog.accept_button.click()
    settle(qtbot, window)


def test_five_wrong_owner_pins_at_the_reveal_lock_it(window, qtbot) -> None:
    ctx, counter = window.ctx, window.counter
    staff.set_pin(ctx, ctx.staff_id, "9999")
    cashier = staff.add_staff(ctx, "이알바", "cashier", "1234")
    customers.enroll(ctx, PHONE)
    window.sign_out()
    signin = window.signin
    rows = [
        signin.people.item(i).data(Qt.ItemDataRole.UserRole) for i in range(signin.people.count())
    ]
    signin.people.setCurrentRow([m.id for m in rows].index(cashier.id))
    signin.pin.setText("1234")
    signin.button.click()
    settle(qtbot, window)
    counter.lookup(PHONE)
    settle(qtbot, window)

    for _ in range(5):
        _try(qtbot, window, "0000")
    assert "잠겼습니다" in counter.message.text()
    _try(qtbot, window, "9999")  # the right PIN waits out the lock
    assert "잠겼습니다" in counter.message.text()
    assert "1234-5678" not in counter.panel.phone.text()
    with ctx.db.read() as session:
        wrong = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "staff.pin_wrong")
        )
    assert wrong == 5
