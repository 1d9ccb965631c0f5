"""The customer display in check-in mode: the customer's own screen, facing them.

A big "번호 입력" prompt and a touch keypad of our own (0–9, ←, 지우기, 확인; no system
keyboard). The customer types their phone number or its last 4 digits and sees their masked
number, their name's first letter, points, stamps and any ready reward; the counter selects
the member at the same moment (`checked_in`). With several members sharing the last 4
digits, the customer picks on this screen. An unknown number offers to join, with each
consent a separate choice in the store's wording, tapped by the customer. After a sale: the
moment ("+195P 적립!", the stamp just added, a ready reward), then the prompt again.

Idle for the owner's N seconds, the screen goes back to the prompt and forgets what it
showed: it never leaves another customer's data on screen. Every service call goes through
the display's own `ServiceRunner` (``app.services.checkin``).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain import consent as consent_rules
from app.domain.errors import Refused
from app.services import checkin, ratings
from app.services.checkin import CheckInResult, MemberCard
from app.services.context import Context
from app.services.customers import CustomerStatus
from app.ui.panel import StampCard
from app.ui.rating import RatingPrompt
from app.ui.tasks import ServiceRunner
from app.ui.text import refusal, t, tn

IDLE_SECONDS = 30
MOMENT_SECONDS = 6
MAX_DIGITS = 11
LOGO_HEIGHT = 64
UNTICKED, TICKED = "☐", "☑"

# sizes for a small screen (800×480) and a larger one; chosen by the display's height
_SIZES = {
    "small": {"title": 34, "big": 48, "text": 20, "small": 14, "key": 30, "key_h": 72},
    "large": {"title": 48, "big": 72, "text": 26, "small": 17, "key": 38, "key_h": 104},
}


def _style(size: str) -> str:
    s = _SIZES[size]
    return f"""
QWidget#checkinDisplay {{ background: #fffdf8; }}
QLabel#ciStore {{ font-size: {s["text"]}px; color: #868e96; font-weight: bold; }}
QLabel#ciTitle {{ font-size: {s["title"]}px; font-weight: bold; color: #212529; }}
QLabel#ciHint, QLabel#ciSmall {{ font-size: {s["small"] + 2}px; color: #495057; }}
QLabel#ciEntry {{ font-size: {s["big"]}px; font-weight: bold; color: #1c7ed6;
    border-bottom: 3px solid #1c7ed6; padding: 4px; }}
QLabel#ciError {{ font-size: {s["text"]}px; color: #c92a2a; font-weight: bold; }}
QLabel#ciPoints {{ font-size: {s["big"]}px; font-weight: bold; color: #d9480f; }}
QLabel#ciLine {{ font-size: {s["text"]}px; color: #212529; }}
QLabel#ciReward {{ font-size: {s["text"]}px; font-weight: bold; color: #2b8a3e; }}
QLabel#ciMoment {{ font-size: {s["big"]}px; font-weight: bold; color: white;
    background: #2b8a3e; border-radius: 20px; padding: 16px; }}
QLabel#ciConsentText {{ font-size: {s["small"]}px; color: #343a40; }}
QPushButton {{ font-size: {s["text"]}px; border-radius: 12px; padding: 8px 14px;
    background: #f1f3f5; border: 1px solid #ced4da; color: #212529; }}
QPushButton:pressed {{ background: #dee2e6; }}
QPushButton:disabled {{ color: #adb5bd; }}
QPushButton#ciKey {{ font-size: {s["key"]}px; font-weight: bold; background: white; }}
QPushButton#ciKeyOk, QPushButton#ciPrimary {{ font-size: {s["key"]}px; font-weight: bold;
    background: #1c7ed6; color: white; border: none; }}
QPushButton#ciKeyOk:disabled, QPushButton#ciPrimary:disabled {{ background: #a5d8ff; }}
QPushButton#ciChoice {{ font-size: {s["text"] + 4}px; font-weight: bold; background: white;
    text-align: center; }}
QPushButton#ciToggle {{ text-align: left; background: white; }}
QPushButton#ciToggle:checked {{ background: #d3f9d8; border: 2px solid #2b8a3e;
    font-weight: bold; }}
"""


def typed_text(digits: str) -> str:
    """The digits as they are being typed, grouped like a phone number (010-1234-5678)."""
    if len(digits) <= 3 or not digits.startswith("01"):
        return digits
    if len(digits) <= 7:
        return f"{digits[:3]}-{digits[3:]}"
    middle = len(digits) - 7
    return f"{digits[:3]}-{digits[3 : 3 + middle]}-{digits[3 + middle :]}"


def member_from_status(status: CustomerStatus) -> MemberCard:
    """The card the customer sees for a member the cashier found (the same as a check-in's)."""
    name = (status.name or "").strip()
    return MemberCard(
        customer_id=status.id,
        phone_masked=status.phone_masked or "",
        initial=name[0] if name else None,
        points=status.points,
        stamps_enabled=status.stamps_enabled,
        stamps=status.stamps_on_card,
        stamp_goal=status.stamp_goal,
        rewards_ready=status.rewards_ready,
        stamp_reward=status.stamp_reward,
        coupons=len(status.coupons),
        tier_name=status.tier_name,
    )


def _big_button(text: str, name: str, height: int) -> QPushButton:
    button = QPushButton(text, objectName=name)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a touch screen: no keyboard focus
    button.setMinimumHeight(height)
    button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
    return button


class Keypad(QWidget):
    """0–9, 지우기, 0, ← in four rows of three: big targets for a finger."""

    digit = Signal(str)
    back = Signal()
    clear = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setSpacing(8)
        grid.setContentsMargins(0, 0, 0, 0)
        self.keys: dict[str, QPushButton] = {}
        layout = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "back"]
        for index, key in enumerate(layout):
            text = {"clear": t("checkin.key_clear"), "back": "←"}.get(key, key)
            button = _big_button(text, "ciKey", 64)
            button.setProperty("key", key)
            button.clicked.connect(self._pressed)
            grid.addWidget(button, index // 3, index % 3)
            self.keys[key] = button

    def set_key_height(self, height: int) -> None:
        for button in self.keys.values():
            button.setMinimumHeight(height)

    def _pressed(self) -> None:
        button = self.sender()
        if not isinstance(button, QPushButton):
            return
        key = str(button.property("key"))
        if key == "back":
            self.back.emit()
        elif key == "clear":
            self.clear.emit()
        else:
            self.digit.emit(key)


class CheckInDisplay(QWidget):
    """The customer's own screen: prompt, choices, member, joining, consents, the moment."""

    checked_in = Signal(object)  # CheckInResult of kind "member", for the counter to select

    def __init__(
        self,
        ctx: Context,
        store_name: str,
        *,
        logo_path: str = "",
        idle_seconds: int = IDLE_SECONDS,
        consent_texts: tuple[str, str] = ("", ""),
        device: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window | Qt.WindowType.FramelessWindowHint)
        self.setObjectName("checkinDisplay")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setWindowTitle(store_name)
        self.ctx = ctx
        self.store_name = store_name
        self.device = device
        self.consent_texts = consent_texts
        self.runner = ServiceRunner(self)
        self.digits = ""
        self.member: MemberCard | None = None
        self.joining = ""  # the full number typed, kept only while the customer joins
        self._size = ""
        self.header = self._header(store_name, logo_path)
        self.pages = QStackedWidget()
        self.prompt_page = self._prompt_page()
        self.choices_page = self._choices_page()
        self.member_page = self._member_page()
        self.join_page = self._join_page()
        self.consent_page = self._consent_page()
        self.moment_page = self._moment_page()
        self.wallet_page = self._wallet_page()  # 지갑에 추가: the save link's QR
        # after the moment, when the owner asks and the sale is in the sample: the rating
        self.rating = RatingPrompt()
        self.rating.rated.connect(self._rated)
        self.rating.skipped.connect(self.reset)
        self._rating_sale: Any = None  # the sale whose visit the next rating is about
        for page in (
            self.prompt_page,
            self.choices_page,
            self.member_page,
            self.join_page,
            self.consent_page,
            self.moment_page,
            self.rating,
            self.wallet_page,
        ):
            self.pages.addWidget(page)
        layout = QVBoxLayout(self)
        # any screen's size is taken as it is; the size classes then fit the pages to it
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        layout.setContentsMargins(20, 12, 20, 16)
        layout.addWidget(self.header)
        layout.addWidget(self.pages, 1)
        self.idle = QTimer(self, singleShot=True, interval=idle_seconds * 1000)
        self.idle.timeout.connect(self.reset)
        self._moment_timer = QTimer(self, singleShot=True, interval=MOMENT_SECONDS * 1000)
        self._moment_timer.timeout.connect(self.end_moment)
        # every touch restarts the idle countdown (buttons' own signals: no event filter,
        # which Qt would call while the display is being destroyed)
        for button in self.findChildren(QPushButton):
            button.pressed.connect(self.poke)
        self.resize(1024, 768)
        self._apply_size()
        self.reset()

    # --- building -------------------------------------------------------------------------

    def _header(self, store_name: str, logo_path: str) -> QWidget:
        """The store's logo (its setting) if it can be read, else its name."""
        self.store = QLabel(objectName="ciStore")
        self.store.setAlignment(Qt.AlignmentFlag.AlignCenter)
        pixmap = QPixmap(logo_path) if logo_path and Path(logo_path).is_file() else QPixmap()
        if not pixmap.isNull():
            self.store.setPixmap(
                pixmap.scaledToHeight(LOGO_HEIGHT, Qt.TransformationMode.SmoothTransformation)
            )
            self.store.setAccessibleName(store_name)
        else:
            self.store.setText(store_name)
        return self.store

    def _prompt_page(self) -> QWidget:
        page = QWidget()
        row = QHBoxLayout(page)
        row.setSpacing(24)
        left = QVBoxLayout()
        self.title = QLabel(t("checkin.prompt"), objectName="ciTitle")
        self.hint = QLabel(t("checkin.prompt_hint"), objectName="ciHint", wordWrap=True)
        self.entry = QLabel(objectName="ciEntry")
        self.entry.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.entry.setMinimumHeight(60)
        self.error = QLabel(objectName="ciError", wordWrap=True)
        self.error.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.ok = _big_button(t("checkin.key_ok"), "ciKeyOk", 72)
        self.ok.clicked.connect(self.confirm)
        for label in (self.title, self.hint):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        left.addStretch(1)
        left.addWidget(self.title)
        left.addWidget(self.hint)
        left.addSpacing(12)
        left.addWidget(self.entry)
        left.addWidget(self.error)
        left.addStretch(1)
        left.addWidget(self.ok)
        self.keypad = Keypad()
        self.keypad.digit.connect(self.type_digit)
        self.keypad.back.connect(self.backspace)
        self.keypad.clear.connect(self.clear_entry)
        row.addLayout(left, 1)
        row.addWidget(self.keypad, 1)
        return page

    def _choices_page(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        title = QLabel(t("checkin.choose_title"), objectName="ciTitle", wordWrap=True)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column.addWidget(title)
        self.choice_box = QVBoxLayout()
        column.addLayout(self.choice_box)
        column.addStretch(1)
        again = _big_button(t("checkin.again"), "ciSecondary", 56)
        again.clicked.connect(self.reset)
        column.addWidget(again)
        self.choice_buttons: list[QPushButton] = []
        return page

    def _member_page(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        self.greeting = QLabel(objectName="ciTitle", wordWrap=True)
        self.phone = QLabel(objectName="ciLine")
        self.points = QLabel(objectName="ciPoints")
        self.stamps_label = QLabel(objectName="ciLine")
        self.stamps = StampCard(centred=True)
        self.stamps.setMinimumHeight(80)
        self.reward = QLabel(objectName="ciReward", wordWrap=True)
        self.coupons = QLabel(objectName="ciLine")
        for label in (
            self.greeting,
            self.phone,
            self.points,
            self.stamps_label,
            self.reward,
            self.coupons,
        ):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.done = _big_button(t("checkin.done"), "ciPrimary", 56)
        self.done.clicked.connect(self.reset)
        column.addStretch(1)
        for widget in (
            self.greeting,
            self.phone,
            self.points,
            self.stamps_label,
            self.stamps,
            self.reward,
            self.coupons,
        ):
            column.addWidget(widget)
        column.addStretch(1)
        column.addWidget(self.done)
        return page

    def _join_page(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        self.join_title = QLabel(t("checkin.join_title"), objectName="ciTitle")
        self.join_phone = QLabel(objectName="ciLine")
        self.join_note = QLabel(t("checkin.join_note"), objectName="ciHint", wordWrap=True)
        for label in (self.join_title, self.join_phone, self.join_note):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        buttons = QHBoxLayout()
        self.join_no = _big_button(t("checkin.join_no"), "ciSecondary", 72)
        self.join_yes = _big_button(t("checkin.join_yes"), "ciPrimary", 72)
        self.join_no.clicked.connect(self.reset)
        self.join_yes.clicked.connect(self.show_consents)
        buttons.addWidget(self.join_no)
        buttons.addWidget(self.join_yes)
        column.addStretch(1)
        column.addWidget(self.join_title)
        column.addWidget(self.join_phone)
        column.addWidget(self.join_note)
        column.addStretch(1)
        column.addLayout(buttons)
        return page

    def _toggle(self, text: str) -> QPushButton:
        """A choice the customer taps on and off: a box before its words says which."""
        button = _big_button(f"{UNTICKED} {text}", "ciToggle", 44)
        button.setCheckable(True)
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        button.toggled.connect(
            lambda on, b=button, words=text: b.setText(f"{TICKED if on else UNTICKED} {words}")
        )
        return button

    def _consent_page(self) -> QWidget:
        """Each consent its own choice, in the store's wording; nothing ticked beforehand."""
        page = QWidget()
        column = QVBoxLayout(page)
        column.setSpacing(6)
        title = QLabel(t("checkin.consent_title"), objectName="ciTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        program_text, marketing_text = self.consent_texts
        self.program_text = QLabel(program_text, objectName="ciConsentText", wordWrap=True)
        self.program_toggle = self._toggle(t("checkin.consent_program"))
        self.marketing_text = QLabel(marketing_text, objectName="ciConsentText", wordWrap=True)
        self.marketing_toggle = self._toggle(t("checkin.consent_marketing"))
        self.channel_toggles: dict[str, QPushButton] = {}
        channels = QHBoxLayout()
        for channel in consent_rules.CHANNELS:
            button = self._toggle(t(f"checkin.channel.{channel}"))
            self.channel_toggles[channel] = button
            channels.addWidget(button)
        self.night_toggle = self._toggle(t("checkin.consent_night"))
        self.consent_error = QLabel(objectName="ciError", wordWrap=True)
        self.consent_error.setAlignment(Qt.AlignmentFlag.AlignCenter)
        buttons = QHBoxLayout()
        self.consent_cancel = _big_button(t("checkin.join_cancel"), "ciSecondary", 56)
        self.consent_submit = _big_button(t("checkin.join_submit"), "ciPrimary", 56)
        self.consent_cancel.clicked.connect(self.reset)
        self.consent_submit.clicked.connect(self.submit_consents)
        buttons.addWidget(self.consent_cancel)
        buttons.addWidget(self.consent_submit)
        self.program_toggle.toggled.connect(self._consents_changed)
        self.marketing_toggle.toggled.connect(self._consents_changed)
        column.addWidget(title)
        column.addWidget(self.program_toggle)
        column.addWidget(self.program_text)
        column.addWidget(self.marketing_toggle)
        column.addWidget(self.marketing_text)
        column.addLayout(channels)
        column.addWidget(self.night_toggle)
        column.addWidget(self.consent_error)
        column.addStretch(1)
        column.addLayout(buttons)
        return page

    def _moment_page(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        self.moment = QLabel(objectName="ciMoment")
        self.moment_stamps = QLabel(objectName="ciTitle")
        self.moment_card = StampCard(centred=True)
        self.moment_card.setMinimumHeight(80)
        self.moment_reward = QLabel(objectName="ciReward", wordWrap=True)
        for label in (self.moment, self.moment_stamps, self.moment_reward):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column.addStretch(1)
        column.addWidget(self.moment)
        column.addWidget(self.moment_stamps)
        column.addWidget(self.moment_card)
        column.addWidget(self.moment_reward)
        column.addStretch(1)
        return page

    def _wallet_page(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        self.wallet_qr = QLabel(objectName="ciWalletQr")
        self.wallet_hint = QLabel(objectName="ciHint", wordWrap=True)
        for label in (self.wallet_qr, self.wallet_hint):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column.addStretch(1)
        column.addWidget(self.wallet_qr)
        column.addWidget(self.wallet_hint)
        column.addStretch(1)
        return page

    def show_wallet_qr(self, url: str) -> None:
        """지갑에 추가: the "Save to Google Wallet" link as a QR code for the customer's phone;
        the prompt again when the screen's idle time is up."""
        from app.ui.display import qr_pixmap

        side = max(160, min(self.height() - 260, self.width() // 2, 420))
        self.wallet_qr.setPixmap(qr_pixmap(url, side))
        self.wallet_hint.setText(t("display.wallet_hint"))
        self._moment_timer.stop()
        self.pages.setCurrentWidget(self.wallet_page)
        self.idle.start()

    # --- size ----------------------------------------------------------------------------

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._apply_size()

    def _apply_size(self) -> None:
        size = "small" if self.height() < 640 else "large"
        if size == self._size:
            return
        self._size = size
        self.setStyleSheet(_style(size))
        self.keypad.set_key_height(_SIZES[size]["key_h"] - 8)
        self.ok.setMinimumHeight(_SIZES[size]["key_h"])
        for card in (self.stamps, self.moment_card):
            card.setMinimumHeight(80 if size == "small" else 130)
        toggles = [self.program_toggle, self.marketing_toggle, self.night_toggle]
        for toggle in [*toggles, *self.channel_toggles.values()]:
            toggle.setMinimumHeight(44 if size == "small" else 64)

    # --- the idle timer ------------------------------------------------------------------

    def poke(self) -> None:
        """The customer touched the screen: the idle countdown starts again."""
        if self.pages.currentWidget() is not self.prompt_page or self.digits:
            self.idle.start()

    def set_idle_seconds(self, seconds: int) -> None:
        self.idle.setInterval(seconds * 1000)

    def reset(self) -> None:
        """Back to the prompt; everything shown of a customer forgotten."""
        self.idle.stop()
        self._moment_timer.stop()
        self._rating_sale = None
        self.digits = ""
        self.member = None
        self.joining = ""
        self.error.setText("")
        self.consent_error.setText("")
        self._clear_member()
        self._clear_choices()
        self._clear_consents()
        self.join_phone.setText("")
        self._render_entry()
        self.pages.setCurrentWidget(self.prompt_page)

    welcome = reset  # the classic display's name for it

    def _clear_member(self) -> None:
        for label in (
            self.greeting,
            self.phone,
            self.points,
            self.stamps_label,
            self.reward,
            self.coupons,
        ):
            label.setText("")
        self.stamps.set_stamps(0, 10)

    def _clear_choices(self) -> None:
        for button in self.choice_buttons:
            self.choice_box.removeWidget(button)
            button.deleteLater()
        self.choice_buttons = []

    def _clear_consents(self) -> None:
        toggles = [self.program_toggle, self.marketing_toggle, self.night_toggle]
        for button in [*toggles, *self.channel_toggles.values()]:
            button.setChecked(False)
        self._consents_changed()

    # --- typing ---------------------------------------------------------------------------

    def type_digit(self, digit: str) -> None:
        if self.pages.currentWidget() is not self.prompt_page or len(self.digits) >= MAX_DIGITS:
            return
        self.digits += digit
        self.error.setText("")
        self._render_entry()
        self.idle.start()

    def backspace(self) -> None:
        self.digits = self.digits[:-1]
        self._render_entry()

    def clear_entry(self) -> None:
        self.digits = ""
        self.error.setText("")
        self._render_entry()

    def _render_entry(self) -> None:
        self.entry.setText(typed_text(self.digits) if self.digits else "—")
        self.ok.setEnabled(len(self.digits) >= 4)

    def confirm(self) -> None:
        """확인: the number goes to the check-in; the screen shows only its masked form."""
        digits = self.digits
        if len(digits) < 4:
            return
        self.ok.setEnabled(False)
        ctx, device = self.ctx, self.device
        self.runner.run(
            lambda: checkin.check_in(ctx, digits, "display", device),
            lambda result: self._answered(result, digits),
            self._failed,
        )

    def _answered(self, result: CheckInResult, digits: str) -> None:
        self.digits = ""
        self._render_entry()
        self.idle.start()
        if result.kind == checkin.MEMBER:
            self._checked_in(result)
        elif result.kind == checkin.CHOICES:
            self._show_choices(result)
        elif result.kind == checkin.UNKNOWN:
            self._show_unknown(result, digits)
        else:
            assert result.refusal is not None
            self.show_refusal(result.refusal)

    def _failed(self, error: BaseException) -> None:
        self._render_entry()
        self.show_refusal(error if isinstance(error, Refused) else Refused("checkin.failed"))

    def show_refusal(self, error: Refused) -> None:
        """The reason in words, on the prompt, with the keypad ready again."""
        self.pages.setCurrentWidget(self.prompt_page)
        self.error.setText(refusal(error))
        self.idle.start()

    # --- answers ------------------------------------------------------------------------

    def _checked_in(self, result: CheckInResult) -> None:
        assert result.member is not None
        self.show_member(result.member)
        self.checked_in.emit(result)
        if result.sale is not None:  # a sale waiting at the POS was theirs: its moment
            sale = result.sale
            self.show_sale(
                sale.points_earned,
                sale.stamps,
                sale.stamp_goal,
                result.member.stamps_enabled,
                rewards_ready=sale.rewards_ready,
                stamps_earned=sale.stamps_earned,
            )

    def show_member(self, member: MemberCard) -> None:
        self.member = member
        who = t("checkin.hello", initial=member.initial) if member.initial else t("checkin.hi")
        self.greeting.setText(who)
        self.phone.setText(member.phone_masked)
        self.points.setText(f"{member.points:,}P")
        self.stamps_label.setText(t("panel.stamps", n=member.stamps, goal=member.stamp_goal))
        self.stamps.set_stamps(member.stamps, member.stamp_goal)
        for widget in (self.stamps_label, self.stamps):
            widget.setVisible(member.stamps_enabled)
        ready = member.rewards_ready
        self.reward.setText(
            t("checkin.reward_ready", reward=member.stamp_reward or t("checkin.reward"))
            if ready
            else ""
        )
        self.reward.setVisible(bool(ready))
        self.coupons.setText(
            tn("checkin.coupons", "checkin.coupons_plural", member.coupons)
            if member.coupons
            else ""
        )
        self.coupons.setVisible(bool(member.coupons))
        if not self._moment_timer.isActive():
            self.pages.setCurrentWidget(self.member_page)
        self.idle.start()

    def _show_choices(self, result: CheckInResult) -> None:
        self._clear_choices()
        for choice in result.choices:
            label = choice.phone_masked
            if choice.initial:
                label = t("checkin.choice", initial=choice.initial, phone=choice.phone_masked)
            button = _big_button(label, "ciChoice", 72)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.setProperty("token", choice.token)
            button.pressed.connect(self.poke)
            button.clicked.connect(self._chosen)
            self.choice_box.addWidget(button)
            self.choice_buttons.append(button)
        self.pages.setCurrentWidget(self.choices_page)

    def _chosen(self) -> None:
        button = self.sender()
        if not isinstance(button, QPushButton):
            return
        token = str(button.property("token"))
        for other in self.choice_buttons:
            other.setEnabled(False)
        ctx = self.ctx
        self.runner.run(
            lambda: checkin.choose(ctx, token),
            lambda result: self._answered(result, ""),
            self._failed,
        )

    def _show_unknown(self, result: CheckInResult, digits: str) -> None:
        if not result.can_join:  # last 4 nobody has; or a number that cannot join here
            if result.phone_masked:
                self.show_refusal(Refused("checkin.cannot_join"))
            else:
                self.show_refusal(Refused("checkin.not_found"))
            return
        self.joining = digits
        self.join_phone.setText(result.phone_masked or "")
        self.pages.setCurrentWidget(self.join_page)

    # --- joining -------------------------------------------------------------------------

    def show_consents(self) -> None:
        self._clear_consents()
        self.consent_error.setText("")
        self.pages.setCurrentWidget(self.consent_page)
        self.idle.start()

    def _consents_changed(self) -> None:
        marketing = self.marketing_toggle.isChecked()
        for button in [*self.channel_toggles.values(), self.night_toggle]:
            if not marketing:
                button.setChecked(False)
            button.setEnabled(marketing)
        self.consent_submit.setEnabled(self.program_toggle.isChecked())

    def consent_choices(self) -> dict[str, object]:
        """Exactly what the customer tapped (nothing is ticked for them)."""
        return {
            "program": self.program_toggle.isChecked(),
            "marketing": self.marketing_toggle.isChecked(),
            "channels": {c: b.isChecked() for c, b in self.channel_toggles.items()},
            "night": self.night_toggle.isChecked(),
        }

    def submit_consents(self) -> None:
        phone, choices = self.joining, self.consent_choices()
        if not phone:
            self.reset()
            return
        self.consent_submit.setEnabled(False)
        ctx, device = self.ctx, self.device
        self.runner.run(
            lambda: checkin.enroll_at_display(ctx, phone, choices, "display", device),
            self._joined,
            self._failed,
        )

    def _joined(self, result: CheckInResult) -> None:
        self.consent_submit.setEnabled(self.program_toggle.isChecked())
        if result.kind == checkin.MEMBER:
            self.joining = ""
            self._checked_in(result)
            return
        assert result.refusal is not None
        self.consent_error.setText(refusal(result.refusal))
        self.idle.start()

    # --- what the counter sends ----------------------------------------------------------

    def show_customer(self, status: CustomerStatus | None, note: str = "") -> None:
        """The member the cashier has on screen (also after one checked in here)."""
        if status is None:
            if self.pages.currentWidget() is self.member_page:
                self.reset()
            return
        if self.pages.currentWidget() in (self.join_page, self.consent_page, self.choices_page):
            return  # a customer in the middle of their own steps is not interrupted
        self.show_member(member_from_status(status))

    def show_sale(
        self,
        points_earned: int,
        stamps: int,
        goal: int,
        stamps_enabled: bool,
        *,
        rewards_ready: int = 0,
        stamps_earned: int = 0,
    ) -> None:
        """The moment of a sale: "+195P 적립!", the stamp just added, a ready reward."""
        self._moment_timer.stop()
        self.moment.setText(t("display.moment_points", points=f"{points_earned:,}"))
        on_card = stamps % goal if goal else 0
        if goal and stamps and on_card == 0 and rewards_ready:
            on_card = goal  # the stamp that filled the card: the full card, its reward ready
        card_text = t("panel.stamps", n=on_card, goal=goal)
        if stamps_earned > 0:
            card_text = t("checkin.moment_stamps", added=stamps_earned, n=on_card, goal=goal)
        self.moment_stamps.setText(card_text)
        self.moment_card.set_stamps(on_card, goal)
        for widget in (self.moment_stamps, self.moment_card):
            widget.setVisible(stamps_enabled)
        reward = self.member.stamp_reward if self.member and self.member.stamp_reward else ""
        self.moment_reward.setText(
            t("checkin.reward_ready", reward=reward or t("checkin.reward")) if rewards_ready else ""
        )
        self.moment_reward.setVisible(bool(rewards_ready))
        self.pages.setCurrentWidget(self.moment_page)
        self._moment_timer.start()
        self.idle.stop()

    def end_moment(self) -> None:
        """After the moment: the visit's rating if this sale is asked, else the prompt."""
        self._moment_timer.stop()
        if self._rating_sale is None:
            self.reset()
            return
        self.rating.reset()
        self.pages.setCurrentWidget(self.rating)
        self.idle.start()  # an unanswered question goes like any other screen

    def in_moment(self) -> bool:
        return self._moment_timer.isActive()

    def ask_rating(self, sale_id: uuid.UUID) -> None:
        """After a sale: whether its visit is rated (the owner's setting and sample decide);
        the question follows the moment."""
        ctx = self.ctx

        def asked(ask: object) -> None:
            if ask and self.pages.currentWidget() is self.moment_page:
                self._rating_sale = sale_id

        self.runner.run(lambda: ratings.should_ask(ctx, sale_id), asked, lambda _error: None)

    def _rated(self, score: int, comment: str) -> None:
        ctx, sale = self.ctx, self._rating_sale
        self._rating_sale = None
        if sale is None:
            self.reset()
            return

        def thanked(result: Any) -> None:
            self.rating.thank(result.review_url)
            self._moment_timer.start()  # the thanks stays as long as a moment, then the prompt

        self.runner.run(
            lambda: ratings.record_rating(ctx, sale, score, comment, source="display"),
            thanked,
            lambda _error: self.reset(),  # already rated or too late: back to the prompt
        )

    def set_compact(self, on: bool) -> None:
        """The classic display's call; the check-in screen keeps its size classes."""

    def page(self) -> str:
        """Which page is up (the tests and the screenshots name it)."""
        names = {
            self.prompt_page: "prompt",
            self.choices_page: "choices",
            self.member_page: "member",
            self.join_page: "join",
            self.consent_page: "consents",
            self.moment_page: "moment",
            self.rating: "rating",
            self.wallet_page: "wallet",
        }
        page = self.pages.currentWidget()
        assert page is not None
        return names[page]

    def texts(self) -> str:
        """Everything written on the page shown (the tests check no full number is there)."""
        page = self.pages.currentWidget()
        assert page is not None
        widgets = [self.store, *page.findChildren(QLabel), *page.findChildren(QPushButton)]
        return " ".join(w.text() for w in widgets if w.isVisibleTo(self) or w is self.store)

    def closeEvent(self, event: Any) -> None:
        self.runner.stop()
        super().closeEvent(event)
