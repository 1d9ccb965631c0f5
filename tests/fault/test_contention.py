"""Many processes on one SQLite file: the same balance redeemed at once never goes below zero
and exactly the right number succeed; the WAL stays bounded while another register keeps the
file open and sales go on."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

PHONE = "01066660000"
PROCESSES = 6


def _redeem(db: str) -> None:
    from app.domain.errors import Refused
    from app.services import redemptions
    from app.services.context import open_shop
    from app.services.customers import resolve_customer

    ctx = open_shop(db)
    who = resolve_customer(ctx, PHONE)
    go = Path(db).with_name("go")
    while not go.exists():
        time.sleep(0.005)
    try:
        redemptions.redeem_points(ctx, who, 1000)
        print("ok")
    except Refused as refused:
        print(refused.code)


def _sell(db: str, count: int) -> None:
    from app.services import sales
    from app.services.context import open_shop
    from app.services.customers import resolve_customer

    ctx = open_shop(db)
    who = resolve_customer(ctx, PHONE)
    wal, biggest = Path(db + "-wal"), 0
    for i in range(count):
        sales.record_sale(ctx, who, 10_000 + i)
        biggest = max(biggest, wal.stat().st_size if wal.exists() else 0)
    checkpointer = ctx.db.checkpointer
    assert checkpointer is not None
    print(biggest, checkpointer.runs, checkpointer.longest_tail)


def _shop(tmp_path: Path, points_won: int) -> str:
    from app.services import customers, sales
    from app.services.context import open_shop

    db = str(tmp_path / "shop.sqlite")
    ctx = open_shop(db)
    customers.enroll(ctx, PHONE)
    sales.record_sale(ctx, customers.resolve_customer(ctx, PHONE), points_won)
    points = customers.customer_status(ctx, customers.resolve_customer(ctx, PHONE)).points
    ctx.close()
    return db if points else ""


def _child(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ}
    env.pop("DANGOL_NOW", None)
    return subprocess.Popen(
        [sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True, env=env
    )


def test_many_processes_redeeming_one_balance(tmp_path) -> None:
    db = _shop(tmp_path, 150_000)  # 3,000 points: three redemptions of 1,000
    children = [_child("redeem", db) for _ in range(PROCESSES)]
    time.sleep(3)  # every child open and waiting
    Path(db).with_name("go").touch()
    said = [child.communicate(timeout=40)[0].strip() for child in children]
    import sqlite3

    with closing(sqlite3.connect(db)) as c:
        left = c.execute("SELECT sum(points) FROM ledger_entries").fetchone()[0]
        spent = c.execute("SELECT count(*) FROM redemptions").fetchone()[0]
    assert said.count("ok") == 3 and spent == 3 and left == 0, f"said {said}, left {left}"


def test_wal_stays_bounded_while_a_second_register_holds_the_file(tmp_path) -> None:
    import sqlite3

    db = _shop(tmp_path, 10_000)
    with closing(sqlite3.connect(db)) as second:  # the other register, file open, reading
        second.execute("SELECT count(*) FROM sales").fetchall()
        started = time.monotonic()
        out = _child("sell", db, "400").communicate(timeout=40)[0].strip()
        took = time.monotonic() - started
        second.execute("SELECT count(*) FROM sales").fetchall()
    biggest, runs, longest_tail = int(out.split()[0]), int(out.split()[1]), float(out.split()[2])
    bound = 8 * 1024 * 1024  # before the fix: ~27 MB over 400 sales, growing ~68 KB a sale
    assert runs >= 4, f"only {runs} checkpoints over 400 sales in {took:.1f} s"
    assert biggest < bound, f"WAL reached {biggest:,} bytes over 400 sales in {took:.1f} s"
    # the writers' wait for a checkpoint's tail pass is brief: a sale is never stalled
    assert longest_tail < 1.0, f"a sale waited {longest_tail:.3f} s for a checkpoint"


if __name__ == "__main__":
    if sys.argv[1] == "redeem":
        _redeem(sys.argv[2])
    else:
        _sell(sys.argv[2], int(sys.argv[3]))
