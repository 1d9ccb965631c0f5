"""Answering a back-office confirmation the way a person does: read it, press one of its buttons."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton


def answer(qtbot, dialogs, name: str, *, accept: bool, buttons: tuple[str, str]) -> str:
    """Wait for the confirmation `name` that `dialogs` opened, check that its buttons say
    `buttons` (accept, reject) and that reject is the default, press one; return its text."""
    qtbot.waitUntil(lambda: dialogs.current is not None, timeout=10_000)
    box: QMessageBox = dialogs.current
    assert box.objectName() == name and box.isVisible()
    yes = box.findChild(QPushButton, name + "Accept")
    no = box.findChild(QPushButton, name + "Reject")
    assert (yes.text(), no.text()) == buttons
    assert box.defaultButton() is no  # deleting is never one Enter away
    text = box.text()
    qtbot.mouseClick(yes if accept else no, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialogs.current is None, timeout=5_000)
    return text
