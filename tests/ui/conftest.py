"""Real widgets on a real database file, offscreen; screenshots saved for people to look at."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

import pytest

SCREENSHOTS = Path(os.environ.get("DANGOL_SCREENSHOTS", "build/screenshots"))


@pytest.fixture(scope="session")
def qapp_cls():
    from PySide6.QtWidgets import QApplication

    return QApplication


@pytest.fixture
def app(qapp):
    from app.ui.app import prepare_application
    from app.ui.text import set_language

    set_language("ko")
    return prepare_application()


@pytest.fixture
def window(app, sqlite_ctx, qtbot):
    """The main window on the counter, the owner signed in (as the command line acts)."""
    from app.services.program import program_in_force
    from app.ui.main_window import MainWindow

    sqlite_ctx.fixed_now = None
    win = MainWindow(sqlite_ctx, "단골 카페", program_in_force(sqlite_ctx), require_sign_in=False)
    qtbot.addWidget(win)
    win.show()
    win.activateWindow()
    qtbot.waitActive(win)
    yield win
    win.close()


@pytest.fixture
def shot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(widget, name: str) -> Path:
        from PySide6.QtWidgets import QApplication

        QApplication.processEvents()  # let pending layout requests settle, as on screen
        path = SCREENSHOTS / f"{name}.png"
        assert widget.grab().save(str(path))
        return path

    return save


def settle(qtbot, win) -> None:
    """Wait until the database thread has answered everything asked so far."""
    qtbot.waitUntil(lambda: win.runner.idle, timeout=10_000)
