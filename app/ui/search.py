"""The one search field: typed numbers and names, and cards from a USB scanner (a keyboard)."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit

from app.domain.query import classify_query, jamo_to_qwerty

# A scanner types a whole card in a few milliseconds a key; a quick typist manages 50 ms and,
# rolling two keys, less now and then. So a scan is a burst where every key came within
# SCAN_GAP_SECONDS of the one before AND whose text is shaped like a card (a card number or a
# QR payload: `classify_query` says "card"); a phone number, a name or last-4 typed fast is
# what it looks like, never a scan.
SCAN_GAP_SECONDS = 0.030
SCAN_MIN_CHARS = 6


def looks_like_card(text: str) -> bool:
    """A card number (16 digits, Luhn), or an older letters-and-digits card, IME or not."""
    return classify_query(text).kind == "card"


class SearchField(QLineEdit):
    """Emits `submitted(text, scanned)` on Enter; a fast burst of keys is a scan."""

    submitted = Signal(str, bool)
    cleared = Signal()

    def __init__(self, parent=None, **kwargs) -> None:
        super().__init__(parent, **kwargs)
        # Korean IME off: a scanner's letters would otherwise compose into Hangul syllables.
        self.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self.setClearButtonEnabled(True)
        self._last_key = 0.0
        self._burst_start: int | None = None
        self._burst_len = 0

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._submit()
            return
        if key == Qt.Key.Key_Escape:
            self.clear()
            self._reset_burst()
            self.cleared.emit()
            return
        if event.text() and event.text().isprintable():
            now = time.monotonic()
            if now - self._last_key > SCAN_GAP_SECONDS:
                self._burst_start = self.cursorPosition()
                self._burst_len = 0
            self._last_key = now
            self._burst_len += 1
        super().keyPressEvent(event)

    def _reset_burst(self) -> None:
        self._burst_start, self._burst_len = None, 0

    def _submit(self) -> None:
        text = self.text()
        fast = (
            self._burst_len >= SCAN_MIN_CHARS
            and time.monotonic() - self._last_key <= SCAN_GAP_SECONDS * 3
        )
        burst = ""
        if fast and self._burst_start is not None:
            burst = text[self._burst_start : self._burst_start + self._burst_len]
            burst = (
                jamo_to_qwerty(burst) if any("\u3131" <= ch <= "\ud7a3" for ch in burst) else burst
            )
        fast = bool(burst) and looks_like_card(burst)
        if fast:
            # only what the scanner typed: whatever the cashier had typed before is dropped
            text = burst
            self.setText(text)
        self._reset_burst()
        if text.strip():
            self.submitted.emit(text.strip(), fast)
