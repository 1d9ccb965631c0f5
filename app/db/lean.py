"""Read statements for the counter's hot paths, compiled once and run on the driver's cursor.

A lookup at the counter is a one-row query that SQLite answers in ~0.01 ms; an ORM query
around it (a Session, its unit of work, the compiled-cache lookup, a Result, an identity
map, BEGIN and ROLLBACK) costs twenty times that. A `Lean` statement is a SQLAlchemy Core
`select` compiled once per dialect; each call binds its parameters with the columns' own
type processors, runs the SQL text on a pooled driver connection and turns the rows into
Python values with the columns' result processors: the same values the ORM would give,
as plain tuples, with none of the machinery.

Only for reads of a few rows, on a pooled connection or on a Session's own (`session_lean`).
`LeanWrite` is the same for a use case's INSERTs and UPDATEs on the Session's connection
(`session_lean`): the rows a Core `execute` would write, without its per-call machinery.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Engine, Select, event
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert, UpdateBase

Processor = Callable[[Any], Any] | None


class _Compiled:
    """One statement's SQL text for one dialect, with its parameter order and processors."""

    def __init__(
        self,
        statement: Select[*tuple[Any, ...]] | UpdateBase,
        dialect: Dialect,
        column_keys: Sequence[str] | None = None,
    ) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=column_keys)
        # a value SQLAlchemy would compute per row (a Python-side default) is not computed here
        assert not getattr(compiled, "insert_prefetch", None), "every column must be given"
        assert not getattr(compiled, "update_prefetch", None), "every column must be given"
        self.sql = compiled.string
        # each parameter: its name, its literal value ('active', a LIMIT; None: given with
        # each call) and its type's bind processor, in the order the driver takes them
        names = compiled.positiontup if compiled.positional else None
        self.positional = names is not None
        self.binds: tuple[tuple[str, Any, Processor], ...] = tuple(
            (
                name,
                None if bind.required else bind.effective_value,
                bind.type._cached_bind_processor(dialect),
            )
            for name in (names if names is not None else compiled.binds)
            for bind in (compiled.binds[name],)
        )
        columns = (
            statement.selected_columns
            if isinstance(statement, Select)
            else statement.exported_columns
        )
        results = [column.type._cached_result_processor(dialect, None) for column in columns]
        self.width = len(results)
        self.decoders: tuple[Processor, ...] = tuple(results)
        # only the columns whose values need turning into Python ones (uuids, datetimes)
        self.processed: tuple[tuple[int, Callable[[Any], Any]], ...] = tuple(
            (index, process) for index, process in enumerate(results) if process is not None
        )

    def parameters(self, given: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        values = []
        for name, literal, process in self.binds:
            value = given.get(name, literal)
            values.append(value if process is None or value is None else process(value))
        if self.positional:
            return values
        return {name: value for (name, _, _), value in zip(self.binds, values, strict=True)}

    def row(self, raw: Sequence[Any]) -> tuple[Any, ...]:
        assert len(raw) == self.width
        if not self.processed:
            return tuple(raw)
        values = list(raw)
        for index, process in self.processed:
            value = values[index]
            if value is not None:
                values[index] = process(value)
        return tuple(values)


class Lean:
    """A read statement for the hot paths: `rows(connection, **params)` gives typed tuples.

    Also an INSERT ... RETURNING with explicit values (bound parameters): its returned rows."""

    def __init__(self, statement: Select[*tuple[Any, ...]] | UpdateBase) -> None:
        self.statement = statement
        self._by_dialect: dict[str, _Compiled] = {}

    def _compiled(self, dialect: Dialect) -> _Compiled:
        compiled = self._by_dialect.get(dialect.name)
        if compiled is None:
            compiled = self._by_dialect[dialect.name] = _Compiled(self.statement, dialect)
        return compiled

    def rows(self, connection: LeanConnection, **params: Any) -> list[tuple[Any, ...]]:
        compiled = self._compiled(connection.dialect)
        return [compiled.row(raw) for raw in self._run(compiled, connection, params)]

    def raw_rows(self, connection: LeanConnection, **params: Any) -> list[Sequence[Any]]:
        """The driver's rows as they come, undecoded: for a caller that decodes a value only
        when it is read, with `decoders` (rows() decodes every value of every row)."""
        return self._run(self._compiled(connection.dialect), connection, params)

    def decoders(self, dialect: Dialect) -> tuple[Processor, ...]:
        """Each column's result processor on this dialect (None: the driver's value is it)."""
        return self._compiled(dialect).decoders

    def _run(
        self, compiled: _Compiled, connection: LeanConnection, params: Mapping[str, Any]
    ) -> list[Sequence[Any]]:
        cursor = connection.cursor
        parameters = compiled.parameters(params)
        engine = connection.engine
        if engine._has_events:  # listeners of the engine's statements see these too (counts, bench)
            engine.dispatch.before_cursor_execute(
                None, cursor, compiled.sql, parameters, None, False
            )
        cursor.execute(compiled.sql, parameters)
        rows: list[Sequence[Any]] = cursor.fetchall()
        return rows

    def first(self, connection: LeanConnection, **params: Any) -> tuple[Any, ...] | None:
        found = self.rows(connection, **params)
        return found[0] if found else None


class LeanWrite:
    """An INSERT or UPDATE for the hot paths, run on a Session's driver cursor (`session_lean`).

    `execute(connection, row)` writes one row, `executemany(connection, rows)` several by one
    executemany: the parameters bound by the columns' own type processors, as Core binds
    them, with no Result, no compiled-cache lookup and no per-call events but the
    engine's `before_cursor_execute` (statement counts, the bench's replay). An INSERT
    without values is compiled once per dialect and set of keys, and every column must be
    given (none is filled by a Python-side default); an UPDATE or an upsert names its
    parameters with `bindparam`. Nothing is returned (see `Lean` for RETURNING)."""

    def __init__(self, statement: UpdateBase) -> None:
        self.statement = statement
        self._per_row = isinstance(statement, Insert) and not (
            statement._values or statement._multi_values
        )
        self._by_key: dict[tuple[str, tuple[str, ...]], _Compiled] = {}

    def _compiled(self, dialect: Dialect, row: Mapping[str, Any]) -> _Compiled:
        keys = tuple(row) if self._per_row else ()
        compiled = self._by_key.get((dialect.name, keys))
        if compiled is None:
            compiled = _Compiled(self.statement, dialect, list(keys) if self._per_row else None)
            self._by_key[(dialect.name, keys)] = compiled
        return compiled

    def execute(self, connection: LeanConnection, row: Mapping[str, Any]) -> None:
        compiled = self._compiled(connection.dialect, row)
        parameters = compiled.parameters(row)
        engine = connection.engine
        if engine._has_events:
            engine.dispatch.before_cursor_execute(
                None, connection.cursor, compiled.sql, parameters, None, False
            )
        connection.cursor.execute(compiled.sql, parameters)

    def executemany(self, connection: LeanConnection, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        if len(rows) == 1:
            self.execute(connection, rows[0])
            return
        compiled = self._compiled(connection.dialect, rows[0])
        parameters = [compiled.parameters(row) for row in rows]
        engine = connection.engine
        if engine._has_events:
            engine.dispatch.before_cursor_execute(
                None, connection.cursor, compiled.sql, parameters, None, True
            )
        connection.cursor.executemany(compiled.sql, parameters)


class LeanConnection:
    """A pooled driver connection and one cursor, for a few lean statements in a row."""

    def __init__(self, engine: Engine, cursor: Any) -> None:
        self.engine = engine
        self.dialect = engine.dialect
        self.cursor = cursor

    @property
    def database(self) -> str:
        """The engine's URL: a key for caches of what the database holds (rendered once per
        engine: a sale asks for it twice, 50 us each)."""
        found = _DATABASES.get(self.engine)
        if found is None:
            found = _DATABASES[self.engine] = str(self.engine.url)
        return found


_DATABASES: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()


class _Held:
    """One pooled connection an engine's single-statement lean reads share (SQLite).

    Taking a connection from the pool and giving it back (the pool's checkout, its events,
    its rollback on return) cost ~15 us: a third of a lookup by phone, as much as the query
    itself (bench/bench_lookup_tail.py). A lookup takes this one instead when no other
    thread has it (the one lock is never waited for: a second thread takes the pool's as
    before). It stays out of the pool, open as an idle pooled connection would be, with no
    transaction between two reads; the engine's dispose (a restored file, the shop closed)
    closes it."""

    __slots__ = ("driver", "fairy", "lock")

    def __init__(self, engine: Engine) -> None:
        self.lock = threading.Lock()
        self.fairy: Any = None
        self.driver: Any = None
        event.listen(engine, "engine_disposed", self._disposed)

    def take(self, engine: Engine) -> Any:
        """The driver connection, this lock held (None: another thread has it)."""
        if not self.lock.acquire(blocking=False):
            return None
        if self.driver is None:
            try:
                self.fairy = engine.raw_connection()
                self.driver = self.fairy.driver_connection
            except BaseException:
                self.lock.release()
                raise
        return self.driver

    def give_back(self, failed: bool) -> None:
        try:
            if failed or self.driver.in_transaction:  # never left open between two reads
                self._close()
        finally:
            self.lock.release()

    def _close(self) -> None:
        fairy, self.fairy, self.driver = self.fairy, None, None
        if fairy is not None:
            fairy.invalidate()  # closed, not back into a pool that may be gone

    def _disposed(self, _engine: Engine) -> None:
        with self.lock:
            self._close()


_HELD: weakref.WeakKeyDictionary[Engine, _Held] = weakref.WeakKeyDictionary()
HOLD_READS = True  # False: every lean read from the pool, as before (bench_lookup_tail compares)
_HELD_LOCK = threading.Lock()


def _held(engine: Engine) -> _Held:
    found = _HELD.get(engine)
    if found is None:
        with _HELD_LOCK:
            found = _HELD.get(engine)
            if found is None:
                found = _HELD[engine] = _Held(engine)
    return found


class lean_connection:
    """A connection for a few lean reads (returned, rolled back, at the end).

    With `snapshot`, the statements share one read transaction (a status made of several
    reads sees one state of the database); a single statement needs none and, on SQLite,
    runs on the engine's held connection when it is free (`_Held`), else on one from the
    pool. On PostgreSQL the driver opens the transaction itself, so every connection there
    is a snapshot, from the pool.
    """

    __slots__ = ("_begun", "_cursor", "_engine", "_held", "_pooled", "_snapshot")

    def __init__(self, engine: Engine, *, snapshot: bool = False) -> None:
        self._engine = engine
        self._snapshot = snapshot and engine.dialect.name == "sqlite"
        self._held: _Held | None = None

    def __enter__(self) -> LeanConnection:
        engine = self._engine
        if HOLD_READS and not self._snapshot and engine.dialect.name == "sqlite":
            held = _held(engine)
            driver = held.take(engine)
            if driver is not None:
                self._held = held
                self._cursor = driver.cursor()
                return LeanConnection(engine, self._cursor)
        self._pooled = engine.raw_connection()
        self._cursor = self._pooled.cursor()
        if self._snapshot:
            self._cursor.execute("BEGIN")
        return LeanConnection(engine, self._cursor)

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        held = self._held
        if held is not None:
            self._held = None
            try:
                self._cursor.close()
            finally:
                held.give_back(kind is not None and not issubclass(kind, Exception))
            return
        try:
            if self._snapshot:
                self._cursor.execute("ROLLBACK")
            self._cursor.close()
        finally:
            self._pooled.close()  # back to the pool, which rolls back whatever is left open


class session_lean:
    """The Session's own driver connection as a LeanConnection, inside its transaction.

    A use case that writes (a sale) reads what it needs with lean statements too: the rows
    it wrote by Core statements are there, in the same transaction. Objects the Session
    holds unflushed are not: flush before reading what they change."""

    __slots__ = ("_cursor", "_session")

    def __init__(self, session: Session) -> None:
        self._session = session

    def __enter__(self) -> LeanConnection:
        connection = self._session.connection()
        self._cursor = connection.connection.cursor()
        return LeanConnection(connection.engine, self._cursor)

    def __exit__(self, *_: object) -> None:
        self._cursor.close()
