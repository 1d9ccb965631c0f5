"""Sync figures: the first upload of a big shop (rows/s through COPY) and how fast a sale at
one register reaches another (LISTEN/NOTIFY). Prints figures; not a timed test.

    .venv/bin/python bench/build_shop.py --customers 200000 --entries 1000000 \\
        --out bench/data/shop-sync.sqlite
    .venv/bin/python bench/bench_sync.py [--shop bench/data/shop-sync.sqlite]

A second store joining beside the first (issue 20): build another shop with --seed 2 and

    .venv/bin/python bench/bench_sync.py --shop shop-a.sqlite --second shop-b.sqlite

Works on a copy of the shop (the first upload changes its sync settings) and on a fresh
PostgreSQL schema at 127.0.0.1:5432 (dropped afterwards).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path

import psycopg

from app.services import customers, sales, sync
from app.services.context import open_shop
from app.services.customers import resolve_customer
from app.sync import server

PG = "host=127.0.0.1 user=postgres dbname=test"
BASE = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _use_database(name: str) -> None:
    """--db: another database of the same server (created beforehand, e.g. with createdb)."""
    global PG, BASE
    PG = f"host=127.0.0.1 user=postgres dbname={name}"
    BASE = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def _schema() -> tuple[str, str]:
    name = "bench_" + uuid.uuid4().hex[:10]
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    return name, f"{BASE}?options=-csearch_path%3D{name}"


def _drop(name: str) -> None:
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {name} CASCADE")


def first_upload(shop_file: Path, workdir: Path) -> None:
    copy = workdir / "upload.sqlite"
    shutil.copy(shop_file, copy)
    schema, url = _schema()
    try:
        ctx = open_shop(str(copy), create=False)
        server.prepare_central(url)
        with server.central_engine(url).begin() as connection:  # one business (0027)
            business = server.new_business(connection)
        central = server.central_engine(url, business=business)
        from app.sync.upload import Timings, upload_everything

        timings = Timings()
        started = time.perf_counter()
        rows = upload_everything(ctx.db, central, ctx.register_id, timings)
        seconds = time.perf_counter() - started
        print(f"first upload: {rows:,} rows in {seconds:.1f} s = {rows / seconds:,.0f} rows/s")
        copies = sum(v for k, v in timings.items() if k.startswith("copy "))
        steps = [("copy (reading SQLite overlapped)", copies)] + [
            (k, v) for k, v in timings.items() if not k.startswith("copy ")
        ]
        steps.append(("commit and the rest", seconds - sum(timings.values())))
        for label, value in sorted(steps, key=lambda kv: -kv[1]):
            print(f"  {label:<34} {value:6.1f} s")
        ctx.close()
    finally:
        server.forget_engine(url)
        _drop(schema)


def _load() -> str:
    with open("/proc/loadavg") as f:
        return "load " + " ".join(f.read().split()[:3])


def _upload(ctx, central, label: str) -> float:  # type: ignore[no-untyped-def]
    from app.sync.upload import Timings, upload_everything

    timings = Timings()
    before = _load()
    started = time.perf_counter()
    rows = upload_everything(ctx.db, central, ctx.register_id, timings)
    seconds = time.perf_counter() - started
    print(
        f"{label}: {rows:,} rows in {seconds:.1f} s = {rows / seconds:,.0f} rows/s "
        f"({before} before, {_load()} after)"
    )
    steps: dict[str, float] = {}
    for key, value in timings.items():
        kind = key.split(" ")[0] if key.split(" ")[0] in ("copy", "move") else key
        steps[kind] = steps.get(kind, 0.0) + value
    steps["commit and the rest"] = seconds - sum(timings.values())
    for step, value in sorted(steps.items(), key=lambda kv: -kv[1]):
        print(f"  {step:<34} {value:6.1f} s")
    if "monthly figures" in timings:
        own = seconds - timings["monthly figures"]
        print(f"  without the figures: {own:.1f} s = {rows / own:,.0f} rows/s")
    tops = sorted(
        ((k, v) for k, v in timings.items() if k.split(" ")[0] in ("copy", "move")),
        key=lambda kv: -kv[1],
    )[:6]
    print("  largest: " + ", ".join(f"{k} {v:.1f}" for k, v in tops))
    if timings.parts:
        print("  " + ", ".join(f"{k} {v:.2f}" for k, v in timings.parts.items()))
    return rows / seconds


def second_store(first: Path, second: Path, workdir: Path, alone: bool = True) -> None:
    """Issue 20: a second big store joins a central database that holds the first (the
    alongside path: COPY into temporary tables, one INSERT ... SELECT per table)."""
    copies = []
    for shop in (first, second):
        copy = workdir / f"join-{shop.name}"
        shutil.copy(shop, copy)
        copies.append(copy)
    rates = []
    schema, url = _schema()
    try:
        server.prepare_central(url)
        with server.central_engine(url).begin() as connection:  # one business (0027)
            business = server.new_business(connection)
        central = server.central_engine(url, business=business)
        labels = ("first store, empty central", "second store beside it")
        for copy, label in zip(copies, labels, strict=True):
            ctx = open_shop(str(copy), create=False)
            rates.append(_upload(ctx, central, label))
            ctx.close()
    finally:
        server.forget_engine(url)
        _drop(schema)
    if not alone:
        return
    # the same big store into an empty central in the same run: the ratio tells the story
    copy = workdir / f"alone-{second.name}"
    shutil.copy(second, copy)
    schema, url = _schema()
    try:
        server.prepare_central(url)
        with server.central_engine(url).begin() as connection:  # one business (0027)
            business = server.new_business(connection)
        central = server.central_engine(url, business=business)
        ctx = open_shop(str(copy), create=False)
        rates.append(_upload(ctx, central, "second store alone, empty central"))
        ctx.close()
    finally:
        server.forget_engine(url)
        _drop(schema)
    print(f"beside / alone: {rates[1] / rates[2]:.2f}")


def sale_latency(workdir: Path, sales_count: int) -> None:
    schema, url = _schema()
    a = open_shop(str(workdir / "a.sqlite"))
    b = open_shop(str(workdir / "b.sqlite"))
    try:
        sync.setup_sync(a, url, store="본점", register="A")
        sync.setup_sync(b, url, store="본점", register="B")
        customers.enroll(a, "01012345678")
        sync.sync_now(a)
        sync.sync_now(b)
        workers = [sync.start_worker(s, idle_seconds=5.0) for s in (a, b)]
        arrived = threading.Event()
        seen: list[float] = []
        for _ in range(sales_count):
            before = _count(b)
            arrived.clear()
            started = time.perf_counter()
            sales.record_sale(a, resolve_customer(a, "01012345678"), 10_000)
            while _count(b) == before:
                time.sleep(0.002)
                if time.perf_counter() - started > 5:
                    break
            seen.append((time.perf_counter() - started) * 1000)
            time.sleep(0.05)
        for worker in workers:
            if worker is not None:
                worker.stop()
        seen.sort()
        print(
            f"sale to other register: median {statistics.median(seen):.0f} ms, "
            f"p95 {seen[int(len(seen) * 0.95) - 1]:.0f} ms, max {seen[-1]:.0f} ms "
            f"({len(seen)} sales)"
        )
    finally:
        a.close()
        b.close()
        server.forget_engine(url)
        _drop(schema)


def _count(ctx) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from app.db.models import Sale

    with ctx.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(Sale)) or 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shop", type=Path, default=Path("bench/data/shop-sync.sqlite"))
    parser.add_argument("--sales", type=int, default=40)
    parser.add_argument(
        "--second",
        type=Path,
        default=None,
        help="another shop (build_shop.py --seed 2): it joins beside --shop (issue 20)",
    )
    parser.add_argument("--db", default=None, help="another database than test (createdb it)")
    parser.add_argument(
        "--join-only",
        action="store_true",
        help="with --second: leave out the second store's upload alone into an empty central",
    )
    args = parser.parse_args()
    if args.db is not None:
        _use_database(args.db)
    with tempfile.TemporaryDirectory() as tmp:
        if args.second is not None:
            second_store(args.shop, args.second, Path(tmp), alone=not args.join_only)
            return
        if args.shop.exists():
            first_upload(args.shop, Path(tmp))
        else:
            print(f"no {args.shop}: build it first (see the docstring)")
        sale_latency(Path(tmp), args.sales)


if __name__ == "__main__":
    main()
