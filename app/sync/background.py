"""Sync in the background: right after each action when the server answers, every few seconds
otherwise, and at once when another register announces a change (LISTEN/NOTIFY). No Qt: the
counter starts it and reads its status; the counter itself never waits for the network."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import suppress

from app.sync.engine import CHANNEL

IDLE_SECONDS = 5.0  # a sync at least this often
LOCAL_POLL_SECONDS = 0.05  # how often the outbox is looked at for new local changes
RETRY_SECONDS = 5.0  # after a failure


class SyncWorker:
    """Runs sync_once on its own thread whenever there is reason to."""

    def __init__(
        self,
        sync_once: Callable[[], object],
        *,
        has_pending: Callable[[], bool] | None = None,
        listen_url: str | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        idle_seconds: float = IDLE_SECONDS,
    ) -> None:
        self.sync_once = sync_once
        self.has_pending = has_pending
        self.listen_url = listen_url
        self.on_error = on_error
        self.idle_seconds = idle_seconds
        self.runs = 0
        self.failures = 0
        self.last_error: BaseException | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> SyncWorker:
        self._spawn(self._run, "dangol-sync")
        if self.has_pending is not None:
            self._spawn(self._watch_outbox, "dangol-sync-outbox")
        if self.listen_url:
            self._spawn(self._listen, "dangol-sync-listen")
        return self

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    def poke(self) -> None:
        """Something changed (an action here, a notice from the server): sync soon."""
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout=5)

    def _run(self) -> None:
        wait = 0.0
        while not self._stop.is_set():
            self._wake.wait(timeout=wait)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.sync_once()
                self.runs += 1
                self.last_error = None
                wait = self.idle_seconds
            except Exception as exc:
                self.failures += 1
                self.last_error = exc
                wait = RETRY_SECONDS
                if self.on_error is not None:
                    self.on_error(exc)

    def _watch_outbox(self) -> None:
        assert self.has_pending is not None
        while not self._stop.wait(LOCAL_POLL_SECONDS):
            with suppress(Exception):
                if self.last_error is None and self.has_pending():
                    self.poke()

    def _listen(self) -> None:
        import psycopg

        assert self.listen_url is not None  # started only with a URL (see start)

        while not self._stop.is_set():
            conn = None
            try:
                conn = psycopg.connect(self.listen_url, autocommit=True, connect_timeout=5)
                conn.execute(f"LISTEN {CHANNEL}")
                self.poke()  # anything announced while we were not listening
                while not self._stop.is_set():
                    for _ in conn.notifies(timeout=0.5, stop_after=1):
                        self.poke()
            except Exception:
                self._stop.wait(RETRY_SECONDS)
                time.sleep(0)
            finally:
                # closed whatever happened: psycopg's `with` commits first and, on a connection
                # the server cut (a restart), raises before closing, leaving it to the collector
                if conn is not None:
                    with suppress(Exception):
                        conn.close()
