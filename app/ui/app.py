"""Starting the windows: fonts, style, language, the database, a demo shop on first run."""

from __future__ import annotations

import logging
import os
import sys
import time

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from app.resources import FONT_BOLD, FONT_REGULAR, ICON, RESOURCES
from app.services import settings
from app.services.context import Context
from app.services.program import program_in_force
from app.services.store import store_name
from app.ui import text
from app.ui.qt_translation import use_qt_language

log = logging.getLogger("dangol")


def prepare_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with the bundled Korean font and the counter's style."""
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    assert isinstance(app, QApplication)
    families = []
    for path in (FONT_REGULAR, FONT_BOLD):
        font_id = QFontDatabase.addApplicationFont(str(path))
        families += QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if families:
        app.setFont(QFont(families[0], 11))
    app.setStyleSheet((RESOURCES / "styles" / "counter.qss").read_text(encoding="utf-8"))
    app.setApplicationName("Dangol")
    app.setWindowIcon(QIcon(str(ICON)))
    use_qt_language(text.language())
    return app


def offer_demo(ctx: Context) -> None:
    """A fresh install: ask once whether to fill a demo shop to practise with."""
    from app.services.demo import build_demo, has_members, mark_demo_offered

    if ctx.settings.get("demo_offered") or has_members(ctx):
        return
    answer = QMessageBox.question(None, "Dangol", text.t("demo.question"))
    if answer == QMessageBox.StandardButton.Yes:
        build_demo(ctx)
    mark_demo_offered(ctx)


def first_run(ctx: Context) -> bool:
    """A new shop gets the setup wizard; True when the counter should open next.

    "나중에" (later) is not an exit: the counter opens with the defaults a new shop has (its
    seed program, PDF slips, no demo), the owner sets a PIN at the first sign-in (twice), and
    the wizard stays offered in the back office until it is finished. Only the start-up check
    (DANGOL_READY_FILE) ends at the wizard.
    """
    from app.services.setup import needs_setup
    from app.ui.tasks import ServiceRunner
    from app.ui.wizard import SetupWizard

    if not needs_setup(ctx):
        offer_demo(ctx)
        return True
    runner = ServiceRunner()
    try:
        wizard = SetupWizard(ctx, runner, store_name(ctx))
        ready_file = os.environ.get("DANGOL_READY_FILE")
        if ready_file:  # a start-up check: the wizard is the first screen; report it, close
            QTimer.singleShot(0, lambda: (_write_ready(ready_file), wizard.reject()))
        finished = bool(wizard.exec())
        if ready_file:
            return False
        if not finished:
            log.info("setup wizard put off: the counter opens with the new shop's defaults")
        return True
    finally:
        runner.stop()


def install_crash_handler() -> None:
    """Unexpected errors: written to the crash log, shown with a copy button, the app goes on."""
    from app import crash
    from app.ui.about import show_crash

    crash.install(show_crash)


def _write_ready(path: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(repr(time.time()))


def _report_ready(path: str, app: QApplication) -> None:
    _write_ready(path)
    app.quit()


def run_gui(target: str | None = None, lang: str | None = None) -> int:
    from app.services.context import open_shop
    from app.ui.main_window import MainWindow

    app = prepare_application()
    install_crash_handler()
    ctx = open_shop(target)
    text.set_language(lang or settings.setting(ctx, "language"))
    if not first_run(ctx):
        ctx.close()
        return 0
    # read once before the window: the counter never reads the database on the UI thread
    window = MainWindow(ctx, store_name(ctx), program_in_force(ctx))
    window.show()
    ready_file = os.environ.get("DANGOL_READY_FILE")
    if ready_file:
        # bench/bench_startup.py: the moment the first screen takes input, then quit
        QTimer.singleShot(0, lambda: _report_ready(ready_file, app))
    try:
        return app.exec()
    finally:
        ctx.close()
