"""The cashier's whole flow through the widgets, on a real database file."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton
from sqlalchemy import func, select

from app.db.models import LedgerEntry, MembershipCard
from app.services import customers, sales, staff
from app.services.customers import resolve_customer
from tests.services.helpers import snapshot
from tests.ui.conftest import settle

PHONE = "010-1234-5678"


def type_slowly(qtbot, widget, text: str) -> None:
    QTest.keyClicks(widget, text, delay=90)


def scan(widget, text: str) -> None:
    """A USB scanner: every key within a few milliseconds, then Enter.

    Each key carries the text the keyboard layout (or the Korean IME) made of it, as a
    real key event does; QTest.keyClicks cannot type Hangul.
    """
    for char in text:
        key = Qt.Key(ord(char.upper())) if char.isascii() else Qt.Key.Key_unknown
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(
                widget, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, char)
            )
    QTest.keyClick(widget, Qt.Key.Key_Return)


def press_ok(dialog) -> None:
    dialog.accept_button.click()


def test_scan_then_sale_redeem_and_void(window, qtbot, shot) -> None:
    ctx, counter = window.ctx, window.counter
    member = customers.enroll(ctx, PHONE, name="김민준")
    shot(window, "counter-empty")
    scan(counter.search, member.card)
    settle(qtbot, window)
    assert counter.status is not None and counter.status.id == member.id
    assert counter.message.text() == "카드를 읽었습니다."
    assert "010-****-5678" in counter.panel.phone.text()
    shot(window, "counter-customer")

    counter.buttons["sale"].click()
    dialog = counter.dialog
    dialog.amount_edit.setText("12,000")
    assert "240P" in dialog.preview.text()
    shot(dialog, "dialog-sale")
    press_ok(dialog)
    settle(qtbot, window)
    assert counter.toast.text() == "+240P · 스탬프 1/10"
    assert counter.status.points == 240
    shot(window, "counter-after-sale")

    sales.record_sale(
        ctx, resolve_customer(ctx, PHONE), 100_000
    )  # 2,000 more points, from another register
    counter.refresh()
    settle(qtbot, window)
    QTest.keyClick(counter.search, Qt.Key.Key_F3)
    dialog = counter.dialog
    assert dialog is not None
    dialog.use_all.click()
    assert dialog.points_edit.text() == "2,200"
    shot(dialog, "dialog-redeem")
    press_ok(dialog)
    settle(qtbot, window)
    assert counter.status.points == 40
    assert "-2,200P" in counter.toast.text()

    counter.undo.click()
    box = counter.dialog
    assert isinstance(box, QMessageBox)
    box.findChild(QPushButton, "voidConfirmAccept").click()
    settle(qtbot, window)
    assert counter.status.points == 2240
    assert "취소했습니다" in counter.message.text()
    with ctx.db.read() as session:
        kinds = session.scalars(select(LedgerEntry.kind).order_by(LedgerEntry.id)).all()
    assert kinds == ["earn", "earn", "redeem", "void"]


def test_last4_lists_masked_matches_chosen_with_arrows(window, qtbot, shot) -> None:
    ctx, counter = window.ctx, window.counter
    for phone, name in [
        ("010-1111-5678", "가나다"),
        ("010-2222-5678", "라마바"),
        ("010-3333-5678", None),
    ]:
        customers.enroll(ctx, phone, name=name)
    counter.search.setFocus()
    type_slowly(qtbot, counter.search, "5678")
    QTest.keyClick(counter.search, Qt.Key.Key_Return)
    settle(qtbot, window)
    assert counter.matches.isVisible() and counter.matches.count() == 3
    rows = [counter.matches.item(i).text() for i in range(3)]
    assert all("010-****-5678" in row for row in rows)
    assert not any("1111" in row or "2222" in row for row in rows)
    assert "가*다" in rows[1] or "가*다" in rows[0]
    shot(window, "counter-matches")
    QTest.keyClick(counter.matches, Qt.Key.Key_Down)
    QTest.keyClick(counter.matches, Qt.Key.Key_Return)
    settle(qtbot, window)
    assert counter.status is not None
    assert counter.status.id == counter.matches.item(1).data(Qt.ItemDataRole.UserRole).id
    assert not counter.matches.isVisible()
    QTest.keyClick(counter.search, Qt.Key.Key_Escape)
    assert counter.status is None and counter.search.text() == ""


def test_unknown_number_offers_enrollment_with_the_number_filled(window, qtbot, shot) -> None:
    counter = window.counter
    counter.search.setFocus()
    type_slowly(qtbot, counter.search, "010-9876-5432")
    QTest.keyClick(counter.search, Qt.Key.Key_Return)
    settle(qtbot, window)
    assert "회원이 없습니다" in counter.message.text()
    assert counter.enroll_offer.isVisible()
    counter.enroll_offer.click()
    dialog = counter.dialog
    assert dialog.phone_edit.text() == "010-9876-5432"
    dialog.name_edit.setText("박새손")
    dialog.marketing_consent.setChecked(True)
    press_ok(dialog)  # the required consent is missing
    assert dialog.isVisible() and "필수 동의" in dialog.error.text()
    dialog.program_consent.setChecked(True)
    shot(dialog, "dialog-enroll")
    press_ok(dialog)
    settle(qtbot, window)
    assert counter.status is not None and counter.status.name == "박새손"
    assert counter.status.marketing_consent is True
    assert "가입 완료" in counter.message.text()


def test_a_scanner_typing_through_the_korean_ime_is_understood(window, qtbot) -> None:
    ctx, counter = window.ctx, window.counter
    member = customers.enroll(ctx, PHONE)
    with ctx.db.write() as session:  # an older card printed with letters in it
        session.add(MembershipCard(token="abc12345xyz", customer_id=member.id, issued_at=ctx.now()))
    assert not counter.search.testAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled)
    counter.search.setFocus()
    type_slowly(qtbot, counter.search, "01")  # the cashier had started typing
    # with the IME on, the scanner's a, b, c ... x, y, z arrive as jamo
    scan(counter.search, "ㅁㅠㅊ12345ㅌㅛㅋ")
    settle(qtbot, window)
    assert counter.status is not None and counter.status.id == member.id
    assert counter.search.text() == "abc12345xyz"


def test_typing_by_hand_is_not_taken_for_a_scan(window, qtbot) -> None:
    ctx, counter = window.ctx, window.counter
    member = customers.enroll(ctx, PHONE)
    counter.search.setFocus()
    type_slowly(qtbot, counter.search, member.card)
    QTest.keyClick(counter.search, Qt.Key.Key_Return)
    settle(qtbot, window)
    assert counter.status is not None
    assert counter.message.text() != "카드를 읽었습니다."


def test_bad_amounts_are_explained_next_to_the_field(window, qtbot, shot) -> None:
    ctx, counter = window.ctx, window.counter
    customers.enroll(ctx, PHONE)
    counter.lookup(PHONE)
    settle(qtbot, window)
    before = snapshot(ctx)
    counter.buttons["sale"].click()
    dialog = counter.dialog
    for text, phrase in [
        ("-5000", ""),
        ("abc", ""),
        ("0", "0원보다"),
        ("200,000,000", "너무 큽니다"),
    ]:
        dialog.amount_edit.setText(text)
        press_ok(dialog)
        assert dialog.isVisible(), text
        assert dialog.error.isVisible() and dialog.error.text(), text
        assert phrase in dialog.error.text(), (text, dialog.error.text())
    shot(dialog, "dialog-sale-error")
    dialog.reject()
    settle(qtbot, window)
    assert snapshot(ctx) == before


def test_redeeming_below_minimum_or_over_balance_is_refused_in_the_dialog(window, qtbot) -> None:
    ctx, counter = window.ctx, window.counter
    customers.enroll(ctx, PHONE)
    sales.record_sale(ctx, resolve_customer(ctx, PHONE), 60_000)  # 1,200 P
    counter.lookup(PHONE)
    settle(qtbot, window)
    before = snapshot(ctx)
    counter.buttons["redeem"].click()
    dialog = counter.dialog
    for text, phrase in [("500", "이상부터"), ("1050", "단위"), ("5000", "부족")]:
        dialog.points_edit.setText(text)
        press_ok(dialog)
        assert dialog.isVisible() and phrase in dialog.error.text(), (text, dialog.error.text())
    dialog.reject()
    assert snapshot(ctx) == before


def test_a_cashier_needs_the_owner_for_owner_actions(window, qtbot, shot) -> None:
    ctx, counter = window.ctx, window.counter
    staff.set_pin(ctx, ctx.staff_id, "9999")
    cashier = staff.add_staff(ctx, "이알바", "cashier", "1234")
    customers.enroll(ctx, PHONE)
    owners_sale = sales.record_sale(ctx, resolve_customer(ctx, PHONE), 10_000)

    window.sign_out()
    signin = window.signin
    rows = [
        signin.people.item(i).data(Qt.ItemDataRole.UserRole) for i in range(signin.people.count())
    ]
    signin.people.setCurrentRow([m.id for m in rows].index(cashier.id))
    signin.pin.setText("1234")
    shot(window, "signin")
    signin.button.click()
    settle(qtbot, window)
    assert window.stack.currentWidget() is counter
    assert ctx.staff_role == "cashier"
    assert "이알바" in window.who.text()

    counter.lookup(PHONE)
    settle(qtbot, window)
    counter.last_action = (str(owners_sale.sale_id), "owner's sale")
    counter.void_last()
    counter.dialog.findChild(QPushButton, "voidConfirmAccept").click()
    settle(qtbot, window)
    assert "사장님만" in counter.message.text()

    counter.panel.reveal.click()
    pin = counter.dialog
    pin.pin_edit.setText("1234")  # the cashier's own PIN is not an owner's
    press_ok(pin)
    settle(qtbot, window)
    assert "PIN이 틀렸습니다" in counter.message.text()  # counted toward the lock
    assert "1234-5678" not in counter.panel.phone.text()
    counter.panel.reveal.click()
    counter.dialog.pin_edit.setText("9999")
    press_ok(counter.dialog)
    settle(qtbot, window)
    assert counter.panel.phone.text().endswith("010-1234-5678")
    with ctx.db.read() as session:
        voids = session.scalar(
            select(func.count()).select_from(LedgerEntry).where(LedgerEntry.kind == "void")
        )
    assert voids == 0


def test_five_wrong_pins_lock_the_sign_in(window, qtbot) -> None:
    ctx = window.ctx
    staff.add_staff(ctx, "이알바", "cashier", "1234")
    window.sign_out()
    signin = window.signin
    signin.people.setCurrentRow(1)
    for _ in range(5):
        signin.pin.setText("0000")
        signin.button.click()
        settle(qtbot, window)
    assert "잠겼습니다" in signin.error.text()
    signin.people.setCurrentRow(1)
    signin.pin.setText("1234")
    signin.button.click()
    settle(qtbot, window)
    assert window.stack.currentWidget() is signin
    assert "잠겼습니다" in signin.error.text()


def test_the_customer_display_never_shows_the_full_number(window, qtbot, shot) -> None:
    ctx, counter = window.ctx, window.counter
    customers.enroll(ctx, PHONE, name="김민준")
    window.display_action.setChecked(True)
    display = window.display
    assert display is not None and display.greeting.text() == "어서 오세요!"
    counter.lookup(PHONE)
    settle(qtbot, window)
    counter.record_sale(12_000)
    settle(qtbot, window)
    text = display.texts()
    assert "김*준" in text and "240P" in text
    assert "1234" not in text and "김민준" not in text
    shot(display, "customer-display")
    window.display_action.setChecked(False)
    assert window.display is None


class RecordingPrinter:
    """Stands in for the printer dialog and the printer: keeps what it was given."""

    def __init__(self) -> None:
        self.delivered: list[tuple[bytes, object, bool]] = []

    def deliver(self, document: bytes, settings, *, automatic: bool) -> None:
        self.delivered.append((document, settings, automatic))


def _pdf_text(document: bytes) -> str:
    import io

    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages)


def test_slip_printed_by_hand_and_automatically(window, qtbot) -> None:
    from app.services import settings

    ctx, counter = window.ctx, window.counter
    printer = RecordingPrinter()
    counter.slip_printer = printer
    customers.enroll(ctx, PHONE, name="김민준")
    counter.lookup(PHONE)
    settle(qtbot, window)
    counter.record_sale(12_000)
    settle(qtbot, window)
    assert printer.delivered == []  # automatic printing is off by default
    QTest.keyClick(counter.search, Qt.Key.Key_F6)
    settle(qtbot, window)
    assert printer.delivered, (counter.message.text(), window.isActiveWindow())
    ((document, _, automatic),) = printer.delivered
    assert automatic is False and document.startswith(b"%PDF")
    text = _pdf_text(document)
    assert "010-****-5678" in text and "12,000" in text and "1234-5678" not in text

    settings.update_settings(
        ctx, auto_print_slip=True, printer={"kind": "pdf", "width": 58, "device": ""}
    )
    counter.record_sale(5_000)
    settle(qtbot, window)
    document, used, automatic = printer.delivered[-1]
    assert automatic is True and used.width == 58
    assert "5,000" in _pdf_text(document)


def test_a_points_only_program_shows_no_stamp_card(window, qtbot) -> None:
    from app.services import program

    ctx = window.ctx
    program.load_program(ctx, program.program_template("points"))
    window.program = program.program_in_force(ctx)  # read off the screen, passed in
    window._build_screens()
    counter = window.counter
    window.stack.setCurrentWidget(counter)
    customers.enroll(ctx, PHONE)
    counter.lookup(PHONE)
    settle(qtbot, window)
    assert not counter.panel.stamps.isVisibleTo(counter.panel)
    assert not counter.buttons["stamps"].isVisibleTo(counter)
    counter.record_sale(12_000)
    settle(qtbot, window)
    assert counter.toast.text() == "+240P 적립"


def test_the_counter_is_built_without_reading_the_database(window, monkeypatch) -> None:
    """Building the screen (as a language switch does) runs no query on the UI thread."""
    from app.ui.counter import CounterScreen

    def refuse():  # type: ignore[no-untyped-def]
        raise AssertionError("the database was read on the UI thread")

    monkeypatch.setattr(window.ctx.db, "read", refuse)
    monkeypatch.setattr(window.ctx.db, "write", refuse)
    screen = CounterScreen(window.ctx, window.runner, window.program)
    assert screen.program is window.program
    screen.deleteLater()
