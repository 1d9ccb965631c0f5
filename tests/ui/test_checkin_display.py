"""Issue 16: the customer display in check-in mode, with real widgets on a real database file.

The touch keypad by clicks, the idle reset, the screen hot-plug with a faked screen list,
the consents the customer taps (and none they do not), several last-4 matches picked on the
customer's screen, the pending POS sale attached, and the counter selecting the member."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QLabel
from sqlalchemy import select

from app.db.models import CheckIn, ConsentEvent, Customer
from app.services import checkin, customers, pos, sales, settings
from app.ui.checkin_display import CheckInDisplay, typed_text
from tests.ui.conftest import settle

PHONE = "010-1234-5678"


def _display(ctx, qtbot, **kwargs) -> CheckInDisplay:
    display = CheckInDisplay(
        ctx,
        "단골 카페",
        consent_texts=(
            settings.setting(ctx, "consent_program_text"),
            settings.setting(ctx, "consent_marketing_text"),
        ),
        **kwargs,
    )
    qtbot.addWidget(display)
    display.resize(1024, 768)
    display.show()
    return display


def _tap(qtbot, display: CheckInDisplay, digits: str) -> None:
    for digit in digits:
        qtbot.mouseClick(display.keypad.keys[digit], Qt.MouseButton.LeftButton)


def _ok(qtbot, display: CheckInDisplay) -> None:
    qtbot.mouseClick(display.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: display.runner.idle, timeout=10_000)


def _in_window(window, qtbot) -> CheckInDisplay:
    settings.update_settings(window.ctx, checkin_mode=True)
    window.display_action.setChecked(True)
    display = window.display
    assert isinstance(display, CheckInDisplay)
    qtbot.waitExposed(display)
    return display


def test_the_touch_keypad_types_corrects_and_checks_in(app, sqlite_ctx, qtbot) -> None:
    sqlite_ctx.fixed_now = None
    member = customers.enroll(sqlite_ctx, PHONE, name="김민준")
    display = _display(sqlite_ctx, qtbot)
    assert display.page() == "prompt" and "번호 입력" in display.texts()
    assert not display.ok.isEnabled()  # fewer than 4 digits
    _tap(qtbot, display, "0101234")
    assert display.entry.text() == "010-1234"
    qtbot.mouseClick(display.keypad.keys["back"], Qt.MouseButton.LeftButton)
    assert display.entry.text() == "010-123"
    qtbot.mouseClick(display.keypad.keys["clear"], Qt.MouseButton.LeftButton)
    assert display.digits == "" and not display.ok.isEnabled()
    _tap(qtbot, display, "01012345678")
    _tap(qtbot, display, "9")  # a 12th digit is not taken
    assert display.entry.text() == "010-1234-5678"
    with qtbot.waitSignal(display.checked_in, timeout=10_000) as signal:
        _ok(qtbot, display)
    result = signal.args[0]
    assert result.member.customer_id == member.id
    assert display.page() == "member"
    text = display.texts()
    points = customers.customer_status(sqlite_ctx, member.id).points
    assert "010-****-5678" in text and "김○○ 님" in text and f"{points:,}P" in text
    assert "1234" not in text.replace("****", "") and "김민준" not in text
    assert display.digits == ""  # after 확인 only the masked form is on screen


def test_idle_goes_back_to_the_prompt_and_forgets(app, sqlite_ctx, qtbot) -> None:
    sqlite_ctx.fixed_now = None
    sales.record_sale(sqlite_ctx, customers.enroll(sqlite_ctx, PHONE, name="김민준").id, 10_000)
    display = _display(sqlite_ctx, qtbot, idle_seconds=30)
    display.idle.setInterval(300)  # the test waits 0.3 s, not the owner's 30
    _tap(qtbot, display, "5678")
    _ok(qtbot, display)
    assert display.page() == "member" and "200P" in display.texts()  # 2% of 10,000원
    qtbot.waitUntil(lambda: display.page() == "prompt", timeout=3_000)
    assert display.member is None and display.points.text() == ""
    assert "5678" not in display.texts() and "200P" not in display.texts()
    # half a number typed and left: gone as well
    _tap(qtbot, display, "010")
    qtbot.waitUntil(lambda: display.digits == "", timeout=3_000)
    assert display.entry.text() == "—"


def test_several_last_4_matches_are_picked_on_the_customers_screen(window, qtbot) -> None:
    ctx = window.ctx
    first = customers.enroll(ctx, "010-2000-5678", name="박지은").id
    second = customers.enroll(ctx, "010-3000-5678", name="최유진").id
    display = _in_window(window, qtbot)
    _tap(qtbot, display, "5678")
    _ok(qtbot, display)
    assert display.page() == "choices" and len(display.choice_buttons) == 2
    text = display.texts()
    assert "박○○ 님 · 010-****-5678" in text and "최○○ 님 · 010-****-5678" in text
    for secret in ("박지은", "최유진", "2000", "3000"):
        assert secret not in text
    qtbot.mouseClick(display.choice_buttons[1], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: display.runner.idle, timeout=10_000)
    settle(qtbot, window)
    assert display.page() == "member" and display.member.customer_id == second
    # the counter selected that member at the same moment
    qtbot.waitUntil(lambda: window.counter.status is not None, timeout=10_000)
    assert window.counter.status.id == second != first


def test_a_pending_pos_sale_is_attached_and_its_moment_shown(window, qtbot) -> None:
    ctx = window.ctx
    member = customers.enroll(ctx, PHONE, name="김민준")
    before = customers.customer_status(ctx, member.id).points
    pos.post_sale(ctx, "POS-77", 9_750)
    display = _in_window(window, qtbot)
    _tap(qtbot, display, "01012345678")
    _ok(qtbot, display)
    settle(qtbot, window)
    assert pos.pos_sale(ctx, "POS-77").customer_id == member.id
    assert display.page() == "moment" and display.moment.text() == "+195P 적립!"
    assert display.moment_stamps.text() == "스탬프 +1 · 1/10"
    qtbot.waitUntil(lambda: window.counter.status is not None, timeout=10_000)
    assert window.counter.status.id == member.id
    assert window.counter.status.points == before + 195


def test_a_sale_at_the_counter_shows_its_moment_then_the_prompt(window, qtbot) -> None:
    ctx = window.ctx
    customers.enroll(ctx, PHONE, name="김민준")
    display = _in_window(window, qtbot)
    display._moment_timer.setInterval(300)
    _tap(qtbot, display, "5678")
    _ok(qtbot, display)
    qtbot.waitUntil(lambda: window.counter.status is not None, timeout=10_000)
    asked = []
    display.ask_rating = asked.append  # the slot branch nps fills: called with the sale
    window.counter.record_sale(9_750)
    settle(qtbot, window)
    assert display.in_moment() and display.moment.text() == "+195P 적립!"
    assert len(asked) == 1
    qtbot.waitUntil(lambda: display.page() == "prompt", timeout=3_000)
    assert "P" not in display.texts().replace("단골 카페", "").replace("번호 입력", "")


def test_after_the_moment_the_customer_rates_the_visit_on_their_screen(window, qtbot) -> None:
    from app.db.models import VisitRating

    ctx = window.ctx
    settings.update_settings(
        ctx, rating_enabled=True, rating_percent=100, review_url="https://example.invalid/r"
    )
    customers.enroll(ctx, PHONE, name="김민준")
    display = _in_window(window, qtbot)
    display._moment_timer.setInterval(300)
    _tap(qtbot, display, "5678")
    _ok(qtbot, display)
    qtbot.waitUntil(lambda: window.counter.status is not None, timeout=10_000)
    window.counter.record_sale(9_750)
    settle(qtbot, window)
    qtbot.waitUntil(lambda: display.page() == "rating", timeout=5_000)
    assert any("어떠셨나요" in label.text() for label in display.rating.findChildren(QLabel))
    qtbot.mouseClick(display.rating.buttons[10], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(display.rating.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: display.runner.idle, timeout=10_000)
    with ctx.db.read() as session:
        rows = [(r.score, r.source) for r in session.scalars(select(VisitRating))]
    assert rows == [(10, "display")]
    assert display.page() == "rating" and display.rating.review_qr.isVisible()  # the thanks
    qtbot.waitUntil(lambda: display.page() == "prompt", timeout=3_000)


def test_a_sale_outside_the_sample_goes_straight_back_to_the_prompt(window, qtbot) -> None:
    ctx = window.ctx
    settings.update_settings(ctx, rating_enabled=False)
    customers.enroll(ctx, PHONE, name="김민준")
    display = _in_window(window, qtbot)
    display._moment_timer.setInterval(300)
    _tap(qtbot, display, "5678")
    _ok(qtbot, display)
    qtbot.waitUntil(lambda: window.counter.status is not None, timeout=10_000)
    window.counter.record_sale(9_750)
    settle(qtbot, window)
    qtbot.waitUntil(lambda: display.page() == "prompt", timeout=3_000)


def test_a_check_in_on_a_tablet_selects_the_member_at_the_counter(window, qtbot) -> None:
    ctx = window.ctx
    member = customers.enroll(ctx, PHONE, name="김민준")
    assert window.counter.status is None
    checkin.check_in(ctx, "5678", "tablet", "tab-1")  # as the API thread would
    window.pos_watch.poll()
    qtbot.waitUntil(lambda: window.counter.status is not None, timeout=10_000)
    assert window.counter.status.id == member.id
    assert window.statusBar().currentMessage() == "고객이 고객 화면에서 체크인했습니다."


def _consent_rows(ctx, customer_id):
    with ctx.db.read() as session:
        return [
            (e.channel, e.purpose, e.night, e.source, e.at)
            for e in session.scalars(
                select(ConsentEvent).where(ConsentEvent.customer_id == customer_id)
            )
        ]


def test_joining_records_only_the_consents_the_customer_tapped(app, sqlite_ctx, qtbot) -> None:
    sqlite_ctx.fixed_now = datetime(2026, 3, 12, 5, 0, tzinfo=UTC)
    display = _display(sqlite_ctx, qtbot)
    _tap(qtbot, display, "01055556666")
    _ok(qtbot, display)
    assert display.page() == "join" and "가입하시겠어요?" in display.texts()
    assert "010-****-6666" in display.texts()
    qtbot.mouseClick(display.join_yes, Qt.MouseButton.LeftButton)
    assert display.page() == "consents"
    # nothing is ticked for the customer; joining waits for the required consent
    assert display.consent_choices() == {
        "program": False,
        "marketing": False,
        "channels": {"sms": False, "alimtalk": False, "friendtalk": False},
        "night": False,
    }
    assert not display.consent_submit.isEnabled()
    assert not display.channel_toggles["sms"].isEnabled()  # marketing first
    assert settings.DEFAULT_PROGRAM_CONSENT in display.texts()  # the store's wording
    for toggle in (display.program_toggle, display.marketing_toggle):
        qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(display.channel_toggles["alimtalk"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(display.consent_submit, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: display.runner.idle, timeout=10_000)
    assert display.page() == "member"
    who = display.member.customer_id
    now = sqlite_ctx.now()
    assert _consent_rows(sqlite_ctx, who) == [("alimtalk", "ad", False, "display", now)]
    with sqlite_ctx.db.read() as session:
        customer = session.get(Customer, who)
        assert customer.program_consent_source == "display"
        assert customer.program_consent_at == now
        assert customer.marketing_consent_at is None  # SMS advertising was not tapped
        (row,) = session.scalars(select(CheckIn)).all()
        assert row.customer_id == who and row.source == "display"


def test_marketing_untapped_again_takes_its_channels_with_it(app, sqlite_ctx, qtbot) -> None:
    sqlite_ctx.fixed_now = None
    display = _display(sqlite_ctx, qtbot)
    _tap(qtbot, display, "01055556666")
    _ok(qtbot, display)
    qtbot.mouseClick(display.join_yes, Qt.MouseButton.LeftButton)
    for toggle in (display.program_toggle, display.marketing_toggle):
        qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(display.channel_toggles["sms"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(display.night_toggle, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(display.marketing_toggle, Qt.MouseButton.LeftButton)  # changed their mind
    assert display.consent_choices()["channels"]["sms"] is False
    assert display.consent_choices()["night"] is False
    qtbot.mouseClick(display.consent_submit, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: display.runner.idle, timeout=10_000)
    assert display.page() == "member"
    assert _consent_rows(sqlite_ctx, display.member.customer_id) == []


def test_a_malformed_number_is_refused_in_words(app, sqlite_ctx, qtbot) -> None:
    sqlite_ctx.fixed_now = None
    display = _display(sqlite_ctx, qtbot)
    _tap(qtbot, display, "02123")
    _ok(qtbot, display)
    assert display.page() == "prompt"
    assert display.error.text() == "휴대폰 번호가 너무 짧습니다 (숫자 5자리)."
    assert "Traceback" not in display.error.text()
    _tap(qtbot, display, "9999")  # last 4 nobody has: no joining without the full number
    _ok(qtbot, display)
    assert display.page() == "prompt"
    assert display.error.text() == (
        "이 번호로 가입한 회원이 없습니다. 휴대폰 번호 전체를 입력하세요."
    )
    # a retired 011 number: no joining with it on the customer's screen
    _tap(qtbot, display, "0113456789")
    _ok(qtbot, display)
    assert display.page() == "prompt"
    assert (
        display.error.text() == "이 번호로는 여기에서 가입할 수 없습니다. 직원에게 말씀해 주세요."
    )


class FakeScreen:
    """A monitor as the keeper sees it: a name and where it is."""

    def __init__(self, name: str, rect: QRect) -> None:
        self._name, self._rect = name, rect

    def name(self) -> str:
        return self._name

    def geometry(self) -> QRect:
        return QRect(self._rect)


def test_the_display_follows_its_screen_out_and_back(window, qtbot) -> None:
    counter_screen = window.screen().geometry()
    home = FakeScreen("Built-in", counter_screen)
    hdmi = FakeScreen("HDMI-1", QRect(counter_screen.right() + 1, 0, 800, 480))
    plugged = [home, hdmi]
    window.screens_provider = lambda: list(plugged)
    settings.update_settings(window.ctx, display_screen="HDMI-1")
    display = _in_window(window, qtbot)
    keeper = window.display_keeper
    assert keeper.on is hdmi and display.geometry() == hdmi.geometry()
    assert display.windowFlags() & Qt.WindowType.FramelessWindowHint
    plugged.remove(hdmi)  # unplugged
    keeper.screens_changed()
    assert keeper.on is None
    assert counter_screen.intersects(display.geometry())  # beside the counter's controls
    for rect in window.controls():
        assert not display.geometry().intersects(rect), rect
    plugged.append(FakeScreen("HDMI-1", hdmi.geometry()))  # plugged back
    keeper.screens_changed()
    assert keeper.on is not None and keeper.on.name() == "HDMI-1"
    assert display.geometry() == hdmi.geometry()
    # the owner picks "automatic": any screen but the counter's
    keeper.choose("")
    assert keeper.on.name() == "HDMI-1"


def test_the_owner_sets_the_display_from_its_menu(window, qtbot) -> None:
    plugged = [FakeScreen("Built-in", window.screen().geometry())]
    window.screens_provider = lambda: list(plugged)
    window.checkin_action.setChecked(True)
    settle(qtbot, window)
    assert settings.setting(window.ctx, "checkin_mode") is True
    window._fill_screen_menu()
    names = [a.text() for a in window.screen_menu.actions()]
    assert names == ["자동 (계산대 화면이 아닌 모니터)", "Built-in"]
    window.screen_menu.actions()[1].trigger()
    settle(qtbot, window)
    assert settings.setting(window.ctx, "display_screen") == "Built-in"
    sixty = next(a for a in window.idle_menu.actions() if a.data() == 60)
    sixty.trigger()
    settle(qtbot, window)
    assert settings.setting(window.ctx, "checkin_idle_seconds") == 60
    window.display_action.setChecked(True)
    assert isinstance(window.display, CheckInDisplay)
    assert window.display.idle.interval() == 60_000
    plugged.clear()  # unplugged since: still the owner's pick, said so
    window._fill_screen_menu()
    assert window.screen_menu.actions()[1].text() == "Built-in (지금 연결 안 됨)"
    from tests.ui.counter_help import shot

    menu = window.display_action.menu()
    menu.popup(window.mapToGlobal(window.rect().center()))
    shot(menu, "checkin/ko-display-menu")
    menu.hide()
    shot(window, "checkin/ko-counter-with-display-menu")
    # off and on again, and in the other language: a new check-in screen, nothing left over
    window.display_action.setChecked(False)
    assert window.display is None and window.display_keeper is None
    window.display_action.setChecked(True)
    window.switch_language()
    settle(qtbot, window)
    try:
        assert isinstance(window.display, CheckInDisplay)
        assert "Enter your number" in window.display.texts()
    finally:
        window.switch_language()
        settle(qtbot, window)


def test_typed_numbers_are_grouped_as_typed() -> None:
    assert typed_text("010") == "010"
    assert typed_text("0101") == "010-1"
    assert typed_text("0101234") == "010-1234"
    assert typed_text("01012345") == "010-1-2345"
    assert typed_text("01012345678") == "010-1234-5678"
    assert typed_text("5678") == "5678"


def _nothing_cut(display: CheckInDisplay) -> None:
    """Every text shown lies inside the display, and a one-line text has its whole width."""
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QApplication, QLabel, QPushButton

    QApplication.processEvents()
    page = display.pages.currentWidget()
    frame = display.rect()
    for widget in [display.store, *page.findChildren(QLabel), *page.findChildren(QPushButton)]:
        if not widget.isVisibleTo(display) or not widget.text():
            continue
        top_left = widget.mapTo(display, QPoint(0, 0))
        rect = QRect(top_left, widget.size())
        assert frame.contains(rect), (display.page(), widget.text(), rect, frame)
        if isinstance(widget, QLabel) and not widget.wordWrap():
            assert widget.sizeHint().width() <= widget.width() + 1, (widget.text(), widget.width())
        if isinstance(widget, QPushButton):
            needed = widget.fontMetrics().horizontalAdvance(widget.text())
            assert needed <= widget.width(), (widget.text(), needed, widget.width())
        if isinstance(widget, QLabel) and widget.wordWrap():
            assert widget.heightForWidth(widget.width()) <= widget.height() + 2, widget.text()


def _words_only(display: CheckInDisplay, lang: str) -> None:
    """No key shows as a code; in English, Hangul only in the owner's texts and names."""
    import re

    text = display.texts()
    assert not re.search(r"\b[a-z_]+\.[a-z_]+\b", text), text
    if lang == "en":
        reward = display.member.stamp_reward if display.member else ""  # the program's words
        for owner in (display.store_name, *display.consent_texts, reward, "김", "박", "최"):
            text = text.replace(owner, "")
        assert not re.search("[\uac00-\ud7a3]", text), text


def test_every_state_fits_and_is_photographed(app, sqlite_ctx, qtbot) -> None:
    from app.ui.text import set_language
    from tests.ui.counter_help import shot

    sqlite_ctx.fixed_now = None
    member = customers.enroll(sqlite_ctx, PHONE, name="김민준")
    for _ in range(4):
        sales.record_sale(sqlite_ctx, member.id, 9_750)
    customers.enroll(sqlite_ctx, "010-2000-4321", name="박지은")
    customers.enroll(sqlite_ctx, "010-3000-4321", name="최유진")
    try:
        for lang in ("ko", "en"):
            set_language(lang)
            for width, height in ((1024, 768), (800, 480)):
                display = _display(sqlite_ctx, qtbot)
                display.resize(width, height)
                name = f"checkin/{lang}-{width}x{height}"

                def snap(state: str, display=display, name=name, lang=lang) -> None:
                    _nothing_cut(display)
                    _words_only(display, lang)
                    shot(display, f"{name}-{state}")

                snap("1-prompt")
                _tap(qtbot, display, "0101234")
                snap("2-typing")
                _tap(qtbot, display, "5678")
                _ok(qtbot, display)
                assert display.page() == "member"
                snap("3-member")
                display.show_sale(195, 5, 10, True, stamps_earned=1)
                snap("4-moment")
                display.show_sale(195, 10, 10, True, rewards_ready=1)
                snap("5-moment-reward")
                display.reset()
                _tap(qtbot, display, "4321")
                _ok(qtbot, display)
                assert display.page() == "choices"
                snap("6-choices")
                display.reset()
                _tap(qtbot, display, "01099998888")
                _ok(qtbot, display)
                assert display.page() == "join"
                snap("7-join")
                qtbot.mouseClick(display.join_yes, Qt.MouseButton.LeftButton)
                snap("8-consents")
                for toggle in (display.program_toggle, display.marketing_toggle):
                    qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)
                qtbot.mouseClick(display.channel_toggles["sms"], Qt.MouseButton.LeftButton)
                snap("9-consents-ticked")
                display.reset()
                _tap(qtbot, display, "02123")
                _ok(qtbot, display)
                assert display.page() == "prompt" and display.error.text()
                snap("10-refusal")
                display.close()
    finally:
        set_language("ko")


def test_the_stores_logo_heads_the_screen_else_its_name(app, sqlite_ctx, qtbot, tmp_path) -> None:
    from PySide6.QtGui import QColor, QPixmap

    from tests.ui.counter_help import shot

    logo = tmp_path / "logo.png"
    picture = QPixmap(240, 80)
    picture.fill(QColor("#d9480f"))
    assert picture.save(str(logo))
    with_logo = _display(sqlite_ctx, qtbot, logo_path=str(logo))
    assert not with_logo.store.pixmap().isNull() and with_logo.store.text() == ""
    assert with_logo.store.pixmap().height() == 64
    shot(with_logo, "checkin/ko-1024x768-1-prompt-logo")
    missing = _display(sqlite_ctx, qtbot, logo_path=str(tmp_path / "gone.png"))
    assert missing.store.text() == "단골 카페"
