"""One background thread for the database: the window never waits on a query or a disk flush."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot


class _Job:
    __slots__ = ("fn", "on_done", "on_error")

    def __init__(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None] | None,
        on_error: Callable[[BaseException], None] | None,
    ) -> None:
        self.fn, self.on_done, self.on_error = fn, on_done, on_error


class ServiceRunner(QObject):
    """Runs service calls in order on one thread; callbacks come back on the UI thread."""

    _finished = Signal(object, object, object)  # job, result, error
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs: queue.Queue[_Job | None] = queue.Queue()
        self._pending = 0
        self._finished.connect(self._deliver)
        self._thread = threading.Thread(target=self._loop, name="dangol-db", daemon=True)
        self._thread.start()

    def run(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        self._pending += 1
        if self._pending == 1:
            self.busy_changed.emit(True)
        self._jobs.put(_Job(fn, on_done, on_error))

    @property
    def idle(self) -> bool:
        return self._pending == 0

    def stop(self) -> None:
        self._jobs.put(None)
        self._thread.join(timeout=5)

    def _loop(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            try:
                result, error = job.fn(), None
            except BaseException as exc:  # delivered to the UI, which explains it
                result, error = None, exc
            self._finished.emit(job, result, error)

    @Slot(object, object, object)
    def _deliver(self, job: _Job, result: Any, error: BaseException | None) -> None:
        self._pending -= 1
        try:
            if error is None:
                if job.on_done is not None:
                    job.on_done(result)
            elif job.on_error is not None:
                job.on_error(error)
            else:
                raise error
        finally:
            if self._pending == 0:
                self.busy_changed.emit(False)
