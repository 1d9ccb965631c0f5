"""The About box (version, database, licences) and the dialog for an unexpected error.

Both have a button that copies their text, so an owner can paste it into a message to support.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.crash import CrashRecord, log_folder
from app.services.setup import AboutFacts, about_lines
from app.ui.text import t


def _copy_button(key: str, text: str, parent: QDialog) -> QPushButton:
    button = QPushButton(t(key), parent, objectName="copyDetails")

    def copy() -> None:
        QGuiApplication.clipboard().setText(text)
        button.setText(t("about.copied"))

    button.clicked.connect(copy)
    return button


def _selectable(text: str, name: str) -> QLabel:
    label = QLabel(text, objectName=name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class AboutBox(QDialog):
    """What this copy of Dangol is, where its data is, and what it carries under which licence."""

    def __init__(self, facts: AboutFacts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutBox")
        self.setWindowTitle(t("about.title"))
        self.facts = facts
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(t("about.heading", version=facts.version), objectName="screenTitle")
        )
        layout.addWidget(QLabel(t("about.tagline"), objectName="hint"))
        form = QFormLayout()
        form.addRow(t("about.database"), _selectable(facts.database, "aboutDatabase"))
        form.addRow(t("about.system"), _selectable(facts.system, "aboutSystem"))
        form.addRow(t("about.logs"), _selectable(str(log_folder()), "aboutLogs"))
        layout.addLayout(form)
        layout.addWidget(QLabel(t("about.parts"), objectName="sectionTitle"))
        layout.addWidget(self._parts_table())
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(_copy_button("about.copy", "\n".join(about_lines(facts)), self))
        close = QPushButton(t("about.close"), objectName="aboutClose")
        close.clicked.connect(self.accept)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.resize(660, 720)

    def _parts_table(self) -> QTableWidget:
        table = QTableWidget(len(self.facts.parts), 3, objectName="aboutParts")
        table.setHorizontalHeaderLabels(
            [t("about.part"), t("about.part_version"), t("about.licence")]
        )
        for row, part in enumerate(self.facts.parts):
            for column, value in enumerate((part.name, part.version, part.licence)):
                table.setItem(row, column, QTableWidgetItem(value))
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(26)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        return table


class CrashDialog(QDialog):
    """One sentence on what failed, where the details were written, and a copy button."""

    def __init__(self, crash: CrashRecord, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("crashDialog")
        self.setWindowTitle(t("crash.title"))
        layout = QVBoxLayout(self)
        sentence = QLabel(t("crash.sentence", error=crash.summary), objectName="crashSentence")
        sentence.setWordWrap(True)
        layout.addWidget(sentence)
        where = (
            t("crash.logged", path=crash.path) if crash.path is not None else t("crash.not_logged")
        )
        layout.addWidget(_selectable(where, "crashWhere"))
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(_copy_button("crash.copy", crash.details, self))
        close = QPushButton(t("ok"), objectName="crashClose")
        close.setDefault(True)
        close.clicked.connect(self.accept)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.resize(560, 200)


_open_dialogs: list[CrashDialog] = []


def show_crash(crash: CrashRecord) -> CrashDialog:
    """Show the error without blocking: the window keeps working behind it."""
    from PySide6.QtWidgets import QApplication

    dialog = CrashDialog(crash, QApplication.activeWindow())
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    _open_dialogs.append(dialog)
    dialog.destroyed.connect(
        lambda: _open_dialogs.remove(dialog) if dialog in _open_dialogs else None
    )
    dialog.show()
    return dialog
