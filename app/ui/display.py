"""The customer display: a second window facing the customer — never the full phone number."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.services.customers import CustomerStatus
from app.ui.panel import StampCard
from app.ui.text import t, tn

WELCOME_AFTER_SECONDS = 20


class CustomerDisplay(QWidget):
    def __init__(self, store_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("customerDisplay")
        self.setWindowTitle(store_name)
        self.store = QLabel(store_name, objectName="displayStore")
        self.greeting = QLabel(objectName="displayGreeting")
        self.points = QLabel(objectName="displayPoints")
        self.stamps_label = QLabel(objectName="displayStampLabel")
        self.stamps = StampCard()
        self.stamps.setMinimumHeight(140)
        self.note = QLabel(objectName="displayNote")
        for label in (self.store, self.greeting, self.points, self.stamps_label, self.note):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.addWidget(self.store)
        layout.addStretch(1)
        layout.addWidget(self.greeting)
        layout.addWidget(self.points)
        layout.addWidget(self.stamps_label)
        layout.addWidget(self.stamps)
        layout.addWidget(self.note)
        layout.addStretch(1)
        self._back = QTimer(self, singleShot=True, interval=WELCOME_AFTER_SECONDS * 1000)
        self._back.timeout.connect(self.welcome)
        self.resize(800, 480)
        self.welcome()

    def welcome(self) -> None:
        self.greeting.setText(t("display.welcome"))
        for widget in (self.points, self.stamps_label, self.stamps, self.note):
            widget.hide()

    def show_customer(self, status: CustomerStatus | None, note: str = "") -> None:
        if status is None:
            self.welcome()
            return
        name = status.name_masked
        self.greeting.setText(t("display.hello", name=name) if name else t("display.member"))
        self.points.setText(f"{status.points:,}P")
        on_card = status.stamps_on_card
        label = t("panel.stamps", n=on_card, goal=status.stamp_goal)
        if status.rewards_ready:
            label += "  ·  " + tn("panel.rewards", "panel.rewards_plural", status.rewards_ready)
        self.stamps_label.setText(label)
        self.stamps.set_stamps(on_card, status.stamp_goal)
        self.note.setText(note)
        for widget in (self.points, self.note):
            widget.show()
        for widget in (self.stamps_label, self.stamps):
            widget.setVisible(status.stamps_enabled)
        self._back.start()

    def texts(self) -> str:
        """Everything written on the display (the tests check no full number is there)."""
        return " ".join(w.text() for w in self.findChildren(QLabel))
