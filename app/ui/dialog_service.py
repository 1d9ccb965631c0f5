"""The one place a window asks a person before acting: a confirmation tests can drive."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget


class DialogService:
    """Opens confirmations window-modal and calls back; `current` is the one open, for tests."""

    def __init__(self) -> None:
        self.current: QMessageBox | None = None

    def confirm(
        self,
        parent: QWidget,
        title: str,
        text: str,
        accept_text: str,
        reject_text: str,
        on_accept: Callable[[], None],
        on_reject: Callable[[], None] | None = None,
        name: str = "confirmation",
        *,
        accept_is_default: bool = False,
    ) -> QMessageBox:
        """Ask; `on_accept` runs only when the accept button was pressed.

        Reject is the default button unless `accept_is_default` (one customer's own action at the
        counter, where Enter after the key is the cashier's habit); Esc always rejects.
        """
        box = QMessageBox(
            QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent
        )
        box.setObjectName(name)
        accept: QPushButton = box.addButton(accept_text, QMessageBox.ButtonRole.AcceptRole)
        accept.setObjectName(name + "Accept")
        reject: QPushButton = box.addButton(reject_text, QMessageBox.ButtonRole.RejectRole)
        reject.setObjectName(name + "Reject")
        for button in (accept, reject):
            button.setMinimumSize(120, 48)  # a touch target (>= 44 px)
        # an action for many is never one Enter away
        box.setDefaultButton(accept if accept_is_default else reject)
        box.setEscapeButton(reject)

        def finished(_: int) -> None:
            accepted = box.clickedButton() is accept
            if self.current is box:
                self.current = None
            box.deleteLater()
            if accepted:
                on_accept()
            elif on_reject is not None:
                on_reject()

        box.finished.connect(finished)
        self.current = box
        box.open()
        return box
