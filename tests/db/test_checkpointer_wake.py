"""The Checkpointer is not woken by every commit (issue 17 item 7), and still checkpoints in
the first quiet moment after commits and after MAX_PENDING commits without one."""

from __future__ import annotations

import time

import pytest

from app.db.engine import Checkpointer
from app.db.settings import set_setting
from app.services.context import Context


def _write(ctx: Context, i: int) -> None:
    with ctx.db.write() as session:
        set_setting(session, "probe", i)


def _wait_for(condition, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
    return bool(condition())


def test_a_quiet_moment_after_commits_is_found_without_a_wake_per_commit(
    sqlite_ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Checkpointer, "QUIET_SECONDS", 0.4)
    for i in range(20):
        _write(sqlite_ctx, i)
    last = time.monotonic()
    checkpointer = sqlite_ctx.db.checkpointer
    assert checkpointer is not None
    runs = checkpointer.runs
    assert checkpointer.wakes == 0  # 20 commits, none of them woke the thread
    assert _wait_for(lambda: checkpointer.runs > runs, 3.0), "no checkpoint after the commits"
    assert time.monotonic() - last >= 0.4 * 0.9  # not before the quiet moment
    # and none while nothing is committed
    runs = checkpointer.runs
    time.sleep(1.0)
    assert checkpointer.runs == runs


def test_max_pending_commits_wake_it_without_a_quiet_moment(
    sqlite_ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Checkpointer, "QUIET_SECONDS", 60.0)
    monkeypatch.setattr(Checkpointer, "MAX_PENDING", 10)
    _write(sqlite_ctx, -1)  # the first write starts the Checkpointer
    checkpointer = sqlite_ctx.db.checkpointer
    assert checkpointer is not None
    for i in range(29):
        _write(sqlite_ctx, i)
        time.sleep(0.005)
    assert _wait_for(lambda: checkpointer.runs >= 3, 3.0), checkpointer.runs
    assert checkpointer.wakes == 3  # one for each 10 commits, no more


def test_a_reader_holding_one_snapshot_is_not_waited_for_at_every_commit(
    sqlite_ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The online backup reads one snapshot for minutes: a reset that cannot succeed is
    tried once, then not again for RESET_BACKOFF seconds, and the writers go on."""
    import sqlite3
    from contextlib import closing

    monkeypatch.setattr(Checkpointer, "WAL_LIMIT", 64 * 1024)
    monkeypatch.setattr(Checkpointer, "RESET_BACKOFF", 60.0)
    _write(sqlite_ctx, -1)
    checkpointer = sqlite_ctx.db.checkpointer
    assert checkpointer is not None
    assert sqlite_ctx.db.path is not None
    with closing(sqlite3.connect(sqlite_ctx.db.path, isolation_level=None)) as reader:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM settings").fetchall()  # a snapshot, held
        waits = []
        for i in range(120):
            started = time.perf_counter()
            _write(sqlite_ctx, "x" * 2000 + str(i))
            waits.append(time.perf_counter() - started)
            time.sleep(0.002)
        assert checkpointer.wal_size() > Checkpointer.WAL_LIMIT
        assert _wait_for(lambda: checkpointer.failed_resets >= 1, 3.0)
        time.sleep(0.3)
        assert checkpointer.failed_resets == 1, checkpointer.failed_resets
        assert checkpointer.resets == 0
        reader.execute("COMMIT")
    assert sorted(waits)[-3] < 0.1, sorted(waits)[-5:]  # at most one write or two held
