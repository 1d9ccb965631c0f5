"""Sync at chain scale (issue 20): many registers, each its own SQLite file and process, record
sales at a counter's peak rate through one central PostgreSQL while their background sync
pushes and pulls. The counter never waits on it: a sale is a local write, sync runs on the
worker's thread.

    .venv/bin/python bench/bench_chain.py [--registers 100] [--processes 8] [--seconds 180]
        [--sale-every 3.0] [--members 20] [--idle 5] [--listen off] [--own-server] [--json]
    .venv/bin/python bench/bench_chain.py --pull-apply 500   # one register's apply, alone
    .venv/bin/python bench/bench_chain.py --others 999 ...   # one business among 1,000

Figures: changes/s the central database accepted, p50/p99 from a sale's commit at its
register to its arrival at every other register (one machine, one clock), the central
CPU seconds and connections this run used (its backends carry the run's application_name),
and whether anything was lost or duplicated: after a last round of syncs every register
must hold every sale exactly once and the balance of every member as the merged (central)
ledger replays it. Registers are spread over `--processes` processes (threads inside); each
register has its own central engine (its own URL: application_name dangol-chain_…-rN), as
if it ran on its own PC, and the app's own worker (sync.start_worker).

`--own-server` starts a throwaway PostgreSQL cluster with the stock settings
(max_connections 100, fsync on) on its own port, so that its CPU is this run's alone: the
postmaster's own and its reaped children's CPU time (every short-lived connection of a
sync) plus the live backends'. Without it the shared server is used and only the backends
seen while sampling are counted. Also reported: the sale's own time at the counter during
the run (p50/p99), the workers' runs and the notices they coalesced.
"""

from __future__ import annotations

import argparse
import glob
import json
import multiprocessing
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
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
SEEN_POLL_S = 0.05  # how often a register looks for sales of the others that arrived


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
    sale_p50_ms: float = -1.0  # the sale's own time at the counter during the run
    sale_p99_ms: float = -1.0
    listen: bool = True
    idle_s: float = 5.0
    worker_runs: int = 0  # sync runs of all workers
    worker_failures: int = 0
    notices: int = 0  # the others' notices received (own pushes' not counted)
    notice_pulls: int = 0  # runs those notices started (the rest were covered by a run)
    run_mean_ms: float = -1.0  # a sync run's mean length
    central_cpu_scope: str = "backends seen"  # or "whole cluster" with --own-server
    mean_connections: float = 0.0
    loadavg_start: str = ""
    loadavg_end: str = ""
    checked_registers: int = 0  # registers brought up to date and compared at the end
    other_businesses: int = 0  # on the central database beside the chain's (--others)
    other_rows: int = 0  # their central rows, feed rows included


def _schema(pg: str, base: str) -> tuple[str, str, str]:
    name = "chain_" + uuid.uuid4().hex[:10]
    with psycopg.connect(pg, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    app_name = f"dangol-{name}"
    url = f"{base}?options=-csearch_path%3D{name}&application_name={app_name}"
    return name, url, app_name


def _drop(pg: str, name: str) -> None:
    with psycopg.connect(pg, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {name} CASCADE")


def register_url(url: str, name: str) -> str:
    """The register's own URL: its own engine and pool, as on its own PC."""
    return f"{url}-{name}"


class OwnServer:
    """A throwaway PostgreSQL cluster with the stock settings, on its own port."""

    def __init__(self) -> None:
        def binary(name: str) -> str:
            found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
            return found[-1] if found else (shutil.which(name) or name)

        self.pg_ctl = binary("pg_ctl")
        self.dir = Path(tempfile.mkdtemp(prefix="dangol-chain-pg-"))
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self.data = self.dir / "data"
        self._run([binary("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres"])
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1"
        self._run([self.pg_ctl, "-D", str(self.data), "-o", options, "-l", "log", "-w", "start"])
        self.pg = f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"
        self.base = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self.postmaster = int((self.data / "postmaster.pid").read_text().split()[0])

    def _run(self, command: list[str]) -> None:
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120, cwd=self.dir)

    def cpu_seconds(self) -> float:
        """CPU of the whole cluster so far: the postmaster, its reaped children, the live ones."""
        tick = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for stat in glob.glob("/proc/[0-9]*/stat"):
            try:
                fields = Path(stat).read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            pid = int(stat.split("/")[2])
            if pid == self.postmaster:
                total += sum(int(f) for f in fields[11:15]) / tick  # utime stime cutime cstime
            elif int(fields[1]) == self.postmaster:
                total += (int(fields[11]) + int(fields[12])) / tick
        return total

    def stop(self) -> None:
        try:
            self._run([self.pg_ctl, "-D", str(self.data), "-m", "fast", "-w", "stop"])
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def _phones(members: int) -> list[str]:
    return [f"0105{i:07d}" for i in range(members)]


# --- the other businesses on the central database ------------------------------------------------

# bench_businesses.py makes two empty businesses for its feed lock race (server.new_business):
# none of their rows. These are: one business made by the app itself (a register that enrolls
# members, records sales and syncs), then copied under new business ids (every central key
# leads with business_id, migration 0027), so each of the others holds the same rows.


@dataclass
class Others:
    businesses: int  # other businesses on the central database
    rows_each: int  # central rows of each (feed rows included)
    rows: int  # of them all
    seconds: float  # to make them


def fill_others(
    pg: str, url: str, schema: str, count: int, members: int = 200, sales_n: int = 1000
) -> Others:
    """`count` other businesses, each with `members` members and `sales_n` sales (their ledger
    entries, audit entries, feed rows, figures) made by the app on one and copied to the rest."""
    from app.services import customers, sales, sync
    from app.services.context import open_shop
    from app.services.customers import resolve_customer
    from app.sync import server

    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as workdir:
        ctx = open_shop(str(Path(workdir) / "other.sqlite"))
        made = sync.setup_sync(ctx, url, store="남의 가게", register="o0", new_business=True)
        template = uuid.UUID(made.business)
        phones = [f"0109{i:07d}" for i in range(members)]
        for phone in phones:
            customers.enroll(ctx, phone)
        ids = [resolve_customer(ctx, phone) for phone in phones]
        for i in range(sales_n):
            sales.record_sale(ctx, ids[i % len(ids)], 8_000 + 100 * (i % 70))
            if i % 250 == 249:
                sync.sync_now(ctx)
        sync.sync_now(ctx)
        url_o = str(sync.configured_url(ctx))
        ctx.close()
        server.forget_engine(url_o)
    with psycopg.connect(pg, autocommit=True) as conn:
        conn.execute(f"SET search_path = {schema}")
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.columns WHERE table_schema = %s "
                "AND column_name = 'business_id' AND table_name NOT IN "
                "('businesses', 'sync_feed_heads', 'partner_programs')",
                (schema,),
            ).fetchall()
        ]
        each = 0
        for t in tables:
            each += int(
                conn.execute(
                    f'SELECT count(*) FROM "{t}" WHERE business_id = %s', (template,)
                ).fetchone()[0]  # type: ignore[index]
            )
        with conn.transaction():
            conn.execute("SET LOCAL session_replication_role = replica")  # the copies' keys hold
            conn.execute(
                "CREATE TEMP TABLE bench_others ON COMMIT DROP AS "
                f"SELECT gen_random_uuid() AS business_id FROM generate_series(1, {count - 1:d})"
            )
            conn.execute(
                "INSERT INTO businesses (business_id) SELECT business_id FROM bench_others"
            )
            conn.execute(
                "INSERT INTO sync_feed_heads (business_id, seq) SELECT o.business_id, h.seq "
                "FROM bench_others o, sync_feed_heads h WHERE h.business_id = %s",
                (template,),
            )
            for t in tables:
                columns = [
                    r[0]
                    for r in conn.execute(
                        "SELECT column_name FROM information_schema.columns WHERE "
                        "table_schema = %s AND table_name = %s AND column_name <> 'business_id' "
                        "AND is_generated = 'NEVER' ORDER BY ordinal_position",
                        (schema, t),
                    ).fetchall()
                ]
                cols = ", ".join(f'"{c}"' for c in columns)
                copied = ", ".join(f'x."{c}"' for c in columns)
                conn.execute(
                    f'INSERT INTO "{t}" (business_id, {cols}) SELECT o.business_id, {copied} '
                    f'FROM "{t}" x, bench_others o WHERE x.business_id = %s',
                    (template,),
                )
        # settled before the run, as a database that has held them for a while: the copies'
        # vacuum (an insert-driven autovacuum otherwise) and their checkpoint are not the run's
        conn.execute("VACUUM (FREEZE, ANALYZE)")
        conn.execute("CHECKPOINT")
    return Others(count, each, each * count, round(time.perf_counter() - began, 1))


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
    from app.domain.errors import Refused
    from app.services import customers, sales, sync
    from app.services.context import open_shop
    from app.services.customers import resolve_customer

    path = str(Path(workdir) / f"{name}.sqlite")
    with _SETUP:
        ctx = open_shop(path)
        if not args["listen"]:
            ctx.settings[sync.LISTEN_KEY] = "off"
        for attempt in range(20):  # many registers at once: the schema lock makes them wait
            try:
                sync.setup_sync(
                    ctx,
                    url,
                    store=f"매장{int(name[1:]) % 10}",
                    register=name,
                    business=args.get("business"),
                )
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
    written: dict[str, float] = {}
    seen: dict[str, float] = {}
    took: list[float] = []
    stop = threading.Event()
    mine = ctx.register_id.hex

    def watch() -> None:  # when each sale of another register arrived here (sqlite3, cheap)
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        last = 0
        try:
            while not stop.is_set():
                rows = db.execute(
                    "SELECT rowid, id, register_id FROM sales WHERE rowid > ?", (last,)
                ).fetchall()
                now = time.time()
                for rowid, sale_id, register_id in rows:
                    last = max(last, rowid)
                    if _hex(register_id) != mine:
                        seen.setdefault(_hex(sale_id), now)
                stop.wait(SEEN_POLL_S)
        finally:
            db.close()

    watcher = threading.Thread(target=watch, daemon=True)
    sync_q["ready"].put(name)
    start_at = sync_q["go"].get()  # every register is set up: all start together
    sync_q["go"].put(start_at)
    worker = sync.start_worker(ctx, idle_seconds=args["idle"])
    watcher.start()
    ends = start_at + args["seconds"]
    i = 0
    offset = int(name[1:])
    # registers start their first sale spread over one period, as a chain's counters do
    time.sleep((offset * 0.6180339887 % 1.0) * args["sale_every"])
    while time.time() < ends:
        customer = ids[(offset + i) % len(ids)]
        began = time.perf_counter()
        result = sales.record_sale(ctx, customer, 10_000 + 100 * (i % 50))
        took.append((time.perf_counter() - began) * 1000)
        written[result.sale_id.hex] = time.time()
        i += 1
        time.sleep(max(0.0, args["sale_every"]))
    time.sleep(args["settle"])  # the others' last sales still on their way
    stop.set()
    watcher.join()
    stats = {"runs": 0, "failures": 0, "notices": 0, "notice_pulls": 0, "busy": 0.0}
    if worker is not None:
        worker.stop()
        stats = {
            "runs": worker.runs,
            "failures": worker.failures,
            "notices": getattr(worker, "notices", -1),  # (a worker before issue 20: -1)
            "notice_pulls": getattr(worker, "notice_pulls", -1),
            "busy": getattr(worker, "busy_seconds", -1.0),
        }
    out[name] = {"written": written, "seen": seen, "path": path, "took": took, **stats}
    ctx.close()


def _hex(value: Any) -> str:
    """A uuid column as SQLite keeps it (16 bytes or 32 hex digits) in hex."""
    if isinstance(value, bytes):
        return value.hex()
    return str(value).replace("-", "").lower()


def _process(names: list[str], workdir: str, url: str, args: dict, queues, q) -> None:
    os.environ.pop("DANGOL_NOW", None)
    out: dict[str, Any] = {}
    threads = [
        threading.Thread(
            target=_register, args=(n, workdir, register_url(url, n), args, queues, out)
        )
        for n in names
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    q.put(out)


# --- central figures ----------------------------------------------------------------------------


class CentralWatch:
    """Connections of this run (application_name dangol-chain_…-*) sampled every 0.1 s, and
    the central CPU: the whole throwaway cluster's (own server) or the backends seen."""

    def __init__(self, pg: str, app_name: str, own: OwnServer | None) -> None:
        self.pg, self.app_name, self.own = pg, app_name, own
        self.cpu: dict[int, float] = {}
        self.max_connections = 0
        self.samples: list[int] = []
        self._cpu0 = own.cpu_seconds() if own is not None else 0.0
        self.cluster_cpu = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._tick = os.sysconf("SC_CLK_TCK")

    def _run(self) -> None:
        with psycopg.connect(self.pg, autocommit=True) as conn:
            while not self._stop.is_set():
                pids = [
                    r[0]
                    for r in conn.execute(
                        "SELECT pid FROM pg_stat_activity WHERE application_name LIKE %s",
                        (self.app_name + "%",),
                    ).fetchall()
                ]
                self.samples.append(len(pids))
                self.max_connections = max(self.max_connections, len(pids))
                if self.own is None:
                    for pid in pids:
                        try:
                            stat = Path(f"/proc/{pid}/stat").read_text()
                            fields = stat.rsplit(")", 1)[1].split()
                            self.cpu[pid] = (int(fields[11]) + int(fields[12])) / self._tick
                        except (OSError, IndexError, ValueError):
                            continue
                self._stop.wait(0.1)

    def start(self) -> CentralWatch:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        if self.own is not None:
            self.cluster_cpu = self.own.cpu_seconds() - self._cpu0

    @property
    def cpu_seconds(self) -> float:
        return self.cluster_cpu if self.own is not None else sum(self.cpu.values())


# --- the run ------------------------------------------------------------------------------------


def _pct(values: list[float], q: float) -> float:
    if not values:
        return -1.0
    values = sorted(values)
    return round(values[max(0, min(len(values) - 1, int(len(values) * q + 0.5) - 1))], 1)


def run(
    registers: int = 4,
    processes: int = 2,
    seconds: float = 10.0,
    sale_every: float = 3.0,
    members: int = 20,
    idle: float = 1.0,
    settle: float = 8.0,
    listen: bool = True,
    own_server: bool = False,
    check: int = 0,
    others: int = 0,
) -> ChainResult:
    from sqlalchemy import func, select

    from app.db.models import LedgerEntry, Sale
    from app.services import sync
    from app.services.context import open_shop
    from app.sync import engine as sync_engine
    from app.sync import server
    from app.sync.merge import of_business

    own = OwnServer() if own_server else None
    pg, base = (own.pg, own.base) if own is not None else (PG, BASE)
    try:
        schema, url, app_name = _schema(pg, base)
    except BaseException:
        if own is not None:
            own.stop()
        raise
    args = {
        "seconds": seconds,
        "sale_every": sale_every,
        "members": members,
        "idle": idle,
        "settle": settle,
        "listen": listen,
    }
    load_start = Path("/proc/loadavg").read_text().split()[:3]
    try:
        server.prepare_central(url)
        filled = Others(0, 0, 0, 0.0)
        if others:  # the chain's business first, then the others beside it; registers name it
            with server.central_engine(url).begin() as connection:
                business = server.new_business(connection)
            args["business"] = str(business)
            filled = fill_others(pg, url, schema, others)
            print(f"other businesses: {asdict(filled)}", flush=True)
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
                queues["ready"].get(timeout=1200)
            with psycopg.connect(pg, autocommit=True) as conn:
                conn.execute(f"SET search_path = {schema}")
                feed_before = int(conn.execute("SELECT count(*) FROM sync_changes").fetchone()[0])
                chain = conn.execute(  # the chain's business: the one its first register is in
                    "SELECT business_id FROM registers WHERE name = 'r0'"
                ).fetchone()[0]
            load_start = Path("/proc/loadavg").read_text().split()[:3]
            watch = CentralWatch(pg, app_name, own).start()
            queues["go"].put(time.time())
            results: dict[str, Any] = {}
            for _ in procs:
                results.update(q.get(timeout=600 + seconds))
            watch.stop()
            load_end = Path("/proc/loadavg").read_text().split()[:3]
            for p in procs:
                p.join()
            failed = {n: r["error"] for n, r in results.items() if "error" in r}
            if failed:
                raise RuntimeError(f"registers failed: {failed}")
            # a last round of syncs, then every copy is compared with the central one (or the
            # first `check` registers': a hundred catching up on every sale is hours here)
            checked = names[: check or None]
            for n in names[len(checked) :]:  # the rest send what still waits in their outbox
                ctx = open_shop(results[n]["path"])
                url_n = str(sync.configured_url(ctx))
                with server.held(url_n):
                    sync_engine.push(ctx.db, server.central_engine(url_n), ctx.register_id)
                server.forget_engine(url_n)
                ctx.close()
            shops = [open_shop(results[n]["path"]) for n in checked]
            for _ in range(2):
                for ctx in shops:
                    sync.sync_now(ctx)
            central = server.central_engine(url)
            with central.connect() as connection:
                changes = int(connection.scalar(text_count("sync_changes")) or 0) - feed_before
                merged = dict(
                    connection.execute(
                        select(LedgerEntry.customer_id, func.sum(LedgerEntry.points))
                        .where(*of_business(chain, "ledger_entries"))
                        .group_by(LedgerEntry.customer_id)
                    ).all()
                )
                central_sales = int(
                    connection.scalar(
                        select(func.count()).select_from(Sale).where(*of_business(chain, "sales"))
                    )
                    or 0
                )
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
            with central.connect() as connection:  # each sale once centrally, and only those
                central_ids = {
                    row.hex
                    for row in connection.scalars(
                        select(Sale.id).where(*of_business(chain, "sales"))
                    )
                }
            lost += len(written - central_ids)
            duplicated += max(0, central_sales - len(written))
            latencies = [
                (r["seen"][sale] - when) * 1000
                for name, r in results.items()
                for other, o in results.items()
                if other != name
                for sale, when in o["written"].items()
                if sale in r["seen"]
            ]
            took = [t for r in results.values() for t in r["took"]]
        return ChainResult(
            registers=registers,
            seconds=seconds,
            sales=len(written),
            changes=changes,
            changes_per_s=round(changes / seconds, 1),
            p50_ms=_pct(latencies, 0.5),
            p99_ms=_pct(latencies, 0.99),
            arrivals=len(latencies),
            central_cpu_s=round(watch.cpu_seconds, 2),
            max_connections=watch.max_connections,
            lost=lost,
            duplicated=duplicated,
            ledgers_agree=agree,
            sale_p50_ms=_pct(took, 0.5),
            sale_p99_ms=_pct(took, 0.99),
            listen=listen,
            idle_s=idle,
            worker_runs=sum(r["runs"] for r in results.values()),
            worker_failures=sum(r["failures"] for r in results.values()),
            notices=sum(r["notices"] for r in results.values()),
            notice_pulls=sum(r["notice_pulls"] for r in results.values()),
            run_mean_ms=round(
                1000
                * sum(r["busy"] for r in results.values())
                / max(1, sum(r["runs"] for r in results.values())),
                1,
            ),
            central_cpu_scope="whole cluster" if own is not None else "backends seen",
            mean_connections=round(statistics.fmean(watch.samples), 1) if watch.samples else 0,
            loadavg_start=" ".join(load_start),
            loadavg_end=" ".join(load_end),
            checked_registers=len(checked),
            other_businesses=filled.businesses,
            other_rows=filled.rows,
        )
    finally:
        server.forget_engine(url)
        try:
            _drop(pg, schema)
        finally:
            if own is not None:
                own.stop()


# --- one register's apply of pulled sales, alone ------------------------------------------------


@dataclass
class PullApplyResult:
    sales: int
    rows: int  # rows the pull applied (sales, ledger entries, customers, audit entries)
    pull_ms: float  # the whole pull: the feed read from the central database and the apply
    ms_per_sale: float
    loadavg: str = ""


def pull_apply(sales_n: int = 500, members: int = 20) -> PullApplyResult:
    """Register A records `sales_n` sales and pushes them; register B, already up to date
    before them (its first pull done), pulls them: the time of that one pull, as the app runs
    it (its running figures, sync_engine.pull), per sale."""
    from app.services import customers, sales, sync
    from app.services.context import open_shop
    from app.services.customers import resolve_customer
    from app.sync import central_figures, server
    from app.sync import engine as sync_engine

    os.environ.pop("DANGOL_NOW", None)
    schema, url, _ = _schema(PG, BASE)
    try:
        with tempfile.TemporaryDirectory() as workdir:
            a = open_shop(str(Path(workdir) / "a.sqlite"))
            b = open_shop(str(Path(workdir) / "b.sqlite"))
            sync.setup_sync(a, url, store="본점", register="A")
            sync.setup_sync(b, url, store="본점", register="B")
            phones = _phones(members)
            for phone in phones:
                customers.enroll(a, phone)
            sync.sync_now(a)
            sync.sync_now(b)  # B's first pull (the members): the one timed is a later one
            ids = [resolve_customer(a, phone) for phone in phones]
            for i in range(sales_n):
                sales.record_sale(a, ids[i % len(ids)], 10_000 + 100 * (i % 50))
            sync.sync_now(a)
            url_b = str(sync.configured_url(b))
            load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
            with server.held(url_b, owner=str(b.register_id)):
                central = sync.business_engine(b, url_b)
                figures = sync._figures(b)
                began = time.perf_counter()
                result = sync_engine.pull(
                    b.db, central, b.register_id, figures, central_figures.copy_on_first_pull
                )
                took = (time.perf_counter() - began) * 1000
            a.close()
            b.close()
    finally:
        for key in list(server._engines):
            server.forget_engine(key)
        _drop(PG, schema)
    return PullApplyResult(
        sales_n, result.rows, round(took, 1), round(took / max(1, sales_n), 3), load
    )


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
    parser.add_argument("--listen", choices=["on", "off"], default="on")
    parser.add_argument("--own-server", action="store_true", help="a throwaway stock cluster")
    parser.add_argument("--check", type=int, default=0, help="registers compared (0: all)")
    parser.add_argument(
        "--others",
        type=int,
        default=0,
        metavar="N",
        help="first fill the central database with N other businesses' rows (999: 1 of 1,000)",
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--pull-apply",
        type=int,
        default=0,
        metavar="N",
        help="only time one register's pull of N sales another recorded (ms per sale)",
    )
    args = parser.parse_args()
    if args.pull_apply:
        timed = pull_apply(args.pull_apply, args.members)
        if args.json:
            print(json.dumps(asdict(timed)))
        else:
            for key, value in asdict(timed).items():
                print(f"{key:<18} {value}")
        return
    result = run(
        args.registers,
        args.processes,
        args.seconds,
        args.sale_every,
        args.members,
        args.idle,
        settle=max(10.0, args.idle * 2),
        listen=args.listen == "on",
        own_server=args.own_server,
        check=args.check,
        others=args.others,
    )
    if args.json:
        print(json.dumps(asdict(result)))
        return
    for key, value in asdict(result).items():
        print(f"{key:<18} {value}")


if __name__ == "__main__":
    main()
