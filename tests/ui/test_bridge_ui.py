"""Issue 14 at the counter and in the back office: the app runs the POS API itself (a real
socket, httpx), pending POS sales wait on the counter until one press gives a member the
points, a lapsed one goes away, a refund below zero is shown, the POS settings and the tokens
page. Screenshots in build/screenshots/bridge/ (both languages, 1024×600 too)."""

from __future__ import annotations

import socket
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from app.domain.errors import Refused
from app.domain.redemption import max_redeemable
from app.services import customers, pos, program, settings, tokens
from app.services.program import program_in_force
from app.ui.text import set_language
from tests.services.helpers import snapshot
from tests.ui.conftest import settle
from tests.ui.counter_help import shot

PHONE = "010-1234-5678"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def two_percent(ctx) -> None:
    document = program.show_program(ctx)
    for level in document["tiers"]["levels"]:
        level["earn_percent"] = "2"
    document["campaigns"] = []
    program.load_program(ctx, document)


@pytest.fixture(params=["ko"])
def lang(request, app):
    set_language(request.param)
    yield request.param
    set_language("ko")


def open_window(ctx, qtbot):
    from app.ui.main_window import MainWindow

    win = MainWindow(ctx, "단골 카페", program_in_force(ctx), require_sign_in=False)
    qtbot.addWidget(win)
    win.show()
    return win


@pytest.fixture
def bridge(lang, sqlite_ctx, qtbot):
    """The counter app with POS 연동 on (a free port), a member, a POS token, an httpx client."""
    ctx = sqlite_ctx
    ctx.fixed_now = None
    two_percent(ctx)
    customers.enroll(ctx, PHONE, name="김단골")
    port = free_port()
    settings.update_settings(ctx, pos_api_enabled=True, pos_api_port=port)
    token = tokens.create_token(ctx, "카운터 POS", "pos").token
    win = open_window(ctx, qtbot)
    qtbot.waitUntil(lambda: win.pos_api.listening is not None, timeout=15_000)
    client = httpx.Client(
        base_url=f"http://127.0.0.1:{port}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    yield win, client, port
    client.close()
    win.close()


def strip_texts(win) -> list[str]:
    strip = win.counter.pos_strip
    return strip.texts() if strip.isVisible() else []


def test_the_app_runs_the_api_and_says_where(bridge, qtbot) -> None:
    win, client, port = bridge
    assert win.pos_label.isVisible()
    assert win.pos_label.text() == f"POS 연동: 켜짐 (127.0.0.1:{port})"
    assert client.get("/v1/health").json()["ok"] is True
    win.switch_language()  # the status in the language chosen
    qtbot.waitUntil(lambda: win.pos_label.text() == f"POS link: on (127.0.0.1:{port})")
    win.close()  # quitting stops it: nothing listens there any more
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/v1/health")
    assert win.pos_api.server is None


def test_moving_the_api_never_holds_up_the_counter(bridge, qtbot) -> None:
    win, _, port = bridge
    other = free_port()
    started = time.perf_counter()
    win.pos_api.apply(("127.0.0.1", other))  # the old server stopped, a new one started
    assert time.perf_counter() - started < 0.05  # ... on another thread: the window goes on
    assert win.pos_label.text() in (  # starting, or (a fast machine) already on
        f"POS 연동: 켜는 중 (127.0.0.1:{other})",
        f"POS 연동: 켜짐 (127.0.0.1:{other})",
    )
    qtbot.waitUntil(lambda: win.pos_api.listening == ("127.0.0.1", other), timeout=15_000)
    # the status bar follows the server's own signal: wait for it too, not only the attribute
    qtbot.waitUntil(
        lambda: win.pos_label.text() == f"POS 연동: 켜짐 (127.0.0.1:{other})", timeout=15_000
    )
    assert httpx.get(f"http://127.0.0.1:{other}/v1/health").status_code == 200
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/v1/health")


def test_a_pending_pos_sale_is_attached_with_one_press_and_shows_the_points(bridge, qtbot) -> None:
    win, client, _ = bridge
    counter = win.counter
    posted = client.post("/v1/sales", json={"ref": "R-1001", "amount": 12_000})
    assert posted.status_code == 202 and posted.json()["status"] == "pending"
    qtbot.waitUntil(lambda: bool(strip_texts(win)), timeout=10_000)
    [text] = strip_texts(win)
    assert text.startswith("POS 12,000원") and text.endswith("회원을 찾아 적립")
    assert counter.pos_strip.title.text() == "회원을 기다리는 POS 판매 1건"
    assert all(b.height() >= 44 for b in counter.pos_strip.buttons if b.isVisible())
    shot(win, "bridge/counter-pending-ko")

    # nobody on screen: the press says what to do and writes nothing
    before = snapshot(win.ctx)
    counter.pos_strip.buttons[0].click()
    settle(qtbot, win)
    assert "먼저 회원을 찾으세요" in counter.message.text()
    assert snapshot(win.ctx) == before

    counter.lookup(PHONE)
    settle(qtbot, win)
    opening = counter.status.points
    [text] = strip_texts(win)
    assert "김단골님께 적립" in text and text.endswith("F7")
    shot(win, "bridge/counter-pending-member-ko")
    qtbot.mouseClick(counter.pos_strip.buttons[0], Qt.MouseButton.LeftButton)
    settle(qtbot, win)
    assert counter.toast.text().startswith("+240P")  # like a sale typed here
    assert counter.status.points == opening + 240
    assert not counter.pos_strip.isVisible()
    shot(win, "bridge/counter-attached-ko")
    assert pos.pos_sale(win.ctx, "R-1001").status == "posted"
    assert client.get("/v1/sales/pending").json() == {"pending": []}
    # the POS sees the sale with the member now: sending it again is the same sale
    again = client.post("/v1/sales", json={"ref": "R-1001", "amount": 12_000, "who": PHONE})
    assert again.status_code == 200 and again.json()["points_earned"] == 240


def test_f7_attaches_the_oldest_and_a_lapsed_sale_goes_away(bridge, qtbot) -> None:
    win, client, _ = bridge
    counter = win.counter
    for ref, amount in [("R-1", 5_000), ("R-2", 7_000), ("R-3", 9_000), ("R-4", 11_000)]:
        assert client.post("/v1/sales", json={"ref": ref, "amount": amount}).status_code == 202
    qtbot.waitUntil(lambda: len(counter.pos_strip.pending) == 4, timeout=10_000)
    assert len(strip_texts(win)) == 2 and counter.pos_strip.more.text() == "+2건 더"
    counter.lookup(PHONE)
    settle(qtbot, win)
    qtbot.keyClick(counter.search, Qt.Key.Key_F7)
    settle(qtbot, win)
    assert counter.toast.text().startswith("+100P")  # 5,000원 at 2 %
    assert pos.pos_sale(win.ctx, "R-1").status == "posted"
    qtbot.waitUntil(lambda: len(counter.pos_strip.pending) == 3, timeout=10_000)
    assert strip_texts(win)[0].startswith("POS 7,000원")

    # the owner's 30 minutes pass: the rest lapse and leave the counter
    win.ctx.fixed_now = datetime.now(UTC) + timedelta(minutes=31)
    qtbot.waitUntil(lambda: not counter.pos_strip.isVisible(), timeout=10_000)
    assert pos.pos_sale(win.ctx, "R-2").status == "lapsed"


def test_a_refund_that_takes_a_member_below_zero_is_shown_at_the_counter(bridge, qtbot) -> None:
    win, client, _ = bridge
    ctx = win.ctx
    sale = client.post("/v1/sales", json={"ref": "R-9", "amount": 200_000, "who": PHONE})
    assert sale.status_code == 201 and sale.json()["points_earned"] == 4_000
    who = customers.resolve_customer(ctx, PHONE)
    points = customers.customer_status(ctx, who).points
    usable = max_redeemable(points, program_in_force(ctx).points)
    spent = client.post("/v1/redemptions", json={"ref": "U-9", "who": PHONE, "points": usable})
    assert spent.status_code == 201, spent.text
    refund = client.post("/v1/sales/R-9/refunds", json={"refund_ref": "R-9-1", "amount": 150_000})
    assert refund.status_code == 201 and refund.json()["negative_balance"] is True
    balance = refund.json()["points"]
    alert = win.counter.pos_alert
    qtbot.waitUntil(alert.isVisible, timeout=10_000)
    assert "김*골" in alert.text.text() and "010-****-5678" in alert.text.text()
    assert f"{balance:,}P" in alert.text.text() and "150,000원" in alert.text.text()
    shot(win, "bridge/counter-refund-below-zero-ko")
    win.switch_language()  # the screens are built anew: the warning stays, in English
    qtbot.waitUntil(lambda: "now has" in win.counter.pos_alert.text.text(), timeout=10_000)
    alert = win.counter.pos_alert
    assert alert.isVisible() and f"{balance:,}P" in alert.text.text()
    alert.ok.click()
    assert not alert.isVisible()
    win.pos_watch.poll()  # looked at again: shown once, not again
    settle(qtbot, win)
    qtbot.wait(100)
    assert not alert.isVisible()


def test_a_port_in_use_is_said_in_words_and_the_counter_goes_on(lang, sqlite_ctx, qtbot) -> None:
    ctx = sqlite_ctx
    ctx.fixed_now = None
    customers.enroll(ctx, PHONE, name="김단골")
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = int(holder.getsockname()[1])
        settings.update_settings(ctx, pos_api_enabled=True, pos_api_port=port)
        win = open_window(ctx, qtbot)
        qtbot.waitUntil(lambda: "꺼짐" in win.pos_label.text(), timeout=15_000)
        said = win.pos_label.text()
        assert said.startswith(f"POS 연동: 꺼짐 — 다른 프로그램이 포트 {port}")
        assert said.endswith("쓰고 있습니다. 관리 › 설정에서 다른 포트를 고르세요.")
        assert win.pos_api.server is None
        win.counter.lookup(PHONE)
        settle(qtbot, win)
        assert win.counter.status is not None  # the counter works without the API
        shot(win, "bridge/counter-port-in-use-ko")
        win.close()


def test_pos_settings_are_saved_and_applied_at_once(lang, sqlite_ctx, qtbot) -> None:
    ctx = sqlite_ctx
    ctx.fixed_now = None
    win = open_window(ctx, qtbot)
    settle(qtbot, win)
    assert not win.pos_label.isVisible()  # off by default: nothing listens
    win.open_backoffice()
    page = win.backoffice.page("page.settings")
    assert not page.pos_enabled.isChecked() and page.pos_port.value() == 8765
    assert not page.pos_lan_warning.isVisible() and not page.pos_port.isEnabled()
    page.pos_enabled.setChecked(True)
    page.pos_lan.setChecked(True)
    assert page.pos_lan_warning.isVisible() and "0.0.0.0" in page.pos_lan_warning.text()
    page.pos_lan.setChecked(False)
    assert not page.pos_lan_warning.isVisible()
    port = free_port()
    page.pos_port.setValue(port)
    page.pos_pending.setValue(45)
    page.pos_money_only.setChecked(True)
    page.save_button.click()
    settle(qtbot, win)
    assert page.message.text() == "설정을 저장했습니다."
    value = lambda key: settings.setting(ctx, key)  # noqa: E731
    assert (value("pos_api_enabled"), value("pos_api_port"), value("pos_api_lan")) == (
        True,
        port,
        False,
    )
    assert value("pos_pending_minutes") == 45 and value("pos_refund_money_only") is True
    qtbot.waitUntil(lambda: win.pos_api.listening is not None, timeout=15_000)
    assert win.pos_label.text() == f"POS 연동: 켜짐 (127.0.0.1:{port})"
    assert httpx.get(f"http://127.0.0.1:{port}/v1/health").json()["ok"] is True

    # the LAN too: every network's address, said so
    page.pos_lan.setChecked(True)
    page.save_button.click()
    settle(qtbot, win)
    qtbot.waitUntil(lambda: win.pos_api.listening == ("0.0.0.0", port), timeout=15_000)
    assert win.pos_label.text() == f"POS 연동: 켜짐 (LAN 0.0.0.0:{port})"
    assert httpx.get(f"http://127.0.0.1:{port}/v1/health").json()["ok"] is True

    page.pos_enabled.setChecked(False)
    page.save_button.click()
    settle(qtbot, win)
    qtbot.waitUntil(lambda: not win.pos_label.isVisible(), timeout=15_000)
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/v1/health")
    win.close()


def test_tokens_are_made_shown_once_listed_and_revoked_after_asking(
    lang, sqlite_ctx, qtbot
) -> None:
    ctx = sqlite_ctx
    ctx.fixed_now = None
    win = open_window(ctx, qtbot)
    win.open_backoffice()
    page = win.backoffice.page("page.tokens")
    settle(qtbot, win)
    assert page.table.rowCount() == 0 and page.empty.isVisibleTo(page)

    # a name is needed: said next to the field, nothing made
    page.add_button.click()
    settle(qtbot, win)
    assert page.add_error.isVisibleTo(page) and page.shown is None

    page.new_name.setText("카운터 POS")
    page.add_button.click()
    settle(qtbot, win)
    dialog = page.shown
    assert dialog is not None and dialog.isVisible()
    token = dialog.token.text()
    assert token.startswith("dgl_pos_")
    assert tokens.act_as_token(_copy(ctx), token, "sale").name == "카운터 POS"  # it works
    assert "다시 볼 수 없습니다" in dialog.findChild(type(page.empty), "fieldError").text()
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == token
    assert dialog.copied.text() == "복사했습니다."
    shot(dialog, "bridge/token-shown-once-ko")
    dialog.close_button.click()
    settle(qtbot, win)
    assert page.shown is None
    assert page.table.rowCount() == 1
    assert [page.table.item(0, c).text() for c in (0, 2)] == ["카운터 POS", "사용 중"]
    assert token not in str(snapshot(ctx))
    shot(win.backoffice, "bridge/tokens-page-ko")

    # revoking asks first; closing the question keeps the token
    page.table.selectRow(0)
    assert page.revoke_button.isEnabled()
    page.revoke_button.click()
    box = page.dialogs.current
    assert box is not None and "카운터 POS" in box.text()
    shot(box, "bridge/token-revoke-confirm-ko")
    box.findChild(type(page.revoke_button), "revokeTokenConfirmReject").click()
    settle(qtbot, win)
    assert tokens.list_tokens(ctx).tokens[0].active
    page.table.selectRow(0)
    page.revoke_button.click()
    page.dialogs.current.findChild(type(page.revoke_button), "revokeTokenConfirmAccept").click()
    settle(qtbot, win)
    assert page.table.item(0, 2).text().startswith("취소됨")
    assert "취소했습니다" in page.message.text()
    with pytest.raises(Refused):
        tokens.act_as_token(_copy(ctx), token, "sale")
    win.close()


def _copy(ctx):
    from dataclasses import replace

    return replace(ctx, token=None, allowed=None)


@pytest.mark.parametrize("language", ["ko", "en"])
@pytest.mark.parametrize("size", [(1024, 600), (1366, 768)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_bridge_screens_fit_and_speak_the_language(app, sqlite_ctx, qtbot, language, size):
    """The counter with pending sales and a member, the refund banner, the POS settings, the
    tokens page and the shown-once dialog: inside the screen, 44-px targets, in the language."""
    from tests.ui.test_screen_fit import check

    ctx = sqlite_ctx
    ctx.fixed_now = None
    two_percent(ctx)
    customers.enroll(ctx, PHONE, name="김단골")
    set_language(language)
    try:
        for ref, amount in [("S-1", 12_000), ("S-2", 4_500), ("S-3", 30_000), ("S-4", 8_000)]:
            pos.post_sale(ctx, ref, amount)
        win = open_window(ctx, qtbot)
        win.resize(*size)
        counter = win.counter
        qtbot.waitUntil(lambda: len(counter.pos_strip.pending) == 4, timeout=10_000)
        assert len(strip_texts(win)) == 2 and "2" in counter.pos_strip.more.text()
        counter.lookup(PHONE)
        settle(qtbot, win)
        english = language == "en"
        first = strip_texts(win)[0]
        assert first.startswith("POS ₩12,000" if english else "POS 12,000원")
        assert ("give the points to 김단골" if english else "김단골님께 적립") in first
        width, height = size
        check(win, size, f"bridge-counter-{language}")
        shot(win, f"bridge/counter-pending-{language}-{width}x{height}")

        # a refund below zero on top of it all
        sale = pos.post_sale(ctx, "S-9", 200_000, customer_id=counter.status.id)
        assert sale.sale is not None
        usable = max_redeemable(sale.sale.points, program_in_force(ctx).points)
        pos.redeem(ctx, "U-9", counter.status.id, points=usable)
        pos.refund(ctx, "S-9", "S-9-1", 200_000)
        qtbot.waitUntil(counter.pos_alert.isVisible, timeout=10_000)
        assert ("now has" if english else "회원의 포인트가") in counter.pos_alert.text.text()
        settle(qtbot, win)
        assert counter.status.points < 0  # the member on screen is read again
        assert counter.panel.points.text().startswith("-")
        check(win, size, f"bridge-counter-alert-{language}")
        shot(win, f"bridge/counter-refund-{language}-{width}x{height}")

        win.open_backoffice()
        office = win.backoffice
        office.resize(*size)
        page = office.page("page.settings")
        page.pos_enabled.setChecked(True)
        page.pos_lan.setChecked(True)
        assert page.pos_lan_warning.isVisible()
        assert page.pos_lan_warning.text().startswith("Warning" if english else "주의")
        office.resize(*size)
        shot(office, f"bridge/settings-{language}-{width}x{height}")
        tokens_page = office.page("page.tokens")
        settle(qtbot, win)
        tokens_page.new_name.setText("Counter POS" if english else "카운터 POS")
        tokens_page.add_button.click()
        settle(qtbot, win)
        dialog = tokens_page.shown
        assert dialog is not None
        check(dialog, size, f"bridge-token-dialog-{language}")
        shot(dialog, f"bridge/token-shown-once-{language}-{width}x{height}")
        dialog.accept()
        settle(qtbot, win)
        shot(office, f"bridge/tokens-page-{language}-{width}x{height}")
        win.close()
    finally:
        set_language("ko")
