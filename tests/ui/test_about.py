"""The About box (version, database, licences) and unexpected errors: logged, shown, app goes on."""

from __future__ import annotations

import logging
import sys
import threading

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QPushButton

from app import __version__, crash
from tests.ui.conftest import settle


def test_the_about_box_shows_version_database_and_licences(window, qtbot, shot) -> None:
    window.about_action.trigger()
    qtbot.waitUntil(lambda: getattr(window, "about", None) is not None, timeout=10_000)
    box = window.about
    assert box.isVisible()
    assert box.facts.version == __version__
    assert box.facts.database == str(window.ctx.db.path)
    table = box.findChild(type(box._parts_table()), "aboutParts")
    names = [table.item(row, 0).text() for row in range(table.rowCount())]
    licences = {table.item(row, 0).text(): table.item(row, 2).text() for row in range(len(names))}
    assert licences["Qt 6 / PySide6"] == "LGPL-3.0"
    assert licences["NanumGothic font (NAVER)"] == "OFL-1.1"
    assert licences["SQLAlchemy"] == "MIT"
    assert licences["ReportLab"] == "BSD-3-Clause"
    shot(box, "about-box")
    box.findChild(QPushButton, "copyDetails").click()
    copied = QGuiApplication.clipboard().text()
    assert copied.splitlines()[0] == f"dangol {__version__}"
    assert str(window.ctx.db.path) in copied
    box.accept()


@pytest.fixture
def crash_log(tmp_path, monkeypatch):
    """The crash handler as the app installs it, writing into a temporary folder."""
    from app.ui.about import show_crash

    monkeypatch.setenv("DANGOL_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    hook = crash.install(show_crash)
    yield tmp_path / "logs" / crash.LOG_NAME, hook
    log = logging.getLogger("dangol")
    for handler in [h for h in log.handlers if isinstance(h, crash.CrashLogHandler)]:
        log.removeHandler(handler)


def _crash_dialogs():
    return [w for w in QApplication.topLevelWidgets() if w.objectName() == "crashDialog"]


def test_an_unhandled_error_is_logged_shown_and_the_app_goes_on(
    window, crash_log, qtbot, shot
) -> None:
    path, hook = crash_log
    try:
        raise RuntimeError("the printer cable fell out")
    except RuntimeError as error:
        hook(type(error), error, error.__traceback__)

    report = path.read_text(encoding="utf-8")
    for expected in (
        f"version: dangol {__version__}",
        "system: ",
        "action: unhandled error",
        "Traceback (most recent call last)",
        "RuntimeError: the printer cable fell out",
    ):
        assert expected in report
    dialog = _crash_dialogs()[-1]
    assert dialog.isVisible()
    sentence = dialog.findChild(type(dialog.children()[1]), "crashSentence")
    assert "RuntimeError: the printer cable fell out" in sentence.text()
    shot(dialog, "crash-dialog")
    dialog.findChild(QPushButton, "copyDetails").click()
    assert "RuntimeError: the printer cable fell out" in QGuiApplication.clipboard().text()
    dialog.accept()

    # the window still works: a lookup goes through the database thread and answers
    window.counter.lookup("010-9999-0000", False)
    settle(qtbot, window)
    assert window.isVisible()
    assert "010-9999-0000" in window.counter.current()["message"] or window.counter.status is None


def test_a_failed_counter_action_is_logged_with_its_action(window, crash_log, qtbot) -> None:
    path, _ = crash_log
    try:
        raise OSError("disk full")
    except OSError as error:
        window.counter._failed(error)  # what the database thread delivers on an unexpected error
    assert "처리하지 못했습니다" in window.counter.current()["message"]
    report = path.read_text(encoding="utf-8")
    assert "action: counter action failed" in report
    assert "OSError: disk full" in report
    assert _crash_dialogs()[-1].isVisible()
    _crash_dialogs()[-1].accept()


def test_a_job_without_an_error_callback_reaches_the_crash_log(window, crash_log, qtbot) -> None:
    path, _ = crash_log

    def broken() -> None:
        raise ZeroDivisionError("division by zero in a report")

    window.runner.run(broken)
    qtbot.waitUntil(path.exists, timeout=10_000)
    assert "ZeroDivisionError: division by zero in a report" in path.read_text(encoding="utf-8")
    settle(qtbot, window)
    done: list[int] = []
    window.runner.run(lambda: 42, done.append)  # the database thread is still alive
    qtbot.waitUntil(lambda: done == [42], timeout=10_000)
    for dialog in _crash_dialogs():
        dialog.accept()


def test_an_unwritable_log_folder_still_shows_the_details(tmp_path, monkeypatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("DANGOL_LOG_DIR", str(blocker))
    try:
        raise ValueError("boom")
    except ValueError as error:
        record = crash.record_crash(error, "test")
    assert record.path is None
    assert "ValueError: boom" in record.details
