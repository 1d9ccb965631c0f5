"""The Reports, Win-back and Import pages driven like an owner would, with screenshots."""

from __future__ import annotations

from pathlib import Path

from app.domain.errors import Refused
from app.services import customers
from app.services.customers import resolve_customer
from app.ui.text import refusal
from tests.services.helpers import snapshot
from tests.services.test_analytics import _history
from tests.ui.conftest import settle


def _page(window, qtbot, key: str):
    window.backoffice_action.trigger()
    page = window.backoffice.page(key)
    window.backoffice.resize(1280, 900)
    settle(qtbot, window)
    return page


def test_reports_fill_in_and_export(window, qtbot, shot, tmp_path: Path) -> None:
    _history(window.ctx)
    page = _page(window, qtbot, "page.reports")
    assert page.arrived == {"board", "cohorts", "top", "campaigns"}
    assert page.figures["members"].text() == "3"
    assert page.figures["average_spend"].text() == "15,000원"
    assert page.figures["liability"].text() == "1,700원"
    assert page.top.item(0, 0).text() == "김*준" and page.top.item(0, 2).text() == "50,000원"
    assert page.top.item(0, 1).text() == "010-****-0001"
    assert "30,000원" in page.clv.text() and "이탈률" in page.clv_how.text()
    # January's cohort (A and B): half came back in February; what a cohort counts is said
    months = [page.cohorts.item(r, 0).text() for r in range(page.cohorts.rowCount())]
    row = months.index("2026-01")
    assert [page.cohorts.item(row, c).text() for c in (1, 2, 3)] == ["2", "50.0%", "50.0%"]
    assert "신규 회원" in page.cohort_how.text() and "병합" in page.cohort_how.text()
    assert page.campaigns.item(0, 0).text() == "3월 더블"
    (bars,) = page.charts["chartMembers"].chart().series()
    assert [bars.barSets()[i].at(9) for i in (0, 1)] == [2.0, 2.0]  # January: 2 new, 2 active
    shot(window.backoffice, "backoffice_reports")
    page.body.parent().parent().verticalScrollBar().setValue(10_000)
    shot(window.backoffice, "backoffice_reports_lower")

    out = tmp_path / "report.pdf"
    page.ask_save_path = lambda suggested: out
    page.pdf_button.click()
    settle(qtbot, window)
    assert out.read_bytes().startswith(b"%PDF") and "report.pdf" in page.message.text()
    csv_out = tmp_path / "report.csv"
    page.ask_save_path = lambda suggested: csv_out
    page.csv_button.click()
    settle(qtbot, window)
    assert csv_out.read_text(encoding="utf-8-sig").startswith("month,members")


def test_a_reversed_period_is_explained(window, qtbot) -> None:
    page = _page(window, qtbot, "page.reports")
    page.first.setDate(page.last.date().addMonths(2))
    page.show_button.click()
    settle(qtbot, window)
    first, last = page.period()
    assert page.message.text() == refusal(Refused("report.range_order", first=first, last=last))


def test_winback_lists_issues_and_exports(window, qtbot, shot, tmp_path: Path) -> None:
    _history(window.ctx)
    page = _page(window, qtbot, "page.winback")
    page.days.setValue(14)
    page.find()
    settle(qtbot, window)
    assert page.list.rowCount() == 2
    assert page.list.item(0, 1).text() == "010-****-0002"
    assert "2명" in page.summary.text()
    shot(window.backoffice, "backoffice_winback")

    before = snapshot(window.ctx)
    page.value.setText("0")
    page.issue_button.click()
    settle(qtbot, window)
    assert page.coupon_error.text() and snapshot(window.ctx) == before
    page.value.setText("3,000")
    page.issue_button.click()
    settle(qtbot, window)
    asked = _asked(qtbot, page)
    assert asked.text() == "2명에게 3,000원 쿠폰을 발행할까요? (사용 기간 30일)"
    buttons = {b.objectName(): b.text() for b in asked.buttons()}
    assert buttons == {"winbackConfirmAccept": "쿠폰 발행", "winbackConfirmReject": "닫기"}
    shot(window.backoffice, "backoffice_winback_confirm")
    asked.findChild(object, "winbackConfirmReject").click()  # "닫기": nothing is issued
    settle(qtbot, window)
    assert snapshot(window.ctx) == before and page.issue_button.isEnabled()

    page.issue_button.click()
    settle(qtbot, window)
    _asked(qtbot, page).findChild(object, "winbackConfirmAccept").click()
    settle(qtbot, window)
    assert "2장" in page.message.text()
    after = snapshot(window.ctx)
    page.issue_button.click()  # a second click: everyone has it, nothing new, and it says so
    settle(qtbot, window)
    assert page.dialogs.current is None and snapshot(window.ctx) == after
    assert "이미 쿠폰을 받은 2명은 건너뛰었습니다" in page.message.text()

    out = tmp_path / "sms.csv"
    page.ask_save_path = lambda suggested: out
    page.export_button.click()
    settle(qtbot, window)
    assert out.read_text(encoding="utf-8-sig").splitlines() == ["phone,name", "01010000003,박지호"]
    assert "1명" in page.message.text() and "미동의" in page.message.text()
    shot(window.backoffice, "backoffice_winback_done")


def _asked(qtbot, page):
    """The confirmation the page opened (window-modal, through its dialog service)."""
    qtbot.waitUntil(lambda: page.dialogs.current is not None, timeout=10_000)
    box = page.dialogs.current
    assert box.isVisible()
    return box


CARDS = (
    "전화번호,고객명,도장,메모\n010-3333-0001,홍길동,7,단골\n010-33,김철수,2,\n010-3333-0003,,11,\n"
)


def test_import_wizard_maps_checks_and_is_all_or_nothing(window, qtbot, shot, tmp_path) -> None:
    path = tmp_path / "paper.csv"
    path.write_bytes(CARDS.encode("cp949"))
    page = _page(window, qtbot, "page.import")
    page.read_file()
    assert page.file_error.text() == "파일을 고르세요."
    page.ask_open_path = lambda: path
    page._browse()
    page.read_button.click()
    settle(qtbot, window)
    assert page.steps.currentIndex() == 1
    assert "CP949" in page.encoding.text()
    assert page.columns["phone"].currentData() == "전화번호"
    assert page.columns["stamps"].currentData() == "도장"
    assert page.columns["points"].currentData() == ""
    shot(window.backoffice, "backoffice_import_mapping")

    before = snapshot(window.ctx)
    page.findChild(object, "importCheck").click()
    settle(qtbot, window)
    assert page.steps.currentIndex() == 2
    assert page.bad.rowCount() == 1 and page.bad.item(0, 0).text() == "3"
    shot(window.backoffice, "backoffice_import_check")

    page.findChild(object, "importRun").click()  # all or nothing: one bad row, nothing written
    settle(qtbot, window)
    assert "아무것도" in page.run_error.text() and snapshot(window.ctx) == before

    page.skip_bad.setChecked(True)
    page.findChild(object, "importRun").click()
    settle(qtbot, window)
    assert page.steps.currentIndex() == 3 and "2명" in page.done.text()
    assert (
        customers.customer_status(window.ctx, resolve_customer(window.ctx, "010-3333-0003")).stamps
        == 11
    )
    shot(window.backoffice, "backoffice_import_done")
    assert page.steps.widget(3).isVisible()
