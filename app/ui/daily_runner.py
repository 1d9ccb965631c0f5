"""The daily work, run by the counter app itself: once a day, at a quiet moment, never mid-sale.

The rule of what is due lives in `app.domain.daily_due`; this class only decides *when*: not
before the owner's chosen time (if any), only after `quiet_seconds` without input and with
the database worker idle, so a sale or a lookup never waits behind it. The job goes through
the counter's `ServiceRunner`; the backup after it goes to a runner of its own (a copy can
take a while, and the counter must keep working meanwhile).
"""

from __future__ import annotations

import time as clock
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from app.domain.daily_due import run_is_due
from app.domain.errors import Refused
from app.ui.tasks import ServiceRunner
from app.ui.text import refusal, t


def failure_text(error: BaseException, action: str) -> str:
    """Why it failed, in the user's language; an unexpected error goes to the crash log."""
    if isinstance(error, Refused):
        return refusal(error)
    from app.crash import record_crash

    record_crash(error, action)
    return t("daily.error.unexpected")


class DailyRunner(QObject):
    status_changed = Signal(str)
    finished = Signal(object)  # the job's result, after a run that succeeded

    def __init__(
        self,
        runner: ServiceRunner,
        *,
        run_daily: Callable[[], Any],
        last_run: Callable[[], datetime | None],
        local_now: Callable[[], datetime],
        chosen_time: Callable[[], time | None],
        backup: Callable[[], Any] | None = None,
        background: ServiceRunner | None = None,
        quiet_seconds: float = 60.0,
        check_ms: int = 15_000,
        retry_seconds: float = 600.0,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.runner, self.background = runner, background
        self._run_daily, self._last_run, self._backup = run_daily, last_run, backup
        self._local_now, self._chosen_time = local_now, chosen_time
        self.quiet_seconds, self.retry_seconds = quiet_seconds, retry_seconds
        self.last: datetime | None = None  # when it last ran (aware)
        self.running = False
        self._known = False  # the last run has been read
        self._error: str | None = None
        self._backup_error: str | None = None
        self._quiet_since = clock.monotonic()
        self._retry_at = 0.0
        self.timer = QTimer(self, interval=check_ms)
        self.timer.timeout.connect(self.check)
        self.runner.busy_changed.connect(self._on_busy)

    def start(self) -> None:
        """Read when it last ran (on the database thread), then check now and then."""

        def known(moment: object) -> None:
            self.last = moment if isinstance(moment, datetime) else None
            self._known = True
            self._show()
            self.timer.start()

        def unknown(error: BaseException) -> None:
            self._error = failure_text(error, "daily work: last run")
            self._known = True
            self._show()
            self.timer.start()

        self.runner.run(self._last_run, known, unknown)

    def stop(self) -> None:
        self.timer.stop()

    def poke(self) -> None:
        """Someone is at the counter: the quiet moment starts again from now."""
        self._quiet_since = clock.monotonic()

    def _on_busy(self, busy: bool) -> None:
        self.poke()  # the quiet moment counts from the end of the last database call

    def quiet(self) -> bool:
        return self.runner.idle and clock.monotonic() - self._quiet_since >= self.quiet_seconds

    def due(self) -> bool:
        if not self._known or self.running or clock.monotonic() < self._retry_at:
            return False
        now = self._local_now()
        last_day = self.last.astimezone(now.tzinfo).date() if self.last else None
        return run_is_due(last_day, now, self._chosen_time())

    def check(self) -> None:
        if self.due() and self.quiet():
            self.run_now()

    def run_now(self) -> None:
        """Run the day's work now (through the counter's runner, after what is queued)."""
        if self.running:
            return
        self.running = True
        self._error = self._backup_error = None
        self.status_changed.emit(t("daily.status.running"))
        self.runner.run(self._run_daily, self._done, self._failed)

    def _done(self, result: object) -> None:
        self.running = False
        self.last = self._local_now()
        self._show()
        self.finished.emit(result)
        if self._backup is not None and self.background is not None:
            self.background.run(self._backup, None, self._backup_failed)

    def _failed(self, error: BaseException) -> None:
        self.running = False
        self._error = failure_text(error, "daily work")
        self._retry_at = clock.monotonic() + self.retry_seconds
        self._show()

    def _backup_failed(self, error: BaseException) -> None:
        self._backup_error = failure_text(error, "daily backup")
        self._show()

    def text(self) -> str:
        """The status bar's line: when it last ran, or why it failed."""
        if self._error is not None:
            return t("daily.status.failed", reason=self._error)
        if self.last is None:
            line = t("daily.status.never")
        else:
            now = self._local_now()
            last = self.last.astimezone(now.tzinfo)
            at = f"{last:%H:%M}"
            if last.date() == now.date():
                line = t("daily.status.today", time=at)
            elif last.date() == now.date() - timedelta(days=1):
                line = t("daily.status.yesterday", time=at)
            else:
                line = t("daily.status.on", date=f"{last:%Y-%m-%d}", time=at)
        if self._backup_error is not None:
            line = t("daily.status.backup_failed", status=line, reason=self._backup_error)
        return line

    def _show(self) -> None:
        self.status_changed.emit(self.text())

    def refresh(self) -> None:
        """Say it again (after the language changed)."""
        if self._known and not self.running:
            self._show()
