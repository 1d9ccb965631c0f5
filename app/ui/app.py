"""Starting the windows: fonts, style, language, the database, a demo shop on first run."""

from __future__ import annotations

import logging
import os
import sys
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from app.resources import FONT_BOLD, FONT_REGULAR, ICON, RESOURCES
from app.ui import text
from app.ui.qt_translation import use_qt_language

if TYPE_CHECKING:
    from app.crash import CrashRecord
    from app.domain.program import Program
    from app.services.context import Context
    from app.ui.main_window import MainWindow

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
    from app.services.store import store_name
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

    crash.install(_show_crash)


def _show_crash(record: CrashRecord) -> None:
    from app.ui.about import show_crash  # the services behind it: imported when one happens

    show_crash(record)


def _write_ready(path: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(repr(time.time()))


def _report_ready(path: str, app: QApplication) -> None:
    _write_ready(path)
    app.quit()


def run_gui(target: str | None = None, lang: str | None = None) -> int:
    """The counter: its sign-in screen first, then the shop opened behind it when it can be.

    A shop that is ready as it is (app.services.first_screen) gets its sign-in screen before
    SQLAlchemy, the models or the services are imported: they load while the cashier types
    the PIN. A new shop, one to upgrade or one that asks something first opens the usual way.
    """
    from app.services.first_screen import first_screen

    app = prepare_application()
    install_crash_handler()
    first = first_screen(target) if not os.environ.get("DANGOL_NOW") else None
    if first is None:
        return _run_opened(app, target, lang)
    from app.ui.main_window import MainWindow

    text.set_language(lang or first.language)
    window = MainWindow(None, first.store_name, None, staff=first.staff)
    window.show()
    ready_file = os.environ.get("DANGOL_READY_FILE")
    if ready_file:  # bench/bench_startup.py: the moment the first screen takes input
        QTimer.singleShot(0, lambda: _write_ready(ready_file))
    opened: list[Context] = []
    # after the first paint (timers of 0 ms run in order, after the events already queued)
    QTimer.singleShot(
        0,
        lambda: window.runner.run(
            lambda: _open_behind(target),
            lambda read: _attach(window, opened, read, ready_file, app),
            lambda error: _not_opened(error, app),
        ),
    )
    try:
        return app.exec()
    finally:
        for ctx in opened:
            ctx.close()


def _open_behind(target: str | None) -> tuple[Context, Program]:
    """On the database thread, behind the first screen: the shop and its program."""
    import app.ui.counter
    import app.ui.pending
    import app.ui.pos_api  # noqa: F401  (the counter's modules, loaded off the UI thread)
    from app.services.context import open_shop
    from app.services.program import program_in_force

    ctx = open_shop(target)
    try:
        return ctx, program_in_force(ctx)
    except BaseException:
        ctx.close()
        raise


def _attach(
    window: MainWindow,
    opened: list[Context],
    read: tuple[Context, Program],
    ready_file: str | None,
    app: QApplication,
) -> None:
    ctx, program = read
    opened.append(ctx)
    window.attach(ctx, program)
    if ready_file:  # a start-up check: it ends when the counter is whole (shop open, screens)
        QTimer.singleShot(0, lambda: _whole(app))
    QTimer.singleShot(0, _settle_gc)  # after what is queued: the counter is whole then


def _whole(app: QApplication) -> None:
    """A start-up check ends once the counter is whole; DANGOL_WHOLE_FILE gets that moment."""
    whole_file = os.environ.get("DANGOL_WHOLE_FILE")
    if whole_file:
        _write_ready(whole_file)
    app.quit()


def _not_opened(error: BaseException, app: QApplication) -> None:
    """The shop could not be opened behind the first screen: said in words, then closed."""
    from app.domain.errors import Refused

    log.error("opening the shop failed", exc_info=error)
    if os.environ.get("DANGOL_READY_FILE"):  # a start-up check has no one to read a dialog
        app.exit(1)
        return
    message = (
        text.refusal(error)
        if isinstance(error, Refused)
        else text.t("error.unexpected", error=type(error).__name__)
    )
    QMessageBox.critical(None, "Dangol", message)
    app.exit(1)


def _run_opened(app: QApplication, target: str | None, lang: str | None) -> int:
    """The usual way: open (create, upgrade, seed) the shop, then the wizard or the counter."""
    from app.services import settings
    from app.services.context import open_shop
    from app.services.program import program_in_force
    from app.services.store import store_name
    from app.ui.main_window import MainWindow

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
    QTimer.singleShot(0, _settle_gc)
    try:
        return app.exec()
    finally:
        ctx.close()


def _settle_gc() -> None:
    """The collector settled once the counter is whole (app.services.gc_policy): frozen
    start-up objects, a rarer young collection. bench_core and bench_lookup_tail do the same."""
    from app.services import gc_policy

    gc_policy.settle()
