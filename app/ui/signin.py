"""Staff sign-in with a PIN: at start, and again after the owner's idle time."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import Refused
from app.domain.staff import StaffMember
from app.i18n import codes
from app.ui.keypad import Keypad
from app.ui.tasks import ServiceRunner
from app.ui.text import language, refusal, t

if TYPE_CHECKING:
    from app.services.context import Context


class SignInScreen(QWidget):
    """Who signs in, and their PIN.

    At start the screen may come before the shop is open (`ctx` None, the staff as
    app.services.first_screen read them): a PIN entered then is checked once `attach`
    gives the shop.
    """

    signed_in = Signal(object)  # StaffMember

    def __init__(
        self,
        ctx: Context | None,
        runner: ServiceRunner,
        parent: QWidget | None = None,
        *,
        staff: list[StaffMember] | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.runner = ctx, runner
        self._staff = staff  # before the shop is open: who may sign in
        self._waiting = False  # a PIN entered before the shop was open
        self.people = QListWidget(objectName="staffList")
        self.people.currentItemChanged.connect(self._picked)
        self.pin = QLineEdit(objectName="pin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setPlaceholderText(t("signin.pin"))
        self.pin.returnPressed.connect(self._pin_entered)
        # the first PIN (no PIN yet) is typed twice, as in the setup wizard
        self.pin_again = QLineEdit(objectName="pinAgain")
        self.pin_again.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_again.setPlaceholderText(t("wizard.pin.again"))
        self.pin_again.returnPressed.connect(self.submit)
        self.pin_again_label = QLabel(t("wizard.pin.again"))
        for widget in (self.pin_again_label, self.pin_again):
            widget.hide()
        for field in (self.pin, self.pin_again):
            field.setMinimumHeight(44)
        self.note = QLabel(objectName="signinNote")
        self.note.setWordWrap(True)
        self.error = QLabel(objectName="fieldError")
        self.error.setWordWrap(True)
        self.button = QPushButton(t("signin.button"), objectName="signinButton")
        self.button.setMinimumHeight(48)
        self.button.clicked.connect(self.submit)

        title = QLabel(t("signin.title"), objectName="screenTitle")
        form = QVBoxLayout()
        form.addWidget(QLabel(t("signin.who")))
        form.addWidget(self.people)
        pin_side = QVBoxLayout()
        pin_side.addWidget(self.note)
        pin_side.addWidget(self.pin)
        pin_side.addWidget(self.pin_again_label)
        pin_side.addWidget(self.pin_again)
        pin_side.addWidget(Keypad(self._typing_into))
        pin_side.addWidget(self.error)
        pin_side.addWidget(self.button)
        row = QHBoxLayout()
        row.addLayout(form, 1)
        row.addLayout(pin_side, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(row)
        self.reload()

    def _typing_into(self) -> QLineEdit:
        """The keypad types where the cursor is: the second PIN field once it has the focus."""
        return (
            self.pin_again if self.pin_again.isVisible() and self.pin_again.hasFocus() else self.pin
        )

    def _pin_entered(self) -> None:
        if self.pin_again.isVisible():
            self.pin_again.setFocus()
        else:
            self.submit()

    def attach(self, ctx: Context) -> None:
        """The shop is open: a PIN entered meanwhile is checked now."""
        self.ctx, self._staff = ctx, None
        if self._waiting:
            self._waiting = False
            self.submit()

    def _people(self) -> list[StaffMember]:
        if self.ctx is None:
            return list(self._staff or [])
        from app.services import staff

        return staff.list_staff(self.ctx)

    def reload(self) -> None:
        self.pin.clear()
        self.pin_again.clear()
        self.error.clear()
        self.people.clear()
        for member in self._people():
            role = codes.role(language(), member.role)
            item = QListWidgetItem(f"{codes.staff_name(language(), member.name)}  ·  {role}")
            item.setData(Qt.ItemDataRole.UserRole, member)
            self.people.addItem(item)
        self.people.setCurrentRow(0)
        self.pin.setFocus()

    def _member(self) -> StaffMember | None:
        item = self.people.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def _picked(self, *_: object) -> None:
        member = self._member()
        first = bool(member and not member.has_pin)
        self.note.setText(t("signin.no_pin") if first else "")
        self.pin_again.setVisible(first)
        self.pin_again_label.setVisible(first)
        self.error.clear()
        self.pin.clear()
        self.pin_again.clear()
        self.pin.setFocus()

    def submit(self) -> None:
        member = self._member()
        if member is None:
            return
        self.button.setEnabled(False)
        ctx = self.ctx
        if ctx is None:
            self._waiting = True  # attach() submits it
            return
        pin, again = self.pin.text(), self.pin_again.text()

        def work() -> StaffMember:
            from app.services import setup, staff

            if not member.has_pin:
                # the first sign-in sets the PIN (a new shop's owner): the same PIN twice
                setup.check_owner_pin(pin, again)
                ctx.staff_id, ctx.staff_role = member.id, member.role
                staff.set_pin(ctx, member.id, pin)
            return staff.sign_in(ctx, member.id, pin)

        self.runner.run(work, self._done, self._failed)

    def _done(self, member: StaffMember) -> None:
        self.button.setEnabled(True)
        self.pin.clear()
        self.pin_again.clear()
        self.signed_in.emit(member)

    def _failed(self, error: BaseException) -> None:
        self.button.setEnabled(True)
        self.pin.clear()
        self.pin_again.clear()
        self.pin.setFocus()
        if isinstance(error, Refused):
            self.error.setText(refusal(error))
        else:
            # the crash log (and its dialog with "copy details") hears of it, as at the counter
            logging.getLogger("dangol").error("sign-in failed", exc_info=error)
            self.error.setText(t("error.unexpected", error=type(error).__name__))
        self.reload_keep_selection()

    def reload_keep_selection(self) -> None:
        row = self.people.currentRow()
        error = self.error.text()
        self.reload()
        self.people.setCurrentRow(row)
        self.error.setText(error)
