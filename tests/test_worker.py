"""app.worker.Loop, the background loop the sync and the message workers share: it runs at
start, at its interval and when poked, keeps and logs a failure and pauses after it, and
stops; it imports nothing but the standard library (a foundation module)."""

from __future__ import annotations

import ast
import logging
import sys
import threading
from pathlib import Path

import pytest

from app.messaging.worker import MessageWorker
from app.sync.background import SyncWorker
from app.worker import Loop

SOURCE = Path(__file__).resolve().parents[1] / "app" / "worker.py"


def test_runs_at_start_when_poked_and_stops() -> None:
    ran = threading.Event()
    calls: list[int] = []

    def work() -> None:
        calls.append(1)
        ran.set()

    loop = Loop(work, name="t-loop", idle_seconds=60, retry_seconds=60).start()
    try:
        assert ran.wait(5) and loop.alive
        ran.clear()
        loop.poke()  # far before the interval: at once
        assert ran.wait(5)
        assert loop.runs >= 2 and loop.failures == 0 and loop.last_error is None
    finally:
        loop.stop()
    assert not loop.alive and loop.stopping.is_set()


def test_a_failure_is_kept_logged_and_retried(caplog: pytest.LogCaptureFixture) -> None:
    seen: list[BaseException] = []
    attempts: list[int] = []
    done = threading.Event()

    def work() -> None:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("database busy")
        done.set()

    with caplog.at_level(logging.WARNING, logger="dangol.worker"):
        loop = Loop(work, name="t-fail", idle_seconds=60, retry_seconds=0.05, on_error=seen.append)
        loop.start()
        try:
            assert done.wait(5)  # retried after retry_seconds, not the long interval
        finally:
            loop.stop()
    assert loop.failures == 1 and loop.runs >= 1 and loop.last_error is None
    assert [str(e) for e in seen] == ["database busy"]
    assert "t-fail failed: RuntimeError: database busy" in caplog.text


def test_both_workers_are_the_one_loop() -> None:
    assert issubclass(SyncWorker, Loop) and issubclass(MessageWorker, Loop)
    worker = MessageWorker(lambda: None, idle_seconds=60).start()
    try:
        assert worker.alive and worker.name == "dangol-messages"
    finally:
        worker.stop()
    assert not worker.alive


def test_the_loop_imports_only_the_standard_library() -> None:
    tree = ast.parse(SOURCE.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    assert names - {"__future__"} <= set(sys.stdlib_module_names), names


def test_the_pause_grows_after_failures_and_is_spread() -> None:
    loop = Loop(lambda: None, name="t-pause", idle_seconds=5, retry_seconds=2)
    assert [loop.pause(n) for n in (0, 1, 2, 3)] == [5, 2, 2, 2]  # no backoff unless asked
    loop = Loop(lambda: None, name="t-back", idle_seconds=5, retry_seconds=2, max_retry_seconds=30)
    assert [loop.pause(n) for n in (0, 1, 2, 3, 4, 5, 50)] == [5, 2, 4, 8, 16, 30, 30]
    loop.jitter = 0.2
    waits = [loop.pause(0) for _ in range(200)]
    assert all(4.0 <= w <= 6.0 for w in waits) and len(set(waits)) > 100  # not in step
    assert SyncWorker(lambda: None).jitter > 0 and SyncWorker(lambda: None).max_retry_seconds
