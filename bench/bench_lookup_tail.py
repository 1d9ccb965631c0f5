"""Where the tail of a lookup by phone, last 4 digits or card comes from (issue 17 item 1).

    .venv/bin/python bench/bench_lookup_tail.py PATH [--n 2000] [--seed 1]

PATH is a shop made by bench/build_shop.py (a copy: nothing is written). The service
(`lean_search`) and its raw sqlite3 query run call by call in turn, as bench_core.py does,
in rounds that alternate the process's garbage collector settings (same run, same inputs):

- `app`: as the counter runs: the collector settled once the shop is open
  (app.services.gc_policy.settle: start-up objects frozen, gen-0 threshold 10,000) and a
  lookup on the engine's held connection (app.db.lean._Held);
- `pooled`: the same collector, each lookup's connection from the pool (as before);
- `stock gc`: the held connection, Python's own collector (gen-0 threshold 700, nothing
  frozen; as before);
- `gc off`: the held connection, no cyclic collection at all (a bound, not what the app does).

For each call it notes whether a collection ran during it (gc.callbacks), whether the process
was switched out (involuntary context switches, getrusage) and whether it read from the disk
(blocks in); the p99 is printed over all calls and over the calls with none of these. It
also times the parts of one lookup apart: the timer alone, the pool's checkout of a
connection (lean_connection) and the statement on a connection already out.
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import sqlite3
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from warm import warm  # bench/warm.py

from app.db import lean
from app.db.lean import lean_connection
from app.domain.query import classify_query
from app.services import gc_policy
from app.services.context import open_shop
from app.services.customers import _LEAN_BY_PHONE, lean_search

RAW_BY_PHONE = "SELECT * FROM customers WHERE phone = ? AND status = 'active'"
RAW_BY_CARD = (
    "SELECT k.status, c.* FROM membership_cards k JOIN customers c ON c.id = k.customer_id "
    "WHERE k.token = ? AND k.status = 'active' AND c.status = 'active'"
)
# as bench_core.py's RAW_BY_LAST4_RECORD: the 50 matches of a last 4 by name, the columns the
# service reads (SELECT * would read each row from the table too: a slower raw side)
RAW_BY_LAST4 = (
    "SELECT id, phone, name, tier_code FROM customers WHERE phone_last4 = ? "
    "AND status = 'active' ORDER BY name, id LIMIT 50"
)
# (the collector, the connection): the app as it is, then one part as before, then a bound
MODES = ("app", "pooled", "stock gc", "gc off")


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    rank = max(1, round(q / 100 * len(ordered) + 0.4999))
    return ordered[min(rank, len(ordered)) - 1]


class Collections:
    """Counts the collections that start (gc.callbacks)."""

    def __init__(self) -> None:
        self.started = 0
        gc.callbacks.append(self._seen)

    def _seen(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self.started += 1


def set_mode(mode: str) -> None:
    """The mode's collector and connection settings (no collection here: a full one would
    leave the CPU's caches cold for the calls that follow it, a cost of the bench's own)."""
    gc.enable()
    lean.HOLD_READS = mode != "pooled"
    if mode == "stock gc":
        gc.unfreeze()
        gc.set_threshold(*gc_policy.STOCK_THRESHOLDS)
    else:
        gc.freeze()
        gc.set_threshold(*gc_policy.THRESHOLDS)
    if mode == "gc off":
        gc.disable()


class Calls:
    """One mode's times of the service and of the raw query, with what happened in each call."""

    def __init__(self) -> None:
        self.service: list[tuple[float, bool, bool, bool]] = []
        self.raw: list[tuple[float, bool, bool, bool]] = []


def timed(call: Callable[[], object], seen: Collections) -> tuple[float, bool, bool, bool]:
    before = resource.getrusage(resource.RUSAGE_SELF)
    collections = seen.started
    started = time.perf_counter_ns()
    call()
    ms = (time.perf_counter_ns() - started) / 1e6
    after = resource.getrusage(resource.RUSAGE_SELF)
    return (
        ms,
        seen.started != collections,
        after.ru_nivcsw != before.ru_nivcsw,
        after.ru_inblock != before.ru_inblock,
    )


def run_case(
    name: str,
    service: Callable[[str], object],
    raw: Callable[[str], object],
    inputs: list[str],
    seen: Collections,
    rounds: int,
) -> None:
    calls = {mode: Calls() for mode in MODES}
    for item in inputs[:50]:  # warm-up
        service(item)
        raw(item)
    chunk = max(1, len(inputs) // rounds)
    for number, start in enumerate(range(0, len(inputs), chunk)):
        turn = number % len(MODES)  # each round: every mode over the same inputs, in turn
        for mode in MODES[turn:] + MODES[:turn]:
            set_mode(mode)
            for item in inputs[start : start + chunk]:
                calls[mode].service.append(timed(lambda item=item: service(item), seen))
                calls[mode].raw.append(timed(lambda item=item: raw(item), seen))
    set_mode("app")
    print(f"\n{name} ({len(inputs)} calls per mode, {rounds} rounds alternating)")
    print(
        f"  {'mode':8} {'p50':>7} {'p99':>7} {'max':>7} {'raw p50':>8} {'raw p99':>8} "
        f"{'ratio':>6} {'gc':>4} {'csw':>4} {'disk':>4} {'p99 clean':>9} {'raw p99 clean':>13}"
    )
    for mode in MODES:
        found = calls[mode]
        times = [t for t, *_ in found.service]
        raws = [t for t, *_ in found.raw]
        clean = [t for t, g, c, d in found.service if not (g or c or d)]
        raw_clean = [t for t, g, c, d in found.raw if not (g or c or d)]
        gcs = sum(g for _, g, _, _ in found.service)
        csw = sum(c for _, _, c, _ in found.service) + sum(c for _, _, c, _ in found.raw)
        disk = sum(d for _, _, _, d in found.service) + sum(d for _, _, _, d in found.raw)
        print(
            f"  {mode:8} {percentile(times, 50):7.3f} {percentile(times, 99):7.3f} "
            f"{max(times):7.3f} {percentile(raws, 50):8.3f} {percentile(raws, 99):8.3f} "
            f"{percentile(times, 50) / percentile(raws, 50):5.1f}x {gcs:4} {csw:4} {disk:4} "
            f"{percentile(clean, 99):9.3f} {percentile(raw_clean, 99):13.3f}"
        )
    # the slowest service calls: what happened in them
    slow = sorted(calls["app"].service, reverse=True)[: max(1, len(inputs) // 100)]
    print(
        "  app's slowest 1%: "
        + ", ".join(
            f"{t:.3f}{'g' if g else ''}{'c' if c else ''}{'d' if d else ''}" for t, g, c, d in slow
        )
        + "   (g: a collection ran, c: switched out, d: read the disk)"
    )


def parts(ctx, phones: list[str], n: int) -> None:  # type: ignore[no-untyped-def]
    """The parts of one lookup by phone, each timed alone."""
    engine = ctx.db.engine
    empty = []
    for _ in range(n):
        started = time.perf_counter_ns()
        empty.append((time.perf_counter_ns() - started) / 1e6)
    checkout = []
    for _ in range(n):
        started = time.perf_counter_ns()
        with lean_connection(engine):
            pass
        checkout.append((time.perf_counter_ns() - started) / 1e6)
    pooled = []
    for _ in range(n):
        started = time.perf_counter_ns()
        with lean_connection(engine, snapshot=True):  # always from the pool (and BEGIN)
            pass
        pooled.append((time.perf_counter_ns() - started) / 1e6)
    statement = []
    classify = []
    with lean_connection(engine) as connection:
        for phone in phones[:n]:
            started = time.perf_counter_ns()
            query = classify_query(phone)
            middle = time.perf_counter_ns()
            _LEAN_BY_PHONE.first(connection, phone=query.value)
            ended = time.perf_counter_ns()
            classify.append((middle - started) / 1e6)
            statement.append((ended - middle) / 1e6)
    print("\nparts of a lookup by phone (app's gc settings), ms:")
    for name, times in (
        ("the timer alone", empty),
        ("lean_connection (held) + return", checkout),
        ("pool checkout, BEGIN, ROLLBACK, return", pooled),
        ("classify_query (phone)", classify),
        ("the statement on a connection out", statement),
    ):
        print(f"  {name:40} p50 {percentile(times, 50):.4f}  p99 {percentile(times, 99):.4f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--n", type=int, default=2000, help="calls per mode and case")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(f"page cache warmed in {warm(args.path):.1f} s", file=sys.stderr)
    with open("/proc/loadavg") as handle:
        print(f"load at start: {handle.read().strip()}")
    rng = random.Random(args.seed)
    ctx = open_shop(str(args.path), create=False, use_env_clock=False)
    gc_policy.settle()  # as the counter does once its shop is open
    raw = sqlite3.connect(args.path, isolation_level=None)
    seen = Collections()
    try:
        (count,) = raw.execute("SELECT MAX(rowid) FROM customers").fetchone()
        phones: list[str] = []
        cards: list[str] = []
        while len(phones) < args.n:
            row = raw.execute(
                "SELECT c.phone, k.token FROM customers c JOIN membership_cards k "
                "ON k.customer_id = c.id WHERE c.rowid = ? AND c.status = 'active' "
                "AND k.status = 'active'",
                (rng.randint(1, count),),
            ).fetchone()
            if row is not None:
                phones.append(row[0])
                cards.append(row[1])

        def by_phone(phone: str) -> None:
            assert len(lean_search(ctx, f"{phone[:3]}-{phone[3:7]}-{phone[7:]}")) == 1

        def raw_phone(phone: str) -> None:
            assert len(raw.execute(RAW_BY_PHONE, (phone,)).fetchall()) == 1

        last4s = [f"{rng.randrange(10_000):04d}" for _ in range(args.n)]

        def by_last4(last4: str) -> None:
            assert lean_search(ctx, last4)

        def raw_last4(last4: str) -> None:
            assert raw.execute(RAW_BY_LAST4, (last4,)).fetchall()

        def by_card(token: str) -> None:
            assert len(lean_search(ctx, token)) == 1

        def raw_card(token: str) -> None:
            assert len(raw.execute(RAW_BY_CARD, (token,)).fetchall()) == 1

        run_case("lookup by phone", by_phone, raw_phone, phones, seen, args.rounds)
        run_case("lookup by last 4", by_last4, raw_last4, last4s, seen, args.rounds)
        run_case("lookup by card", by_card, raw_card, cards, seen, args.rounds)
        parts(ctx, phones, args.n)
    finally:
        raw.close()
        ctx.close()
    with open("/proc/loadavg") as handle:
        print(f"load at end: {handle.read().strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
