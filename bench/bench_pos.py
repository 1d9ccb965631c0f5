"""The POS bridge on a big shop: POST /v1/sales over HTTP next to the same service in-process,
and what the receipt tap adds to a receipt's way to the printer.

    .venv/bin/python bench/bench_pos.py [PATH] [--sales 500] [--receipts 300] [--seed 1] [--json]

PATH is a file made by bench/build_shop.py (default bench/data/shop-1m.sqlite). It writes real
sales into the file (3 × N, each with its own ref, committed with synchronous=FULL as the app
does); rebuild or copy it again for a pristine file.

- sale in-process: the phone resolved and `pos.post_sale(ctx, ref, amount, customer_id=...)`
  on members picked at random; sale over HTTP: `POST /v1/sales {"ref", "amount", "who"}`
  through uvicorn on its own thread (the API as `dangol serve` runs it), other members of the
  same draw. Two clients, each on one keep-alive connection: the standard library's
  `http.client` (the figure the target is read on: a plain client, as a POS's own HTTP stack
  would be) and httpx (the tests' client, slower per request; shown for comparison). The
  three take turns, in a shuffled order each round, so all see the same file and cache.
  Target: HTTP p50 - in-process p50 < 2 ms.
- "outside the use case": each HTTP sale's round trip minus the time its phone lookup and
  `pos.post_sale` took on the API's thread (both timed where they run, by a stopwatch put
  around the two service functions for the run), so the sale's own spread (its fsync)
  cancels out: what the HTTP layer adds, request by request.
- tap: a receipt of the sample size sent by a fake POS straight to a fake printer, and through
  the tap, alternating; the time from the POS's send to the printer's last byte. Target: the
  tap adds under 1 ms at p50.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import random
import sqlite3
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.bridge.api import ApiServer
from app.bridge.tap import Address, Tap
from app.services import customers, pos, tokens
from app.services.context import open_shop

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


class Stopwatch:
    """A service function timed wherever it runs (this thread or the API's): ``last`` is how
    long its latest call took, in ms. Put in the module's place for a run, then ``restore``d."""

    def __init__(self, module: Any, name: str) -> None:
        self.module, self.name = module, name
        self.inner = getattr(module, name)
        self.last = 0.0
        setattr(module, name, self)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter_ns()
        try:
            return self.inner(*args, **kwargs)
        finally:
            self.last = (time.perf_counter_ns() - started) / 1e6

    def restore(self) -> None:
        setattr(self.module, self.name, self.inner)


class StdlibClient:
    """POST over one keep-alive `http.client` connection: (status, body)."""

    def __init__(self, port: int, token: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def post(self, path: str, body: dict[str, Any]) -> tuple[int, bytes]:
        self.connection.request("POST", path, json.dumps(body), self.headers)
        response = self.connection.getresponse()
        return response.status, response.read()

    def close(self) -> None:
        self.connection.close()


class HttpxClient:
    """POST over one keep-alive httpx client: (status, body)."""

    def __init__(self, port: int, token: str) -> None:
        self.client = httpx.Client(
            base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}
        )

    def post(self, path: str, body: dict[str, Any]) -> tuple[int, bytes]:
        response = self.client.post(path, json=body)
        return response.status_code, response.content

    def close(self) -> None:
        self.client.close()


def bench_sales(path: Path, n: int, seed: int) -> dict[str, Any]:
    members = iter(phones(path, 3 * (n + WARMUP), seed))
    ctx = open_shop(str(path), create=False)
    token = tokens.create_token(ctx, f"bench {seed} {time.time_ns()}", "pos").token
    server = ApiServer(ctx, port=0)
    port = server.start()
    clients = {"http.client": StdlibClient(port, token), "httpx": HttpxClient(port, token)}
    lookup = Stopwatch(customers, "resolve_customer")
    post = Stopwatch(pos, "post_sale")
    run = f"{seed}-{time.time_ns()}"
    local: list[float] = []
    http = {name: [] for name in clients}
    outside = {name: [] for name in clients}
    inside = {name: [] for name in clients}
    try:
        order = random.Random(seed)
        for i in range(n + WARMUP):
            amount = PRICES[i % len(PRICES)]
            turns = ["in-process", *clients]
            order.shuffle(turns)  # no one always follows the same other (a commit, a checkpoint)
            for name in turns:
                started = time.perf_counter_ns()
                if name == "in-process":  # the phone resolved in both, as the API does
                    who = customers.resolve_customer(ctx, next(members))
                    pos.post_sale(ctx, f"L-{run}-{i}", amount, customer_id=who)
                else:
                    body = {"ref": f"H-{run}-{name}-{i}", "amount": amount, "who": next(members)}
                    status, answer = clients[name].post("/v1/sales", body)
                    assert status == 201, answer
                took = (time.perf_counter_ns() - started) / 1e6
                if i < WARMUP:
                    continue
                if name == "in-process":
                    local.append(took)
                else:
                    http[name].append(took)
                    inside[name].append(lookup.last + post.last)
                    outside[name].append(took - lookup.last - post.last)
    finally:
        lookup.restore()
        post.restore()
        for client in clients.values():
            client.close()
        server.stop()
        ctx.close()
    over = {
        name: {
            "p50_ms": statistics.median(times),
            "p99_ms": pct(times, 0.99),
            "added_p50_ms": statistics.median(times) - statistics.median(local),
            "use_case_on_api_thread_p50_ms": statistics.median(inside[name]),
            "outside_use_case_p50_ms": statistics.median(outside[name]),
            "outside_use_case_p99_ms": pct(outside[name], 0.99),
        }
        for name, times in http.items()
    }
    return {
        "sales": n,
        "in_process_p50_ms": statistics.median(local),
        "in_process_p99_ms": pct(local, 0.99),
        "http": over,
        # the target's figure, as before: the standard library's client
        "http_p50_ms": over["http.client"]["p50_ms"],
        "http_p99_ms": over["http.client"]["p99_ms"],
        "http_added_p50_ms": over["http.client"]["added_p50_ms"],
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


def row(label: str, p50: float, p99: float | None = None) -> None:
    print(f"  {label:<38}{p50:>10.2f}" + ("" if p99 is None else f"{p99:>10.2f}"))


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
    print(f"{'POST /v1/sales':<40}{'p50 ms':>10}{'p99 ms':>10}")
    row(
        "in-process (phone lookup + pos.post_sale)",
        sales["in_process_p50_ms"],
        sales["in_process_p99_ms"],
    )
    for name, over in sales["http"].items():
        row(f"over HTTP, {name}", over["p50_ms"], over["p99_ms"])
    for name, over in sales["http"].items():
        row(f"  use case (API thread), {name}", over["use_case_on_api_thread_p50_ms"])
        row(
            f"  outside the use case, {name}",
            over["outside_use_case_p50_ms"],
            over["outside_use_case_p99_ms"],
        )
    for name, over in sales["http"].items():
        added = over["added_p50_ms"]
        verdict = "PASS" if added < 2 else "FAIL"
        print(f"  HTTP adds {added:.2f} ms at p50 with {name} (target < 2 ms): {verdict}")
    print(f"  machine load (1 min) after the sales: {os.getloadavg()[0]:.2f}")
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
