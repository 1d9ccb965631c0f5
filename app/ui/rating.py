"""The visit rating on the customer's screen: "오늘 방문은 어떠셨나요?" 0–10, a comment, skip.

`RatingPrompt` is a standalone widget the customer display embeds: it asks, and emits
`rated(score, comment)` or `skipped()`; it stores nothing itself (the embedder calls
`ratings.record_rating` through its ServiceRunner, then `thank(result.review_url)`).

The eleven scores are one neutral colour, none red or green: the screen does not judge.
The shop's review QR is shown after a promoter's score (9–10) only, never after a lower one.
"""

from __future__ import annotations

import qrcode
import qrcode.constants
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.nps import MAX_COMMENT, MAX_SCORE, MIN_SCORE, PROMOTER_FROM
from app.ui.text import t

TOUCH = 56  # px: a score button's least side, more than a fingertip (48 is the usual least)
QR_SIDE = 220  # px: the review QR, big enough for a phone held at arm's length
QUIET_ZONE = 4  # modules of white around the symbol, as the standard asks

STYLE = f"""
QWidget#ratingPrompt {{ background: #f4f5f7; }}
QLabel#ratingQuestion {{ font-size: 36px; font-weight: bold; color: #222; }}
QLabel#ratingEnds {{ font-size: 18px; color: #555; }}
QPushButton[score="true"] {{
    font-size: 28px; font-weight: bold; min-width: {TOUCH}px; min-height: {TOUCH + 16}px;
    padding: 0;
    color: #1f2937; background: #e2e6ec; border: 2px solid #c4cad3; border-radius: 14px;
}}
QPushButton[score="true"]:checked {{ color: white; background: #3b4a5e; border-color: #3b4a5e; }}
QLineEdit#ratingComment {{ font-size: 22px; min-height: 56px; padding: 4px 12px; }}
QPushButton#ratingSend, QPushButton#ratingSkip {{
    font-size: 24px; min-height: 64px; min-width: 180px; border-radius: 12px;
}}
QPushButton#ratingSend {{ color: white; background: #3b4a5e; }}
QPushButton#ratingSend:disabled {{ color: #eee; background: #9aa3af; }}
QPushButton#ratingSkip {{ color: #333; background: #dde1e6; }}
QLabel#ratingThanks {{ font-size: 40px; font-weight: bold; color: #222; }}
QLabel#ratingReviewNote {{ font-size: 22px; color: #444; }}
"""


def qr_pixmap(payload: str, side: int = QR_SIDE) -> QPixmap:
    """The payload's QR (the qrcode package, level M, its quiet zone of 4 modules), black on
    white, in whole pixels per module."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=QUIET_ZONE)
    code.add_data(payload)
    code.make(fit=True)
    matrix = code.get_matrix()  # rows of modules, the quiet zone included
    scale = max(1, side // len(matrix))
    pixmap = QPixmap(len(matrix) * scale, len(matrix) * scale)
    pixmap.fill(QColor("white"))
    painter = QPainter(pixmap)
    try:
        for y, row in enumerate(matrix):
            for x, dark in enumerate(row):
                if dark:
                    painter.fillRect(x * scale, y * scale, scale, scale, Qt.GlobalColor.black)
    finally:
        painter.end()
    return pixmap


class RatingPrompt(QWidget):
    """Asks 0–10 and an optional comment; emits rated(score, comment) or skipped()."""

    rated = Signal(int, str)
    skipped = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ratingPrompt")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(STYLE)
        self.score: int | None = None
        self.pages = QStackedWidget()
        self.pages.addWidget(self._ask_page())
        self.pages.addWidget(self._thanks_page())
        QVBoxLayout(self).addWidget(self.pages)
        # as narrow as the two-row arrangement allows; one row once there is room for it
        self.ensurePolished()  # the style sheet's sizes count in what is measured
        self.one_row_width = self._least_width(1)
        self.setMinimumWidth(self._least_width(2))
        self._lay_out_scores(1)
        self.reset()

    # --- layout -------------------------------------------------------------------------

    def _ask_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setSpacing(16)
        layout.addStretch(1)
        question = QLabel(t("rating.question"), objectName="ratingQuestion")
        question.setAlignment(Qt.AlignmentFlag.AlignCenter)
        question.setWordWrap(True)
        layout.addWidget(question)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.grid = QGridLayout()
        self.grid.setSpacing(8)
        self.buttons: list[QPushButton] = []
        for score in range(MIN_SCORE, MAX_SCORE + 1):
            button = QPushButton(str(score), objectName=f"ratingScore{score}")
            button.setProperty("score", True)
            button.setCheckable(True)
            button.setMinimumSize(QSize(TOUCH, TOUCH))
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.group.addButton(button, score)
            self.buttons.append(button)
        self.rows = 0
        self._lay_out_scores(1)
        self.group.idClicked.connect(self._chose)
        layout.addLayout(self.grid)
        ends = QHBoxLayout()
        ends.setContentsMargins(0, 0, 0, 0)
        low = QLabel(t("rating.low_end"), objectName="ratingEnds")
        high = QLabel(t("rating.high_end"), objectName="ratingEnds")
        high.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        ends.addWidget(low)
        ends.addStretch(1)
        ends.addWidget(high)
        layout.addLayout(ends)
        self.comment = QLineEdit(objectName="ratingComment")
        self.comment.setMaxLength(MAX_COMMENT)
        self.comment.setPlaceholderText(t("rating.comment_hint", maximum=MAX_COMMENT))
        layout.addWidget(self.comment)
        actions = QHBoxLayout()
        self.skip_button = QPushButton(t("rating.skip"), objectName="ratingSkip")
        self.skip_button.clicked.connect(self.skipped.emit)
        self.send_button = QPushButton(t("rating.send"), objectName="ratingSend")
        self.send_button.clicked.connect(self._send)
        actions.addWidget(self.skip_button)
        actions.addStretch(1)
        actions.addWidget(self.send_button)
        layout.addLayout(actions)
        layout.addStretch(1)
        return page

    def _thanks_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        thanks = QLabel(t("rating.thanks"), objectName="ratingThanks")
        thanks.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(thanks)
        self.review_note = QLabel(t("rating.review_note"), objectName="ratingReviewNote")
        self.review_note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.review_note.setWordWrap(True)
        self.review_qr = QLabel(objectName="ratingReviewQr")
        self.review_qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.review_note)
        layout.addWidget(self.review_qr)
        layout.addStretch(1)
        return page

    def _lay_out_scores(self, rows: int) -> None:
        """The eleven scores in one row, or in two (0–5 above 6–10) on a narrow screen."""
        if rows == self.rows:
            return
        self.rows = rows
        per_row = len(self.buttons) if rows == 1 else 6
        for button in self.buttons:
            self.grid.removeWidget(button)
        for score, button in enumerate(self.buttons):
            self.grid.addWidget(button, score // per_row, score % per_row)

    def _least_width(self, rows: int) -> int:
        """How narrow the prompt can be with the scores in that many rows."""
        self._lay_out_scores(rows)
        for widget in self.findChildren(QWidget):
            widget.ensurePolished()
        self.grid.invalidate()
        page = self.pages.widget(0)
        assert page is not None and page.layout() is not None
        page.layout().activate()  # type: ignore[union-attr]
        margins = self.layout().contentsMargins()  # type: ignore[union-attr]
        return page.minimumSizeHint().width() + margins.left() + margins.right()

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._lay_out_scores(1 if event.size().width() >= self.one_row_width else 2)
        super().resizeEvent(event)

    # --- what the customer does -----------------------------------------------------------

    def reset(self) -> None:
        """Back to the question, nothing chosen."""
        self.score = None
        self.group.setExclusive(False)
        for button in self.buttons:
            button.setChecked(False)
        self.group.setExclusive(True)
        self.comment.clear()
        self.send_button.setEnabled(False)
        self.review_qr.clear()
        self.review_note.hide()
        self.review_qr.hide()
        self.pages.setCurrentIndex(0)

    def _chose(self, score: int) -> None:
        self.score = score
        self.send_button.setEnabled(True)

    def _send(self) -> None:
        if self.score is None:
            return
        self.rated.emit(self.score, self.comment.text().strip())

    def thank(self, review_url: str | None = None) -> None:
        """The thanks, with the review QR when given and the score was a promoter's."""
        self.pages.setCurrentIndex(1)
        promoter = self.score is not None and self.score >= PROMOTER_FROM
        if review_url and promoter:
            self.review_qr.setPixmap(qr_pixmap(review_url))
            self.review_note.show()
            self.review_qr.show()
        else:
            self.review_qr.clear()
            self.review_note.hide()
            self.review_qr.hide()
