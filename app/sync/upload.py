"""The first upload of a register's whole database: PostgreSQL COPY, in one server transaction.

Two ways in, chosen under the feed lock (every central writer holds it):

* Into an empty central database (the shop's first register): COPY straight into the real
  tables with their foreign keys and indexes set aside, then rebuild the indexes, check
  every foreign key in one pass each, and write the change feed with one INSERT ... SELECT
  per table. Row-by-row foreign-key checks and index upkeep were most of the time; a bulk
  build does the same work at a fraction of it. The constraints are dropped and recreated
  from the server's own catalog (same names, same definitions) inside the transaction: a
  cut rolls everything back, constraints included, and a duplicate or a dangling reference
  fails the whole upload exactly as a row-by-row check would.
* Alongside other registers' data: COPY into temporary tables, then one INSERT ... SELECT per
  table: rows already there (a repeated upload) are skipped, and a customer whose phone
  another register enrolled first goes through the ordinary merge so the two records become
  one. The foreign keys are not checked row by row there (each check is a lookup that also
  locks the parent row: most of the time, ~25k rows/s): with the right to (superuser, or
  SET granted on session_replication_role) the moves run with the row triggers off, and
  every foreign key of the rows brought in is then checked in one anti-join per key; a
  dangling reference fails the whole upload, as the row-by-row check would. Without that
  right, the row-by-row checks stay. When the upload is large against a table (at least a
  quarter of what it holds, and 10,000 rows or more), the table's non-unique secondary
  indexes and its unique keys other than the primary key are set aside for its move (read
  from the catalog, dropped, built again in the same transaction, feed first, as above): a
  row whose unique key is already held is skipped by an anti-join instead of ON CONFLICT.

SQLite is read in one snapshot (one read transaction for every table) on a producer thread,
while the main thread feeds COPY: reading and the server's work overlap.
"""

from __future__ import annotations

import queue
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, text

from app.db.engine import Database
from app.sync import central_figures
from app.sync.engine import CHANNEL, FEED_LOCK
from app.sync.merge import Applier, feed_top, table
from app.sync.tracking import SYNCED_TABLES

COPY_BATCH = 20_000
FEED_TABLE = "sync_changes"
# the figures' tables: read with the rows; copied as they are into an empty central database
FIGURE_TABLES = tuple(central_figures.FIGURE_KEYS)
# the business's feed numbers (migration 0027): its head, then the head moved by the count
BUSINESS = "current_setting('dangol.business')::uuid"
FEED_NEXT = (
    f"(SELECT seq FROM sync_feed_heads WHERE business_id = {BUSINESS}) + row_number() OVER ()"
)
BULK_MAINTENANCE_MEM = "256MB"  # for the index builds of the bulk path (this transaction only)
MOVE_WORK_MEM = "64MB"  # the moves' anti-joins and sorts beside other registers' data (same)
STAGING_BUFFERS = "256MB"  # the temporary tables' buffers beside other data (at most, as needed)
SET_ASIDE_RATIO = 4  # beside data: indexes rebuilt when a table holds < 4x the rows brought in
SET_ASIDE_MIN_ROWS = 10_000  # fewer rows than that: kept up as they go, a rebuild is not worth it

STAGED = "up_"  # beside other data: the rows brought in wait in temporary tables up_<table>

_DONE = object()


def _zone_of(local: Database) -> str:
    """The register's own time zone (its figures' months are in it)."""
    import json

    with local.engine.connect() as connection:
        value = connection.scalar(text("SELECT value FROM settings WHERE key = 'timezone'"))
    return str(json.loads(value)) if value else central_figures.DEFAULT_ZONE


def _columns(name: str) -> list[str]:
    return [c.name for c in table(name).columns]


def _quoted(name: str) -> str:
    return ", ".join(f'"{c}"' for c in _columns(name))


class Timings(dict[str, float]):
    """Seconds per step, for the benchmark's breakdown; parts: within a step (not added)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: dict[str, float] = {}

    @contextmanager
    def step(self, label: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self[label] = self.get(label, 0.0) + time.perf_counter() - started


# --- reading SQLite ----------------------------------------------------------------------


class Reader:
    """Every synced table of the register, read in ONE SQLite snapshot on its own thread.

    tables() yields (name, chunks) in SYNCED_TABLES order; chunks are lists of rows as
    SQLite stores them (ids as hex text, times as ISO text), which COPY's text format reads
    as they are."""

    def __init__(self, local: Database) -> None:
        self._raw = local.engine.raw_connection()
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=8)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sync-upload-reader", daemon=True)
        self._thread.start()

    def _put(self, item: Any) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        sqlite = self._raw.driver_connection
        assert sqlite is not None  # a pool connection held open by this reader
        cursor = sqlite.cursor()
        try:
            if not sqlite.in_transaction:
                cursor.execute("BEGIN")  # one snapshot for every table: a sale and its entries
            for name in (*SYNCED_TABLES, *FIGURE_TABLES):
                if not self._put(name):
                    return
                cursor.execute(f"SELECT {_quoted(name)} FROM {name}")
                while rows := cursor.fetchmany(COPY_BATCH):
                    if not self._put(rows):
                        return
                if not self._put(_DONE):
                    return
        except BaseException as exc:  # handed to the consumer, which raises it
            self._put(exc)
        finally:
            cursor.close()

    def _get(self) -> Any:
        item = self._queue.get()
        if isinstance(item, BaseException):
            raise item
        return item

    def tables(self) -> Iterator[tuple[str, Iterator[list[Any]]]]:
        for _ in SYNCED_TABLES:
            name = self._get()

            def chunks() -> Iterator[list[Any]]:
                while (item := self._get()) is not _DONE:
                    yield item

            yield name, chunks()

    def figures(self) -> Iterator[tuple[str, Iterator[list[Any]]]]:
        """After tables(): the register's monthly figures, read in the same snapshot (so they
        are exactly its rows' figures). Left unread, close() stops the reader."""
        for _ in FIGURE_TABLES:
            name = self._get()

            def chunks() -> Iterator[list[Any]]:
                while (item := self._get()) is not _DONE:
                    yield item

            yield name, chunks()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        try:
            self._raw.rollback()
        finally:
            self._raw.close()


def _copy(pg: Any, target: str, name: str, chunks: Iterator[list[Any]]) -> int:
    count = 0
    with pg.cursor() as cursor, cursor.copy(f"COPY {target} ({_quoted(name)}) FROM STDIN") as copy:
        for rows in chunks:
            for row in rows:
                copy.write_row(row)
            count += len(rows)
    return count


# --- the whole upload ----------------------------------------------------------------------


def upload_everything(
    local: Database,
    server: Engine,
    register_id: uuid.UUID,
    timings: Timings | None = None,
) -> int:
    """Every synced row of this database to the central one, in one server transaction."""
    import psycopg

    timings = timings if timings is not None else Timings()
    reader = Reader(local)
    try:
        with server.begin() as connection, _as_sqlalchemy_errors(psycopg):
            connection.execute(text(FEED_LOCK))
            connection.execute(text("SET LOCAL timezone = 'UTC'"))
            pg = connection.connection.driver_connection
            if _central_is_empty(pg) and _may_alter(pg):
                total = _load_into_empty(pg, reader, register_id, timings)
                with timings.step("monthly figures"):
                    # the business's first rows: its figures are this register's own, as they
                    # are (counting them row by row again gives the same, minutes later)
                    _figures_into_empty(pg, reader)
                    central_figures.mark_kept(connection)
            else:
                joined = central_figures.Joined(
                    start=feed_top(connection), zone=_zone_of(local), prefix=STAGED
                )
                total = _load_alongside(connection, pg, reader, register_id, timings, joined)
            connection.execute(text(f"NOTIFY {CHANNEL}"))
        return total
    finally:
        reader.close()


@contextmanager
def _as_sqlalchemy_errors(psycopg: Any) -> Iterator[None]:
    """The driver's own errors (the COPY and the checks run on its connection) as SQLAlchemy's,
    which is what the sync's callers catch: a dropped server is `OperationalError`, a refused
    row `DBAPIError`, never a psycopg exception escaping to the counter."""
    from sqlalchemy.exc import DBAPIError, OperationalError

    try:
        yield
    except psycopg.OperationalError as exc:
        raise OperationalError(None, None, exc) from exc
    except psycopg.Error as exc:
        raise DBAPIError(None, None, exc) from exc


# --- into an empty central database ----------------------------------------------------------


def _numbered(pg: Any, statement: str, params: tuple[Any, ...]) -> int:
    """An INSERT into the feed whose seq is FEED_NEXT; the business's head follows it."""
    count = pg.execute(statement, params).rowcount
    if count and count > 0:
        pg.execute(
            f"UPDATE sync_feed_heads SET seq = seq + %s WHERE business_id = {BUSINESS}", (count,)
        )
    return max(count or 0, 0)


def _loaded_tables() -> tuple[str, ...]:
    return (*SYNCED_TABLES, FEED_TABLE)


def _central_is_empty(pg: Any) -> bool:
    """No row in any synced table nor in the feed. Asked under the feed lock, which every
    central writer takes, so it stays true until this transaction ends."""
    probes = " OR ".join(f"EXISTS (SELECT 1 FROM {name})" for name in _loaded_tables())
    return not pg.execute(f"SELECT {probes}").fetchone()[0]


def _may_alter(pg: Any) -> bool:
    """Setting constraints aside needs the tables' owner (the role that ran the migrations)."""
    owned = pg.execute(
        "SELECT bool_and(pg_has_role(current_user, c.relowner, 'USAGE')) "
        "FROM pg_class c WHERE c.oid = ANY(%s::regclass[])",
        (list(_loaded_tables()),),
    ).fetchone()[0]
    return bool(owned)


def _set_aside(pg: Any, names: tuple[str, ...]) -> list[str]:
    """Drop the loaded tables' foreign keys (both ways), keys and indexes; return the
    statements that put them back, in a valid order (keys, indexes, foreign keys)."""
    relations = list(names)
    foreign = pg.execute(
        "SELECT format('%%I.%%I', n.nspname, r.relname), c.conname, pg_get_constraintdef(c.oid) "
        "FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid "
        "JOIN pg_namespace n ON n.oid = r.relnamespace "
        "WHERE c.contype = 'f' AND (c.conrelid = ANY(%s::regclass[]) "
        "OR c.confrelid = ANY(%s::regclass[])) ORDER BY 1, 2",
        (relations, relations),
    ).fetchall()
    keys = pg.execute(
        "SELECT format('%%I.%%I', n.nspname, r.relname), c.conname, pg_get_constraintdef(c.oid) "
        "FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid "
        "JOIN pg_namespace n ON n.oid = r.relnamespace "
        "WHERE c.contype IN ('p', 'u') AND c.conrelid = ANY(%s::regclass[]) "
        "ORDER BY c.contype, 1, 2",
        (relations,),
    ).fetchall()
    indexes = pg.execute(
        "SELECT format('%%I.%%I', n.nspname, x.relname), pg_get_indexdef(i.indexrelid) "
        "FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid "
        "JOIN pg_namespace n ON n.oid = x.relnamespace "
        "WHERE i.indrelid = ANY(%s::regclass[]) "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid "
        "AND c.conrelid = i.indrelid) ORDER BY 1",
        (relations,),
    ).fetchall()
    for owner, name, _ in foreign:
        pg.execute(f'ALTER TABLE {owner} DROP CONSTRAINT "{name}"')
    for owner, name, _ in keys:
        pg.execute(f'ALTER TABLE {owner} DROP CONSTRAINT "{name}"')
    for index, _ in indexes:
        pg.execute(f"DROP INDEX {index}")
    return (
        [f'ALTER TABLE {owner} ADD CONSTRAINT "{name}" {d}' for owner, name, d in keys]
        + [definition for _, definition in indexes]
        + [f'ALTER TABLE {owner} ADD CONSTRAINT "{name}" {d}' for owner, name, d in foreign]
    )


def _figures_into_empty(pg: Any, reader: Reader) -> None:
    for name, chunks in reader.figures():
        pg.execute(f"DELETE FROM {name} WHERE business_id = {BUSINESS}")
        _copy(pg, name, name, chunks)


def _load_into_empty(pg: Any, reader: Reader, register_id: uuid.UUID, timings: Timings) -> int:
    names = _loaded_tables()
    with timings.step("lock and set constraints aside"):
        # the feed first: a pull reads it before anything else, so no lock-order cycle
        pg.execute(f"LOCK TABLE {FEED_TABLE}, {', '.join(SYNCED_TABLES)} IN ACCESS EXCLUSIVE MODE")
        put_back = _set_aside(pg, names)
    total = 0
    for name, chunks in reader.tables():
        with timings.step(f"copy {name}"):
            total += _copy(pg, name, name, chunks)
    with timings.step("change feed"):
        for name in SYNCED_TABLES:
            _numbered(
                pg,
                f"INSERT INTO {FEED_TABLE} (seq, tbl, row_id, origin) "
                f"SELECT {FEED_NEXT}, %s, id, %s FROM {name}",
                (name, register_id),
            )
    pg.execute(f"SET LOCAL maintenance_work_mem = '{BULK_MAINTENANCE_MEM}'")
    for statement in put_back:
        label = "foreign keys" if "FOREIGN KEY" in statement else "keys and indexes"
        with timings.step(label):
            pg.execute(statement)
    with timings.step("analyze"):
        for name in names:
            pg.execute(f"ANALYZE {name}")
    return total


# --- alongside what is already there -----------------------------------------------------


def _checks_aside(pg: Any) -> bool:
    """Row-by-row foreign-key checks off for this transaction, when this role may."""
    try:
        with pg.transaction():  # a savepoint: a refusal leaves the upload's transaction usable
            pg.execute("SET LOCAL session_replication_role = replica")
        return True
    except Exception:
        return False


def _more_temp_buffers(pg: Any) -> None:
    """The rows brought in wait in temporary tables, which live in the session's own buffers
    (8MB by default): room for them, when the session has used no temporary table yet (the
    server refuses the change after that; the default then stays)."""
    try:
        with pg.transaction():
            pg.execute(f"SET LOCAL temp_buffers = '{STAGING_BUFFERS}'")
    except Exception:
        pass


def _foreign_keys(pg: Any, name: str) -> list[tuple[str, list[str], str, list[str]]]:
    """(constraint, columns, referenced table, referenced columns) of a table's foreign keys."""
    rows = pg.execute(
        "SELECT c.conname, "
        "ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(n, o) "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.o), "
        "c.confrelid::regclass::text, "
        "ARRAY(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY k(n, o) "
        "JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.o) "
        "FROM pg_constraint c WHERE c.contype = 'f' AND c.conrelid = %s::regclass ORDER BY 1",
        (name,),
    ).fetchall()
    return [(r[0], list(r[1]), r[2], list(r[3])) for r in rows]


def _check_references(pg: Any, names: list[str]) -> None:
    """Every foreign key of the rows brought in (the temporary tables), one anti-join each."""
    _check_staged(pg, names)


def _check_staged(pg: Any, names: list[str]) -> None:
    """Every foreign key of the tables up_<name> against the tables they refer to."""
    import psycopg

    for name in names:
        for constraint, columns, parent, parent_columns in _foreign_keys(pg, name):
            present = " AND ".join(f'u."{c}" IS NOT NULL' for c in columns)
            joined = " AND ".join(
                f'p."{pc}" = u."{c}"' for c, pc in zip(columns, parent_columns, strict=True)
            )
            shown = "id" if "id" in _columns(name) else columns[0]
            dangling = pg.execute(
                f'SELECT u."{shown}" FROM up_{name} u WHERE {present} '
                f"AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE {joined}) LIMIT 1"
            ).fetchone()
            if dangling is not None:
                raise psycopg.errors.ForeignKeyViolation(
                    f'insert or update on table "{name}" violates foreign key constraint '
                    f'"{constraint}": row {dangling[0]} refers to no row of {parent}'
                )


def _load_alongside(
    connection: Any,
    pg: Any,
    reader: Reader,
    register_id: uuid.UUID,
    timings: Timings,
    joined: central_figures.Joined | None = None,
) -> int:
    total = 0
    merges: list[tuple[uuid.UUID, uuid.UUID]] = []
    arrived: dict[str, int] = {}  # per table, the rows brought in that are new here
    with timings.step("foreign keys"):
        set_based = _checks_aside(pg)
    _more_temp_buffers(pg)
    loaded: list[tuple[str, int]] = []
    for name, chunks in reader.tables():
        with timings.step(f"copy {name}"):
            pg.execute(
                f"CREATE TEMP TABLE up_{name} (LIKE {name} INCLUDING DEFAULTS) ON COMMIT DROP"
            )
            count = _copy(pg, f"up_{name}", name, chunks)
            pg.execute(f"ANALYZE up_{name}")  # a temporary table has no statistics until asked
            total += count
            loaded.append((name, count))
    if joined is not None:
        with timings.step("copy figures"):
            for name, chunks in reader.figures():  # the same snapshot: exactly its rows' figures
                pg.execute(
                    f"CREATE TEMP TABLE {STAGED}{name} (LIKE {name} INCLUDING DEFAULTS) "
                    "ON COMMIT DROP"
                )
                _copy(pg, f"{STAGED}{name}", name, chunks)
    with timings.step("set indexes aside"):
        put_back = _indexes_aside(pg, loaded, total)
        pg.execute(f"SET LOCAL work_mem = '{MOVE_WORK_MEM}'")
        pg.execute(f"SET LOCAL maintenance_work_mem = '{BULK_MAINTENANCE_MEM}'")
    for name, _ in loaded:
        with timings.step(f"move in {name}"):
            arrived[name] = _move_in(
                pg, name, register_id, put_back[name].unique_keys if name in put_back else []
            )
        if name in put_back:  # before anything reads the table again (the merge below does)
            with timings.step("indexes back"):
                _put_back(pg, name, put_back.pop(name))
        if name == "customers":
            with timings.step("merge colliding customers"):
                merges, merged_here, colliding = _merge_colliding(connection, pg, register_id)
                arrived[name] += colliding
                if joined is not None:
                    joined.merges, joined.before = merges, merged_here
    if FEED_TABLE in put_back:
        with timings.step("indexes back"):
            _put_back(pg, FEED_TABLE, put_back.pop(FEED_TABLE))
    # rows copied after their customer merged follow it like any other
    with timings.step("rehome merged"):
        applier = Applier(connection)
        for loser, winner in merges:
            applier.rehome(loser, winner)
    if joined is not None:  # its own figures are right here only if none of its rows was here
        counts = dict(loaded)
        joined.complete = all(
            arrived.get(name, 0) == counts.get(name, 0) for name in central_figures.COUNTED
        )
    with timings.step("monthly figures"):
        # while the row-by-row checks are still off: the months' references are checked with
        # the rows' below (the customers they name came in with them)
        central_figures.after_upload(connection, register_id, joined)
    if joined is not None:
        timings.parts.update({f"monthly figures: {k}": v for k, v in joined.seconds.items()})
    if set_based:
        with timings.step("foreign keys"):
            # the register's months go in as they are: checked like its rows
            _check_references(pg, [name for name, _ in loaded])
            if joined is not None and joined.added:  # its months went in as they are
                _check_staged(pg, ["customer_months"])
            pg.execute("SET LOCAL session_replication_role = origin")
    return total


def _secondary_indexes(pg: Any, names: list[str]) -> dict[str, list[tuple[str, str]]]:
    """Per table, its non-unique indexes that back no constraint: (qualified name, definition),
    read from the server's catalog (whatever the keys are today)."""
    rows = pg.execute(
        "SELECT t.name, format('%%I.%%I', n.nspname, x.relname), pg_get_indexdef(i.indexrelid) "
        "FROM unnest(%s::text[]) t(name) JOIN pg_index i ON i.indrelid = t.name::regclass "
        "JOIN pg_class x ON x.oid = i.indexrelid JOIN pg_namespace n ON n.oid = x.relnamespace "
        "WHERE NOT i.indisunique AND i.indisvalid "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
        "ORDER BY 1, 2",
        (names,),
    ).fetchall()
    found: dict[str, list[tuple[str, str]]] = {}
    for name, index, definition in rows:
        found.setdefault(name, []).append((index, definition))
    return found


def _holds_fewer_than(pg: Any, name: str, limit: int) -> bool:
    """Fewer than `limit` rows in the table: counted no further than the limit."""
    held = pg.execute(f"SELECT count(*) FROM (SELECT 1 FROM {name} LIMIT %s) t", (limit,))
    return bool(held.fetchone()[0] < limit)


@dataclass
class SetAside:
    """What a table had set aside for the moves: the statements that build it again, and the
    columns of each unique key among them (the move skips rows already holding such a key, as
    ON CONFLICT DO NOTHING did while the key's index was there)."""

    statements: list[str] = field(default_factory=list)
    unique_keys: list[list[str]] = field(default_factory=list)


def _unique_keys(pg: Any, names: list[str]) -> dict[str, list[tuple[str, str, list[str]]]]:
    """Per table, its unique keys other than the primary key that plain column equality can
    stand in for (no expression, no predicate, NULLs distinct) and no foreign key leans on:
    (drop statement, statement that builds it again, columns)."""
    rows = pg.execute(
        "SELECT t.name, format('%%I.%%I', n.nspname, x.relname), pg_get_indexdef(i.indexrelid), "
        "c.conname, pg_get_constraintdef(c.oid), "
        "ARRAY(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY k(n, o) "
        "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n ORDER BY k.o) "
        "FROM unnest(%s::text[]) t(name) JOIN pg_index i ON i.indrelid = t.name::regclass "
        "JOIN pg_class x ON x.oid = i.indexrelid JOIN pg_namespace n ON n.oid = x.relnamespace "
        "LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.contype = 'u' "
        "WHERE i.indisunique AND NOT i.indisprimary AND i.indisvalid "
        "AND i.indexprs IS NULL AND i.indpred IS NULL AND NOT i.indnullsnotdistinct "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint o WHERE o.conindid = i.indexrelid "
        "AND o.contype NOT IN ('u')) "
        "ORDER BY 1, 2",
        (names,),
    ).fetchall()
    found: dict[str, list[tuple[str, str, list[str]]]] = {}
    for name, index, definition, constraint, condef, columns in rows:
        if constraint is not None:
            drop = f'ALTER TABLE {name} DROP CONSTRAINT "{constraint}"'
            build = f'ALTER TABLE {name} ADD CONSTRAINT "{constraint}" {condef}'
        else:
            drop, build = f"DROP INDEX {index}", definition
        found.setdefault(name, []).append((drop, build, list(columns)))
    return found


def _indexes_aside(pg: Any, loaded: list[tuple[str, int]], total: int) -> dict[str, SetAside]:
    """Set aside the indexes of each table the upload is large against (it brings at least
    1/SET_ASIDE_RATIO of the rows the table already holds), the feed's too: the non-unique
    secondary ones, and the unique keys other than the primary key that no foreign key leans
    on; return per table what builds them again. Keeping an index up row by row costs several
    times what one sorted build over the whole table does. The primary key stays (foreign keys
    lean on it; ON CONFLICT still skips a row already there); a row whose unique key is
    already held is skipped by the move's anti-join instead, and two rows of the upload with
    the same key (the register's own unique index forbids it) would fail the rebuild, and
    with it the whole upload. Locked first, the feed before the tables, as the empty path
    does: a pull reads the feed before anything else, so no lock-order cycle; pulls wait for
    this transaction, which a cut rolls back whole, indexes included."""
    if not _may_alter(pg):
        return {}
    incoming = dict(loaded)
    incoming[FEED_TABLE] = total
    indexes = _secondary_indexes(pg, list(incoming))
    uniques = _unique_keys(pg, list(incoming))
    chosen = [
        name
        for name in (FEED_TABLE, *(n for n, _ in loaded))
        if (name in indexes or name in uniques)
        and incoming[name] >= SET_ASIDE_MIN_ROWS
        and _holds_fewer_than(pg, name, incoming[name] * SET_ASIDE_RATIO + 1)
    ]
    if not chosen:
        return {}
    pg.execute(f"LOCK TABLE {', '.join(chosen)} IN ACCESS EXCLUSIVE MODE")
    put_back: dict[str, SetAside] = {}
    for name in chosen:
        aside = put_back[name] = SetAside()
        for drop, build, columns in uniques.get(name, []):
            pg.execute(drop)
            aside.statements.append(build)
            aside.unique_keys.append(columns)
        for index, definition in indexes.get(name, []):
            pg.execute(f"DROP INDEX {index}")
            aside.statements.append(definition)
    return put_back


def _put_back(pg: Any, name: str, aside: SetAside) -> None:
    for statement in aside.statements:
        pg.execute(statement)
    pg.execute(f"ANALYZE {name}")  # it grew by a good part: the checks after plan on it


def _primary_key(pg: Any, name: str) -> list[str]:
    row = pg.execute(
        "SELECT ARRAY(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY k(n, o) "
        "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n ORDER BY k.o) "
        "FROM pg_index i WHERE i.indrelid = %s::regclass AND i.indisprimary",
        (name,),
    ).fetchone()
    return list(row[0]) if row is not None else []


def _other_unique(pg: Any, name: str) -> bool:
    """A unique index other than the primary key still on the table (not set aside): the
    move's ON CONFLICT skips a row holding its key. Without one the anti-join on the primary
    key is all the skipping there is to do, and plain inserts save a speculative one a row."""
    row = pg.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = %s::regclass "
        "AND i.indisunique AND NOT i.indisprimary)",
        (name,),
    ).fetchone()
    return bool(row[0])


def _move_in(
    pg: Any, name: str, register_id: uuid.UUID, unique_keys: list[list[str]] | None = None
) -> int:
    """The rows of up_<name> not here yet into the table and the feed: how many moved."""
    columns = _quoted(name)
    order = ", ".join(f'u."{c}"' for c in _primary_key(pg, name) or ["id"])
    held = "".join(  # a unique key set aside: a row whose key is already there is skipped
        f" AND NOT EXISTS (SELECT 1 FROM {name} k WHERE "
        + " AND ".join(f'k."{c}" = u."{c}"' for c in key)
        + ")"
        for key in unique_keys or []
    )
    skip_phones = ""
    if name == "customers":
        # a phone held centrally by another record: those go through the merge rule
        skip_phones = (
            " AND NOT EXISTS (SELECT 1 FROM customers c WHERE c.business_id = u.business_id "
            "AND c.phone = u.phone AND c.id <> u.id)"
        )
    # in key order: every index the rows go into is walked once, left to right
    return _numbered(
        pg,
        f"WITH moved AS (INSERT INTO {name} ({columns}) "
        f"SELECT {columns} FROM up_{name} u "
        f"WHERE NOT EXISTS (SELECT 1 FROM {name} t "
        f"WHERE t.business_id = u.business_id AND t.id = u.id){skip_phones}{held} "
        f"ORDER BY {order} "
        f"{'ON CONFLICT DO NOTHING ' if _other_unique(pg, name) else ''}RETURNING id) "
        f"INSERT INTO {FEED_TABLE} (seq, tbl, row_id, origin) "
        f"SELECT {FEED_NEXT}, '{name}', id, %s FROM moved",
        (register_id,),
    )


def _colliding_customers(pg: Any) -> list[dict[str, Any]]:
    cursor = pg.execute(
        f"SELECT {_quoted('customers')} FROM up_customers u WHERE NOT EXISTS "
        "(SELECT 1 FROM customers t WHERE t.business_id = u.business_id AND t.id = u.id)"
    )
    names = [d.name for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _merge_colliding(
    connection: Any, pg: Any, register_id: uuid.UUID
) -> tuple[list[tuple[uuid.UUID, uuid.UUID]], dict[uuid.UUID, dict[str, Any]], int]:
    """The customers brought in whose phone a record here holds, through the merge rule:
    (loser, winner) pairs, the records here that lost as they were before, how many came."""
    from app.sync.engine import append_feed

    rows = _colliding_customers(pg)
    if not rows:
        return [], {}, 0
    applier = Applier(connection)
    applier.apply("customers", rows, {})
    append_feed(
        connection,
        [
            {
                "tbl": "customers",
                "row_id": c.after["id"],
                "origin": None if c.decided_here else register_id,
            }
            for c in applier.applied.changed
        ],
    )
    merged_here = {
        c.after["id"]: c.before
        for c in applier.applied.changed
        if c.decided_here and c.before is not None
    }
    return applier.applied.merges, merged_here, len(rows)
