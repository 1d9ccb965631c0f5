"""Drawn icons (SVG in resources/icons) where an emoji would be: the bundled font has no 🎂 🎁.

An emoji the font lacks shows as an empty box on a shop PC; a drawn icon looks the same
everywhere.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from app.resources import ICONS

ICON_NAMES = ("cake", "gift", "cloud")


def icon_pixmap(name: str, size: int) -> QPixmap:
    """The SVG icon drawn at `size` px (transparent around it)."""
    renderer = QSvgRenderer(str(ICONS / f"{name}.svg"))
    if not renderer.isValid():
        raise FileNotFoundError(ICONS / f"{name}.svg")
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return pixmap


def icon(name: str) -> QIcon:
    result = QIcon()
    for size in (16, 24, 32, 48):
        result.addPixmap(icon_pixmap(name, size))
    return result


class IconLabel(QWidget):
    """A drawn icon and a text side by side, used as a label."""

    def __init__(
        self,
        name: str,
        text: str = "",
        parent: QWidget | None = None,
        *,
        size: int = 22,
        objectName: str = "",
    ) -> None:
        super().__init__(parent)
        if objectName:
            self.setObjectName(objectName)
        self.icon = QLabel(objectName="icon")
        self.icon.setPixmap(icon_pixmap(name, size))
        self.icon.setFixedSize(QSize(size, size))
        self.label = QLabel(text, objectName=f"{objectName}Text" if objectName else "")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        row.addWidget(self.icon)
        row.addWidget(self.label)

    def text(self) -> str:
        return self.label.text()

    def setText(self, text: str) -> None:
        self.label.setText(text)
