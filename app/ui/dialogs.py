"""The counter's dialogs: amount with a keypad, points to use, coupon, enrollment, PIN."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, tzinfo

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import Refused
from app.domain.money import parse_won
from app.domain.phone import parse_phone
from app.domain.program import Program
from app.domain.redemption import check_points_redemption, max_redeemable
from app.services.customers import CouponView, parse_birthday
from app.ui.keypad import Keypad as Keypad  # its home: the sign-in screen needs it early
from app.ui.panel import coupon_line
from app.ui.text import refusal, t

QUICK_AMOUNTS = (5_000, 10_000, 20_000, 50_000)
TOUCH = 48  # px: confirm buttons, list rows, check boxes (at least 44 px under a finger)


class AmountEdit(QLineEdit):
    """A number field that groups its digits as they are typed ("12000" shows "12,000").

    Only plain digits (and the commas it put there) are regrouped; anything else is left as
    typed so the dialog can say what is wrong with it. The caret stays after the same digit.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None, **kwargs: object) -> None:
        super().__init__(text, parent, **kwargs)
        self.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.setMinimumHeight(TOUCH)
        self.textChanged.connect(self._group)

    def _group(self, text: str) -> None:
        digits = text.replace(",", "")
        if not digits.isdigit() or not digits.isascii():
            return
        grouped = f"{int(digits):,}" if len(digits) < 19 else digits
        if grouped == text:
            return
        # digits right of the caret, kept right of it after the commas move
        right = sum(ch.isdigit() for ch in text[self.cursorPosition() :])
        self.blockSignals(True)
        self.setText(grouped)
        self.blockSignals(False)
        position = len(grouped)
        while right and position > 0:
            position -= 1
            if grouped[position].isdigit():
                right -= 1
        self.setCursorPosition(position)
        self.textChanged.emit(grouped)


class FormDialog(QDialog):
    """A dialog whose accept button says what it does, first checks the input and shows the
    reason next to the field; the other button closes it ("닫기")."""

    def __init__(self, title: str, accept_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.layout_ = QVBoxLayout(self)
        self.error = QLabel(objectName="fieldError")
        self.error.setWordWrap(True)
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.accept_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.accept_button.setText(accept_text)
        self.accept_button.setObjectName("dialogAccept")
        self.close_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.close_button.setText(t("dialog.close"))
        self.close_button.setObjectName("dialogClose")
        for button in self.buttons.buttons():
            button.setMinimumSize(120, TOUCH)
        self.buttons.accepted.connect(self._try_accept)
        self.buttons.rejected.connect(self.reject)

    def finish_layout(self) -> None:
        self.layout_.addWidget(self.error)
        self.layout_.addWidget(self.buttons)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def check(self) -> None:
        """Raise Refused when the input is not acceptable."""

    def _try_accept(self) -> None:
        try:
            self.check()
        except Refused as refused:
            self.show_error(refusal(refused))
            return
        self.accept()


class SaleDialog(FormDialog):
    def __init__(
        self,
        program: Program,
        tier: str,
        parent: QWidget | None = None,
        preview: Callable[[int, int], tuple[int, int]] | None = None,
        partner: tuple[str, int] | None = None,
    ) -> None:
        super().__init__(t("sale.title"), t("dialog.accept.sale"), parent)
        self.partner = partner  # (coalition, balance known here): a consenting member's
        self.program, self.tier, self.preview_fn = program, tier, preview
        self.amount_edit = AmountEdit(objectName="amount")
        self.amount_edit.setPlaceholderText(t("sale.amount"))
        self.amount_edit.textChanged.connect(self._update_preview)
        self.items = QSpinBox(objectName="items")
        self.items.setRange(1, 1000)
        self.items.valueChanged.connect(self._update_preview)
        self.preview = QLabel(objectName="preview")
        self.layout_.addWidget(QLabel(t("sale.amount")))
        self.layout_.addWidget(self.amount_edit)
        quick = QHBoxLayout()
        for amount in QUICK_AMOUNTS:
            button = QPushButton(f"+{amount:,}", objectName="quickAmount")
            button.setMinimumHeight(TOUCH)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _=False, a=amount: self._add(a))
            quick.addWidget(button)
        self.layout_.addLayout(quick)
        self.layout_.addWidget(Keypad(self.amount_edit))
        if program.stamps.per == "item":
            self.layout_.addWidget(QLabel(t("sale.items")))
            self.layout_.addWidget(self.items)
        self.layout_.addWidget(self.preview)
        # 제휴 포인트 사용: the coalition's points off the bill (the sale checks the balance)
        self.partner_edit = AmountEdit(objectName="partnerSpend")
        self.partner_edit.textChanged.connect(lambda _: self.error.hide())
        if partner is not None:
            coalition, balance = partner
            self.layout_.addWidget(
                QLabel(
                    t("sale.partner_spend", coalition=coalition, points=f"{balance:,}"),
                    objectName="partnerSpendLabel",
                )
            )
            self.layout_.addWidget(self.partner_edit)
        else:
            self.partner_edit.hide()
        self.finish_layout()
        self.amount_edit.setFocus()

    @property
    def partner_spend(self) -> int:
        """Partner points to spend (empty: none)."""
        text = self.partner_edit.text().replace(",", "").strip()
        if not text:
            return 0
        if not text.isdigit():
            raise Refused("partner.spend_invalid")
        return int(text)

    def _add(self, amount: int) -> None:
        try:
            current = parse_won(self.amount_edit.text()) if self.amount_edit.text() else 0
        except Refused:
            current = 0
        self.amount_edit.setText(f"{current + amount:,}")

    def _update_preview(self) -> None:
        self.error.hide()
        try:
            amount = parse_won(self.amount_edit.text())
        except Refused:
            self.preview.setText("")
            return
        if self.preview_fn is not None:
            points, stamps = self.preview_fn(amount, self.items.value())
            self.preview.setText(t("sale.preview", points=f"{points:,}", stamps=stamps))

    @property
    def amount(self) -> int:
        return parse_won(self.amount_edit.text())

    def check(self) -> None:
        self.amount  # noqa: B018 (parsing is the check)
        self.partner_spend  # noqa: B018


class RedeemDialog(FormDialog):
    def __init__(self, program: Program, balance: int, parent: QWidget | None = None) -> None:
        super().__init__(t("redeem.title"), t("dialog.accept.redeem"), parent)
        self.rules, self.balance = program.points, balance
        self.points_edit = AmountEdit(objectName="points")
        self.points_edit.textChanged.connect(lambda _: self.error.hide())
        usable = max_redeemable(balance, self.rules)
        self.use_all = QPushButton(t("redeem.all", points=f"{usable:,}"), objectName="useAll")
        self.use_all.setMinimumHeight(TOUCH)
        self.use_all.setEnabled(usable > 0)
        self.use_all.clicked.connect(lambda: self.points_edit.setText(str(usable)))
        self.layout_.addWidget(
            QLabel(
                t(
                    "redeem.rules",
                    balance=f"{balance:,}",
                    minimum=f"{self.rules.min_redeem:,}",
                    unit=f"{self.rules.redeem_unit:,}",
                )
            )
        )
        self.layout_.addWidget(self.points_edit)
        self.layout_.addWidget(self.use_all)
        self.layout_.addWidget(Keypad(self.points_edit))
        self.finish_layout()
        self.points_edit.setFocus()

    @property
    def points(self) -> int:
        text = self.points_edit.text().replace(",", "").strip()
        if not text.lstrip("-").isdigit():
            raise Refused("redeem.not_positive")
        return int(text)

    def check(self) -> None:
        check_points_redemption(self.points, self.balance, self.rules)


class CouponDialog(FormDialog):
    """The customer's coupons, each with what it is worth and its last day, rows a finger wide."""

    def __init__(
        self,
        coupons: list[CouponView],
        parent: QWidget | None = None,
        zone: tzinfo | None = None,
    ) -> None:
        super().__init__(t("coupon.title"), t("dialog.accept.coupon"), parent)
        self.list = QListWidget(objectName="couponList")
        for coupon in coupons:
            item = QListWidgetItem(coupon_line(coupon, zone))
            item.setData(Qt.ItemDataRole.UserRole, coupon.code)
            item.setSizeHint(QSize(0, 52))
            self.list.addItem(item)
        self.list.itemDoubleClicked.connect(lambda _: self._try_accept())
        self.setMinimumWidth(460)
        self.list.setCurrentRow(0)
        self.layout_.addWidget(QLabel(t("coupon.pick")))
        self.layout_.addWidget(self.list)
        self.finish_layout()

    @property
    def code(self) -> str:
        item = self.list.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item else ""


class EnrollDialog(FormDialog):
    def __init__(
        self,
        phone: str,
        consent_program: str,
        consent_marketing: str,
        allow_landline: bool = False,
        parent: QWidget | None = None,
        today: date | None = None,
    ) -> None:
        super().__init__(t("enroll.title"), t("dialog.accept.enroll"), parent)
        self.today = today or date.max
        self.allow_landline = allow_landline
        self.phone_edit = QLineEdit(phone, objectName="phone")
        self.name_edit = QLineEdit(objectName="name")
        self.birthday_edit = QLineEdit(objectName="birthday")
        self.birthday_edit.setPlaceholderText("1990-04-02")
        self.program_consent = QCheckBox(t("enroll.program_consent"), objectName="programConsent")
        self.marketing_consent = QCheckBox(
            t("enroll.marketing_consent"), objectName="marketingConsent"
        )
        for label, widget in [
            (t("enroll.phone"), self.phone_edit),
            (t("enroll.name"), self.name_edit),
            (t("enroll.birthday"), self.birthday_edit),
        ]:
            self.layout_.addWidget(QLabel(label))
            self.layout_.addWidget(widget)
        for wording, box in [
            (consent_program, self.program_consent),
            (consent_marketing, self.marketing_consent),
        ]:
            text = QLabel(wording, objectName="consentText")
            text.setWordWrap(True)
            text.setMinimumWidth(440)
            self.layout_.addWidget(text)
            self.layout_.addWidget(box)
            box.toggled.connect(lambda _: self.error.hide())
        self.setMinimumWidth(480)
        self.finish_layout()
        (self.name_edit if phone else self.phone_edit).setFocus()

    def check(self) -> None:
        parse_phone(self.phone_edit.text(), allow_landline=self.allow_landline)
        parse_birthday(self.birthday_edit.text().strip() or None, self.today)
        if not self.program_consent.isChecked():
            raise _Message(t("enroll.consent_needed"))

    def _try_accept(self) -> None:
        try:
            self.check()
        except _Message as message:
            self.show_error(str(message))
            return
        except Refused as refused:
            self.show_error(refusal(refused))
            return
        self.accept()


class _Message(Exception):
    """A plain sentence for the dialog's error line."""


class PinDialog(FormDialog):
    """Asks for a PIN (owner approval, or a sign-in); checking is the caller's job."""

    def __init__(
        self, prompt: str, parent: QWidget | None = None, accept_text: str | None = None
    ) -> None:
        super().__init__(t("signin.owner_needed"), accept_text or t("dialog.accept.pin"), parent)
        self.pin_edit = QLineEdit(objectName="pin")
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.layout_.addWidget(QLabel(prompt))
        self.layout_.addWidget(self.pin_edit)
        self.layout_.addWidget(Keypad(self.pin_edit))
        self.finish_layout()
        self.pin_edit.setFocus()

    @property
    def pin(self) -> str:
        return self.pin_edit.text()
