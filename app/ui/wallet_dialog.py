"""The wallet at the counter (F10): its two balances, spending from it, a prepaid top-up."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QWidget,
)

from app.domain.errors import Refused
from app.domain.money import parse_won
from app.domain.wallet import CashbackRules, WalletBalance, check_topup, check_won, split_spend
from app.services.wallet import PAID_WITH, WalletStatus, check_ref
from app.ui.dialogs import TOUCH, AmountEdit, FormDialog, Keypad
from app.ui.panel import wallet_line
from app.ui.text import t


class WalletDialog(FormDialog):
    """Spend (cashback first, then prepaid) or top up (prepaid, paid by card/cash/transfer
    with its reference; never from the wallet). The input is checked here by the same rules
    the service applies, so a refusal is said next to the field before anything is sent."""

    def __init__(
        self, rules: CashbackRules, status: WalletStatus, parent: QWidget | None = None
    ) -> None:
        super().__init__(t("wallet.title"), t("wallet.accept"), parent)
        self.rules, self.status = rules, status
        self.setMinimumWidth(420)
        self.balance = QLabel(wallet_line(status), objectName="walletBalance")
        self.spend_mode = QRadioButton(t("wallet.spend"), objectName="walletSpend")
        self.topup_mode = QRadioButton(t("wallet.topup"), objectName="walletTopup")
        for button in (self.spend_mode, self.topup_mode):
            button.setMinimumHeight(TOUCH)
        self.modes = QButtonGroup(self)
        self.modes.addButton(self.spend_mode)
        self.modes.addButton(self.topup_mode)
        self.spend_mode.setChecked(True)
        self.topup_mode.setEnabled(rules.prepaid)
        if not rules.prepaid:
            self.topup_mode.setToolTip(t("wallet.topup_off"))
        modes = QHBoxLayout()
        modes.addWidget(self.spend_mode)
        modes.addWidget(self.topup_mode)
        self.won_edit = AmountEdit(objectName="walletWon")
        self.won_edit.setPlaceholderText(t("wallet.won"))
        self.ref_edit = QLineEdit(objectName="walletRef")
        self.ref_edit.setPlaceholderText(t("wallet.ref"))
        self.ref_edit.setMinimumHeight(TOUCH)
        self.paid_with = QComboBox(objectName="walletPaidWith")
        for method in PAID_WITH:
            self.paid_with.addItem(t(f"wallet.paid.{method}"), method)
        self.paid_with.setMinimumHeight(TOUCH)
        self.topup_row = QWidget()
        row = QHBoxLayout(self.topup_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.ref_edit, 2)
        row.addWidget(self.paid_with, 1)
        for edit in (self.won_edit, self.ref_edit):
            edit.textChanged.connect(lambda _: self.error.hide())
        self.modes.buttonToggled.connect(lambda *_: self._mode_changed())
        self.layout_.addWidget(self.balance)
        self.layout_.addLayout(modes)
        self.layout_.addWidget(self.won_edit)
        self.layout_.addWidget(self.topup_row)
        self.layout_.addWidget(Keypad(self.won_edit))
        self.finish_layout()
        self._mode_changed()
        self.won_edit.setFocus()

    def _mode_changed(self) -> None:
        self.topup_row.setVisible(self.topup_mode.isChecked())
        self.accept_button.setText(
            t("wallet.accept_topup") if self.topup_mode.isChecked() else t("wallet.accept")
        )
        self.error.hide()

    @property
    def kind(self) -> str:
        return "topup" if self.topup_mode.isChecked() else "spend"

    @property
    def won(self) -> int:
        return check_won(parse_won(self.won_edit.text() or "0"))

    @property
    def ref(self) -> str:
        return check_ref(self.ref_edit.text())

    @property
    def method(self) -> str:
        return str(self.paid_with.currentData())

    def check(self) -> None:
        amount = self.won
        balance = WalletBalance(
            cashback=self.status.cashback,
            prepaid=self.status.prepaid,
            cashback_due=0,
            expiring_soon=self.status.expiring_soon,
            cashback_sum=self.status.cashback,
            prepaid_sum=self.status.prepaid,
        )
        if self.kind == "spend":
            split_spend(balance, amount)
            return
        self.ref  # noqa: B018  (refused here when missing or too long)
        check_topup(self.rules, balance, amount)
        if self.method not in PAID_WITH:  # pragma: no cover - the list offers no other
            raise Refused("wallet.topup_from_wallet")
