"""The outbox's worker: a thread that sends what is due, so the counter never waits for it.

No Qt and no services: the counter app starts it with the use case to run (like the sync
worker). It runs at start (which also recovers what a crash left half sent), every few
seconds, and at once when poked after an action."""

from __future__ import annotations

import threading
from collections.abc import Callable

IDLE_SECONDS = 10.0
RETRY_SECONDS = 30.0  # after the use case itself failed (the database busy, ...)


class MessageWorker:
    def __init__(
        self,
        send_due: Callable[[], object],
        *,
        idle_seconds: float = IDLE_SECONDS,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        self.send_due = send_due
        self.idle_seconds = idle_seconds
        self.on_error = on_error
        self.runs = 0
        self.failures = 0
        self.last_error: BaseException | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> MessageWorker:
        self._thread = threading.Thread(target=self._run, name="dangol-messages", daemon=True)
        self._thread.start()
        return self

    def poke(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        wait = 0.0
        while not self._stop.is_set():
            self._wake.wait(timeout=wait)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.send_due()
                self.runs += 1
                self.last_error = None
                wait = self.idle_seconds
            except Exception as exc:
                self.failures += 1
                self.last_error = exc
                wait = RETRY_SECONDS
                if self.on_error is not None:
                    self.on_error(exc)
