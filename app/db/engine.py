"""Where the database is, how to connect to it, and one transaction per use case."""

from __future__ import annotations

import os
import sqlite3
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from app.db.peek import default_database_path

BUSY_TIMEOUT_MS = 30_000


def resolve_url(target: str | None = None) -> str:
    """A path or a SQLAlchemy URL, from the argument, then DANGOL_DB, then the default file."""
    target = target or os.environ.get("DANGOL_DB") or str(default_database_path())
    if "://" in target:
        return target
    return "sqlite:///" + str(Path(target).expanduser().resolve())


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        # We issue BEGIN ourselves (below), so the driver must not.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        # A confirmed sale survives a power cut.
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        # No checkpoint inside a committing sale: a background thread does it (Checkpointer).
        cursor.execute("PRAGMA wal_autocheckpoint = 0")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        # A writing use case takes the write lock up front: a second register on the same
        # file waits for it instead of failing half-way or reading a balance about to change.
        if connection.get_execution_options().get("dangol_write"):
            begin_immediate(connection)
        else:
            connection.exec_driver_sql("BEGIN")


# Waiting for another process's write lock: tries this far apart, for at most this long;
# after that SQLite's own busy handler waits out the rest of BUSY_TIMEOUT_MS.
WRITE_LOCK_STEP = 0.0005
WRITE_LOCK_POLL = 2.0


def begin_immediate(connection: Connection) -> None:
    """BEGIN IMMEDIATE, waiting for another process's write lock in even 0.5 ms steps.

    SQLite's busy handler sleeps 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, then 100 ms between
    tries. Behind a second register committing sale after sale, a waiting sale slept through
    gap after gap: its BEGIN IMMEDIATE waited p99 0.2-1 s, up to 3.5 s (bench/bench_load.py,
    issue 17 item 7). Here it is tried every 0.5 ms with no busy timeout, so the first gap
    is taken; after WRITE_LOCK_POLL seconds SQLite's handler waits out the rest as before
    (and gives the same error at the end). Uncontended, it costs two PRAGMAs on the driver.
    """
    driver = connection.connection.driver_connection
    if not isinstance(driver, sqlite3.Connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        return
    driver.execute("PRAGMA busy_timeout = 0")
    try:
        deadline = time.monotonic() + WRITE_LOCK_POLL
        while True:
            try:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
                return
            except exc.OperationalError as error:
                code = getattr(error.orig, "sqlite_errorcode", 0) or 0
                if code & 0xFF != sqlite3.SQLITE_BUSY or time.monotonic() >= deadline:
                    break
            time.sleep(WRITE_LOCK_STEP)
    finally:
        driver.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


# The live files of every Database open in this process, with their -wal/-shm/-journal.
_LIVE: Counter[str] = Counter()
_SIDE_FILES = ("", "-wal", "-shm", "-journal")
_guard_installed = False


def _key(path: str | os.PathLike[str] | bytes) -> str:
    text = os.fsdecode(path)
    if text.startswith("file:"):  # a URI filename: the path before its query
        text = text[5:].split("?", 1)[0]
    return os.path.normcase(os.path.abspath(text))


def _refuse_plain_open(event: str, args: tuple[object, ...]) -> None:
    """Audit hook: a plain open() of a live file would drop SQLite's POSIX locks on close."""
    if event != "open" or not _LIVE:
        return
    target = args[0]
    if isinstance(target, str | bytes | os.PathLike) and _key(target) in _LIVE:
        raise PermissionError(f"the live database file is opened only by SQLite: {target!r}")


def _register_live(path: Path) -> None:
    global _guard_installed
    if not _guard_installed:
        sys.addaudithook(_refuse_plain_open)
        _guard_installed = True
    for suffix in _SIDE_FILES:
        _LIVE[_key(str(path) + suffix)] += 1


def _unregister_live(path: Path) -> None:
    for suffix in _SIDE_FILES:
        key = _key(str(path) + suffix)
        _LIVE[key] -= 1
        if _LIVE[key] <= 0:
            del _LIVE[key]


def is_live(path: Path) -> bool:
    """True when a Database of this process has this file (or one of its side files) open."""
    return _key(path) in _LIVE or any(
        path.exists() and os.path.samefile(path, live) for live in _LIVE if os.path.exists(live)
    )


def open_copy(path: Path, *, readonly: bool = True, timeout: float = 5.0) -> sqlite3.Connection:
    """A connection to a backup or a copy: never to a file a Database of this process has open."""
    if is_live(path):
        raise PermissionError(f"not a copy: {path} is the live database")
    if readonly:
        return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=timeout)
    return sqlite3.connect(path, timeout=timeout)


def online_copy(
    engine: Engine,
    destination: Path,
    *,
    pages: int = -1,
    pause: float = 0.0,
    step: Callable[[int, int], None] | None = None,
) -> None:
    """Copy the live database into destination through one of the engine's own connections.

    The copy reads one snapshot (a read transaction held over every step, so a sale in
    between neither blocks nor restarts it), sleeps `pause` seconds between steps of `pages`
    pages, and ends as one self-contained file in rollback-journal mode: no -wal or -shm
    beside it. `step(done, total)` is called after each step; raising there abandons it.
    """
    target = open_copy(destination, readonly=False)
    try:
        with engine.connect() as connection:
            source = connection.connection.driver_connection
            assert source is not None  # a connection just checked out is never detached
            source.execute("BEGIN")
            source.execute("SELECT count(*) FROM sqlite_master").fetchall()
            try:

                def progress(_status: int, remaining: int, total: int) -> None:
                    if step is not None:
                        step(total - remaining, total)
                    if pause and remaining:
                        time.sleep(pause)

                source.backup(target, pages=pages, progress=progress)
            finally:
                source.execute("ROLLBACK")
        # the copied header says WAL (the live file's mode): make it a file that stands alone
        target.execute("PRAGMA journal_mode = DELETE").fetchall()
    finally:
        target.close()


class Checkpointer:
    """Copies the WAL back into the database file on its own thread, off the counter's path.

    SQLite's automatic checkpoint would run inside every ~30th committing sale (a 10 ms
    stall). Here a checkpoint runs on the Checkpointer's thread in the first quiet moment
    after commits -- a counter is busy in bursts -- or after MAX_PENDING commits, whichever
    comes first, and once more on close. A commit wakes the thread only when it is the
    MAX_PENDING-th since the last run or finds the WAL past WAL_LIMIT; the quiet moment is
    found by the thread's own timed waits (it sleeps until QUIET_SECONDS after the last
    commit it knows of, then looks again). Waking it on every commit cost the next write
    transaction a thread switch: under load the BEGIN IMMEDIATE after a commit had p90
    0.77 ms with the wake, 0.25 ms without.

    A checkpoint alone does not bound the WAL: SQLite starts writing the WAL from its
    beginning again only when a write transaction *begins* while every frame is already
    copied back. Under steady sales a checkpoint on another thread always ends while the
    next sale is half-way (it copies what was committed when it started), that sale then
    commits more frames, and the WAL grows for ever (~68 KB a sale). So a run has two
    passes: a PASSIVE one copies the bulk while sales go on, then a second PASSIVE one copies
    only what was committed meanwhile -- a few pages -- while this process's writers wait on
    `gate` (a sale waits a few ms at most); the next write transaction then restarts the WAL.

    The gate holds only this process's writers. With a second register writing the same file
    (another process) and readers holding snapshots (the back office paging its list), the
    tail pass rarely leaves every frame copied back at a moment no one writes, and the WAL
    grew without bound (tests/db/test_wal_two_writers.py). So once the WAL file passes
    WAL_LIMIT bytes (looked at every SIZE_EVERY commits and on every wake, whoever wrote it)
    the tail pass is a TRUNCATE checkpoint instead: SQLite's own write lock holds every
    process's writers while it copies the rest back and empties the WAL file (`_truncate`:
    tries that wait for no one, then one that waits up to RESET_WAIT_MS for readers). If none
    succeeds, the WAL is left as it is (every frame that can be is copied) and the size asks
    for no other reset for RESET_BACKOFF seconds.
    """

    QUIET_SECONDS = 2.0
    MAX_PENDING = 50  # a sale writes ~68 KB of WAL: ~3.5 MB between checkpoints at most
    WAL_LIMIT = 8 * 1024 * 1024  # bytes of WAL file past which a run empties it (TRUNCATE)
    RESET_TRIES = 0.03  # seconds of TRUNCATE tries that wait for no one
    RESET_STEP = 0.002  # seconds between two of them
    RESET_WAIT_MS = 100  # then how long the last may hold the writers waiting for readers
    SIZE_EVERY = 8  # commits between two looks at the WAL file's size (a stat, ~2 us)
    RESET_BACKOFF = 5.0  # seconds after a reset that failed before the size asks for another

    def __init__(self, engine: Engine, gate: threading.RLock | None = None) -> None:
        self.engine = engine
        self.gate = gate if gate is not None else threading.RLock()
        database = sqlite_path(engine.url.render_as_string(hide_password=False))
        self.wal = Path(str(database) + "-wal") if database is not None else None
        self.commits = 0
        self.runs = 0
        self.restartable = 0  # runs that left every frame copied back (the WAL can restart)
        self.resets = 0  # TRUNCATE runs that emptied the WAL file
        self.failed_resets = 0  # TRUNCATE runs that could not (a reader outlasted them)
        self._next_reset = 0.0  # monotonic time before which the size asks for no reset
        self.longest_tail = 0.0  # seconds this process's writers waited on a tail pass
        self.wakes = 0  # times a commit woke the thread
        self._pending = 0
        self._last_commit = 0.0
        self._wake = threading.Event()
        self._stop = False
        self._thread = threading.Thread(target=self._run, name="dangol-checkpoint", daemon=True)
        self._thread.start()

    def committed(self) -> None:
        self.commits += 1
        self._pending += 1
        self._last_commit = time.monotonic()
        if self._pending == self.MAX_PENDING or (
            self._pending % self.SIZE_EVERY == 0 and self.reset_due()
        ):
            self.wakes += 1
            self._wake.set()

    def reset_due(self) -> bool:
        """The WAL file is past WAL_LIMIT, and no reset failed in the last RESET_BACKOFF s.

        The backoff: a reader may hold one snapshot for minutes (the online backup reads
        the whole file in one); without it every SIZE_EVERY-th sale would wait on a reset
        that cannot succeed."""
        return time.monotonic() >= self._next_reset and self.wal_size() > self.WAL_LIMIT

    def wal_size(self) -> int:
        """The WAL file's size in bytes (0 when there is none)."""
        if self.wal is None:
            return 0
        try:
            return self.wal.stat().st_size
        except FileNotFoundError:
            return 0

    def checkpoint(self) -> None:
        # one of the engine's own connections: never a second handle on the live file
        connection = self.engine.raw_connection()
        try:
            driver = connection.driver_connection
            assert driver is not None
            driver.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()  # the bulk
            if self.reset_due():
                emptied = self._truncate(driver)
                self.runs += 1
                self.restartable += emptied
                self.resets += emptied
                if not emptied:
                    self.failed_resets += 1
                    self._next_reset = time.monotonic() + self.RESET_BACKOFF
                return
            with self.gate:  # the tail, between two of this process's write transactions
                started = time.monotonic()
                busy, log, copied = driver.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                self.longest_tail = max(self.longest_tail, time.monotonic() - started)
            self.runs += 1
            if not busy and log == copied:
                self.restartable += 1
        finally:
            connection.close()

    def _truncate(self, driver: sqlite3.Connection) -> bool:
        """TRUNCATE checkpoints: True once one emptied the WAL.

        First tried every RESET_STEP seconds for RESET_TRIES seconds with no busy timeout: a
        try fails at once while another process writes or a reader is on an older snapshot,
        instead of holding every writer while SQLite's busy handler sleeps (1, 2, 5, 10, ...
        ms) until that reader ends; between two tries the writers go on. Readers may never
        leave such a gap (two pages of the list overlapping, over and over): then one last
        try waits up to RESET_WAIT_MS for them, holding the writers -- while it holds the
        write lock, a reader that begins reads the copied-back file, not the WAL, so the
        wait ends when the readers of the moment have."""
        driver.execute("PRAGMA busy_timeout = 0")
        try:
            deadline = time.monotonic() + self.RESET_TRIES
            while time.monotonic() < deadline:
                if self._truncate_once(driver):
                    return True
                time.sleep(self.RESET_STEP)
            driver.execute(f"PRAGMA busy_timeout = {self.RESET_WAIT_MS}")
            return self._truncate_once(driver)
        finally:
            driver.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    def _truncate_once(self, driver: sqlite3.Connection) -> bool:
        with self.gate:  # this process's writers wait in Database.write, not on SQLite's lock
            started = time.monotonic()
            (busy, *_) = driver.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            self.longest_tail = max(self.longest_tail, time.monotonic() - started)
        return not busy

    def _run(self) -> None:
        while not self._stop:
            now = time.monotonic()
            if self._pending:  # until the quiet moment after the last commit known of
                timeout = max(0.0, self._last_commit + self.QUIET_SECONDS - now)
            else:
                timeout = self.QUIET_SECONDS
            self._wake.wait(timeout=timeout)
            self._wake.clear()
            if self._stop:
                continue
            quiet = time.monotonic() - self._last_commit >= self.QUIET_SECONDS
            due = self._pending >= self.MAX_PENDING or (self._pending and quiet)
            # another process's writes grow the WAL as well: looked at on every wake
            if due or self.reset_due():
                self._pending = 0
                with suppress(
                    sqlite3.Error, exc.DBAPIError
                ):  # busy or gone: the next one will do it
                    self.checkpoint()

    def stop(self) -> None:
        self._stop = True
        self._wake.set()
        self._thread.join(timeout=5)
        with suppress(sqlite3.Error, exc.DBAPIError):
            self.checkpoint()


class Database:
    """An engine and its sessions: `read()` for queries, `write()` for one use case."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.dialect = self.engine.dialect.name
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(
            self.engine.execution_options(dangol_write=True), expire_on_commit=False
        )
        self.checkpointer: Checkpointer | None = None  # started by the first write
        # held by every write transaction of this process; the Checkpointer's tail pass
        # takes it so that the next transaction begins with the whole WAL copied back
        self._writing = threading.RLock()
        self._registered = self.path
        if self._registered is not None:
            _register_live(self._registered)

    @property
    def path(self) -> Path | None:
        return sqlite_path(self.url)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._read() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back whole on any error."""
        with self._writing, self._write() as session, session.begin():
            session.info["writing"] = True  # for code that may add a row only in a write
            yield session
        if self.checkpointer is None and self.path is not None:
            self.checkpointer = Checkpointer(self.engine, self._writing)
        if self.checkpointer is not None:
            self.checkpointer.committed()

    def dispose(self) -> None:
        if self.checkpointer is not None:
            self.checkpointer.stop()
            self.checkpointer = None
        self.engine.dispose()
        if self._registered is not None:
            _unregister_live(self._registered)
            self._registered = None
