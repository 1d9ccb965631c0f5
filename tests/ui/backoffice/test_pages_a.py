"""The owner's pages Program, Store, Staff, Settings, Backups and Audit log, on a real database."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtGui import QColor, QImage
from sqlalchemy import select, update

from app.db.models import AuditEntry, Store
from app.services import backup_schedule, program, settings, staff
from app.services.customers import enroll
from tests.services.helpers import snapshot
from tests.ui.backoffice.confirm_help import answer
from tests.ui.conftest import settle


def _open(window, qtbot, key: str):
    window.backoffice_action.trigger()
    page = window.backoffice.page(key)
    settle(qtbot, window)
    return page


def test_program_edit_validate_save_and_history(window, qtbot, shot) -> None:
    page = _open(window, qtbot, "page.program")
    assert not page.save_button.isEnabled()  # nothing changed yet: nothing to save
    assert "12,000원 구매 → 플래티넘 600P, 스탬프 +1" in page.example.text()
    page.example_tier.setCurrentIndex(page.example_tier.findData("GOLD"))
    assert "골드 480P" in page.example.text()

    # an invalid edit: the reason next to the form, Save disabled, nothing written
    before = snapshot(window.ctx)
    page.tiers.item(2, 2).setText("100,000")  # GOLD below SILVER
    assert not page.save_button.isEnabled()
    assert page.error.isVisible() and "등급 3행" in page.error.text()
    page.save()
    settle(qtbot, window)
    assert snapshot(window.ctx) == before

    page.tiers.item(2, 2).setText("1,500,000")
    page.expiry_months.setValue(24)
    page.tiers.item(1, 3).setText("3.5")
    campaign = page.campaigns.add_new()
    campaign.name.setText("평일 오후 2배")
    campaign.days[5].setChecked(False)
    campaign.days[6].setChecked(False)
    campaign.limit_hours.setChecked(True)
    assert page.save_button.isEnabled() and not page.error.isVisible()
    page.save_button.click()
    settle(qtbot, window)
    saved = program.program_in_force(window.ctx)
    assert saved.points.expiry_months == 24
    assert str(saved.tiers.levels[1].earn_percent) == "3.5"
    assert saved.campaigns[0].weekdays == frozenset(range(5))
    assert saved.campaigns[0].hours == (14, 17)
    newest = page.history.item(0, 2).text()
    assert page.history.item(0, 1).text() == "사장님"
    assert "소멸 기간 (개월): 12 → 24" in newest and "등급 2행 · 적립률 (%)" in newest
    shot(window.backoffice, "backoffice_program")

    # no day ticked is explained, not taken for every day
    for day in page.campaigns.editors[0].days:
        day.setChecked(False)
    assert not page.save_button.isEnabled() and "이벤트 1 · 요일" in page.error.text()


def test_program_template_applies(window, qtbot) -> None:
    page = _open(window, qtbot, "page.program")
    page.template_buttons["stamps"].click()
    assert page.tiers.rowCount() == 1 and page.tiers.cell(0, "earn_percent") == "0"
    assert "0P, 스탬프 +1" in page.example.text()
    page.save_button.click()
    settle(qtbot, window)
    assert [lv.earn_percent for lv in program.program_in_force(window.ctx).tiers.levels] == [0]


def test_store_profile_save_and_bad_business_number(window, qtbot, shot, tmp_path) -> None:
    page = _open(window, qtbot, "page.store")
    assert page.edits["name"].text() == "내 가게"
    before = snapshot(window.ctx)
    page.edits["business_number"].setText("123-45-67890")
    page.save_button.click()
    settle(qtbot, window)
    assert page.errors["business_number"].isVisible()
    assert "사업자등록번호" in page.errors["business_number"].text()
    assert snapshot(window.ctx) == before

    logo = tmp_path / "logo.png"
    image = QImage(200, 100, QImage.Format.Format_RGB32)
    image.fill(QColor("#d9480f"))
    image.save(str(logo))
    page.choose_logo = lambda: str(logo)
    page._pick_logo()
    assert page.logo_preview.pixmap() is not None and not page.logo_preview.pixmap().isNull()
    page.edits["name"].setText("단골 카페 망원점")
    page.edits["business_number"].setText("1234567891")
    page.edits["address"].setText("서울특별시 마포구 망원로 1")
    page.edits["phone"].setText("02-123-4567")
    page.slip_footer.setText("다음에 또 만나요")
    page.consent_marketing.setPlainText(page.consent_marketing.toPlainText() + " (2026 개정)")
    page.save_button.click()
    settle(qtbot, window)
    assert page.edits["business_number"].text() == "123-45-67891"
    with window.ctx.db.read() as session:
        row = session.get(Store, window.ctx.store_id)
        assert (row.name, row.business_number) == ("단골 카페 망원점", "1234567891")
    assert settings.setting(window.ctx, "logo_path") == str(logo)
    assert settings.setting(window.ctx, "consent_version") == "2"
    assert "버전 2" in page.consent_version.text()
    shot(window.backoffice, "backoffice_store")


def test_add_a_cashier_then_disable_and_reset_pin(window, qtbot, shot) -> None:
    page = _open(window, qtbot, "page.staff")
    page.new_name.setText("이알바")
    page.new_pin.setText("12")
    page.add_button.click()
    settle(qtbot, window)
    assert page.add_error.isVisible() and "4~8" in page.add_error.text()
    assert [m.name for m in staff.list_staff(window.ctx)] == ["사장님"]

    page.new_pin.setText("2580")
    page.add_button.click()
    settle(qtbot, window)
    cashier = next(m for m in page.members if m.name == "이알바")
    assert cashier.role == "cashier" and cashier.active
    page.select(cashier.id)
    page.toggle_button.click()
    settle(qtbot, window)
    assert "이알바" not in [m.name for m in staff.list_staff(window.ctx)]
    page.select(cashier.id)
    assert page.toggle_button.text() == "다시 사용"
    page.reset_pin.setText("1111")
    page.reset_pin_again.setText("2222")
    page.pin_button.click()
    assert page.pin_error.isVisible()
    page.reset_pin_again.setText("1111")
    page.pin_button.click()
    settle(qtbot, window)
    assert "PIN을 바꿨습니다" in page.message.text()
    shot(window.backoffice, "backoffice_staff")


def test_settings_are_saved(window, qtbot, shot) -> None:
    page = _open(window, qtbot, "page.settings")
    page.idle_minutes.setValue(25)
    page.void_window.setValue(30)
    page.printer_kind.setCurrentIndex(page.printer_kind.findData("escpos"))
    page.printer_width.setCurrentIndex(page.printer_width.findData(58))
    page.printer_device.setText("/dev/usb/lp0")
    page.auto_print.setChecked(True)
    page.phone_mask.setCurrentIndex(page.phone_mask.findData("last"))
    page.backup_keep.setValue(7)
    page.save_button.click()
    settle(qtbot, window)
    assert page.message.text() == "설정을 저장했습니다."
    value = lambda key: settings.setting(window.ctx, key)  # noqa: E731
    assert (value("idle_minutes"), value("void_window_minutes"), value("backup_keep")) == (
        25,
        30,
        7,
    )
    assert value("printer") == {"kind": "escpos", "width": 58, "device": "/dev/usb/lp0"}
    assert value("auto_print_slip") is True and value("phone_mask") == "last"
    shot(window.backoffice, "backoffice_settings")

    before = snapshot(window.ctx)
    page.backup_folder.setText("x" * 600)
    page.save_button.click()
    settle(qtbot, window)
    assert page.error.isVisible() and "backup_folder" in page.error.text()
    assert snapshot(window.ctx) == before


def test_backups_listed_made_and_restored(window, qtbot, shot) -> None:
    ctx = window.ctx
    enroll(ctx, "010-1234-5678")
    backup_schedule.daily_backup(ctx)
    page = _open(window, qtbot, "page.backups")
    assert page.table.rowCount() == 1 and page.table.item(0, 1).text() == "자동"
    assert page.table.item(0, 3).text() == "1"

    enroll(ctx, "010-2222-3333")
    page.backup_button.click()
    assert page.busy.isVisibleTo(page)
    settle(qtbot, window)
    assert not page.busy.isVisibleTo(page)
    assert page.table.rowCount() == 2 and page.table.item(0, 3).text() == "2"
    shot(window.backoffice, "backoffice_backups")

    asked: list[str] = []
    told: list[str] = []
    page.inform = told.append
    page.table.selectRow(1)  # the automatic one: a single customer
    page.restore_button.click()
    asked.append(
        answer(qtbot, page.dialogs, "restoreConfirm", accept=True, buttons=("복원", "닫기"))
    )
    settle(qtbot, window)
    assert "회원 1명" in asked[0] and "사라집니다" in asked[0]
    assert "로그아웃" in told[0]
    qtbot.waitUntil(lambda: window.backoffice is None, timeout=5000)
    assert window.stack.currentWidget() is window.signin
    assert snapshot(ctx)["customers"] == 1


def test_restore_needs_a_choice(window, qtbot) -> None:
    page = _open(window, qtbot, "page.backups")
    page.restore_button.click()
    assert page.error.isVisible() and "고르세요" in page.error.text()


def test_audit_filters_paging_and_verify(window, qtbot, shot) -> None:
    ctx = window.ctx
    cashier = staff.add_staff(ctx, "이알바", "cashier", "2580")
    for i in range(120):
        enroll(ctx, f"010-5555-{i:04d}")
    page = _open(window, qtbot, "page.audit")
    assert page.page_label.text() == "1 / 2 쪽 (모두 121건)"
    page.next.click()
    settle(qtbot, window)
    assert page.model.rowCount() == 21 and not page.next.isEnabled()

    page.action.setCurrentIndex(page.action.findData("staff"))
    page.search()
    settle(qtbot, window)
    assert page.model.rowCount() == 1
    assert page.model.data(page.model.index(0, 2)) == "직원 추가"
    assert page.model.data(page.model.index(0, 3)).startswith("이알바")
    assert page.model.data(page.model.index(0, 1)) == "사장님"

    page.action.setCurrentIndex(0)
    page.who.setCurrentIndex(page.who.findData(str(cashier.id)))
    page.search()
    settle(qtbot, window)
    assert page.model.rowCount() == 0
    page.who.setCurrentIndex(0)
    page.date_to.setDate(page.date_to.date().addDays(-2))
    page.search()
    settle(qtbot, window)
    assert page.model.rowCount() == 0  # everything happened today

    page.date_to.setDate(page.date_to.date().addDays(2))
    page.search()
    page.verify_button.click()
    settle(qtbot, window)
    assert "온전합니다" in page.verdict.text()
    shot(window.backoffice, "backoffice_audit")

    with ctx.db.write() as session:
        victim = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()[5]
        session.execute(
            update(AuditEntry)
            .where(AuditEntry.id == victim.id)
            .values(at=victim.at - timedelta(hours=1))
        )
    page.verify_button.click()
    settle(qtbot, window)
    assert "손상" in page.verdict.text() and str(victim.id) in page.verdict.text()
    shot(window.backoffice, "backoffice_audit_broken")
