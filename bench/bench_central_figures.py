"""The central database keeps the monthly figures (issue 20, item 3): what it costs a push,
and what a new register's join saves by copying them instead of counting the feed.

    .venv/bin/python bench/bench_central_figures.py [--members 2000] [--sales 300]

One register (A) with --members members, one sale each, is set up on a fresh schema. Then:
* push: --sales sales at A, pushed in one batch, with the central figures kept (as shipped)
  and, for comparison, the same again with the upkeep left out (the hook made a no-op);
* join: two new registers set up beside A; one copies the central figures in its first pull,
  the other counts the whole feed row by row (the way before this change). Seconds spent on
  the figures (inside account_pulled, or the copy) and the whole setup.
The machine's load average is printed beside the figures (the cores are shared).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

PG = "host=127.0.0.1 user=postgres dbname=test"
BASE = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def _load() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--sales", type=int, default=300)
    args = parser.parse_args()
    os.environ.pop("DANGOL_NOW", None)

    from app.services import customers, sales, sync
    from app.services import sync as sync_service
    from app.services.context import open_shop
    from app.services.customers import resolve_customer
    from app.sync import central_figures, server
    from app.sync import engine as sync_engine

    schema = "bench_fig_" + uuid.uuid4().hex[:8]
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    url = f"{BASE}?options=-csearch_path%3D{schema}"
    tmp = Path(tempfile.mkdtemp(prefix="bench_fig_"))
    opened = []
    try:
        a = open_shop(str(tmp / "a.sqlite"), now=START)
        opened.append(a)
        phones = [f"0107{i:07d}" for i in range(args.members)]
        for phone in phones:
            customers.enroll(a, phone)
            sales.record_sale(a, resolve_customer(a, phone), 30_000)
            assert a.fixed_now is not None
            a.fixed_now += timedelta(seconds=20)
        sync.setup_sync(a, url, store="본점", register="A")
        central = server.central_engine(url)

        def push_round(label: str) -> None:
            for phone in phones[: args.sales]:
                sales.record_sale(a, resolve_customer(a, phone), 12_000)
            started = time.perf_counter()
            result = sync_engine.push(a.db, central, a.register_id)
            took = time.perf_counter() - started
            print(
                f"push {result.rows} rows ({args.sales} sales) {label}: {took:.3f} s "
                f"({result.rows / took:,.0f} rows/s)  load {_load()}"
            )

        push_round("with the central figures kept (first, warming up)")
        push_round("with the central figures kept")
        real_after_push = central_figures.after_push
        central_figures.after_push = lambda *_: None  # type: ignore[assignment]
        push_round("without (upkeep left out)")
        central_figures.after_push = real_after_push  # type: ignore[assignment]
        with central.begin() as connection:  # the figures again as shipped (once)
            central_figures.rebuild(connection, a.register_id)
            central_figures._set_kept(connection, central_figures._top(connection))

        spent: list[float] = []
        real_account = sync_service.account_pulled

        def timed_account(*call: Any) -> None:
            started = time.perf_counter()
            real_account(*call)
            spent.append(time.perf_counter() - started)

        sync_service.account_pulled = timed_account  # type: ignore[assignment]
        real_copy = central_figures.copy_on_first_pull
        for name, copying in (("counting", False), ("copying", True)):
            spent.clear()

            def first(*call: Any, copying: bool = copying) -> bool:
                if not copying:
                    return False
                started = time.perf_counter()
                try:
                    return real_copy(*call)
                finally:
                    spent.append(time.perf_counter() - started)

            central_figures.copy_on_first_pull = first  # type: ignore[assignment]
            ctx = open_shop(str(tmp / f"{name}.sqlite"), now=a.fixed_now)
            opened.append(ctx)
            started = time.perf_counter()
            sync.setup_sync(ctx, url, store="본점", register=name)
            took = time.perf_counter() - started
            print(
                f"join ({name} the figures): figures {sum(spent):.3f} s, whole setup "
                f"{took:.3f} s  load {_load()}"
            )
        central_figures.copy_on_first_pull = real_copy  # type: ignore[assignment]
        sync_service.account_pulled = real_account  # type: ignore[assignment]
    finally:
        for ctx in opened:
            ctx.close()
        server.forget_engine(url)
        with psycopg.connect(PG, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


if __name__ == "__main__":
    main()
