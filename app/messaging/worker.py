"""The outbox's worker: a thread that sends what is due, so the counter never waits for it.

No Qt and no services: the counter app starts it with the use case to run (like the sync
worker). It runs at start (which also recovers what a crash left half sent), every few
seconds, and at once when poked after an action. The loop is app.worker.Loop's."""

from __future__ import annotations

from collections.abc import Callable

from app.worker import Loop

IDLE_SECONDS = 10.0
RETRY_SECONDS = 30.0  # after the use case itself failed (the database busy, ...)


class MessageWorker(Loop):
    def __init__(
        self,
        send_due: Callable[[], object],
        *,
        idle_seconds: float = IDLE_SECONDS,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        super().__init__(
            send_due,
            name="dangol-messages",
            idle_seconds=idle_seconds,
            retry_seconds=RETRY_SECONDS,
            on_error=on_error,
        )
        self.send_due = send_due
