"""POS tokens: what a POS sends to the local API instead of a PIN (owner only).

A new token is shown once, in a dialog with a copy button, and kept nowhere (the database has
its SHA-256: ``app.services.tokens``); the list shows each token's name, when it was made and
whether it was revoked. Revoking asks first (``DialogService``) and stops the token at once.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
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

from app.services import tokens
from app.services.context import Context
from app.services.tokens import NewToken, Revoked, TokenInfo, TokenList
from app.ui.backoffice.settings_page import error_text, field_error, page_title
from app.ui.backoffice.tablet_page import TabletSection
from app.ui.dialog_service import DialogService
from app.ui.tasks import ServiceRunner
from app.ui.text import t

SCOPE = "pos"


class NewTokenDialog(QDialog):
    """The token, this once: a copy button and the warning that it will not be shown again."""

    def __init__(self, made: NewToken, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("newTokenDialog")
        self.setWindowTitle(t("tokens.shown_title", name=made.name))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        layout = QVBoxLayout(self)
        warning = QLabel(t("tokens.shown_once"), objectName="fieldError", wordWrap=True)
        layout.addWidget(warning)
        self.token = QLineEdit(made.token, objectName="newToken")
        self.token.setReadOnly(True)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.token.setFont(mono)
        self.token.setMinimumWidth(self.token.fontMetrics().horizontalAdvance(made.token) + 24)
        self.token.setMinimumHeight(44)
        layout.addWidget(self.token)
        layout.addWidget(QLabel(t("tokens.shown_use"), objectName="hint", wordWrap=True))
        self.copied = QLabel(objectName="message")
        buttons = QHBoxLayout()
        self.copy_button = QPushButton(t("tokens.copy"), objectName="copyToken")
        self.copy_button.setMinimumSize(120, 48)
        self.copy_button.clicked.connect(self.copy)
        self.close_button = QPushButton(t("dialog.close"), objectName="closeToken")
        self.close_button.setMinimumSize(120, 48)
        self.close_button.clicked.connect(self.accept)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.copied, 1)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self.token.selectAll()

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.token.text())
        self.copied.setText(t("tokens.copied"))

    def done(self, result: int) -> None:
        self.token.clear()  # nothing of it stays in the window once closed
        super().done(result)


class TokensPage(QWidget):
    def __init__(
        self,
        ctx: Context,
        runner: ServiceRunner,
        parent: QWidget | None = None,
        dialogs: DialogService | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.runner = ctx, runner
        self.dialogs = dialogs or DialogService()
        self.tokens: list[TokenInfo] = []
        self.shown: NewTokenDialog | None = None  # the shown-once dialog while it is open
        self._build()
        self.reload()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.addWidget(page_title(t("page.tokens")))
        layout.addWidget(QLabel(t("tokens.intro"), objectName="hint", wordWrap=True))
        row = QHBoxLayout()
        column = QVBoxLayout()
        self.table = QTableWidget(0, 3, objectName="tokenTable")
        self.table.setHorizontalHeaderLabels(
            [t("tokens.name"), t("tokens.created"), t("tokens.state")]
        )
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        column.addWidget(self.table, 1)
        self.empty = QLabel(t("tokens.none"), objectName="hint", wordWrap=True)
        column.addWidget(self.empty)
        buttons = QHBoxLayout()
        self.revoke_button = QPushButton(t("tokens.revoke"), objectName="revokeToken")
        self.revoke_button.setMinimumHeight(44)
        self.revoke_button.setEnabled(False)
        self.revoke_button.clicked.connect(self.ask_revoke)
        buttons.addWidget(self.revoke_button)
        buttons.addStretch(1)
        column.addLayout(buttons)
        self.list_error = field_error("tokenListError")
        column.addWidget(self.list_error)
        self.message = QLabel(objectName="message", wordWrap=True)
        column.addWidget(self.message)
        row.addLayout(column, 3)
        side = QVBoxLayout()
        side.addWidget(self._add_box())
        self.tablet = TabletSection(self.ctx, self.runner, self.reload)  # a tablet's pairing
        side.addWidget(self.tablet)
        side.addStretch(1)
        row.addLayout(side, 2)
        layout.addLayout(row, 1)

    def _add_box(self) -> QGroupBox:
        box = QGroupBox(t("tokens.add"))
        form = QVBoxLayout(box)
        form.addWidget(QLabel(t("tokens.name_label"), wordWrap=True))
        self.new_name = QLineEdit(objectName="tokenName")
        self.new_name.setMaxLength(tokens.MAX_NAME)
        self.new_name.setPlaceholderText(t("tokens.name_hint"))
        self.new_name.setMinimumHeight(44)
        self.new_name.returnPressed.connect(self.add)
        form.addWidget(self.new_name)
        self.add_error = field_error("tokenAddError")
        form.addWidget(self.add_error)
        self.add_button = QPushButton(t("tokens.add_button"), objectName="addToken")
        self.add_button.setMinimumHeight(44)
        self.add_button.clicked.connect(self.add)
        form.addWidget(self.add_button)
        return box

    # --- the list ---------------------------------------------------------------------------

    def reload(self) -> None:
        self.runner.run(lambda: tokens.list_tokens(self.ctx), self.show_tokens, self._list_failed)

    def show_tokens(self, found: TokenList) -> None:
        self.tokens = found.tokens
        self.table.setRowCount(len(self.tokens))
        for row, info in enumerate(self.tokens):
            made = f"{self.ctx.local(info.created_at):%Y-%m-%d %H:%M}"
            state = (
                t("tokens.active")
                if info.revoked_at is None
                else t("tokens.revoked_at", date=f"{self.ctx.local(info.revoked_at):%Y-%m-%d}")
            )
            for column, value in enumerate((info.name, made, state)):
                item = QTableWidgetItem(value)
                if info.revoked_at is not None:
                    item.setForeground(Qt.GlobalColor.gray)
                self.table.setItem(row, column, item)
        self.empty.setVisible(not self.tokens)
        self._selection_changed()

    def selected(self) -> TokenInfo | None:
        rows = {i.row() for i in self.table.selectedIndexes()}
        return self.tokens[rows.pop()] if len(rows) == 1 and self.tokens else None

    def _selection_changed(self) -> None:
        info = self.selected()
        self.revoke_button.setEnabled(info is not None and info.active)
        self.list_error.hide()

    def _list_failed(self, error: BaseException) -> None:
        self.list_error.setText(error_text(error))
        self.list_error.show()

    # --- actions ----------------------------------------------------------------------------

    def add(self) -> None:
        self.add_error.hide()
        name = self.new_name.text()
        self.add_button.setEnabled(False)
        self.runner.run(
            lambda: tokens.create_token(self.ctx, name, SCOPE), self._added, self._add_failed
        )

    def _added(self, made: NewToken) -> None:
        self.add_button.setEnabled(True)
        self.new_name.clear()
        self.message.setText(t("tokens.added", name=made.name))
        self.shown = NewTokenDialog(made, self)
        self.shown.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.shown.finished.connect(lambda _: setattr(self, "shown", None))
        self.shown.open()
        self.reload()

    def _add_failed(self, error: BaseException) -> None:
        self.add_button.setEnabled(True)
        self.add_error.setText(error_text(error))
        self.add_error.show()

    def ask_revoke(self) -> None:
        info = self.selected()
        if info is None or not info.active:
            return
        self.dialogs.confirm(
            self,
            t("tokens.revoke_title"),
            t("tokens.revoke_question", name=info.name),
            t("tokens.revoke_accept"),
            t("dialog.close"),
            lambda: self._revoke(info),
            name="revokeTokenConfirm",
        )

    def _revoke(self, info: TokenInfo) -> None:
        self.runner.run(
            lambda: tokens.revoke_token(self.ctx, info.id), self._revoked, self._list_failed
        )

    def _revoked(self, done: Revoked) -> None:
        self.message.setText(t("tokens.revoked", name=done.name))
        self.reload()
