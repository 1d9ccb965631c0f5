"""The customer display: a second window facing the customer — never the full phone number.

After a sale it shows the moment ("+195P 적립!", "스탬프 7/10") for a few seconds, then the
customer's card again. On a PC with one monitor it is placed where it covers none of the
counter's controls (`place_display`).
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt, QTimer
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPixmap
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.services.customers import CustomerStatus
from app.ui.panel import StampCard
from app.ui.text import t, tn

WELCOME_AFTER_SECONDS = 20
MOMENT_SECONDS = 5
WALLET_QR_SECONDS = 60  # the "add to wallet" QR stays up this long, or until the next customer
SMALLEST = (360, 240)  # below this a display is not worth showing beside the counter


class CustomerDisplay(QWidget):
    def __init__(self, store_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("customerDisplay")
        self.setWindowTitle(store_name)
        self.store = QLabel(store_name, objectName="displayStore")
        self.greeting = QLabel(objectName="displayGreeting")
        self.points = QLabel(objectName="displayPoints")
        self.stamps_label = QLabel(objectName="displayStampLabel")
        self.stamps = StampCard(centred=True)  # in the middle, as every text around it
        self.stamps.setMinimumHeight(140)
        self.note = QLabel(objectName="displayNote")
        self.moment = QLabel(objectName="displayMoment")
        self.moment_stamps = QLabel(objectName="displayMomentStamps")
        self.wallet_qr = QLabel(objectName="displayWalletQr")  # 지갑에 추가: the save link
        self.wallet_hint = QLabel(objectName="displayWalletHint")
        for label in (
            self.wallet_qr,
            self.wallet_hint,
            self.store,
            self.greeting,
            self.points,
            self.stamps_label,
            self.note,
            self.moment,
            self.moment_stamps,
        ):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.store)
        layout.addStretch(1)
        layout.addWidget(self.greeting)
        layout.addWidget(self.moment)
        layout.addWidget(self.points)
        layout.addWidget(self.moment_stamps)
        layout.addWidget(self.stamps_label)
        layout.addWidget(self.stamps)
        layout.addWidget(self.note)
        layout.addWidget(self.wallet_qr)
        layout.addWidget(self.wallet_hint)
        layout.addStretch(1)
        self.status: CustomerStatus | None = None
        self._back = QTimer(self, singleShot=True, interval=WELCOME_AFTER_SECONDS * 1000)
        self._back.timeout.connect(self.welcome)
        self._moment_timer = QTimer(self, singleShot=True, interval=MOMENT_SECONDS * 1000)
        self._moment_timer.timeout.connect(self.end_moment)
        self._wallet_timer = QTimer(self, singleShot=True, interval=WALLET_QR_SECONDS * 1000)
        self._wallet_timer.timeout.connect(self.end_wallet_qr)
        self.resize(800, 480)
        self.welcome()

    def set_compact(self, on: bool) -> None:
        """Smaller type for a display sharing the counter's one screen."""
        self.setProperty("compact", on)
        self.stamps.setMinimumHeight(64 if on else 140)
        for widget in [self, *self.findChildren(QLabel)]:
            widget.style().unpolish(widget)
            widget.style().polish(widget)

    def welcome(self) -> None:
        self.status = None
        self._moment_timer.stop()
        self._hide_wallet_qr()
        self.greeting.setText(t("display.welcome"))
        for widget in (
            self.points,
            self.stamps_label,
            self.stamps,
            self.note,
            self.moment,
            self.moment_stamps,
        ):
            widget.hide()

    def show_customer(self, status: CustomerStatus | None, note: str = "") -> None:
        if status is None:
            self.welcome()
            return
        self.status = status
        if self._moment_timer.isActive():  # the sale's moment stays up its few seconds
            self._back.start()
            return
        self.moment.hide()
        self.moment_stamps.hide()
        self._hide_wallet_qr()
        name = status.name_masked
        self.greeting.setText(t("display.hello", name=name) if name else t("display.member"))
        self.greeting.show()
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

    def show_sale(self, points_earned: int, stamps: int, goal: int, stamps_enabled: bool) -> None:
        """The moment of a sale, big, for MOMENT_SECONDS: "+195P 적립!" and "스탬프 7/10"."""
        self._moment_timer.stop()
        self.moment.setText(t("display.moment_points", points=f"{points_earned:,}"))
        on_card = stamps % goal if goal else 0
        self.moment_stamps.setText(t("panel.stamps", n=on_card, goal=goal))
        self.greeting.hide()
        self.note.hide()
        self.stamps_label.hide()
        self.moment.show()
        self.moment_stamps.setVisible(stamps_enabled)
        self.stamps.set_stamps(on_card, goal)
        self.stamps.setVisible(stamps_enabled)
        self.points.hide()
        self._moment_timer.start()
        self._back.start()

    def show_wallet_qr(self, url: str) -> None:
        """지갑에 추가: the "Save to Google Wallet" link as a QR code the customer scans with
        their phone, under their greeting, for WALLET_QR_SECONDS."""
        self._moment_timer.stop()
        for widget in (self.moment, self.moment_stamps, self.stamps_label, self.stamps, self.note):
            widget.hide()
        self.points.setVisible(self.status is not None)
        self.greeting.setVisible(self.status is not None)
        side = max(160, min(self.height() - 170, self.width() // 2, 320))
        self.wallet_qr.setPixmap(qr_pixmap(url, side))
        self.wallet_hint.setText(t("display.wallet_hint"))
        self.wallet_qr.show()
        self.wallet_hint.show()
        self._wallet_timer.start()
        self._back.start()

    def _hide_wallet_qr(self) -> None:
        self._wallet_timer.stop()
        self.wallet_qr.hide()
        self.wallet_hint.hide()

    def showing_wallet_qr(self) -> bool:
        return self.wallet_qr.isVisible() or self._wallet_timer.isActive()

    def end_wallet_qr(self) -> None:
        self._hide_wallet_qr()
        if self.status is not None:
            self.show_customer(self.status)
        else:
            self.welcome()

    def end_moment(self) -> None:
        self._moment_timer.stop()
        if self.status is not None:
            self.show_customer(self.status)
        else:
            self.welcome()

    def in_moment(self) -> bool:
        return self._moment_timer.isActive()

    def texts(self) -> str:
        """Everything written on the display (the tests check no full number is there)."""
        return " ".join(w.text() for w in self.findChildren(QLabel))


def qr_pixmap(payload: str, side: int) -> QPixmap:
    """A QR code, black on white with its quiet zone, about `side` pixels square. Level L: a
    screen does not smudge, and a long link (the save JWT) stays coarse enough for a phone."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_L

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_L, border=4)
    code.add_data(payload)
    code.make(fit=True)
    matrix = code.get_matrix()  # the quiet zone included
    cells = len(matrix)
    cell = max(2, side // cells)
    pixmap = QPixmap(cells * cell, cells * cell)
    pixmap.fill(QColor("white"))
    painter = QPainter(pixmap)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("black"))
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                painter.drawRect(x * cell, y * cell, cell, cell)
    painter.end()
    return pixmap


def place_display(display: QWidget, main: QWidget, keep_clear: list[QRect]) -> QRect:
    """Where the display goes: a screen of its own, else beside the counter, else over the
    part of the counter that holds no control (`keep_clear`: global rectangles to leave free).

    Returns the rectangle (also applied to `display`).
    """
    screens = QGuiApplication.screens()
    here = main.screen()
    others = [screen for screen in screens if screen is not here]
    if others:
        area = others[0].geometry()
        display.setGeometry(area)
        return area
    screen = here.availableGeometry() if here is not None else QRect(0, 0, 1024, 600)
    frame = main.frameGeometry()
    if isinstance(display, CustomerDisplay):
        display.set_compact(True)
    hint = display.minimumSizeHint()
    width, height = max(SMALLEST[0], hint.width()), max(SMALLEST[1], hint.height())
    # beside the counter window: the widest free strip of the screen around it
    strips = [
        QRect(frame.right() + 1, screen.top(), screen.right() - frame.right(), screen.height()),
        QRect(screen.left(), screen.top(), frame.left() - screen.left(), screen.height()),
        QRect(screen.left(), frame.bottom() + 1, screen.width(), screen.bottom() - frame.bottom()),
    ]
    for strip in sorted(strips, key=lambda r: r.width() * r.height(), reverse=True):
        if strip.width() >= width and strip.height() >= height:
            area = QRect(strip.left(), strip.top(), strip.width(), min(strip.height(), 480))
            display.setGeometry(area)
            return area
    # one screen, the counter filling it: the lower left of the counter, clear of its controls
    area = QRect(frame.left(), frame.bottom() - height, width, height)
    candidates = [area]
    for top in range(frame.bottom() - height, frame.top(), -20):
        for left in range(frame.left(), frame.right() - width, 20):
            candidates.append(QRect(left, top, width, height))
    for candidate in candidates:
        if not any(candidate.intersects(rect) for rect in keep_clear):
            display.setGeometry(candidate)
            return candidate
    display.setGeometry(area)  # nowhere clear (a tiny screen): as small as it gets
    return area
