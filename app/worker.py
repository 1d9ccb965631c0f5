"""The one background loop of the workers that run a use case on their own thread, now and
then (the sync, the outbox's sender): a stop event, an interval, a wake to run at once, a
longer pause after a failure, and the failure kept and logged.

No Qt and standard library only, so any layer may import it (a foundation module, like
app.crash): the sync worker (app/sync/background.py) and the message worker
(app/messaging/worker.py) are this loop with their own work and extra threads.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from typing import Self

log = logging.getLogger("dangol.worker")


class Loop:
    """Runs `work` on a thread at start, every `idle_seconds`, and at once when poked; after a
    failure, again in `retry_seconds` (the error is kept in `last_error`, logged, and handed
    to `on_error`). `stop` ends it and waits for its threads.

    `jitter` (a fraction) spreads each wait by up to that much either way, so that many
    workers started together do not run in step; `max_retry_seconds` doubles the pause after
    each failure in a row up to that (a hundred registers do not all call a server that is
    coming back at the same moment)."""

    def __init__(
        self,
        work: Callable[[], object],
        *,
        name: str,
        idle_seconds: float,
        retry_seconds: float,
        on_error: Callable[[BaseException], None] | None = None,
        jitter: float = 0.0,
        max_retry_seconds: float | None = None,
    ) -> None:
        self.work = work
        self.name = name
        self.idle_seconds = idle_seconds
        self.retry_seconds = retry_seconds
        self.on_error = on_error
        self.jitter = jitter
        self.max_retry_seconds = max_retry_seconds
        self.runs = 0
        self.failures = 0
        self.last_error: BaseException | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> Self:
        self.spawn(self._run, self.name)
        return self

    def spawn(self, target: Callable[[], None], name: str) -> None:
        """Another thread of this worker (a watcher, a listener): joined by `stop`."""
        thread = threading.Thread(target=target, name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    def poke(self) -> None:
        """Something changed: run soon, without waiting for the interval."""
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout=timeout)

    @property
    def stopping(self) -> threading.Event:
        """Set once `stop` was called: the other threads wait on it."""
        return self._stop

    @property
    def alive(self) -> bool:
        return bool(self._threads) and self._threads[0].is_alive()

    def pause(self, failures_in_a_row: int) -> float:
        """How long to wait before the next run: the interval, or after failures the retry
        pause (doubled per failure in a row, up to max_retry_seconds); spread by the jitter."""
        if failures_in_a_row:
            top = max(self.max_retry_seconds or self.retry_seconds, self.retry_seconds)
            wait = min(top, self.retry_seconds * 2 ** min(failures_in_a_row - 1, 16))
        else:
            wait = self.idle_seconds
        if self.jitter:
            wait *= 1.0 + random.uniform(-self.jitter, self.jitter)
        return max(0.0, wait)

    def _run(self) -> None:
        wait = 0.0
        streak = 0
        while not self._stop.is_set():
            self._wake.wait(timeout=wait)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.work()
                self.runs += 1
                self.last_error = None
                streak = 0
            except Exception as exc:
                self.failures += 1
                self.last_error = exc
                streak += 1
                log.warning("%s failed: %s: %s", self.name, type(exc).__name__, exc)
                if self.on_error is not None:
                    self.on_error(exc)
            wait = self.pause(streak)
