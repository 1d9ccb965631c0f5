"""Sync in the background: right after each action when the server answers, every few seconds
otherwise, and soon when another register announces a change (LISTEN/NOTIFY). No Qt: the
counter starts it and reads its status; the counter itself never waits for the network.

A chain of many registers: the others' notices are coalesced (a pull that started after a
notice covers it; at most one pull per NOTICE_GAP_SECONDS for notices, spread by up to
NOTICE_SPREAD_SECONDS so that the registers do not pull in step), a register's own push's
notice is no reason to pull, the polling interval is jittered and the pause after failures
grows (up to MAX_RETRY_SECONDS)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from contextlib import suppress
from typing import TYPE_CHECKING, Any, Self

from app.sync.engine import CHANNEL
from app.worker import Loop

if TYPE_CHECKING:
    import psycopg

IDLE_SECONDS = 5.0  # a sync at least this often
IDLE_JITTER = 0.2  # each wait spread by up to this fraction either way
LOCAL_POLL_SECONDS = 0.05  # how often the outbox is looked at for new local changes
RETRY_SECONDS = 5.0  # after a failure; doubled per failure in a row up to MAX_RETRY_SECONDS
MAX_RETRY_SECONDS = 60.0
# The others' notices start a pull at most once per gap: 1.5 times the last run's length
# (a register spends at most about two thirds of its time syncing for notices however many
# arrive), within these bounds; a deferred pull comes at a random moment within half a gap
# after it, so that the registers of a chain do not pull in step.
NOTICE_GAP_MIN_SECONDS = 0.1
NOTICE_GAP_MAX_SECONDS = 1.0
NOTICE_GAP_PER_RUN = 1.5
LISTEN_WAIT_SECONDS = 0.5  # the listener looks at the stop flag this often


class SyncWorker(Loop):
    """Runs sync_once on its own thread whenever there is reason to (the loop is
    app.worker.Loop's; this adds a watcher of the local outbox and a LISTEN connection)."""

    def __init__(
        self,
        sync_once: Callable[[], object],
        *,
        has_pending: Callable[[], bool] | None = None,
        listen_url: str | None = None,
        own_backend: Callable[[int], bool] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        idle_seconds: float = IDLE_SECONDS,
    ) -> None:
        super().__init__(
            self._sync_once,
            name="dangol-sync",
            idle_seconds=idle_seconds,
            retry_seconds=RETRY_SECONDS,
            on_error=on_error,
            jitter=IDLE_JITTER,
            max_retry_seconds=MAX_RETRY_SECONDS,
        )
        self.sync_once = sync_once
        self.has_pending = has_pending
        self.listen_url = listen_url
        self.own_backend = own_backend
        self.last_start = 0.0  # time.monotonic() when the last run began
        self.last_took = 0.0  # seconds the last run took
        self.busy_seconds = 0.0  # all runs together
        self.running = False
        self.notices = 0  # the others' notices received
        self.notice_pulls = 0  # runs the notices asked for (the rest were covered)

    def _sync_once(self) -> object:
        self.last_start = started = time.monotonic()
        self.running = True
        try:
            return self.sync_once()
        finally:
            self.running = False
            self.last_took = time.monotonic() - started
            self.busy_seconds += self.last_took

    @property
    def notice_gap(self) -> float:
        """The least time from the start of one run to a pull for the others' notices."""
        gap = NOTICE_GAP_PER_RUN * self.last_took
        return min(NOTICE_GAP_MAX_SECONDS, max(NOTICE_GAP_MIN_SECONDS, gap))

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
            # not during a run: it sends what is waiting (its own audit entry at its end, too);
            # what is still waiting after it is seen at the next look
            if self.running:
                continue
            with suppress(Exception):
                if self.last_error is None and self.has_pending():
                    self.poke()

    def due_after_notice(self, noticed: float) -> float:
        """When a notice received at `noticed` is answered: at once when no pull ran within the
        gap, otherwise after the gap at a random moment within the spread."""
        gap = self.notice_gap
        earliest = self.last_start + gap
        if earliest <= noticed:
            return noticed
        return earliest + random.uniform(0.0, gap / 2)

    def _listen(self) -> None:
        import psycopg

        assert self.listen_url is not None  # started only with a URL (see start)

        while not self.stopping.is_set():
            conn = None
            try:
                conn = psycopg.connect(self.listen_url, autocommit=True, connect_timeout=5)
                conn.execute(f"LISTEN {CHANNEL}")
                self.poke()  # anything announced while we were not listening
                self._answer_notices(conn)
            except Exception:
                self.stopping.wait(RETRY_SECONDS)
                time.sleep(0)
            finally:
                # closed whatever happened: psycopg's `with` commits first and, on a connection
                # the server cut (a restart), raises before closing, leaving it to the collector
                if conn is not None:
                    with suppress(Exception):
                        conn.close()

    def _answer_notices(self, conn: psycopg.Connection[Any]) -> None:
        noticed: float | None = None  # the first notice not answered yet
        due = 0.0
        while not self.stopping.is_set():
            wait = LISTEN_WAIT_SECONDS
            if noticed is not None:
                wait = min(wait, max(0.005, due - time.monotonic()))
            for notice in conn.notifies(timeout=wait, stop_after=1):
                if self.own_backend is not None and self.own_backend(notice.pid):
                    continue  # our own push: the pull that followed it saw everything before
                self.notices += 1
                if noticed is None:
                    noticed = time.monotonic()
                    due = self.due_after_notice(noticed)
            if noticed is not None and time.monotonic() >= due:
                if self.last_start <= noticed:  # no run began since: one is needed
                    self.notice_pulls += 1
                    self.poke()
                noticed = None
