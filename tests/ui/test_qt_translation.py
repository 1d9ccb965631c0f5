"""Qt's standard buttons speak the counter's language: qtbase_ko.qm is swapped in and out."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from app.ui import text


def test_standard_buttons_follow_the_language(qtbot):
    try:
        text.set_language("ko")
        box = QMessageBox(QMessageBox.Icon.Question, "", "", QMessageBox.StandardButton.Yes)
        qtbot.addWidget(box)
        assert box.button(QMessageBox.StandardButton.Yes).text().startswith("예")
        text.set_language("en")
        box = QMessageBox(QMessageBox.Icon.Question, "", "", QMessageBox.StandardButton.Yes)
        qtbot.addWidget(box)
        assert box.button(QMessageBox.StandardButton.Yes).text().replace("&", "") == "Yes"
    finally:
        text.set_language("ko")
