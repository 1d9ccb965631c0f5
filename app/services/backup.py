"""Backups of the SQLite file: online, in steps, whole or absent; restores never half-happen."""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import threading
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import exc, inspect

from app.db import migrate
from app.db.base import Base
from app.db.engine import Database, is_live, online_copy, open_copy, resolve_url
from app.db.models import Setting
from app.domain.errors import Refused
from app.services.audit_chain import REPLACED, RESTORE_ACTION, audit, read_tip, tip_key
from app.services.context import Context
from app.services.erasures import read_register, reapply

# The copy runs in steps of STEP_PAGES pages (4 MB) with a pause between: a sale's commit and
# its fsync get the disk between two steps instead of waiting behind the whole file.
STEP_PAGES = 1024
STEP_PAUSE = 0.002
PARTIAL = ".partial"  # a copy being written; renamed to its name only once whole and checked
SIDE_FILES = ("-journal", "-wal", "-shm")
_one_at_a_time = threading.Lock()


@dataclass(frozen=True)
class BackupResult:
    path: str
    customers: int
    ledger_entries: int
    bytes: int
    previous_copy: str | None = None


def _live_path(ctx: Context) -> Path:
    if ctx.db.path is None:
        raise Refused("backup.sqlite_only")
    return ctx.db.path


def refusal_for(error: BaseException, folder: Path) -> Refused:
    """What went wrong, in the shop's words: never SQLite's or the OS's English."""
    if isinstance(error, Refused):
        return error
    if isinstance(error, sqlite3.Error):
        code = (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF
        if code == sqlite3.SQLITE_FULL:
            return Refused("backup.no_space", folder=str(folder))
        if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            return Refused("backup.database_busy")
        if code in (
            sqlite3.SQLITE_IOERR,
            sqlite3.SQLITE_CANTOPEN,
            sqlite3.SQLITE_READONLY,
            sqlite3.SQLITE_PERM,
        ):
            return Refused("backup.cannot_write", folder=str(folder))
        return Refused("backup.failed", folder=str(folder))
    if isinstance(error, OSError):
        if error.errno in (errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", -1)):
            return Refused("backup.no_space", folder=str(folder))
        return Refused("backup.cannot_write", folder=str(folder))
    return Refused("backup.failed", folder=str(folder))


def partial_name(destination: Path) -> Path:
    return destination.with_name(destination.name + PARTIAL)


def remove_with_leftovers(path: Path) -> None:
    """A file and whatever SQLite may have left beside it (-journal, -wal, -shm)."""
    for leftover in (path, *(path.with_name(path.name + s) for s in SIDE_FILES)):
        with suppress(FileNotFoundError, NotADirectoryError):
            leftover.unlink()


def remove_cut_short(folder: Path) -> list[str]:
    """Copies a closed app left half-made: removed whole, unless one is being written now."""
    removed: list[str] = []
    if not folder.is_dir() or not _one_at_a_time.acquire(blocking=False):
        return removed
    try:
        for path in folder.iterdir():
            if path.name.endswith(PARTIAL) and not _being_written(path):
                remove_with_leftovers(path)
                removed.append(path.name)
            elif path.name.endswith(tuple(PARTIAL + s for s in SIDE_FILES)):
                base = path.with_name(path.name.rsplit("-", 1)[0])
                if not base.exists():  # an orphan journal of a partial already gone
                    path.unlink(missing_ok=True)
                    removed.append(path.name)
    finally:
        _one_at_a_time.release()
    return removed


def _being_written(partial: Path) -> bool:
    """Another process's copy in progress holds the partial's write lock for its whole length."""
    try:
        conn = open_copy(partial, readonly=False, timeout=0)
        try:
            conn.isolation_level = None
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
        finally:
            conn.close()
    except sqlite3.OperationalError as error:
        return "locked" in str(error) or "busy" in str(error)
    except sqlite3.Error:
        return False
    return False


def verify_backup(path: Path) -> tuple[int, int]:
    """A file we can restore: a sound SQLite database of ours, of a version we know."""
    if not path.is_file():
        raise Refused("backup.missing", path=str(path))
    if is_live(path):
        raise Refused("backup.same_file")
    with path.open("rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            raise Refused("backup.not_database", path=str(path))
    try:
        conn = open_copy(path)
        try:
            if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise Refused("backup.damaged", path=str(path))
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            if revision is None or revision[0] not in migrate.known_revisions():
                raise Refused("backup.unknown_version", path=str(path))
            customers = conn.execute("SELECT count(*) FROM customers").fetchone()[0]
            entries = conn.execute("SELECT count(*) FROM ledger_entries").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise Refused("backup.damaged", path=str(path)) from exc
    return int(customers), int(entries)


def is_whole(path: Path) -> bool:
    """Our name, no leftover beside it and a readable header: a file listed and kept."""
    if any(path.with_name(path.name + s).exists() for s in SIDE_FILES):
        return False  # a hot journal or a WAL: cut short, or not self-contained
    try:
        with path.open("rb") as handle:
            return handle.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False


def backup(
    ctx: Context, destination: Path, *, stop: Callable[[], bool] | None = None
) -> BackupResult:
    """A whole, checked copy at destination, or nothing there at all (and a reason in words)."""
    live = _live_path(ctx)
    destination = destination.expanduser().resolve()
    if destination.exists():
        raise Refused("backup.exists", path=str(destination))
    if destination == live or is_live(destination):
        raise Refused("backup.same_file")
    folder = destination.parent
    partial = partial_name(destination)
    if not _one_at_a_time.acquire(blocking=False):
        raise Refused("backup.in_progress")
    try:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if partial.exists() and _being_written(partial):
                raise Refused("backup.in_progress")
            remove_with_leftovers(partial)

            def step(_done: int, _total: int) -> None:
                if stop is not None and stop():
                    raise Refused("backup.interrupted")

            online_copy(ctx.db.engine, partial, pages=STEP_PAGES, pause=STEP_PAUSE, step=step)
            customers, entries = verify_backup(partial)
            os.replace(partial, destination)
        except BaseException as error:
            remove_with_leftovers(partial)
            if isinstance(error, Exception):
                raise refusal_for(error, folder) from error
            raise
    finally:
        _one_at_a_time.release()
    with ctx.db.write() as session:
        audit(ctx, session, "backup.create", detail={"file": str(destination)})
    return BackupResult(str(destination), customers, entries, destination.stat().st_size)


def restore(ctx: Context, source: Path) -> BackupResult:
    """Check the file, bring a staging copy to our schema with the erasures re-applied, keep
    the current state aside, then copy the staging file in, whole, in one transaction."""
    live = _live_path(ctx)
    source = source.expanduser().resolve()
    if source == live or is_live(source):
        raise Refused("backup.same_file")
    customers, entries = verify_backup(source)
    with ctx.db.read() as session:  # the tip of the history this restore replaces
        row = session.get(Setting, tip_key(ctx.register_id))
        replaced = read_tip(json.loads(row.value)) if row is not None else None
    staging = live.with_name(f"{live.stem}.restoring{live.suffix}")
    remove_with_leftovers(staging)
    try:
        _stage(ctx, source, staging)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        aside = live.with_name(f"{live.stem}.before-restore-{stamp}{live.suffix}")
        online_copy(ctx.db.engine, aside)
        src = open_copy(staging)
        try:
            # through the engine's own connection, in one step: replaced whole in one transaction
            with ctx.db.engine.connect() as connection:
                target = connection.connection.driver_connection
                assert target is not None
                src.backup(target, pages=-1)
        finally:
            src.close()
    except Exception as error:
        raise refusal_for(error, live.parent) from error
    finally:
        remove_with_leftovers(staging)
    ctx.db.engine.dispose()  # every pooled connection re-reads the schema it replaced
    with ctx.db.write() as session:
        audit(
            ctx,
            session,
            RESTORE_ACTION,
            detail={
                "file": str(source),
                "previous_copy": str(aside),
                **({REPLACED: {"count": replaced[0], "hash": replaced[1]}} if replaced else {}),
            },
        )
    return BackupResult(str(source), customers, entries, source.stat().st_size, str(aside))


def _stage(ctx: Context, source: Path, staging: Path) -> None:
    """The backup copied beside the live file, upgraded, checked table by table and column by
    column against ours, and the live file's erasures applied again; the live file untouched."""
    with ctx.db.read() as session:
        register = read_register(session)
    src = open_copy(source)
    try:
        out = open_copy(staging, readonly=False)
        try:
            src.backup(out)
        finally:
            out.close()
    finally:
        src.close()
    db = Database(resolve_url(str(staging)))
    try:
        try:
            migrate.upgrade(db.engine)
            missing = _missing_schema(db)
        except (exc.SQLAlchemyError, sqlite3.Error) as error:
            raise Refused("backup.not_ours", path=str(source)) from error
        if missing:
            raise Refused("backup.not_ours", path=str(source))
        reapply(replace(ctx, db=db), register)
    finally:
        db.dispose()


def _missing_schema(db: Database) -> list[str]:
    """Every table and column of ours the file lacks."""
    found = inspect(db.engine)
    tables = set(found.get_table_names())
    missing: list[str] = []
    for name, table in Base.metadata.tables.items():
        if name not in tables:
            missing.append(name)
            continue
        columns = {c["name"] for c in found.get_columns(name)}
        missing += [f"{name}.{c.name}" for c in table.columns if c.name not in columns]
    return missing
