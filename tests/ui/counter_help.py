"""Helpers for the counter's tests (issue 13): screenshots under build/screenshots/counter/."""

from __future__ import annotations

from pathlib import Path

from tests.ui.conftest import SCREENSHOTS


def shot(widget, name: str) -> Path:
    """Save what `widget` shows as build/screenshots/<name>.png (a name may carry a folder)."""
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()  # let pending layout requests settle, as on screen
    path = SCREENSHOTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    assert widget.grab().save(str(path))
    return path
