"""Qt's standard buttons speak the counter's language: qtbase_ko.qm is swapped in and out."""

from __future__ import annotations

import re

from PySide6.QtGui import QAction
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


def _hangul(texts: list[str]) -> list[str]:
    return [x for x in texts if re.search(r"[\uac00-\ud7a3]", x)]


def test_print_preview_and_file_dialog_speak_korean(qtbot):
    """Qt's own dialogs the counter opens (F6's print preview, the back office's file
    choosers) read their words from qtbase_ko.qm: Korean at a Korean counter, English in English."""
    from PySide6.QtPrintSupport import QPrintPreviewDialog
    from PySide6.QtWidgets import QFileDialog, QLabel, QPushButton

    try:
        for lang in ("ko", "en"):
            text.set_language(lang)
            preview = QPrintPreviewDialog()
            qtbot.addWidget(preview)
            tips = [a.toolTip() or a.text() for a in preview.findChildren(QAction) if a.text()]
            chooser = QFileDialog(None, "", "", "CSV (*.csv)")
            chooser.setOption(QFileDialog.Option.DontUseNativeDialog)
            qtbot.addWidget(chooser)
            words = [
                w.text() for w in chooser.findChildren(QLabel) + chooser.findChildren(QPushButton)
            ]
            if lang == "ko":
                assert len(_hangul(tips)) >= 5, tips  # 인쇄, 페이지 설정, 확대/축소...
                assert _hangul(words), words  # 찾는 위치, 파일 이름, 열기...
            else:
                assert not _hangul(tips) and not _hangul(words)
    finally:
        text.set_language("ko")
