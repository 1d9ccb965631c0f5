"""Issue 13's last rough edges (helper polish13): the counter dialogs' buttons say what they do,
the print preview opens the size of the screen, the staff page's PIN cell and the back office's
tabs show whole, and the status bar names a role once. Screenshots in build/screenshots/polish13/.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest

from app.services import customers, owner, sales, staff
from app.ui.text import set_language
from tests.ui.conftest import settle
from tests.ui.counter_help import shot

PHONE = "010-1234-5678"
TOUCH = 44

ACCEPT = {
    "ko": {"sale": "적립", "redeem": "포인트 사용", "coupon": "쿠폰 사용", "enroll": "가입"},
    "en": {
        "sale": "Record sale",
        "redeem": "Use points",
        "coupon": "Use coupon",
        "enroll": "Enroll",
    },
}
CLOSE = {"ko": "닫기", "en": "Close"}


@pytest.fixture(params=["ko", "en"])
def lang(request):
    set_language(request.param)
    yield request.param
    set_language("ko")


def _member_with_points_and_a_coupon(window, qtbot) -> None:
    ctx, counter = window.ctx, window.counter
    member = customers.enroll(ctx, PHONE, name="김민준")
    sales.record_sale(ctx, member.id, 200_000)
    owner.issue_coupon(ctx, member.id, "amount", 3_000, 30)
    counter.lookup(PHONE)
    settle(qtbot, window)
    assert counter.status is not None and counter.status.coupons


def test_the_counter_dialogs_buttons_say_what_they_do(window, qtbot, lang) -> None:
    counter = window.counter
    _member_with_points_and_a_coupon(window, qtbot)
    points = counter.status.points
    for kind, opener in [
        ("sale", counter.open_sale),
        ("redeem", counter.open_redeem),
        ("coupon", counter.open_coupon),
        ("enroll", counter.open_enroll),
    ]:
        opener()
        dialog = counter.dialog
        assert dialog is not None, kind
        qtbot.waitExposed(dialog)
        shown = sorted(b.text() for b in dialog.buttons.buttons() if b.isVisible())
        assert shown == sorted([ACCEPT[lang][kind], CLOSE[lang]]), (kind, shown)
        assert dialog.accept_button.text() == ACCEPT[lang][kind]
        assert dialog.close_button.text() == CLOSE[lang]
        for button in (dialog.accept_button, dialog.close_button):
            assert button.height() >= TOUCH, (kind, button.text(), button.height())
            metrics = button.fontMetrics()
            assert button.width() > metrics.horizontalAdvance(button.text()), button.text()
        shot(dialog, f"polish13/dialog-{kind}-{lang}")
        dialog.close_button.click()  # 닫기 closes: nothing recorded
        settle(qtbot, window)
        assert counter.dialog is None
    assert counter.status.points == points  # 닫기 changed nothing


def test_the_owner_pin_dialog_says_approve_and_close(window, qtbot, lang) -> None:
    ctx, counter = window.ctx, window.counter
    staff.add_staff(ctx, "이알바", "cashier", "1234")
    cashier = next(m for m in staff.list_staff(ctx) if m.role == "cashier")
    ctx.staff_id, ctx.staff_role = cashier.id, cashier.role
    window.on_signed_in(cashier)
    customers.enroll(ctx, PHONE)
    counter.lookup(PHONE)
    settle(qtbot, window)
    counter.reveal_phone()
    dialog = counter.dialog
    assert dialog is not None
    assert dialog.accept_button.text() == {"ko": "승인", "en": "Approve"}[lang]
    assert dialog.close_button.text() == CLOSE[lang]
    dialog.close_button.click()
    settle(qtbot, window)


def test_enter_in_the_sale_dialog_still_records(window, qtbot) -> None:
    counter = window.counter
    customers.enroll(window.ctx, PHONE)
    counter.lookup(PHONE)
    settle(qtbot, window)
    counter.open_sale()
    dialog = counter.dialog
    dialog.amount_edit.setText("10000")
    QTest.keyClick(dialog.amount_edit, Qt.Key.Key_Return)
    settle(qtbot, window)
    assert counter.dialog is None and counter.status.points > 0


def _open_preview(window, qtbot, look) -> None:
    """F6 on the last sale; `look(dialog)` runs inside the modal preview, which is then closed."""
    from PySide6.QtPrintSupport import QPrintPreviewDialog
    from PySide6.QtWidgets import QApplication

    looked: list[QPrintPreviewDialog] = []

    def look_and_close() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QPrintPreviewDialog) and widget.isVisible():
                looked.append(widget)
                try:
                    look(widget)
                finally:
                    widget.reject()
                return
        QTimer.singleShot(50, look_and_close)

    QTimer.singleShot(50, look_and_close)
    QTest.keyClick(window.counter.search, Qt.Key.Key_F6)
    qtbot.waitUntil(lambda: bool(looked), timeout=20_000)


def _toolbar_overflows(dialog) -> bool:
    from PySide6.QtWidgets import QApplication, QToolBar, QToolButton

    QApplication.processEvents()
    toolbar = dialog.findChild(QToolBar)
    assert toolbar is not None and toolbar.isVisible()
    more = toolbar.findChild(QToolButton, "qt_toolbar_ext_button")  # Qt's "»"
    return more is not None and more.isVisible()


def test_the_print_preview_opens_the_size_of_the_screen(window, qtbot, lang) -> None:
    from PySide6.QtCore import QRect

    from app.printing.qt import TITLE_BAR, fit_preview

    ctx, counter = window.ctx, window.counter
    customers.enroll(ctx, PHONE)
    counter.lookup(PHONE)
    settle(qtbot, window)
    counter.record_sale(12_000)
    settle(qtbot, window)
    seen: dict[str, object] = {}

    def look(dialog) -> None:
        free = dialog.screen().availableGeometry()
        seen["opened"] = (dialog.size(), free)
        for width, height in [(1366, 768), (1024, 600)]:
            area = QRect(0, 0, width, height)
            fit_preview(dialog, area)
            assert dialog.height() == height - TITLE_BAR, (dialog.size(), area)
            assert dialog.width() <= width
            assert not _toolbar_overflows(dialog), (width, height)  # every button shows
            shot(dialog, f"polish13/print-preview-{width}x{height}-{lang}")

    _open_preview(window, qtbot, look)
    opened, free = seen["opened"]
    # as tall as the screen's free area (less a title bar), as wide as the toolbar or the screen
    assert opened.height() == free.height() - TITLE_BAR, (opened, free)
    assert opened.width() == min(free.width(), 960), (opened, free)


def _cut_cells(table) -> list[str]:
    """Cells whose text is wider than their column or taller than their row (elided '…')."""
    from PySide6.QtWidgets import QStyle

    cut = []
    metrics = table.fontMetrics()
    # the margin Qt's styles leave either side of an item view's text
    margin = table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1
    for row in range(table.rowCount()):
        for column in range(table.columnCount()):
            item = table.item(row, column)
            if item is None:
                continue
            rect = table.visualItemRect(item)
            room = rect.adjusted(margin, 0, -margin, 0)
            needed = metrics.boundingRect(room, int(Qt.TextFlag.TextWordWrap), item.text())
            if needed.width() > room.width() or needed.height() > rect.height():
                cut.append(f"[{row},{column}] {item.text()!r} needs {needed.size()} in {rect}")
    return cut


@pytest.mark.parametrize("width", [1024, 1366])
def test_the_staff_pin_cell_shows_whole(window, qtbot, lang, width) -> None:
    staff.add_staff(window.ctx, "이알바", "cashier", "1234")
    window.open_backoffice()
    office = window.backoffice
    office.resize(width, 700)
    page = office.page("page.staff")
    settle(qtbot, window)
    qtbot.waitUntil(lambda: page.table.rowCount() == 2, timeout=5_000)
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()
    none = {"ko": "없음 (첫 로그인 때 정함)", "en": "None (set at first sign-in)"}[lang]
    pins = [page.table.item(r, 3) for r in range(2)]
    assert none in [item.text() for item in pins]
    assert not _cut_cells(page.table), _cut_cells(page.table)
    assert all(item.toolTip() == item.text() for item in pins)
    shot(office, f"polish13/staff-{width}-{lang}")
    # the seeded owner is 'Owner' in English on the PIN box as in the list
    page.select(page.members[0].id)
    owner_name = {"ko": "사장님", "en": "Owner"}[lang]
    assert page.pin_for.text() == {"ko": "사장님의 새 PIN", "en": "New PIN for Owner"}[lang]
    assert page.table.item(0, 0).text() == owner_name


def test_the_status_bar_names_a_role_once(window, qtbot, lang) -> None:
    ctx = window.ctx
    staff.add_staff(ctx, "이알바", "cashier", "1234")
    staff.add_staff(ctx, "관리자", "owner", "5678")  # an owner who typed the role as their name
    members = {m.name: m for m in staff.list_staff(ctx)}
    expected = {
        "ko": {"사장님": "사장님 (관리자)", "이알바": "이알바 (직원)", "관리자": "관리자"},
        "en": {"사장님": "Owner", "이알바": "이알바 (Cashier)", "관리자": "관리자 (Owner)"},
    }[lang]
    for name, text in expected.items():
        window.on_signed_in(members[name])
        assert window.who.text() == text, (name, window.who.text())
    window.on_signed_in(members["사장님"])
    shot(window.statusBar(), f"polish13/status-bar-{lang}")


def test_the_status_bar_follows_the_language_switch(window, qtbot) -> None:
    owner_member = next(m for m in staff.list_staff(window.ctx) if m.role == "owner")
    window.on_signed_in(owner_member)
    assert window.who.text() == "사장님 (관리자)"
    try:
        window.switch_language()
        settle(qtbot, window)
        qtbot.waitUntil(lambda: window.who.text() == "Owner", timeout=5_000)
    finally:
        set_language("ko")


def _clipped_tabs(bar) -> list[str]:
    """Tabs whose label rectangle (where the style paints the text) is shorter than the font."""
    from PySide6.QtWidgets import QStyle, QStyleOptionTab

    clipped = []
    needed = bar.fontMetrics().height()
    for index in range(bar.count()):
        option = QStyleOptionTab()
        bar.initStyleOption(option, index)
        label = bar.style().subElementRect(QStyle.SubElement.SE_TabBarTabText, option, bar)
        if label.height() < needed or not option.rect.contains(label):
            clipped.append(f"{bar.tabText(index)!r}: {label} for {needed} px in {option.rect}")
    return clipped


@pytest.mark.parametrize("size", [(1024, 600), (1366, 768)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_back_office_tabs_show_their_labels_whole(window, qtbot, lang, size) -> None:
    from PySide6.QtWidgets import QApplication

    window.open_backoffice()
    office = window.backoffice
    office.resize(*size)
    office.page("page.staff")  # an unselected tab either side of the current one
    settle(qtbot, window)
    QApplication.processEvents()
    bar = office.tabs.tabBar()
    assert bar.count() >= 10
    assert not _clipped_tabs(bar), _clipped_tabs(bar)
    shot(bar, f"polish13/backoffice-tabs-{size[0]}x{size[1]}-{lang}")


def test_a_long_winback_list_scrolls_inside_the_back_office(app, qtbot, sqlite_ctx) -> None:
    """Forty lapsed members: the list scrolls, the window still fits a 768-px-high screen
    (the list was as tall as its rows and made the back office 1,046 px tall)."""
    from datetime import timedelta

    from PySide6.QtWidgets import QApplication

    from app.services import demo
    from app.services.program import program_in_force
    from app.ui.main_window import MainWindow

    demo.build_demo(sqlite_ctx, customers=40, days=120)
    sqlite_ctx.fixed_now = sqlite_ctx.now() + timedelta(days=90)
    win = MainWindow(sqlite_ctx, "단골 카페", program_in_force(sqlite_ctx), require_sign_in=False)
    qtbot.addWidget(win)
    win.show()
    win.open_backoffice()
    office = win.backoffice
    page = office.page("page.winback")
    settle(qtbot, win)
    qtbot.waitUntil(lambda: page.list.rowCount() >= 20, timeout=10_000)
    office.resize(1366, 768 - 30)
    QApplication.processEvents()
    assert office.minimumSizeHint().height() <= 768 - 30, office.minimumSizeHint()
    assert office.height() <= 768 - 30
    assert page.list.verticalScrollBar().maximum() > 0  # the rest of the list is a scroll away
    assert page.issue_button.isVisible()
    button = page.issue_button.mapTo(office, page.issue_button.rect().bottomLeft())
    assert button.y() <= office.height(), button  # the coupon button is on the screen
    shot(office, "polish13/winback-long-list")
    win.close()


def test_the_back_office_fits_a_1024x600_screen_its_pages_scroll(window, qtbot, lang) -> None:
    from PySide6.QtWidgets import QApplication, QScrollArea

    from app.ui.backoffice.window import PAGES

    window.open_backoffice()
    office = window.backoffice
    for key, _, _ in PAGES:
        office.page(key)
        settle(qtbot, window)
    QApplication.processEvents()
    least = office.minimumSizeHint()
    assert least.height() <= 600 - 30 and least.width() <= 1024, least  # a title bar above
    office.resize(1024, 600 - 30)
    store = office.page("page.store")  # the tallest page: a scroll away, not cut off
    QApplication.processEvents()
    scroll = store.parentWidget().parentWidget()
    assert isinstance(scroll, QScrollArea)
    assert scroll.verticalScrollBar().maximum() > 0
    assert office.height() <= 600 - 30
    shot(office, f"polish13/backoffice-store-1024x600-{lang}")
