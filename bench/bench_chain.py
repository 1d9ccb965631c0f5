"""Sync at chain scale (issue 20): many registers, each its own SQLite file and process, record
sales at a counter's peak rate through one central PostgreSQL while their background sync
pushes and pulls. The counter never waits on it: a sale is a local write, sync runs on the
worker's thread.

    .venv/bin/python bench/bench_chain.py [--registers 100] [--processes 8] [--seconds 180]
        [--sale-every 3.0] [--members 20] [--json]

Figures: changes/s the central database accepted, p50/p99 from a sale's commit at its
register to its arrival at every other register (one machine, one clock), the central
CPU seconds and connections this run used (its backends carry the run's application_name),
and whether anything was lost or duplicated: after a last round of syncs every register
must hold every sale exactly once and the balance of every member as the merged (central)
ledger replays it. Registers are spread over `--processes` processes (threads inside).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import tempfile
import threading
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import psycopg

PG = "host=127.0.0.1 user=postgres dbname=test"
BASE = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SEEN_POLL_S = 0.02  # how often a register looks for sales of the others that arrived


@dataclass
class ChainResult:
    registers: int
    seconds: float
    sales: int
    changes: int
    changes_per_s: float
    p50_ms: float
    p99_ms: float
    arrivals: int
    central_cpu_s: float
    max_connections: int
    lost: int
    duplicated: int
    ledgers_agree: bool


def _schema() -> tuple[str, str, str]:
    name = "chain_" + uuid.uuid4().hex[:10]
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    app_name = f"dangol-{name}"
    url = f"{BASE}?options=-csearch_path%3D{name}&application_name={app_name}"
    return name, url, app_name


def _drop(name: str) -> None:
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {name} CASCADE")


def _phones(members: int) -> list[str]:
    return [f"0105{i:07d}" for i in range(members)]


# --- one process: several registers ------------------------------------------------------------


_SETUP = threading.Lock()  # migrations and setup one register at a time within a process


def _register(name: str, workdir: str, url: str, args: dict[str, Any], sync_q, out: dict) -> None:
    try:
        _register_run(name, workdir, url, args, sync_q, out)
    except BaseException as exc:  # said to the main process, which then stops the run
        out[name] = {"error": f"{type(exc).__name__}: {exc}"}
        sync_q["ready"].put(name)


def _register_run(
    name: str, workdir: str, url: str, args: dict[str, Any], sync_q, out: dict
) -> None:
    from sqlalchemy import select

    from app.db.models import Sale
    from app.domain.errors import Refused
    from app.services import customers, sales, sync
    from app.services.context import open_shop
    from app.services.customers import resolve_customer

    with _SETUP:
        ctx = open_shop(str(Path(workdir) / f"{name}.sqlite"))
        for attempt in range(20):  # many registers at once: the schema lock makes them wait
            try:
                sync.setup_sync(ctx, url, store=f"매장{int(name[1:]) % 10}", register=name)
                break
            except Refused:
                if attempt == 19:
                    raise
                time.sleep(0.5)
    phones = _phones(args["members"])
    if name == "r0":
        for phone in phones:
            customers.enroll(ctx, phone)
    sync.sync_now(ctx)
    while True:  # every register knows the members before the clock starts
        try:
            ids = [resolve_customer(ctx, phone) for phone in phones]
            break
        except Refused:
            time.sleep(0.2)
            sync.sync_now(ctx)
    worker = sync.start_worker(ctx, idle_seconds=args["idle"])
    written: dict[str, float] = {}
    seen: dict[str, float] = {}
    stop = threading.Event()

    def watch() -> None:  # when each sale of another register arrived here
        while not stop.is_set():
            with ctx.db.read() as session:
                rows = session.execute(select(Sale.id, Sale.register_id)).all()
            now = time.time()
            for sale_id, register_id in rows:
                if register_id != ctx.register_id and sale_id.hex not in seen:
                    seen[sale_id.hex] = now
            stop.wait(SEEN_POLL_S)

    watcher = threading.Thread(target=watch, daemon=True)
    sync_q["ready"].put(name)
    start_at = sync_q["go"].get()  # every register is set up: all start together
    sync_q["go"].put(start_at)
    watcher.start()
    ends = start_at + args["seconds"]
    i = 0
    offset = int(name[1:])
    while time.time() < ends:
        customer = ids[(offset + i) % len(ids)]
        result = sales.record_sale(ctx, customer, 10_000 + 100 * (i % 50))
        written[result.sale_id.hex] = time.time()
        i += 1
        time.sleep(max(0.0, args["sale_every"]))
    time.sleep(args["settle"])  # the others' last sales still on their way
    stop.set()
    watcher.join()
    if worker is not None:
        worker.stop()
    out[name] = {"written": written, "seen": seen, "path": str(Path(workdir) / f"{name}.sqlite")}
    ctx.close()


def _process(names: list[str], workdir: str, url: str, args: dict, queues, q) -> None:
    os.environ.pop("DANGOL_NOW", None)
    out: dict[str, Any] = {}
    threads = [
        threading.Thread(target=_register, args=(n, workdir, url, args, queues, out)) for n in names
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    q.put(out)


# --- central figures ----------------------------------------------------------------------------


class CentralWatch:
    """CPU seconds and connections of the backends that carry this run's application_name."""

    def __init__(self, app_name: str) -> None:
        self.app_name = app_name
        self.cpu: dict[int, float] = {}
        self.max_connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._tick = os.sysconf("SC_CLK_TCK")

    def _run(self) -> None:
        with psycopg.connect(PG, autocommit=True) as conn:
            while not self._stop.is_set():
                pids = [
                    r[0]
                    for r in conn.execute(
                        "SELECT pid FROM pg_stat_activity WHERE application_name = %s",
                        (self.app_name,),
                    ).fetchall()
                ]
                self.max_connections = max(self.max_connections, len(pids))
                for pid in pids:
                    try:
                        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                        self.cpu[pid] = (int(fields[11]) + int(fields[12])) / self._tick
                    except (OSError, IndexError, ValueError):
                        continue
                self._stop.wait(0.5)

    def start(self) -> CentralWatch:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


# --- the run ------------------------------------------------------------------------------------


def run(
    registers: int = 4,
    processes: int = 2,
    seconds: float = 10.0,
    sale_every: float = 3.0,
    members: int = 20,
    idle: float = 1.0,
    settle: float = 8.0,
) -> ChainResult:
    from sqlalchemy import func, select

    from app.db.models import LedgerEntry, Sale
    from app.services import sync
    from app.services.context import open_shop
    from app.sync import server

    schema, url, app_name = _schema()
    args = {
        "seconds": seconds,
        "sale_every": sale_every,
        "members": members,
        "idle": idle,
        "settle": settle,
    }
    try:
        server.prepare_central(url)
        watch = CentralWatch(app_name).start()
        with tempfile.TemporaryDirectory() as workdir:
            names = [f"r{i}" for i in range(registers)]
            groups = [names[i::processes] for i in range(processes)]
            spawn = multiprocessing.get_context("spawn")
            q = spawn.Queue()
            queues = {"ready": spawn.Queue(), "go": spawn.Queue()}
            procs = [
                spawn.Process(target=_process, args=(g, workdir, url, args, queues, q))
                for g in groups
                if g
            ]
            for p in procs:
                p.start()
            for _ in names:
                queues["ready"].get(timeout=600)
            queues["go"].put(time.time())
            results: dict[str, Any] = {}
            for _ in procs:
                results.update(q.get(timeout=600 + seconds))
            for p in procs:
                p.join()
            failed = {n: r["error"] for n, r in results.items() if "error" in r}
            if failed:
                raise RuntimeError(f"registers failed: {failed}")
            watch.stop()
            # a last round of syncs, then every copy is compared with the central one
            shops = [open_shop(results[n]["path"]) for n in names]
            for _ in range(2):
                for ctx in shops:
                    sync.sync_now(ctx)
            central = server.central_engine(url)
            with central.connect() as connection:
                changes = int(connection.scalar(text_count("sync_changes")) or 0)
                merged = dict(
                    connection.execute(
                        select(LedgerEntry.customer_id, func.sum(LedgerEntry.points)).group_by(
                            LedgerEntry.customer_id
                        )
                    ).all()
                )
                central_sales = int(connection.scalar(select(func.count()).select_from(Sale)) or 0)
            written = {s for r in results.values() for s in r["written"]}
            lost = duplicated = 0
            agree = True
            for ctx in shops:
                with ctx.db.read() as session:
                    ids = [row.hex for row in session.scalars(select(Sale.id))]
                    ledger = dict(
                        session.execute(
                            select(LedgerEntry.customer_id, func.sum(LedgerEntry.points)).group_by(
                                LedgerEntry.customer_id
                            )
                        ).all()
                    )
                lost += len(written - set(ids))
                duplicated += len(ids) - len(set(ids))
                agree = agree and ledger == merged
                ctx.close()
            lost += len(written) - central_sales if central_sales < len(written) else 0
            latencies = [
                (r["seen"][sale] - when) * 1000
                for name, r in results.items()
                for other, o in results.items()
                if other != name
                for sale, when in o["written"].items()
                if sale in r["seen"]
            ]
        latencies.sort()
        return ChainResult(
            registers=registers,
            seconds=seconds,
            sales=len(written),
            changes=changes,
            changes_per_s=round(changes / seconds, 1),
            p50_ms=round(statistics.median(latencies), 1) if latencies else -1.0,
            p99_ms=round(latencies[int(len(latencies) * 0.99) - 1], 1) if latencies else -1.0,
            arrivals=len(latencies),
            central_cpu_s=round(sum(watch.cpu.values()), 2),
            max_connections=watch.max_connections,
            lost=lost,
            duplicated=duplicated,
            ledgers_agree=agree,
        )
    finally:
        server.forget_engine(url)
        _drop(schema)


def text_count(table: str) -> Any:
    from sqlalchemy import text

    return text(f"SELECT count(*) FROM {table}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registers", type=int, default=100)
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=180.0)
    parser.add_argument("--sale-every", type=float, default=3.0)
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--idle", type=float, default=5.0, help="the worker's polling period")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(
        args.registers,
        args.processes,
        args.seconds,
        args.sale_every,
        args.members,
        args.idle,
        settle=max(10.0, args.idle * 2),
    )
    if args.json:
        print(json.dumps(asdict(result)))
        return
    for key, value in asdict(result).items():
        print(f"{key:<18} {value}")


if __name__ == "__main__":
    main()
