"""The touch keypad of the PIN, amount and phone fields (Qt only: the sign-in screen
comes before the shop is open)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLineEdit, QPushButton, QWidget


class Keypad(QWidget):
    """Big touch keys that type into a line edit (or the one `target()` names at the moment)."""

    def __init__(
        self, target: QLineEdit | Callable[[], QLineEdit], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.target = target
        grid = QGridLayout(self)
        keys = ["7", "8", "9", "4", "5", "6", "1", "2", "3", "00", "0", "⌫"]
        for i, key in enumerate(keys):
            button = QPushButton(key, objectName="keypadKey")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setMinimumSize(64, 48)
            button.clicked.connect(lambda _=False, k=key: self._press(k))
            grid.addWidget(button, i // 3, i % 3)

    def _press(self, key: str) -> None:
        target = self.target if isinstance(self.target, QLineEdit) else self.target()
        if key == "⌫":
            target.backspace()
        else:
            target.insert(key)
