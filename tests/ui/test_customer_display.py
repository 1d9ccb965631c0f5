"""Issue 13 item 6: the customer display centres its stamp grid, shows the moment of a sale for
a few seconds, and on a one-monitor PC covers none of the counter's controls."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication

from app.services import customers, sales
from tests.ui.conftest import settle
from tests.ui.counter_help import shot

PHONE = "010-1234-5678"


def _customer_with_stamps(window, qtbot, visits: int) -> None:
    ctx, counter = window.ctx, window.counter
    member = customers.enroll(ctx, PHONE, name="김민준")
    for _ in range(visits):
        sales.record_sale(ctx, member.id, 4_500)
    counter.lookup(PHONE)
    settle(qtbot, window)


def test_the_stamp_grid_is_centred_with_the_rest(window, qtbot) -> None:
    _customer_with_stamps(window, qtbot, 6)
    window.display_action.setChecked(True)
    display = window.display
    display.resize(800, 480)
    QApplication.processEvents()
    shot(display, "counter/display-customer")
    card = display.stamps
    assert card.isVisible() and card.filled == 6
    grid = card.grid_rect()
    centre = card.mapTo(display, QPoint(int(grid.center().x()), 0)).x()
    label = display.stamps_label
    text_centre = label.mapTo(display, QPoint(label.width() // 2, 0)).x()
    assert abs(centre - display.width() / 2) <= 3, (centre, display.width())
    assert abs(centre - text_centre) <= 3


def test_the_moment_of_a_sale_shows_for_a_few_seconds(window, qtbot) -> None:
    counter = window.counter
    _customer_with_stamps(window, qtbot, 6)
    window.display_action.setChecked(True)
    display = window.display
    display._moment_timer.setInterval(300)  # the test waits 0.3 s, not the shop's few seconds
    counter.record_sale(9_750)
    settle(qtbot, window)
    assert display.in_moment()
    assert display.moment.isVisible() and display.moment.text() == "+195P 적립!"
    assert display.moment_stamps.isVisible() and display.moment_stamps.text() == "스탬프 7/10"
    assert not display.points.isVisible()
    shot(display, "counter/display-moment")
    counter.show_status(counter.status)  # the counter moving on keeps the moment up
    assert display.moment.isVisible()
    qtbot.waitUntil(lambda: not display.in_moment(), timeout=3_000)
    assert not display.moment.isVisible()
    assert display.points.isVisible() and display.points.text() == "735P"
    assert "스탬프 7/10" in display.stamps_label.text()


def test_on_one_monitor_the_display_covers_no_control(window, qtbot) -> None:
    _customer_with_stamps(window, qtbot, 3)
    screen = window.screen().availableGeometry()
    assert len(QApplication.screens()) == 1
    window.setGeometry(screen)  # the counter fills the only screen
    QApplication.processEvents()
    window.display_action.setChecked(True)
    display = window.display
    QApplication.processEvents()
    placed = display.frameGeometry()
    assert placed.width() >= 300 and placed.height() >= 200
    controls = window.controls()
    assert len(controls) >= 12
    hits = [rect for rect in controls if rect.intersects(placed)]
    assert not hits, (placed, hits)
    shot(window, "counter/display-one-monitor")
    shot(display, "counter/display-compact")
