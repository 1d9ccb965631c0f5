"""Issue 13 item 5: every window and dialog fits 1024×600, 1366×768 and 1920×1080 in both
languages (minimum size within the screen, no widget outside its window, touch targets of at
least 44 px), the back office fits a 768-px-high screen, and no emoji the bundled font lacks
is on any screen. Screenshots of each in build/screenshots/counter/fit/."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QRawFont
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QLabel,
    QListWidget,
    QPushButton,
    QRadioButton,
    QWidget,
)

from app.resources import FONT_REGULAR
from app.services import customers, owner, sales
from app.ui.text import set_language
from tests.ui.conftest import settle
from tests.ui.counter_help import shot

SIZES = [(1024, 600), (1366, 768), (1920, 1080)]
TOUCH = 44
PHONE = "010-1234-5678"


def _visible_widgets(root: QWidget) -> list[QWidget]:
    return [w for w in root.findChildren(QWidget) if w.isVisible() and w.window() is root]


def _outside(root: QWidget) -> list[str]:
    """Widgets (not inside a scroll area's moving part) that reach outside their window."""
    frame = QRect(QPoint(0, 0), root.size())
    out = []
    for widget in _visible_widgets(root):
        if _in_scrolled(widget, root) or widget.width() <= 0:
            continue
        rect = QRect(widget.mapTo(root, QPoint(0, 0)), widget.size())
        if not frame.contains(rect):
            out.append(f"{type(widget).__name__}#{widget.objectName()} {rect} in {frame}")
    return out


def _in_scrolled(widget: QWidget, root: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None and parent is not root:
        if parent.objectName() == "qt_scrollarea_viewport":
            return True
        parent = parent.parentWidget()
    return False


def _small_targets(root: QWidget) -> list[str]:
    small = []
    for widget in _visible_widgets(root):
        target = isinstance(widget, QPushButton | QCheckBox | QRadioButton) and widget.isEnabled()
        if target and widget.height() < TOUCH:
            small.append(f"{type(widget).__name__} {widget.text()!r} {widget.height()} px")
    return small


_FONT = None


def _missing_glyphs(root: QWidget) -> list[str]:
    """Emoji and symbols (U+2600.. and U+1F000..) the bundled NanumGothic cannot draw."""
    global _FONT
    if _FONT is None:
        _FONT = QRawFont(str(FONT_REGULAR), 12)
    texts = [root.windowTitle()]
    for widget in _visible_widgets(root):
        if isinstance(widget, QLabel | QAbstractButton):
            texts.append(widget.text())
        if isinstance(widget, QListWidget):
            texts += [widget.item(i).text() for i in range(widget.count())]
    return [
        f"{ch!r} in {text!r}"
        for text in texts
        for ch in text
        if (0x2600 <= ord(ch) <= 0x27BF or ord(ch) >= 0x1F000) and not _FONT.supportsCharacter(ch)
    ]


def check(root: QWidget, size: tuple[int, int], name: str) -> None:
    width, height = size
    least = root.minimumSizeHint()
    assert least.width() <= width and least.height() <= height, (name, least, size)
    root.resize(min(width, max(root.width(), least.width())), min(height, root.height()))
    QApplication.processEvents()
    assert root.width() <= width and root.height() <= height, (name, root.size())
    assert not _outside(root), (name, _outside(root))
    assert not _small_targets(root), (name, _small_targets(root))
    assert not _missing_glyphs(root), (name, _missing_glyphs(root))
    shot(root, f"counter/fit/{name}-{width}x{height}")


@pytest.fixture(params=["ko", "en"])
def lang(request, app):
    set_language(request.param)
    yield request.param
    set_language("ko")


@pytest.fixture
def shop_window(lang, sqlite_ctx, qtbot):
    from app.services.program import program_in_force
    from app.ui.main_window import MainWindow

    sqlite_ctx.fixed_now = None
    member = customers.enroll(sqlite_ctx, PHONE, name="김민준")
    for _ in range(10):
        sales.record_sale(sqlite_ctx, member.id, 12_000)
    owner.issue_coupon(sqlite_ctx, member.id, "amount", 3_000, 30)
    owner.issue_coupon(sqlite_ctx, member.id, "item", 0, 30)
    win = MainWindow(sqlite_ctx, "단골 카페", program_in_force(sqlite_ctx), require_sign_in=False)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_counter_and_its_dialogs_fit(shop_window, qtbot, lang, size) -> None:
    window, counter = shop_window, shop_window.counter
    window.resize(*size)
    counter.lookup(PHONE)
    settle(qtbot, window)
    assert counter.status is not None and counter.panel.reward_banner.isVisible()
    check(window, size, f"counter-{lang}")
    assert counter.panel.birthday.icon.pixmap() is not None  # a drawn cake, not 🎂

    for key, name in [("sale", "sale"), ("redeem", "redeem"), ("coupon", "coupon")]:
        counter.buttons[key].click()
        dialog = counter.dialog
        assert dialog is not None, key
        check(dialog, size, f"dialog-{name}-{lang}")
        dialog.reject()
        settle(qtbot, window)
    counter.open_enroll()
    check(counter.dialog, size, f"dialog-enroll-{lang}")
    counter.dialog.reject()
    counter.redeem_stamps()
    check(counter.dialog, size, f"confirm-stamps-{lang}")
    counter.dialog.reject()
    settle(qtbot, window)

    window.sign_out()
    check(window, size, f"signin-{lang}")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_wizard_and_the_display_fit(app, lang, sqlite_ctx, qtbot, size) -> None:
    from app.ui.display import CustomerDisplay
    from app.ui.tasks import ServiceRunner
    from app.ui.wizard import SetupWizard

    runner = ServiceRunner()
    try:
        wizard = SetupWizard(sqlite_ctx, runner, "내 가게")
        qtbot.addWidget(wizard)
        wizard.show()
        check(wizard, size, f"wizard-{lang}")
        display = CustomerDisplay("단골 카페")
        qtbot.addWidget(display)
        display.show()
        check(display, size, f"display-{lang}")
    finally:
        runner.stop()


def test_the_back_office_fits_a_768_px_high_screen(shop_window, lang) -> None:
    from app.ui.backoffice.window import PAGES

    window = shop_window
    window.open_backoffice()
    office = window.backoffice
    assert office is not None
    for key, _, _ in PAGES:
        office.page(key)
    QApplication.processEvents()
    least = office.minimumSizeHint()
    assert least.height() <= 768 - 30, least  # a title bar above it
    assert least.width() <= 1024, least
    assert office.height() <= office.screen().availableGeometry().height()
    shot(office, f"counter/fit/backoffice-{lang}")
