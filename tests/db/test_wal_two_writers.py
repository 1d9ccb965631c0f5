"""Issue 17 item 7: two registers (two processes) selling on one file while a reader holds
snapshot after snapshot (the back office paging its list) keep the WAL under a bound, and
every sale of both is there at the end.

Each process's Checkpointer holds only its own writers for the tail pass; before the
TRUNCATE past Checkpointer.WAL_LIMIT the WAL grew with every sale of the two (~30 MB here,
and on without end), as the WAL starts again from its beginning only when a write begins
with every frame copied back and no reader on an older snapshot."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from pathlib import Path

SALES = 300  # each register's
MEMBERS = 20
BOUND = 16 * 1024 * 1024  # twice Checkpointer.WAL_LIMIT: the limit, and what two write meanwhile


def _phone(i: int) -> str:
    return f"0107777{i:04d}"


def _shop(tmp_path: Path) -> str:
    from app.services import customers
    from app.services.context import open_shop

    db = str(tmp_path / "shop.sqlite")
    ctx = open_shop(db, use_env_clock=False)
    for i in range(MEMBERS):
        customers.enroll(ctx, _phone(i))
    ctx.close()
    return db


def _register(db: str, seed: int, count: int) -> None:
    """A register: `count` sales on members in turn, the biggest WAL it saw, its Checkpointer."""
    from app.services import sales
    from app.services.context import open_shop
    from app.services.customers import resolve_customer

    ctx = open_shop(db, create=False, use_env_clock=False)
    members = [resolve_customer(ctx, _phone(i)) for i in range(MEMBERS)]
    go = Path(db).with_name("go")
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.002)
    wal, biggest = Path(db + "-wal"), 0
    for i in range(count):
        sales.record_sale(ctx, members[(seed + i) % MEMBERS], 1_000 + seed * 10_000 + i)
        biggest = max(biggest, wal.stat().st_size if wal.exists() else 0)
        time.sleep(0.002)
    checkpointer = ctx.db.checkpointer
    assert checkpointer is not None
    print(biggest, checkpointer.runs, getattr(checkpointer, "resets", 0), flush=True)
    ctx.close()


def _reader(db: str, stop: threading.Event, sizes: list[int]) -> None:
    """The back office: a snapshot held ~15 ms a page, page after page; the WAL's size."""
    wal = Path(db + "-wal")
    with closing(sqlite3.connect(db, isolation_level=None, timeout=30)) as conn:
        while not stop.is_set():
            conn.execute("BEGIN")
            conn.execute("SELECT count(*) FROM sales").fetchall()
            time.sleep(0.015)
            conn.execute("SELECT count(*) FROM ledger_entries").fetchall()
            conn.execute("COMMIT")
            sizes.append(wal.stat().st_size if wal.exists() else 0)
            time.sleep(0.003)


def test_two_registers_and_a_reader_keep_the_wal_bounded_and_lose_nothing(tmp_path) -> None:
    db = _shop(tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "DANGOL_NOW"}
    registers = [
        subprocess.Popen(
            [sys.executable, __file__, db, str(seed), str(SALES)],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        for seed in (1, 2)
    ]
    stop, sizes = threading.Event(), [0]
    readers = [threading.Thread(target=_reader, args=(db, stop, sizes)) for _ in range(2)]
    try:
        for register in registers:
            assert register.stdout is not None
            assert register.stdout.readline().strip() == "ready"
        for reader in readers:
            reader.start()
            time.sleep(0.009)  # the two snapshots overlap: a reader is nearly always on one
        started = time.monotonic()
        Path(db).with_name("go").touch()
        outs = [register.communicate(timeout=180)[0].split() for register in registers]
        took = time.monotonic() - started
    finally:
        stop.set()
        for reader in readers:
            if reader.is_alive():
                reader.join(timeout=10)
        for register in registers:
            if register.poll() is None:
                register.kill()
    assert all(register.returncode == 0 for register in registers), outs
    biggest = max([int(out[0]) for out in outs] + sizes)
    runs = [int(out[1]) for out in outs]
    assert biggest < BOUND, (
        f"WAL reached {biggest:,} bytes over 2 x {SALES} sales in {took:.1f} s (runs {runs})"
    )
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        for seed in (1, 2):  # every sale of each register, once
            amounts = {
                amount
                for (amount,) in conn.execute(
                    "SELECT amount FROM sales WHERE amount BETWEEN ? AND ?",
                    (1_000 + seed * 10_000, 1_000 + seed * 10_000 + SALES - 1),
                )
            }
            assert len(amounts) == SALES, (seed, len(amounts))
        assert conn.execute("SELECT count(*) FROM sales").fetchone()[0] == 2 * SALES


if __name__ == "__main__":
    _register(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
