"""Back-office details of issue 13 item 7, on real widgets and a real database."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCharts import QBarCategoryAxis, QCategoryAxis
from PySide6.QtCore import Qt

from app.services import customers, sales
from app.ui.backoffice.charts import bar_chart, chart_view, nice_ticks, show_chart
from tests.ui.conftest import SCREENSHOTS, settle

OFFICE = Path(SCREENSHOTS) / "office"
MONTHS = [f"26.{m:02d}" for m in range(1, 13)]


def save(widget, name: str) -> None:
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()  # the layout a resize asked for, as on screen
    OFFICE.mkdir(parents=True, exist_ok=True)
    assert widget.grab().save(str(OFFICE / f"{name}.png"))


def test_the_value_axis_is_written_with_separators(app, qtbot) -> None:
    view = chart_view("chartTest")
    qtbot.addWidget(view)
    values = [i * 310_000 for i in range(12)]
    show_chart(view, bar_chart("월별 매출", MONTHS, [("매출", values)]))
    (y,) = view.chart().axes(Qt.Orientation.Vertical)
    assert isinstance(y, QCategoryAxis)
    assert y.categoriesLabels() == ["0", "1,000,000", "2,000,000", "3,000,000", "4,000,000"]
    assert y.max() >= max(values)
    assert nice_ticks(0) == [0, 1] and nice_ticks(7) == [0, 2, 4, 6, 8]


def test_month_labels_stand_up_rather_than_be_cut(app, qtbot) -> None:
    view = chart_view("chartTest")
    qtbot.addWidget(view)
    show_chart(view, bar_chart("월별 신규·활동 회원", MONTHS, [("신규", list(range(12)))]))
    view.resize(440, 280)  # half of a 1024-pixel back office
    view.show()
    qtbot.waitExposed(view)
    (x,) = view.chart().axes(Qt.Orientation.Horizontal)
    assert isinstance(x, QBarCategoryAxis)
    assert x.labelsAngle() == -90
    save(view, "chart-narrow")
    view.resize(900, 280)
    qtbot.wait(10)
    assert x.labelsAngle() == 0
    save(view, "chart-wide")


def test_the_top_customers_table_shows_whole_rows(window, qtbot) -> None:
    ctx = window.ctx
    for i in range(10):
        name = None if i == 3 else f"손님{chr(0xAC00 + i)}"
        member = customers.enroll(ctx, f"010-5555-{i:04d}", name=name)
        sales.record_sale(ctx, member.id, 10_000 * (i + 1))
    window.backoffice_action.trigger()
    page = window.backoffice.page("page.reports")
    window.backoffice.resize(1024, 740)
    page.refresh()
    settle(qtbot, window)
    top = page.top
    assert top.rowCount() == 10
    rows = sum(top.rowHeight(r) for r in range(top.rowCount()))
    assert top.viewport().height() >= rows  # every row whole, none behind a scroll bar
    assert top.verticalScrollBar().maximum() == 0
    names = [top.item(r, 0).text() for r in range(10)]
    assert "이름 없음" in names  # the nameless member, as everywhere else
    page.body.parent().parent().ensureWidgetVisible(top)
    save(window.backoffice, "reports-top-customers")


def test_program_problems_are_all_listed_and_an_unchanged_program_is_not_saved(
    window, qtbot
) -> None:
    from tests.services.helpers import snapshot

    window.backoffice_action.trigger()
    page = window.backoffice.page("page.program")
    window.backoffice.resize(1280, 760)
    settle(qtbot, window)
    before = snapshot(window.ctx)
    assert not page.save_button.isEnabled()  # nothing changed
    page.save()
    settle(qtbot, window)
    assert (
        snapshot(window.ctx) == before
        and page.message.text() == "바뀐 내용이 없어 저장하지 않았습니다."
    )
    history = page.history.rowCount()

    page.tiers.item(2, 2).setText("100,000")  # GOLD below SILVER
    page.tiers.item(3, 3).setText("120")  # 120 %
    page.tiers.item(3, 2).setText("삼백만")  # not a number
    page.stamp_reward.setText("")
    text = page.error.text()
    assert not page.save_button.isEnabled()
    assert text.startswith("고칠 곳이 4군데 있습니다:")
    assert text.count("•") == 4
    assert "등급 3행" in text and text.count("등급 4행") == 2 and "보상" in text
    save(window.backoffice, "program-every-problem")

    page.tiers.item(2, 2).setText("1,500,000")
    page.tiers.item(3, 3).setText("5")
    page.tiers.item(3, 2).setText("3,000,000")
    page.stamp_reward.setText("아메리카노 1잔")
    assert not page.error.isVisible()
    assert not page.save_button.isEnabled()  # back to what is saved: still nothing to save
    page.save()
    settle(qtbot, window)
    page.load_history()
    settle(qtbot, window)
    assert page.history.rowCount() == history and snapshot(window.ctx) == before
