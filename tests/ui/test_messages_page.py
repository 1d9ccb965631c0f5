"""The back office's Messages page on a real SQLite shop whose messages went through the real
outbox against the Solapi stand-in on 127.0.0.1: one in each status, the log's words for each,
the filters and the month's cost, the triggers, the rules, the two-yearly notice, the state
without a provider and its setup dialog; both languages, screenshots in /work/shots/msgpage."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from app.domain.errors import Refused
from app.services import customers, messages, owner, sales
from app.ui import text
from app.ui.text import refusal
from tests.conftest import START
from tests.messaging.solapi_standin import SolapiStandIn

SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots" / "messages"
SIZES = ((1280, 800), (1024, 700))
NIGHT = datetime(2026, 3, 15, 13, 30, tzinfo=UTC)  # 22:30 in Seoul


class CarrierStandIn(SolapiStandIn):
    """The stand-in, with phones the carrier cannot reach: it takes their messages, then
    reports them failed (3059) when asked, as Solapi reports a carrier's failure."""

    def __init__(self) -> None:
        super().__init__()
        self.unreachable: set[str] = set()

    def send_many(self, body: dict[str, Any]) -> dict[str, Any]:
        answer = super().send_many(body)
        for taken in answer["messageList"]:
            stored = next(m for m in self.accepted if m["messageId"] == taken["messageId"])
            if stored["to"] in self.unreachable:
                self.report(taken["messageId"], "3059")
        return answer


@pytest.fixture
def standin() -> Iterator[CarrierStandIn]:
    api = CarrierStandIn().start()
    yield api
    api.stop()


@pytest.fixture
def keyless(monkeypatch: pytest.MonkeyPatch) -> None:
    """No OS keyring touched by the tests: the secret is kept in the process."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.delenv("DANGOL_SOLAPI_SECRET", raising=False)


def enroll(ctx: Any, phone: str, name: str, **kw: Any) -> Any:
    return customers.enroll(ctx, phone, name=name, **kw).id


def winback_ad(ctx: Any, who: Any) -> None:
    """A win-back coupon and its advertisement, queued as the win-back does."""
    with ctx.db.write() as session:
        coupon = owner.add_coupon(ctx, session, who, "amount", 2000, 14, "winback", ctx.now())
        messages.queue_chosen(
            ctx,
            session,
            who,
            "winback",
            {"쿠폰": coupon.code, "기한": "3월 26일"},
            key=f"winback:{coupon.code}",
        )


@pytest.fixture
def outbox_shop(sqlite_ctx: Any, standin: CarrierStandIn, keyless: None) -> Any:
    """Messages in every status, each reached the way the outbox reaches it: delivered by
    알림톡, delivered by SMS instead (the 알림톡 refused), failed (the carrier's report),
    refused (no ad consent), held (an ad at night), queued (not sent yet)."""
    ctx = sqlite_ctx
    ctx.fixed_now = START - timedelta(days=760)  # the first consent: over two years ago
    old = enroll(ctx, "010-1111-0001", "김오래", marketing_consent=True)
    ctx.fixed_now = START
    messages.setup_provider(ctx, "KEY", "SECRET", "02-123-4567", pf_id="PF1", base_url=standin.url)
    # the receipt's template, registered and approved at the provider by hand
    registered = standin.create_template({"channelId": "PF1", "name": "receipt"})
    standin.review(registered["templateId"], True)
    messages.set_trigger(ctx, "points_earned", template_id=registered["templateId"])
    messages.set_rules(ctx, optout="080-123-4567")
    sales.record_sale(ctx, old, 12_000)  # by 알림톡
    messages.send_due(ctx)
    standin.refuse_templates = {registered["templateId"]}
    sales.record_sale(ctx, enroll(ctx, "010-1111-0002", "이대체"), 12_000)  # SMS instead
    messages.send_due(ctx)
    standin.refuse_templates = set()
    standin.unreachable = {"01011110005"}
    sales.record_sale(ctx, enroll(ctx, "010-1111-0005", "정실패"), 12_000)
    messages.send_due(ctx)  # taken, then reported failed by the carrier
    winback_ad(ctx, enroll(ctx, "010-1111-0003", "박거부"))  # no ad consent: refused
    messages.send_due(ctx)
    ctx.fixed_now = NIGHT
    winback_ad(ctx, enroll(ctx, "010-1111-0004", "최야간", marketing_consent=True))
    messages.send_due(ctx)  # no night consent: held until 08:00
    sales.record_sale(ctx, enroll(ctx, "010-1111-0006", "한대기"), 12_000)  # queued
    statuses = sorted(m.message.status for m in messages.month_log(ctx, "2026-03").rows)
    assert statuses == ["failed", "fell_back", "held", "queued", "refused", "sent"]
    return ctx


def office(ctx: Any, qtbot: Any) -> Any:
    from app.ui.backoffice.window import BackOfficeWindow
    from app.ui.tasks import ServiceRunner

    runner = ServiceRunner()
    win = BackOfficeWindow(ctx, runner, "단골 카페")
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    qtbot.waitExposed(win)
    return win


def settle(qtbot: Any, win: Any) -> None:
    qtbot.waitUntil(lambda: win.runner.idle, timeout=10_000)


def messages_page(ctx: Any, qtbot: Any) -> tuple[Any, Any]:
    win = office(ctx, qtbot)
    page = win.page("page.messages")
    settle(qtbot, win)
    return win, page


def shoot(win: Any, name: str, *, lower: bool = False) -> None:
    """The window at both sizes the brief asks for (`lower`: the page scrolled down too)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    scroll = win.tabs.currentWidget().verticalScrollBar()
    for width, height in SIZES:
        win.resize(width, height)
        QApplication.processEvents()
        scroll.setValue(0)
        assert win.grab().save(str(SHOTS / f"{name}-{width}x{height}.png"))
        if lower:
            scroll.setValue(scroll.maximum())
            QApplication.processEvents()
            assert win.grab().save(str(SHOTS / f"{name}-lower-{width}x{height}.png"))
            scroll.setValue(0)
    win.resize(1280, 800)
    QApplication.processEvents()


def open_tab(page: Any, name: str) -> None:
    """Show the page's tab whose widget is named `name` (triggersTab, templatesTab, ...)."""
    for index in range(page.tabs.count()):
        if page.tabs.widget(index).objectName() == name:
            page.tabs.setCurrentIndex(index)
            QApplication.processEvents()
            return
    raise AssertionError(name)


def cells(table: Any, column: int) -> list[str]:
    return [table.item(r, column).text() for r in range(table.rowCount())]


def stop(win: Any) -> None:
    win.close()
    win.runner.stop()


# --- the log ------------------------------------------------------------------------------


def test_the_log_says_each_result_in_words_with_the_months_cost(
    app: Any, outbox_shop: Any, qtbot: Any
) -> None:
    ctx = outbox_shop
    win, page = messages_page(ctx, qtbot)
    try:
        open_tab(page, "logTab")
        assert page.month.currentData() == "2026-03"
        assert page.log_table.rowCount() == 6
        results = cells(page.log_table, 5)
        assert "전달됨" in results
        assert "알림톡 대신 문자로 전달됨" in results
        assert "보내지 않음: 이 채널의 광고 수신 동의 없음" in results
        assert "03-16 08:00까지 보류: 야간 광고 동의 없음" in results
        assert "실패: 3059: 전송 실패" in results
        assert any(r.startswith("대기 중 (") for r in results)
        members = cells(page.log_table, 1)
        assert "010-****-0001" in members and all("****" in m for m in members)
        assert set(cells(page.log_table, 3)) == {"카카오 알림톡", "문자(SMS/LMS)"}
        assert set(cells(page.log_table, 4)) == {"정보성", "광고성"}
        log = page.log
        assert log is not None and log.cost_won == messages.month_cost(ctx, "2026-03") > 0
        assert log.counts == {
            "sent": 1,
            "fell_back": 1,
            "refused": 1,
            "held": 1,
            "failed": 1,
            "queued": 1,
        }
        summary = page.log_summary.text()
        assert summary.startswith(f"2026-03: 6건 · 비용 {log.cost_won:,}원 · 대기 1 · 보류 1")
        assert "실패 1" in summary and "보류 1" in summary
        shoot(win, "log-ko")

        page.status.setCurrentIndex(page.status.findData("failed"))
        settle(qtbot, win)
        assert cells(page.log_table, 5) == ["실패: 3059: 전송 실패"]
        assert cells(page.log_table, 1) == ["010-****-0005"]
        assert "6건" in page.log_summary.text()  # the month's totals, whatever the filter
        shoot(win, "log-failed-ko")

        page.month.setCurrentIndex(page.month.findData("2026-02"))
        settle(qtbot, win)
        assert page.log_table.rowCount() == 0
        assert page.log_empty.text() == "이 달에 이 상태의 메시지가 없습니다."
        assert page.log_summary.text() == "2026-02: 0건 · 비용 0원"
        page.month.setCurrentIndex(page.month.findData("2026-03"))
        page.status.setCurrentIndex(page.status.findData("queued"))
        settle(qtbot, win)
        assert page.log_table.rowCount() == 1
        sales.record_sale(ctx, enroll(ctx, "010-1111-0007", "새대기"), 12_000)  # meanwhile
        page.log_refresh.click()
        settle(qtbot, win)
        assert page.log_table.rowCount() == 2  # read again
    finally:
        stop(win)


def test_a_bad_month_or_status_is_refused_in_words(outbox_shop: Any) -> None:
    for month in ("2026-13", "march"):
        with pytest.raises(Refused) as refused:
            messages.month_log(outbox_shop, month)
        assert refused.value.code == "msgpage.month_invalid"
        assert refusal(refused.value) == f"월 형식이 아닙니다: ‘{month}’. 예: 2026-03"
    with pytest.raises(Refused) as refused:
        messages.month_log(outbox_shop, "2026-03", "lost")
    assert refused.value.code == "msgpage.status_invalid"


def test_the_month_is_the_shops_month(outbox_shop: Any) -> None:
    """A message sent at 00:30 on April 1st in Seoul (15:30 UTC on March 31st) is April's."""
    ctx = outbox_shop
    ctx.fixed_now = datetime(2026, 3, 31, 15, 30, tzinfo=UTC)
    sales.record_sale(ctx, enroll(ctx, "010-1111-0009", "사월"), 12_000)
    assert len(messages.month_log(ctx, "2026-04").rows) == 1
    assert len(messages.month_log(ctx, "2026-03").rows) == 6


# --- the triggers, the rules, the notice ------------------------------------------------------


def test_triggers_turn_on_and_off_and_rules_are_checked(
    app: Any, outbox_shop: Any, qtbot: Any
) -> None:
    ctx = outbox_shop
    win, page = messages_page(ctx, qtbot)
    try:
        assert list(page.switches)[:5] == [
            "points_earned",
            "stamp_ready",
            "coupon_issued",
            "points_expiring_30",
            "points_expiring_7",
        ]
        birthday = page.switches["birthday"]
        assert not birthday.isChecked() and birthday.text() == "생일 쿠폰(광고)"
        assert page.provider_title.text() == "Solapi 연결됨 · 발신번호 021234567"
        shoot(win, "triggers-ko", lower=True)
        birthday.click()
        settle(qtbot, win)
        assert messages.trigger(ctx, "birthday")["on"] is True
        assert page.message.text() == "‘생일 쿠폰(광고)’ 알림을 켰습니다."
        page.switches["points_earned"].click()
        settle(qtbot, win)
        assert messages.trigger(ctx, "points_earned")["on"] is False

        assert page.optout.text() == "080-123-4567"
        page.optout.setText("010-1234-5678")
        page.rules_button.click()
        settle(qtbot, win)
        assert page.rules_error.isVisible()
        assert "무료 수신거부 번호가 아닙니다" in page.rules_error.text()
        assert messages.rules(ctx)["optout"] == "080-123-4567"  # nothing changed
        page.optout.setText("080-999-0000")
        page.quiet.setText("22:00-09:00")
        page.rules_button.click()
        settle(qtbot, win)
        assert not page.rules_error.isVisible()
        assert messages.rules(ctx)["optout"] == "080-999-0000"
        assert messages.rules(ctx)["quiet"] == "22:00-09:00"

        # what an informational trigger does while its 알림톡 template is not approved
        assert page.unapproved.currentData() == "fallback"
        assert page.unapproved.currentText() == "문자로 대신 보내기"
        page.unapproved.setCurrentIndex(page.unapproved.findData("hold"))
        page.rules_button.click()
        settle(qtbot, win)
        assert not page.rules_error.isVisible()
        assert messages.rules(ctx)["unapproved"] == "hold"
        assert page.unapproved.currentText() == "승인될 때까지 보류"
        assert messages.rules(ctx)["optout"] == "080-999-0000"  # the others as they were
        shoot(win, "rules-unapproved-ko", lower=True)
        assert page.unapproved.parentWidget().grab().save(str(SHOTS / "rules-box-ko.png"))
        win2, page2 = messages_page(ctx, qtbot)  # shown as stored when the page opens
        try:
            assert page2.unapproved.currentData() == "hold"
        finally:
            stop(win2)
    finally:
        stop(win)


def test_a_cashier_cannot_turn_a_trigger_on(app: Any, outbox_shop: Any, qtbot: Any) -> None:
    from app.services import staff

    ctx = outbox_shop
    cashier = staff.add_staff(ctx, "이알바", "cashier", "1234")
    win, page = messages_page(ctx, qtbot)
    try:
        ctx.staff_id, ctx.staff_role = cashier.id, "cashier"
        page.switches["birthday"].click()
        settle(qtbot, win)
        assert not page.switches["birthday"].isChecked()  # put back as it is
        assert page.trigger_error.isVisible() and page.trigger_error.text()
        assert messages.trigger(ctx, "birthday")["on"] is False
    finally:
        stop(win)


def test_who_is_due_the_two_yearly_notice(app: Any, outbox_shop: Any, qtbot: Any) -> None:
    win, page = messages_page(outbox_shop, qtbot)
    try:
        open_tab(page, "noticeTab")
        assert page.notice_table.rowCount() == 1
        row = [page.notice_table.item(0, c).text() for c in range(5)]
        assert row[0] == "010-****-0001"
        assert row[2] == "2024-02-11"  # consented 760 days before March 12th, 2026
        assert row[1] == "2026-02-11"
        assert row[3] == "안내한 적 없음"
        assert row[4] == "문자(SMS/LMS)"
        assert page.notice_summary.text() == "안내할 회원 1명 (기한 지남 1명)"
        shoot(win, "notice-ko")
    finally:
        stop(win)


# --- no provider yet ------------------------------------------------------------------------


def test_without_a_provider_it_says_so_and_the_dialog_connects(
    app: Any, sqlite_ctx: Any, qtbot: Any, keyless: None
) -> None:
    ctx = sqlite_ctx
    win, page = messages_page(ctx, qtbot)
    try:
        assert page.provider_title.text() == "문자 서비스가 연결되지 않았습니다"
        assert "아래 명령" in page.provider_how.text()
        assert page.setup_command.text().startswith("dangol messages setup --api-key")
        assert page.log_empty.text() == "이 달에 이 상태의 메시지가 없습니다."
        assert page.notice_summary.text() == "지금 동의 확인 안내를 받을 회원이 없습니다."
        shoot(win, "no-provider-ko")
        page.setup_button.click()
        dialog = page.dialog
        assert dialog is not None and dialog.isVisible()
        dialog.api_key.setText("KEY")
        dialog.secret.setText("SECRET")
        dialog.sender_number.setText("12")
        dialog.save_button.click()
        settle(qtbot, win)
        assert dialog.isVisible() and dialog.error.isVisible()
        # the sentence is messages.sender_invalid's (its particle doubles the value today)
        assert "발신번호로 쓸 수 없습니다" in dialog.error.text()
        assert not messages.configured(ctx)
        QApplication.processEvents()
        assert dialog.grab().save(str(SHOTS / "setup-dialog-refused-ko.png"))
        dialog.sender_number.setText("02-123-4567")
        dialog.save_button.click()
        settle(qtbot, win)
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5_000)
        settle(qtbot, win)
        assert messages.configured(ctx)
        assert page.provider_title.text() == "Solapi 연결됨 · 발신번호 021234567"
        assert page.message.text() == "문자 서비스를 연결했습니다."
        assert dialog.secret.text() == ""
        shoot(win, "connected-ko")
    finally:
        stop(win)


def test_a_provider_whose_secret_is_gone_is_said(
    app: Any, sqlite_ctx: Any, qtbot: Any, keyless: None
) -> None:
    from app.messaging import credentials

    ctx = sqlite_ctx
    messages.setup_provider(ctx, "GONE", "SECRET", "02-123-4567")
    credentials._given.pop("solapi:GONE")  # another PC: the settings came, the secret did not
    win, page = messages_page(ctx, qtbot)
    try:
        assert page.provider_title.text() == "문자 서비스의 API 시크릿을 이 PC에서 찾을 수 없습니다"
        assert page.setup_button.text() == "다시 연결"
        shoot(win, "no-secret-ko")
    finally:
        stop(win)


# --- English --------------------------------------------------------------------------------


def test_the_page_in_english(app: Any, outbox_shop: Any, qtbot: Any) -> None:
    text.set_language("en")
    try:
        win, page = messages_page(outbox_shop, qtbot)
        try:
            assert page.tabs.tabText(0) == "Triggers"
            assert page.provider_title.text() == "Solapi connected · sender number 021234567"
            shoot(win, "triggers-en")
            open_tab(page, "logTab")
            results = cells(page.log_table, 5)
            assert "Delivered" in results and "Delivered by text instead of AlimTalk" in results
            assert any(r.startswith("Not sent: ") for r in results)
            assert "Failed: 3059: 전송 실패" in results
            assert page.log_summary.text().startswith("2026-03: 6 messages · cost ")
            shoot(win, "log-en")
            open_tab(page, "noticeTab")
            assert page.notice_summary.text() == "Members due: 1 (1 overdue)"
            shoot(win, "notice-en")
            open_tab(page, "templatesTab")
            page.templates.select("points_earned")
            assert page.templates.table.item(0, 2).text() == "Approved"
            assert page.templates.table.item(0, 3).text() == "AlimTalk"
            shoot(win, "templates-en", lower=True)
            tab = page.templates
            assert tab.form.labelForField(tab.category).text() == "Category code"
            page.templates.select("stamp_ready")  # no category yet: refused in English
            tab.submit_button.click()
            settle(qtbot, win)
            assert "no Kakao category code" in tab.error.text()
            assert tab.grab().save(str(SHOTS / "templates-no-category-en.png"))
            open_tab(page, "triggersTab")
            assert page.unapproved.currentText() == "Send the text message instead"
            assert page.unapproved.parentWidget().grab().save(str(SHOTS / "rules-box-en.png"))
        finally:
            stop(win)
    finally:
        text.set_language("ko")


# --- the templates --------------------------------------------------------------------------


def test_templates_are_listed_edited_with_the_checks_refusals_submitted_and_reviewed(
    app: Any, outbox_shop: Any, standin: CarrierStandIn, qtbot: Any
) -> None:
    from app.services import message_templates

    ctx = outbox_shop
    win, page = messages_page(ctx, qtbot)
    try:
        open_tab(page, "templatesTab")
        tab = page.templates
        kinds = [tab.table.item(r, 0).text() for r in range(tab.table.rowCount())]
        assert kinds[0] == "포인트 적립 안내" and len(kinds) == len(tab.views) == 11  # pass_renewal
        status = {v.kind: tab.table.item(r, 2).text() for r, v in enumerate(tab.views)}
        assert status["points_earned"] == "승인"  # its approved id, set up by hand
        assert status["coupon_issued"] == "작성 중 (검수 요청 전)"
        assert status["winback"] == "검수 없음 (광고는 문자로만)"
        assert not tab.editor.isEnabled()

        tab.select("coupon_issued")
        assert tab.editor.isEnabled() and tab.submit_button.isEnabled()
        assert "#{쿠폰}" in tab.variables.text()
        before = message_templates.get(ctx, "coupon_issued")
        tab.text.setPlainText(before.text + "\n이번 주 특가 세일!")
        tab.save_button.click()
        settle(qtbot, win)
        assert tab.error.isVisible()
        assert "특가" in tab.error.text() or "광고" in tab.error.text()
        assert message_templates.get(ctx, "coupon_issued") == before  # nothing changed
        shoot(win, "templates-refused-ko", lower=True)

        tab.text.setPlainText(before.text)
        tab.buttons.cellWidget(0, 0).setCurrentIndex(1)  # 웹링크, with no link
        tab.buttons.item(0, 1).setText("쿠폰 보기")
        tab.save_button.click()
        settle(qtbot, win)
        assert tab.error.isVisible() and message_templates.get(ctx, "coupon_issued") == before
        tab.buttons.item(0, 2).setText("https://shop.example/coupon")
        tab.save_button.click()
        settle(qtbot, win)
        assert not tab.error.isVisible(), tab.error.text()
        saved = message_templates.get(ctx, "coupon_issued")
        assert [(b.type, b.name) for b in saved.buttons] == [("WL", "쿠폰 보기")]
        assert tab.message.text() == "템플릿을 저장했습니다."

        # Kakao's category code: without one the submission is refused before the provider
        held_before = dict(standin.templates)
        tab.submit_button.click()
        settle(qtbot, win)
        assert tab.error.isVisible() and "카테고리 코드가 없어" in tab.error.text()
        assert standin.templates == held_before  # nothing reached the provider
        assert message_templates.get(ctx, "coupon_issued").status == "draft"
        shoot(win, "templates-no-category-ko", lower=True)
        tab.category.setText("12ab")
        tab.save_button.click()
        settle(qtbot, win)
        assert tab.error.isVisible() and "숫자 여섯 자리" in tab.error.text()
        assert message_templates.get(ctx, "coupon_issued").category is None
        tab.category.setText("004001")
        tab.save_button.click()
        settle(qtbot, win)
        assert not tab.error.isVisible(), tab.error.text()
        assert message_templates.get(ctx, "coupon_issued").category == "004001"

        tab.submit_button.click()
        settle(qtbot, win)
        assert not tab.error.isVisible(), tab.error.text()
        assert tab.current is not None and tab.current.status == "inspecting"
        assert standin.templates[tab.current.provider_template_id or ""]["categoryCode"] == (
            "004001"
        )
        assert tab.table.item(2, 2).text() == "검수 중"
        assert not tab.submit_button.isEnabled()  # under review: not twice
        template_id = tab.current.provider_template_id
        standin.review(template_id, False, "버튼 링크가 채널 정보와 다릅니다")
        tab.refresh_button.click()
        settle(qtbot, win)
        assert tab.table.item(2, 2).text() == "반려: 버튼 링크가 채널 정보와 다릅니다", (
            tab.message.text()
        )
        assert tab.submit_button.isEnabled()  # rejected: may be fixed and sent again
        shoot(win, "templates-rejected-ko")
        tab.submit_button.click()
        settle(qtbot, win)
        assert tab.current is not None and tab.current.status == "inspecting"
        standin.review(tab.current.provider_template_id or template_id, True)
        tab.refresh_button.click()
        settle(qtbot, win)
        assert tab.table.item(2, 2).text() == "승인"
        assert tab.table.item(2, 3).text() == "알림톡"
        assert message_templates.get(ctx, "coupon_issued").sends_as == "alimtalk"
        shoot(win, "templates-approved-ko", lower=True)

        tab.preview_phone.setText("010-1111-0001")
        tab.preview_button.click()
        settle(qtbot, win)
        shown = tab.preview_text.text()
        assert shown.startswith("받는 사람: 010-****-0001"), tab.preview_error.text()
        assert "김오래님께 쿠폰이 발급되었습니다" in shown and "[문자 · " in shown
        shoot(win, "templates-preview-ko", lower=True)
        tab.preview_phone.setText("010-9999-9999")
        tab.preview_button.click()
        settle(qtbot, win)
        assert tab.preview_error.isVisible() and tab.preview_text.text() == ""

        tab.select("winback")  # an advertisement: its text message only, never reviewed
        assert not tab.submit_button.isVisible()
        assert not tab.text.isVisible() and tab.fallback.isVisible()
        shoot(win, "templates-ad-ko", lower=True)
    finally:
        stop(win)


def test_a_template_unknown_at_the_provider_is_shown_while_the_others_refresh(
    app: Any, outbox_shop: Any, standin: CarrierStandIn, qtbot: Any
) -> None:
    from app.services import message_templates

    ctx = outbox_shop
    message_templates.set_template(ctx, "coupon_issued", category="004001")
    coupon = message_templates.submit(ctx, "coupon_issued").provider_template_id
    earned = message_templates.get(ctx, "points_earned").provider_template_id
    assert coupon and earned
    del standin.templates[earned]  # deleted in the provider's console
    standin.review(coupon, True)
    win, page = messages_page(ctx, qtbot)
    try:
        open_tab(page, "templatesTab")
        tab = page.templates
        tab.refresh_button.click()
        settle(qtbot, win)
        status = {v.kind: tab.table.item(r, 2).text() for r, v in enumerate(tab.views)}
        assert status["points_earned"] == "솔라피에 없음 (다시 제출하세요)", tab.message.text()
        assert status["coupon_issued"] == "승인"  # refreshed after the unknown one
        assert tab.message.text() == "검수 중인 템플릿 2개의 상태를 확인했습니다."
        shoot(win, "templates-missing-ko")
        tab.select("points_earned")
        assert tab.submit_button.isEnabled()  # may be submitted anew
    finally:
        stop(win)


def test_the_consent_notice_cannot_be_turned_off(app: Any, outbox_shop: Any, qtbot: Any) -> None:
    win, page = messages_page(outbox_shop, qtbot)
    try:
        switch = page.switches["consent_notice"]
        assert switch.isChecked() and not switch.isEnabled()
        assert "법으로" in switch.toolTip()
    finally:
        stop(win)


def test_an_unreachable_provider_is_said_in_words() -> None:
    from app.ui.backoffice.messages_page import reason_text

    assert (
        reason_text("unreachable: [Errno 111] Connection refused") == "발송 서비스가 응답하지 않음"
    )
    assert reason_text("night_hold") == "야간 광고 동의 없음"
    assert reason_text("no_ad_consent") == "이 채널의 광고 수신 동의 없음"
    assert reason_text("3059: 전송 실패") == "3059: 전송 실패"  # the provider's own words
