"""Sync in the background: right after each action when the server answers, every few seconds
otherwise, and at once when another register announces a change (LISTEN/NOTIFY). No Qt: the
counter starts it and reads its status; the counter itself never waits for the network."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import suppress
from typing import Self

from app.sync.engine import CHANNEL
from app.worker import Loop

IDLE_SECONDS = 5.0  # a sync at least this often
LOCAL_POLL_SECONDS = 0.05  # how often the outbox is looked at for new local changes
RETRY_SECONDS = 5.0  # after a failure


class SyncWorker(Loop):
    """Runs sync_once on its own thread whenever there is reason to (the loop is
    app.worker.Loop's; this adds a watcher of the local outbox and a LISTEN connection)."""

    def __init__(
        self,
        sync_once: Callable[[], object],
        *,
        has_pending: Callable[[], bool] | None = None,
        listen_url: str | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        idle_seconds: float = IDLE_SECONDS,
    ) -> None:
        super().__init__(
            sync_once,
            name="dangol-sync",
            idle_seconds=idle_seconds,
            retry_seconds=RETRY_SECONDS,
            on_error=on_error,
        )
        self.sync_once = sync_once
        self.has_pending = has_pending
        self.listen_url = listen_url

    def start(self) -> Self:
        super().start()
        if self.has_pending is not None:
            self.spawn(self._watch_outbox, "dangol-sync-outbox")
        if self.listen_url:
            self.spawn(self._listen, "dangol-sync-listen")
        return self

    def _watch_outbox(self) -> None:
        assert self.has_pending is not None
        while not self.stopping.wait(LOCAL_POLL_SECONDS):
            with suppress(Exception):
                if self.last_error is None and self.has_pending():
                    self.poke()

    def _listen(self) -> None:
        import psycopg

        assert self.listen_url is not None  # started only with a URL (see start)

        while not self.stopping.is_set():
            conn = None
            try:
                conn = psycopg.connect(self.listen_url, autocommit=True, connect_timeout=5)
                conn.execute(f"LISTEN {CHANNEL}")
                self.poke()  # anything announced while we were not listening
                while not self.stopping.is_set():
                    for _ in conn.notifies(timeout=0.5, stop_after=1):
                        self.poke()
            except Exception:
                self.stopping.wait(RETRY_SECONDS)
                time.sleep(0)
            finally:
                # closed whatever happened: psycopg's `with` commits first and, on a connection
                # the server cut (a restart), raises before closing, leaving it to the collector
                if conn is not None:
                    with suppress(Exception):
                        conn.close()
