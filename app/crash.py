"""The crash log: an unexpected error is written down with its context, and the app goes on.

Each report holds the time, the version, the system, the action that failed and the traceback.
It is appended to `crash.log` in the user's log folder (platformdirs' user_log_dir, or
$DANGOL_LOG_DIR); the window shows a sentence with a button that copies the same text.
No Qt here: the command line and the services may use it too.
"""

from __future__ import annotations

import logging
import os
import platform
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from platformdirs import user_log_dir

from app import __version__

LOG_NAME = "crash.log"
MAX_LOG_BYTES = 1_000_000  # then the log moves to crash.log.1 and a new one starts
_write_lock = threading.Lock()


@dataclass(frozen=True)
class CrashRecord:
    action: str
    summary: str  # "ValueError: bad thing", for the sentence on screen
    details: str  # the whole report, as written to the log and copied by the button
    path: Path | None  # None when the log could not be written


def log_folder() -> Path:
    override = os.environ.get("DANGOL_LOG_DIR")
    return Path(override) if override else Path(user_log_dir("dangol", appauthor=False))


def crash_report(error: BaseException, action: str, now: datetime | None = None) -> str:
    """The text of one report: context lines, then the traceback."""
    moment = now or datetime.now(UTC)
    lines = [
        f"time: {moment.isoformat(timespec='seconds')}"
        f" (local {moment.astimezone():%Y-%m-%d %H:%M:%S %Z})",
        f"version: dangol {__version__}",
        f"system: {platform.platform()} · Python {platform.python_version()}",
        f"frozen: {'yes' if getattr(sys, 'frozen', False) else 'no'}",
        f"action: {action}",
        "",
        *traceback.format_exception(type(error), error, error.__traceback__),
    ]
    return "\n".join(line.rstrip("\n") for line in lines)


def summary(error: BaseException) -> str:
    first = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {first[:200]}" if first else type(error).__name__


def record_crash(error: BaseException, action: str) -> CrashRecord:
    """Append a report to the crash log; never raises (a full disk must not crash the app)."""
    details = crash_report(error, action)
    path: Path | None = log_folder() / LOG_NAME
    try:
        assert path is not None
        with _write_lock:
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.exists() and path.stat().st_size > MAX_LOG_BYTES:
                path.replace(path.with_name(LOG_NAME + ".1"))
            with path.open("a", encoding="utf-8") as handle:
                handle.write("=" * 72 + "\n" + details + "\n\n")
    except OSError:
        path = None
    return CrashRecord(action, summary(error), details, path)


OnCrash = Callable[[CrashRecord], object]


class CrashLogHandler(logging.Handler):
    """Log records with an exception (`log.exception(...)`) become crash reports too."""

    def __init__(self, on_crash: OnCrash | None = None) -> None:
        super().__init__(level=logging.ERROR)
        self.on_crash = on_crash

    def emit(self, record: logging.LogRecord) -> None:
        if not record.exc_info or record.exc_info[1] is None:
            return
        crash = record_crash(record.exc_info[1], record.getMessage())
        if self.on_crash is not None and threading.current_thread() is threading.main_thread():
            self.on_crash(crash)


ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], None]


def install(on_crash: OnCrash | None = None, *, logger: str = "dangol") -> ExceptHook:
    """Catch what nothing else caught (main thread and other threads); returns the hook."""

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, tb)
            return
        error.__traceback__ = tb
        crash = record_crash(error, "unhandled error")
        if sys.__stderr__ is not None:  # None in the windowless Windows program
            sys.__stderr__.write(crash.details + "\n")
        if on_crash is not None:
            on_crash(crash)

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            name = args.thread.name if args.thread else "?"
            record_crash(args.exc_value, f"thread {name}")

    sys.excepthook = hook
    threading.excepthook = thread_hook
    log = logging.getLogger(logger)
    for handler in [h for h in log.handlers if isinstance(h, CrashLogHandler)]:
        log.removeHandler(handler)
    log.addHandler(CrashLogHandler(on_crash))
    return hook
