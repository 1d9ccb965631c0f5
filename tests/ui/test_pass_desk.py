"""The passes at the counter (F12, 구독권): sell a plan with its POS payment number, pause,
resume, cancel with the pro-rata refund shown before confirming; refusals said in the dialog
in words with nothing written; the key hint names F10, F11 and F12."""

from __future__ import annotations

import io
import os
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from app.db.models import PassEventRow
from app.services import customers, passes, program, settings, wallet
from tests.services.helpers import snapshot
from tests.ui.conftest import settle
from tests.ui.test_screen_fit import check

PHONE = "010-1234-5678"
SHOTS = "build/screenshots/passdesk"
PLANS = [
    {
        "code": "AM30",
        "name": "아메리카노 30일",
        "price": 39_000,
        "days": 30,
        "benefit": "free_item",
        "items": ["아메리카노"],
        "uses_per_day": 1,
        "refund": "pro_rata",
    },
    {
        "code": "LT10",
        "name": "라떼 할인 월권",
        "price": 9_900,
        "days": 30,
        "benefit": "percent_off",
        "percent": 10,
        "items": ["카페라떼"],
        "uses_per_day": 2,
        "hours": [7, 11],
        "refund": "none",
    },
]


@pytest.fixture
def desk(app, sqlite_ctx, qtbot):
    """The counter of a shop whose program has both plans and a cashback wallet."""
    from app.services.program import program_in_force
    from app.ui.main_window import MainWindow

    document = program.show_program(sqlite_ctx)
    document["passes"] = PLANS
    document["cashback"] = {"percent": {"BASIC": 5}, "prepaid_limit": 100_000}
    program.load_program(sqlite_ctx, document)
    sqlite_ctx.fixed_now = None
    win = MainWindow(sqlite_ctx, "단골 카페", program_in_force(sqlite_ctx), require_sign_in=False)
    qtbot.addWidget(win)
    win.show()
    win.activateWindow()
    qtbot.waitActive(win)
    yield win
    win.close()


def _save(widget, name: str) -> None:
    os.makedirs(SHOTS, exist_ok=True)  # the screenshots people look at (not in the repository)
    QApplication.processEvents()
    widget.grab().save(f"{SHOTS}/{name}.png")


def _open(win, qtbot):
    win.activateWindow()  # the closed dialog gave the focus back (a window manager's job)
    qtbot.waitUntil(win.isActiveWindow, timeout=5_000)
    QTest.keyClick(win.counter.search, Qt.Key.Key_F12)
    dialog = win.counter.dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def _submit(win, qtbot, dialog) -> None:
    dialog.accept_button.click()
    settle(qtbot, win)


class Recorder:
    """Takes the slips the counter hands to its printer (the PDF itself, read back)."""

    def __init__(self) -> None:
        self.delivered: list[tuple[bytes, object, bool]] = []

    def deliver(self, document: bytes, settings: object, *, automatic: bool) -> None:
        self.delivered.append((document, settings, automatic))

    def last_text(self) -> str:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(self.delivered[-1][0]))
        return "".join(page.extract_text() for page in reader.pages)


def test_sell_pause_resume_cancel_at_the_counter(desk, qtbot) -> None:
    win = desk
    ctx, counter = win.ctx, win.counter
    settings.update_settings(
        ctx, auto_print_slip=True, printer={"kind": "pdf", "width": 80, "device": ""}
    )
    printer = Recorder()
    counter.slip_printer = printer  # type: ignore[assignment]
    member = customers.enroll(ctx, PHONE, name="김민준")
    wallet.topup(ctx, member.id, 20_000, "CARD-1")
    counter.lookup(PHONE)
    settle(qtbot, win)
    hint = counter.hint.text()
    assert "F10 지갑" in hint and "F11 구독권 사용" in hint and "F12 구독권" in hint
    panel = counter.panel
    assert panel.pass_desk.isVisible() and not panel.passes.isVisible()

    # sell: the plan's price and terms in words; the POS payment number is required
    dialog = _open(win, qtbot)
    assert dialog.terms.text() == (
        "39,000원 · 30일 · 아메리카노 무료 · 하루 1회 · 해지하면 남은 일수만큼 환불"
    )
    assert dialog.accept_button.text() == "39,000원 구독권 판매"
    dialog.plan_box.setCurrentIndex(1)
    assert dialog.terms.text() == (
        "9,900원 · 30일 · 카페라떼 10% 할인 · 하루 2회 · 7시-11시 · 해지해도 환불 없음"
    )
    dialog.plan_box.setCurrentIndex(0)
    _save(dialog, "dialog-sell")
    check(dialog, (1024, 600), "pass dialog (sell)")
    _save(dialog, "dialog-sell-1024x600")
    before = snapshot(ctx)
    _submit(win, qtbot, dialog)
    assert dialog.isVisible() and dialog.error.text() == "POS에서 결제한 번호를 입력하세요."
    assert snapshot(ctx) == before
    dialog.ref_edit.setText("POS-77")
    _submit(win, qtbot, dialog)
    assert counter.dialog is None
    qtbot.waitUntil(lambda: "아메리카노 30일" in panel.passes.text(), timeout=10_000)
    assert counter.message.text() == "구독권 판매: 아메리카노 30일 (39,000원)"
    (held,) = passes.member_passes(ctx, member.id, open_only=True)
    assert (held.plan_code, held.pos_ref, held.paid) == ("AM30", "POS-77", 39_000)
    settle(qtbot, win)
    assert len(printer.delivered) == 1 and printer.delivered[0][2] is True
    slip = printer.last_text()
    assert "아메리카노 30일" in slip and "39,000" in slip, slip
    _save(win, "counter-pass-and-wallet")
    assert panel.wallet.text() == "적립금 0원 · 선불 20,000원"
    win.resize(1024, 600)
    check(win, (1024, 600), "counter with a pass and the wallet")
    _save(win, "counter-pass-and-wallet-1024x600")
    win.resize(1280, 800)

    # a second pass of the same plan: the service refuses, said in the dialog, nothing written
    dialog = _open(win, qtbot)
    dialog.set_mode("sell")
    dialog.ref_edit.setText("POS-78")
    before = snapshot(ctx)
    _submit(win, qtbot, dialog)
    assert dialog.isVisible() and "이미 사용 중인 '아메리카노 30일' 구독권" in dialog.error.text()
    assert snapshot(ctx) == before
    check(dialog, (1024, 600), "pass dialog (refused)")
    _save(dialog, "dialog-sell-refused")
    dialog.close_button.click()
    settle(qtbot, win)
    assert counter.dialog is None

    # pause, then resume
    dialog = _open(win, qtbot)
    dialog.set_mode("pause")
    _submit(win, qtbot, dialog)
    qtbot.waitUntil(lambda: "일시정지" in panel.passes.text(), timeout=10_000)
    assert counter.message.text() == "구독권 일시정지: 아메리카노 30일"
    assert not panel.pass_use.isEnabled()
    dialog = _open(win, qtbot)
    dialog.set_mode("pause")
    _submit(win, qtbot, dialog)  # already paused: said before anything is sent
    assert dialog.isVisible() and dialog.error.text() == "이미 일시정지 중인 구독권입니다."
    dialog.set_mode("resume")
    _submit(win, qtbot, dialog)
    qtbot.waitUntil(lambda: "오늘 0/1회 사용" in panel.passes.text(), timeout=10_000)
    assert counter.message.text().startswith("구독권 다시 시작: 아메리카노 30일 · ")

    # cancel: the pro-rata refund shown before confirming; its refund number required
    (held,) = passes.member_passes(ctx, member.id, open_only=True)
    today = ctx.local_date(ctx.now())
    left = min(held.days, (held.end - today).days)
    expected = 39_000 * left // 30
    assert 0 < expected < 39_000
    dialog = _open(win, qtbot)
    dialog.set_mode("cancel")
    assert dialog.note.text() == f"지금 해지하면 {expected:,}원 환불합니다 (남은 {left}일 / 30일)."
    assert dialog.accept_button.text() == f"해지하고 {expected:,}원 환불"
    _save(dialog, "dialog-cancel")
    check(dialog, (1024, 600), "pass dialog (cancel)")
    _save(dialog, "dialog-cancel-1024x600")
    before = snapshot(ctx)
    _submit(win, qtbot, dialog)
    assert dialog.isVisible() and dialog.error.text() == "POS에서 환불한 번호를 입력하세요."
    assert snapshot(ctx) == before
    dialog.ref_edit.setText("RF-9")
    _submit(win, qtbot, dialog)
    qtbot.waitUntil(lambda: not panel.passes.isVisible(), timeout=10_000)
    assert counter.message.text() == f"구독권 해지: 아메리카노 30일 · {expected:,}원 환불하세요"
    with ctx.db.read() as session:
        refunds = session.execute(
            select(PassEventRow.amount, PassEventRow.ref).where(PassEventRow.kind == "refunded")
        ).all()
    assert [(int(a), r) for a, r in refunds] == [(expected, "RF-9")]
    settle(qtbot, win)
    assert len(printer.delivered) == 4  # sold, paused, resumed, cancelled
    assert f"{expected:,}" in printer.last_text()
    assert panel.pass_desk.isVisible()  # plans to sell: the key stays
    _save(win, "counter-after-cancel")


def test_without_plans_or_wallet_the_hint_is_as_before(window, qtbot) -> None:
    from app.ui.text import t

    counter = window.counter
    assert counter.hint.text() == t("search.hint")
    customers.enroll(window.ctx, PHONE)
    counter.lookup(PHONE)
    settle(qtbot, window)
    assert not counter.panel.pass_desk.isVisible()
    QTest.keyClick(counter.search, Qt.Key.Key_F12)
    assert counter.dialog is None


def test_the_pass_dialog_in_english_fits_the_small_screen(app, qtbot) -> None:
    from app.domain.program import Program
    from app.ui.pass_dialog import PassDialog
    from app.ui.text import set_language

    document = program.program_template("points")
    document["passes"] = PLANS
    plans = Program.from_json(document).passes
    set_language("en")
    try:
        dialog = PassDialog(plans, [], date(2026, 3, 12))
        qtbot.addWidget(dialog)
        dialog.show()
        assert dialog.terms.text() == (
            "₩39,000 · 30 days · free 아메리카노 · 1 a day · refund of the days left on cancel"
        )
        assert not dialog.mode_buttons["cancel"].isEnabled()  # no pass to cancel
        dialog.accept_button.click()
        assert dialog.error.text() == "Type the number of the payment made at the POS."
        check(dialog, (1024, 600), "pass dialog (en)")
        _save(dialog, "dialog-sell-en")
    finally:
        set_language("ko")
