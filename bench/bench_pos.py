"""The POS bridge on a big shop: POST /v1/sales over HTTP next to the same service in-process,
and what the receipt tap adds to a receipt's way to the printer.

    .venv/bin/python bench/bench_pos.py [PATH] [--sales 500] [--receipts 300] [--seed 1] [--json]

PATH is a file made by bench/build_shop.py (default bench/data/shop-1m.sqlite). It writes real
sales into the file (2 × N, each with its own ref, committed with synchronous=FULL as the app
does); rebuild it for a pristine file.

- sale in-process: `pos.post_sale(ctx, ref, amount, customer_id=...)` on members picked at
  random; sale over HTTP: `POST /v1/sales {"ref", "amount", "who"}` through uvicorn on its own
  thread, one keep-alive client (httpx), other members of the same draw, alternating with the
  in-process calls so both see the same file and cache. Target: HTTP p50 - in-process p50 < 2 ms.
- tap: a receipt of the sample size sent by a fake POS straight to a fake printer, and through
  the tap, alternating; the time from the POS's send to the printer's last byte. Target: the
  tap adds under 1 ms at p50.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sqlite3
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.bridge.api import ApiServer
from app.bridge.tap import Address, Tap
from app.services import pos, tokens
from app.services.context import open_shop
from app.services.customers import resolve_customer

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "shop-1m.sqlite"
PRICES = (4500, 5000, 6000, 9000, 12500, 15000, 24000)
WARMUP = 20
RECEIPT = Path(__file__).resolve().parents[1] / "tests" / "domain" / "receipts" / "card-sale.txt"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def phones(path: Path, n: int, seed: int) -> list[str]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as con:
        total = con.execute("SELECT MAX(rowid) FROM customers").fetchone()[0]
        rng = random.Random(seed)
        found: list[str] = []
        while len(found) < n:
            rowid = rng.randint(1, total)
            row = con.execute(
                "SELECT phone FROM customers WHERE rowid = ? AND status = 'active'", (rowid,)
            ).fetchone()
            if row:
                found.append(row[0])
        return found


def bench_sales(path: Path, n: int, seed: int) -> dict[str, float]:
    members = phones(path, 2 * (n + WARMUP), seed)
    ctx = open_shop(str(path), create=False)
    token = tokens.create_token(ctx, f"bench {seed} {time.time_ns()}", "pos").token
    server = ApiServer(ctx, port=0)
    port = server.start()
    client = httpx.Client(
        base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}
    )
    run = f"{seed}-{time.time_ns()}"
    local: list[float] = []
    http: list[float] = []
    try:
        for i in range(n + WARMUP):
            amount = PRICES[i % len(PRICES)]
            started = time.perf_counter_ns()  # the phone resolved in both, as the API does
            who = resolve_customer(ctx, members[2 * i])
            pos.post_sale(ctx, f"L-{run}-{i}", amount, customer_id=who)
            took = (time.perf_counter_ns() - started) / 1e6
            body = {"ref": f"H-{run}-{i}", "amount": amount, "who": members[2 * i + 1]}
            started = time.perf_counter_ns()
            response = client.post("/v1/sales", json=body)
            took_http = (time.perf_counter_ns() - started) / 1e6
            assert response.status_code == 201, response.text
            if i >= WARMUP:
                local.append(took)
                http.append(took_http)
    finally:
        client.close()
        server.stop()
        ctx.close()
    return {
        "sales": n,
        "in_process_p50_ms": statistics.median(local),
        "in_process_p99_ms": pct(local, 0.99),
        "http_p50_ms": statistics.median(http),
        "http_p99_ms": pct(http, 0.99),
        "http_added_p50_ms": statistics.median(http) - statistics.median(local),
    }


async def _bench_tap(n: int) -> dict[str, float]:
    from tests.escpos import escpos  # the same bytes the tests send

    receipt = escpos(RECEIPT.read_text(encoding="utf-8"))
    arrived: asyncio.Queue[float] = asyncio.Queue()

    async def printer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        got = 0
        while data := await reader.read(65536):
            got += len(data)
            if got >= len(receipt):
                arrived.put_nowait(time.perf_counter_ns())
                got = 0
        writer.close()

    server = await asyncio.start_server(printer, "127.0.0.1", 0)
    printer_port = server.sockets[0].getsockname()[1]
    tap = Tap(Address("127.0.0.1", 0), f"127.0.0.1:{printer_port}", lambda _: None)
    await tap.start()

    async def once(port: int) -> float:
        _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        started = time.perf_counter_ns()
        writer.write(receipt)
        await writer.drain()
        done = await arrived.get()
        writer.close()
        await writer.wait_closed()
        return (done - started) / 1e6

    direct: list[float] = []
    tapped: list[float] = []
    for i in range(n + WARMUP):
        d = await once(printer_port)
        t = await once(tap.port)
        if i >= WARMUP:
            direct.append(d)
            tapped.append(t)
    await tap.close()
    server.close()
    return {
        "receipts": n,
        "receipt_bytes": len(receipt),
        "direct_p50_ms": statistics.median(direct),
        "tap_p50_ms": statistics.median(tapped),
        "tap_p99_ms": pct(tapped, 0.99),
        "tap_added_p50_ms": statistics.median(tapped) - statistics.median(direct),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--sales", type=int, default=500)
    parser.add_argument("--receipts", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not args.path.exists():
        print(f"{args.path}: build it first (bench/build_shop.py)", file=sys.stderr)
        return 2
    load = os.getloadavg()[0]
    sales = bench_sales(args.path, args.sales, args.seed)
    tap = asyncio.run(_bench_tap(args.receipts))
    if args.json:
        print(json.dumps({"load": load, "sales": sales, "tap": tap}, indent=2))
        return 0
    print(f"machine load (1 min) at start: {load:.2f}")
    print(f"{'POST /v1/sales':<28}{'p50 ms':>10}{'p99 ms':>10}")
    print(
        f"{'  in-process pos.post_sale':<28}{sales['in_process_p50_ms']:>10.2f}"
        f"{sales['in_process_p99_ms']:>10.2f}"
    )
    print(f"{'  over HTTP':<28}{sales['http_p50_ms']:>10.2f}{sales['http_p99_ms']:>10.2f}")
    added = sales["http_added_p50_ms"]
    print(f"  HTTP adds {added:.2f} ms at p50 (target < 2 ms): {'PASS' if added < 2 else 'FAIL'}")
    print(f"{'receipt to printer':<28}{'p50 ms':>10}{'p99 ms':>10}")
    print(f"{'  direct':<28}{tap['direct_p50_ms']:>10.3f}")
    print(f"{'  through the tap':<28}{tap['tap_p50_ms']:>10.3f}{tap['tap_p99_ms']:>10.3f}")
    added = tap["tap_added_p50_ms"]
    print(
        f"  the tap adds {added:.3f} ms at p50 (target < 1 ms): {'PASS' if added < 1 else 'FAIL'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
