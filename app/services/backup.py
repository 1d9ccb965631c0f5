"""Backups of the local SQLite file: online, verified, and restores that never half-happen."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.db import migrate
from app.domain.errors import Refused
from app.services.audit_chain import audit
from app.services.context import Context, ensure_schema


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


def verify_backup(path: Path) -> tuple[int, int]:
    """A file we can restore: a sound SQLite database of ours, of a version we know."""
    if not path.is_file():
        raise Refused("backup.missing", path=str(path))
    with path.open("rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            raise Refused("backup.not_database", path=str(path))
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
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


def backup(ctx: Context, destination: Path) -> BackupResult:
    live = _live_path(ctx)
    destination = destination.expanduser().resolve()
    if destination.exists():
        raise Refused("backup.exists", path=str(destination))
    if destination == live:
        raise Refused("backup.same_file")
    destination.parent.mkdir(parents=True, exist_ok=True)
    migrate.backup_sqlite_file(live, destination)
    try:
        customers, entries = verify_backup(destination)
    except Refused:
        destination.unlink(missing_ok=True)
        raise
    with ctx.db.write() as session:
        audit(ctx, session, "backup.create", detail={"file": str(destination)})
    return BackupResult(str(destination), customers, entries, destination.stat().st_size)


def restore(ctx: Context, source: Path) -> BackupResult:
    """Check the file, keep the current state aside, then copy in one transaction."""
    live = _live_path(ctx)
    source = source.expanduser().resolve()
    if source == live:
        raise Refused("backup.same_file")
    customers, entries = verify_backup(source)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = live.with_name(f"{live.stem}.before-restore-{stamp}{live.suffix}")
    migrate.backup_sqlite_file(live, aside)
    ctx.db.dispose()
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(live, timeout=30)
        try:
            # one step: the destination is replaced in a single transaction, or not at all
            src.backup(dst, pages=-1)
        finally:
            dst.close()
    finally:
        src.close()
    ensure_schema(ctx.db)
    with ctx.db.write() as session:
        audit(
            ctx,
            session,
            "backup.restore",
            detail={"file": str(source), "previous_copy": str(aside)},
        )
    return BackupResult(str(source), customers, entries, source.stat().st_size, str(aside))
