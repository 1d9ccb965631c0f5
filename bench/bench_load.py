"""The counter's core figures while the shop is busy (issue 17 item 7).

    .venv/bin/python bench/bench_load.py PATH [--lookups 1000] [--status 300] [--sales 150]
        [--rounds 2] [--sale-every 1.0] [--list-every 2.0] [--nice 10] [--json]

PATH is a copy of a shop made by bench/build_shop.py: it writes into it (every sale of this
process and of the second register). Each round measures the same cases twice, first with
the machine as it is ("idle"), then "under load": a second process records a sale every
`--sale-every` seconds through `record_sale` (another register on the same file) and a third
pages through the back office's customer list (`browse_customers`, 10 pages of 50 from the
start, over and over, `--list-every` seconds apart). The cases are bench_core's: phone,
last-4 and card lookups and the status of the 5,000-entry member, each next to its raw
sqlite3 equivalent, and the sale next to its own statements replayed. Target: each case's
p99 under load within 2× of its idle p99 (medians over the rounds).

The pace by default is a shop's: the second register a sale a second (3,600 an hour, more
than a busy counter rings up), the owner's list a page every 2 s. `--sale-every 0.02
--list-every 0` is the old stress pace (perf17's figures). `--nice N` (default 10) lowers the
two load processes' CPU priority, as a real install's background jobs can lower their own
(the counter cannot raise its: that needs root); `--nice 0` leaves them at the counter's.
The second register also reports the biggest WAL file it saw and its Checkpointer's runs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from bench_core import (
    Inputs,
    Result,
    bench_card,
    bench_last4,
    bench_phone,
    bench_sale,
    bench_status,
    percentile,
    pick_inputs,
)
from warm import warm

TARGET_FACTOR = 2.0
CASES = ("lookup by phone", "lookup by last 4", "lookup by card", "status", "sale")
SALE = "sale (synchronous=FULL)"  # bench_sale's name for the service as it is


# --- the other two processes ----------------------------------------------------------------


def second_register(path: str, every: float, stop: Path, seed: int, nice: int) -> None:
    """Sales one after another, as a second register on the same file would make them."""
    import sqlite3
    import uuid

    os.nice(nice)

    from app.services.context import open_shop
    from app.services.sales import record_sale

    rng = random.Random(seed)
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    (count,) = conn.execute("SELECT MAX(rowid) FROM customers").fetchone()
    ids = [
        uuid.UUID(hex=row[0])
        for _ in range(2000)
        for row in conn.execute(
            "SELECT id FROM customers WHERE rowid = ? AND status = 'active'",
            (rng.randint(1, count),),
        )
    ]
    conn.close()
    ctx = open_shop(path, create=False, use_env_clock=False)
    times: list[float] = []
    wal, biggest = Path(path + "-wal"), 0
    runs = resets = 0
    try:
        print("ready", flush=True)
        while not stop.exists():
            started = time.perf_counter()
            record_sale(ctx, rng.choice(ids), rng.choice((4500, 6000, 12500)))
            times.append((time.perf_counter() - started) * 1000)
            biggest = max(biggest, wal.stat().st_size if wal.exists() else 0)
            stop_at = time.monotonic() + every
            while time.monotonic() < stop_at and not stop.exists():
                time.sleep(min(0.05, every))
        if ctx.db.checkpointer is not None:
            runs = ctx.db.checkpointer.runs
            resets = getattr(ctx.db.checkpointer, "resets", 0)  # main before item 7 had none
    finally:
        ctx.close()
    _report("second register: sales", times, wal_max_mb=biggest / 1e6, runs=runs, resets=resets)


def back_office(path: str, every: float, stop: Path, nice: int) -> None:
    """The Customers page's query, page after page, as an owner scrolling the list."""
    from app.services.context import open_shop

    os.nice(nice)
    from app.services.customer_admin import CustomerFilter, browse_customers

    ctx = open_shop(path, create=False, use_env_clock=False)
    times: list[float] = []
    try:
        print("ready", flush=True)
        while not stop.exists():
            after = None
            for _ in range(10):
                started = time.perf_counter()
                rows = browse_customers(ctx, CustomerFilter(), "newest", after, 50)
                times.append((time.perf_counter() - started) * 1000)
                if not rows or stop.exists():
                    break
                after = rows[-1].key
                stop_at = time.monotonic() + every
                while time.monotonic() < stop_at and not stop.exists():
                    time.sleep(min(0.05, every))
    finally:
        ctx.close()
    _report("back office: customer list pages", times)


def _report(what: str, times: list[float], **more: object) -> None:
    ordered = sorted(times) or [0.0]
    print(
        json.dumps(
            {
                "what": what,
                "n": len(times),
                "p50_ms": percentile(ordered, 50),
                "p99_ms": percentile(ordered, 99),
                **more,
            }
        ),
        flush=True,
    )


class Load:
    """The second register and the back office, in two processes of their own."""

    def __init__(self, path: Path, args: argparse.Namespace, round_no: int) -> None:
        self.stop = Path(tempfile.mkdtemp(prefix="dangol-load-")) / "stop"
        here = Path(__file__).resolve()
        common = [sys.executable, str(here), str(path), "--stop", str(self.stop)]
        common += ["--nice", str(args.nice)]
        self.processes = [
            subprocess.Popen(
                [
                    *common,
                    "--role",
                    "register",
                    "--every",
                    str(args.sale_every),
                    "--seed",
                    str(args.seed + 100 + round_no),
                ],
                stdout=subprocess.PIPE,
                text=True,
            ),
            subprocess.Popen(
                [*common, "--role", "office", "--every", str(args.list_every)],
                stdout=subprocess.PIPE,
                text=True,
            ),
        ]
        for process in self.processes:
            assert process.stdout is not None
            if process.stdout.readline().strip() != "ready":
                raise SystemExit("a load process did not start")
        time.sleep(1.0)  # both at their pace before the clock starts

    def end(self) -> list[dict[str, object]]:
        self.stop.touch()
        reports = []
        for process in self.processes:
            out, _ = process.communicate(timeout=120)
            reports += [json.loads(line) for line in out.splitlines() if line.startswith("{")]
        self.stop.unlink()
        self.stop.parent.rmdir()
        return reports


# --- the counter ----------------------------------------------------------------------------


@dataclass
class Phase:
    name: str  # "idle" | "load"
    round: int
    results: list[Result]
    load: list[dict[str, object]]
    uptime: str


def measure(ctx, raw, path: Path, inputs: Inputs, args, rng) -> list[Result]:  # type: ignore[no-untyped-def]
    results = [
        bench_phone(ctx, raw, inputs),
        bench_last4(ctx, raw, inputs),
        bench_card(ctx, raw, inputs),
        bench_status(ctx, raw, args.status),
    ]
    # bench_sale times the service two ways in turn; the counter's sale is the lean one
    results += [r for r in bench_sale(ctx, path, inputs, rng) if r.name == SALE]
    for result, name in zip(results, CASES, strict=True):
        result.name = name
    return results


def run(args: argparse.Namespace) -> list[Phase]:
    import sqlite3

    from app.services.context import open_shop

    path = args.path.resolve()
    rng = random.Random(args.seed)
    ctx = open_shop(str(path), create=False, use_env_clock=False)
    raw = sqlite3.connect(path, isolation_level=None)
    phases: list[Phase] = []
    try:
        needed = argparse.Namespace(
            lookups=args.lookups, sales=args.sales * args.rounds * 2, voids=0
        )
        inputs = pick_inputs(raw, rng, needed)
        sales = iter(range(0, len(inputs.sale_phones), args.sales))
        for round_no in range(args.rounds):
            for name in ("idle", "load"):
                start = next(sales)
                these = replace(inputs, sale_phones=inputs.sale_phones[start : start + args.sales])
                load = Load(path, args, round_no) if name == "load" else None
                try:
                    results = measure(ctx, raw, path, these, args, rng)
                finally:
                    reports = load.end() if load is not None else []
                uptime = os.getloadavg()
                phases.append(
                    Phase(name, round_no, results, reports, f"{uptime[0]:.2f} {uptime[1]:.2f}")
                )
                print(f"round {round_no + 1} {name}: load average {uptime[0]:.2f}", file=sys.stderr)
    finally:
        raw.close()
        ctx.close()
    return phases


def _median(phases: list[Phase], phase: str, case: str, field: str) -> float:
    return statistics.median(
        getattr(r, field) for p in phases if p.name == phase for r in p.results if r.name == case
    )


def render(phases: list[Phase]) -> tuple[str, bool]:
    """One line a case: idle and loaded p50/p99 (medians over the rounds), the raw p99s, the
    loaded/idle factor of the p99 (the target) and the same factor of the raw p99: what the
    load does to SQLite itself on this machine, beside what it does to the counter."""
    header = ("case", "idle p50", "idle p99", "load p50", "load p99", "raw p99 idle/load")
    header += ("raw load/idle", "p99 load/idle", "")
    rows = [header]
    ok = True
    for case in CASES:

        def median(phase: str, field: str, case: str = case) -> float:
            return _median(phases, phase, case, field)

        idle99, load99 = median("idle", "p99_ms"), median("load", "p99_ms")
        raw_idle, raw_load = median("idle", "raw_p99_ms"), median("load", "raw_p99_ms")
        factor = load99 / idle99
        ok = ok and factor <= TARGET_FACTOR
        rows.append(
            (
                case,
                f"{median('idle', 'p50_ms'):.3f}",
                f"{idle99:.3f}",
                f"{median('load', 'p50_ms'):.3f}",
                f"{load99:.3f}",
                f"{raw_idle:.3f} / {raw_load:.3f}",
                f"{raw_load / raw_idle:.2f}x",
                f"{factor:.2f}x",
                "PASS" if factor <= TARGET_FACTOR else "FAIL",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for index, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines.append(
        f"(ms, medians over {len(phases) // 2} rounds;"
        f" target: p99 under load ≤ {TARGET_FACTOR:g}× idle)"
    )
    for phase in phases:
        for report in phase.load:
            wal = ""
            if "wal_max_mb" in report:
                wal = (
                    f"; WAL at most {report['wal_max_mb']:.1f} MB, checkpoints"
                    f" {report['runs']} ({report['resets']} emptied it)"
                )
            lines.append(
                f"  round {phase.round + 1} {report['what']}: n {report['n']}, "
                f"p50 {report['p50_ms']:.2f} ms, p99 {report['p99_ms']:.2f} ms{wal}"
            )
    loads = ", ".join(f"{p.name} {p.uptime}" for p in phases)
    lines.append(f"  load average (1, 5 min) after each phase: {loads}")
    return "\n".join(lines), ok


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--lookups", type=int, default=1000)
    parser.add_argument("--status", type=int, default=300)
    parser.add_argument("--sales", type=int, default=150, help="counter sales per phase (writes!)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--sale-every", type=float, default=1.0, help="second register's pause, s")
    parser.add_argument("--list-every", type=float, default=2.0, help="pause between list pages, s")
    parser.add_argument(
        "--nice", type=int, default=10, help="os.nice of the two load processes (0: none)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--role", choices=("register", "office"), help=argparse.SUPPRESS)
    parser.add_argument("--stop", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--every", type=float, default=0.0, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.role == "register":
        second_register(str(args.path.resolve()), args.every, args.stop, args.seed, args.nice)
        return 0
    if args.role == "office":
        back_office(str(args.path.resolve()), args.every, args.stop, args.nice)
        return 0
    if not args.path.exists():
        raise SystemExit(f"{args.path} is missing: copy a shop made by bench/build_shop.py")
    print(f"page cache warmed in {warm(args.path):.1f} s", file=sys.stderr)
    phases = run(args)
    text, ok = render(phases)
    if args.json:
        print(json.dumps([asdict(p) for p in phases], indent=2))
    else:
        print(text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
