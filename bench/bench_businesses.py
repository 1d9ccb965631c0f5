"""Pushes of two businesses at once on one central database: the feed lock per business
(migration 0027) against one lock every business shares (the advisory lock before it).

Each push takes the feed lock, appends ROWS rows to the change feed and holds its transaction
HOLD_MS (what merging a batch costs) before committing. THREADS writers per business push for
SECONDS; the figure is pushes per second per business. With one shared lock the two
businesses split one writer's rate; with the lock per business each keeps its own.

    .venv/bin/python bench/bench_businesses.py [--seconds 5] [--threads 2] [--hold-ms 20]
"""

from __future__ import annotations

import argparse
import threading
import time
import uuid
from pathlib import Path

import psycopg
from sqlalchemy import text

from app.sync import engine as sync_engine
from app.sync import server

BASE = "postgresql://postgres@127.0.0.1:5432/test"
SHARED_LOCK = "SELECT pg_advisory_xact_lock(hashtext('dangol.bench.shared'))"


def _run(url: str, businesses: list[uuid.UUID], shared: bool, args: argparse.Namespace) -> dict:
    counts = {b: 0 for b in businesses}
    stop = time.monotonic() + args.seconds
    lock = threading.Lock()

    def writer(business: uuid.UUID) -> None:
        engine = server.central_engine(url, business=business)
        while time.monotonic() < stop:
            with engine.begin() as connection:
                if shared:
                    connection.execute(text(SHARED_LOCK))
                connection.execute(text(sync_engine.FEED_LOCK))
                feed = [
                    {"tbl": "sales", "row_id": uuid.uuid4(), "origin": None}
                    for _ in range(args.rows)
                ]
                sync_engine.append_feed(connection, feed)
                time.sleep(args.hold_ms / 1000)
            with lock:
                counts[business] += 1

    threads = [
        threading.Thread(target=writer, args=(b,)) for b in businesses for _ in range(args.threads)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {b: n / args.seconds for b, n in counts.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--hold-ms", type=float, default=20.0)
    parser.add_argument("--rows", type=int, default=50)
    args = parser.parse_args()
    schema = "bench_biz_" + uuid.uuid4().hex[:8]
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=test", autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    url = f"{BASE}?options=-csearch_path%3D{schema}"
    try:
        server.prepare_central(url)
        with server.central_engine(url).begin() as connection:
            businesses = [server.new_business(connection) for _ in range(2)]
        load = Path("/proc/loadavg").read_text().split()[:3]
        print(
            f"load average {' '.join(load)}; {args.threads} writers per business, "
            f"hold {args.hold_ms:g} ms, {args.rows} feed rows per push, {args.seconds:g} s"
        )
        for label, shared in (("one lock for all (before)", True), ("lock per business", False)):
            rates = _run(url, businesses, shared, args)
            figures = ", ".join(f"{r:.1f}" for r in rates.values())
            print(f"{label:28s} pushes/s per business: {figures}  (sum {sum(rates.values()):.1f})")
        with server.central_engine(url).connect() as connection:
            gaps = connection.scalar(
                text(
                    "SELECT count(*) FROM (SELECT seq - lag(seq) OVER (PARTITION BY business_id "
                    "ORDER BY seq) AS step FROM sync_changes) s WHERE step <> 1"
                )
            )
        print(f"feed numbers per business without a gap or a repeat: {gaps == 0}")
    finally:
        server.forget_engine(url)
        with psycopg.connect("host=127.0.0.1 user=postgres dbname=test", autocommit=True) as c:
            c.execute(f"DROP SCHEMA {schema} CASCADE")


if __name__ == "__main__":
    main()
