"""The staff page: who works here, their role, a new member with a PIN, disable, reset a PIN."""

from __future__ import annotations

import uuid

from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import Refused
from app.i18n import codes
from app.services import customers, fraud, staff
from app.services.context import Context
from app.services.staff import StaffMember
from app.ui.backoffice.settings_page import combo, error_text, field_error, page_title
from app.ui.tasks import ServiceRunner
from app.ui.text import language, t


def pin_edit(name: str) -> QLineEdit:
    edit = QLineEdit(objectName=name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setMaxLength(8)
    edit.setPlaceholderText(t("staff.pin_hint"))
    return edit


def shown_name(member: StaffMember) -> str:
    """The name as the list shows it (the seeded owner's '사장님' is 'Owner' in English)."""
    return codes.staff_name(language(), member.name)


def own_text(member: StaffMember, phone: str | None) -> str:
    """Which membership is the staff member's own (its masked phone), or that none is."""
    if phone:
        return t("staff.own_linked", name=shown_name(member), phone=phone)
    return t("staff.own_none", name=shown_name(member))


class StaffPage(QWidget):
    def __init__(self, ctx: Context, runner: ServiceRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.runner = ctx, runner
        self.members: list[StaffMember] = []
        self._build()
        self.reload()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.addWidget(page_title(t("page.staff")))
        row = QHBoxLayout()
        row.addLayout(self._list_column(), 3)
        side = QVBoxLayout()
        side.addWidget(self._add_box())
        side.addWidget(self._pin_box())
        side.addWidget(self._own_box())
        side.addStretch(1)
        row.addLayout(side, 2)
        layout.addLayout(row)

    def _list_column(self) -> QVBoxLayout:
        column = QVBoxLayout()
        self.table = QTableWidget(0, 4, objectName="staffTable")
        self.table.setHorizontalHeaderLabels(
            [t("staff.name"), t("staff.role_label"), t("staff.status"), t("staff.pin")]
        )
        # names, roles and states are short (sized to them in show_members); the PIN's note,
        # the longest ("없음 (첫 로그인 때 정함)"), gets the rest and wraps if it must
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(True)
        rows = self.table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        rows.setMinimumSectionSize(32)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        column.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.toggle_button = QPushButton(t("staff.disable"), objectName="toggleActive")
        self.toggle_button.clicked.connect(self.toggle_active)
        self.toggle_button.setEnabled(False)
        buttons.addWidget(self.toggle_button)
        buttons.addStretch(1)
        column.addLayout(buttons)
        self.list_error = field_error("staffListError")
        column.addWidget(self.list_error)
        self.message = QLabel(objectName="message", wordWrap=True)
        column.addWidget(self.message)
        return column

    def _add_box(self) -> QGroupBox:
        box = QGroupBox(t("staff.add"))
        form = QFormLayout(box)
        self.new_name = QLineEdit(objectName="newName")
        self.new_role = combo(
            [(t("role.cashier"), "cashier"), (t("role.owner"), "owner")], "newRole"
        )
        self.new_pin = pin_edit("newPin")
        form.addRow(t("staff.name"), self.new_name)
        form.addRow(t("staff.role_label"), self.new_role)
        form.addRow(t("staff.pin"), self.new_pin)
        self.add_error = field_error("addError")
        form.addRow(self.add_error)
        self.add_button = QPushButton(t("staff.add_button"), objectName="addStaff")
        self.add_button.clicked.connect(self.add)
        form.addRow(self.add_button)
        return box

    def _pin_box(self) -> QGroupBox:
        box = QGroupBox(t("staff.reset_pin"))
        form = QFormLayout(box)
        self.pin_for = QLabel(t("staff.pick_first"), objectName="pinFor", wordWrap=True)
        self.reset_pin = pin_edit("resetPin")
        self.reset_pin_again = pin_edit("resetPinAgain")
        form.addRow(self.pin_for)
        form.addRow(t("staff.new_pin"), self.reset_pin)
        form.addRow(t("staff.new_pin_again"), self.reset_pin_again)
        self.pin_error = field_error("pinError")
        form.addRow(self.pin_error)
        self.pin_button = QPushButton(t("staff.reset_button"), objectName="resetPinButton")
        self.pin_button.clicked.connect(self.set_pin)
        self.pin_button.setEnabled(False)
        form.addRow(self.pin_button)
        return box

    # --- the list ---------------------------------------------------------------------------

    def _own_box(self) -> QGroupBox:
        """The staff member's own membership: earning on it shows in "needs attention"."""
        box = QGroupBox(t("staff.own"))
        form = QFormLayout(box)
        self.own_for = QLabel(t("staff.pick_first"), objectName="ownFor", wordWrap=True)
        self.own_phone = QLineEdit(objectName="ownPhone")
        self.own_phone.setPlaceholderText("010-0000-0000")
        form.addRow(self.own_for)
        form.addRow(t("staff.own_phone"), self.own_phone)
        self.own_error = field_error("ownError")
        form.addRow(self.own_error)
        buttons = QHBoxLayout()
        self.own_button = QPushButton(t("staff.own_link"), objectName="ownLink")
        self.own_button.clicked.connect(self.link_own)
        self.unlink_button = QPushButton(t("staff.own_unlink"), objectName="ownUnlink")
        self.unlink_button.clicked.connect(lambda: self.link_own(unlink=True))
        buttons.addWidget(self.own_button)
        buttons.addWidget(self.unlink_button)
        form.addRow(buttons)
        form.addRow(QLabel(t("staff.own_hint"), objectName="hint", wordWrap=True))
        return box

    def reload(self) -> None:
        self.runner.run(
            lambda: staff.list_staff(self.ctx, include_inactive=True), self.show_members
        )

    def show_members(self, members: list[StaffMember]) -> None:
        selected = self.selected()
        self.members = members
        self.table.setRowCount(len(members))
        for row, member in enumerate(members):
            cells = (
                shown_name(member),
                codes.role(language(), member.role),
                t("staff.active") if member.active else t("staff.inactive"),
                t("staff.pin_set") if member.has_pin else t("staff.pin_none"),
            )
            for column, value in enumerate(cells):
                item = QTableWidgetItem(value)
                item.setToolTip(value)  # whole, should a narrow window still cut it
                self.table.setItem(row, column, item)
            if selected is not None and member.id == selected.id:
                self.table.selectRow(row)
        header = self.table.horizontalHeader()
        for column in range(3):
            wanted = max(self.table.sizeHintForColumn(column), header.sectionSizeHint(column))
            self.table.setColumnWidth(column, wanted + 24)
        self._selection_changed()

    def selected(self) -> StaffMember | None:
        rows = {i.row() for i in self.table.selectedIndexes()}
        return self.members[rows.pop()] if len(rows) == 1 and self.members else None

    def select(self, staff_id: uuid.UUID) -> None:
        for row, member in enumerate(self.members):
            if member.id == staff_id:
                self.table.selectRow(row)

    def _selection_changed(self) -> None:
        member = self.selected()
        self.toggle_button.setEnabled(member is not None)
        self.pin_button.setEnabled(member is not None)
        self.list_error.hide()
        self.own_button.setEnabled(member is not None)
        self.unlink_button.setEnabled(member is not None)
        self.own_error.hide()
        if member is None:
            self.pin_for.setText(t("staff.pick_first"))
            self.own_for.setText(t("staff.pick_first"))
            return
        self.toggle_button.setText(t("staff.disable") if member.active else t("staff.enable"))
        self.pin_for.setText(t("staff.pin_for", name=shown_name(member)))
        self.runner.run(
            lambda: fraud.linked_customer(self.ctx, member.id),
            lambda phone: self._show_own(member, phone),
            lambda e: self._show(self.own_error, e),
        )

    def _show_own(self, member: StaffMember, phone: str | None) -> None:
        if self.selected() != member:
            return  # another row was picked meanwhile
        self.own_for.setText(own_text(member, phone))

    # --- actions ----------------------------------------------------------------------------

    def add(self) -> None:
        self.add_error.hide()
        name, role, pin = self.new_name.text(), self.new_role.currentData(), self.new_pin.text()
        self.runner.run(
            lambda: staff.add_staff(self.ctx, name, role, pin),
            self._added,
            lambda e: self._show(self.add_error, e),
        )

    def _added(self, member: StaffMember) -> None:
        self.new_name.clear()
        self.new_pin.clear()
        self.message.setText(t("staff.added", name=member.name))
        self.reload()

    def toggle_active(self) -> None:
        member = self.selected()
        if member is None:
            return
        self.runner.run(
            lambda: staff.set_active(self.ctx, member.id, not member.active),
            lambda _: self._done(
                t("staff.enabled", name=shown_name(member))
                if not member.active
                else t("staff.disabled", name=shown_name(member))
            ),
            lambda e: self._show(self.list_error, e),
        )

    def set_pin(self) -> None:
        member = self.selected()
        self.pin_error.hide()
        if member is None:
            return
        pin = self.reset_pin.text()
        if pin != self.reset_pin_again.text():
            self._show(self.pin_error, Refused("backoffice.pin_mismatch"))
            return
        self.runner.run(
            lambda: staff.set_pin(self.ctx, member.id, pin),
            lambda _: self._pin_done(member),
            lambda e: self._show(self.pin_error, e),
        )

    def link_own(self, *, unlink: bool = False) -> None:
        """Link the selected staff member to the membership of the number typed (or unlink)."""
        member = self.selected()
        self.own_error.hide()
        if member is None:
            return
        ctx, typed = self.ctx, self.own_phone.text()

        def job() -> str | None:
            customer_id = None if unlink else customers.resolve_customer(ctx, typed)
            return fraud.link_staff_customer(ctx, member.id, customer_id)

        self.runner.run(
            job,
            lambda phone: self._own_done(member, phone),
            lambda e: self._show(self.own_error, e),
        )

    def _own_done(self, member: StaffMember, phone: str | None) -> None:
        self.own_phone.clear()
        self._show_own(member, phone)
        self.message.setText(own_text(member, phone))

    def _pin_done(self, member: StaffMember) -> None:
        self.reset_pin.clear()
        self.reset_pin_again.clear()
        self._done(t("staff.pin_reset", name=shown_name(member)))

    def _done(self, text: str) -> None:
        self.message.setText(text)
        self.reload()

    def _show(self, label: QLabel, error: BaseException) -> None:
        label.setText(error_text(error))
        label.show()
