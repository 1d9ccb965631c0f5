"""Windows sized for the screens shops have (1024×600 POS PCs up to 1920×1080)."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QWidget


def fit_to_screen(window: QWidget, width: int, height: int) -> QSize:
    """The size asked for, made smaller to fit the screen's free area (never below the minimum)."""
    screen = window.screen()
    if screen is None:
        return QSize(width, height)
    free = screen.availableGeometry()
    least = window.minimumSizeHint()
    return QSize(
        max(least.width(), min(width, free.width())),
        max(least.height(), min(height, free.height())),
    )
