"""Backups the owner does not have to think of: one a day, the newest few kept, listed."""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from app.db.models import Setting
from app.domain.errors import Refused
from app.services import backup as backup_service
from app.services import settings
from app.services.audit_chain import audit
from app.services.context import Context
from app.services.staff import require_owner

log = logging.getLogger("dangol")

# dangol-20260312-140501-auto.sqlite: the local time it was made, and how
_NAME = re.compile(r"dangol-(\d{8})-(\d{6})-(auto|manual)\.sqlite")
KINDS = ("auto", "manual")


@dataclass(frozen=True)
class BackupFile:
    path: Path
    made_at: datetime  # local wall-clock time of the shop
    kind: str  # "auto" | "manual"
    bytes: int
    customers: int | None  # None when the file cannot be read
    ledger_entries: int | None


def backup_folder(ctx: Context) -> Path:
    """The owner's folder, or a "backups" folder next to the database file."""
    chosen = str(settings.setting(ctx, "backup_folder") or "").strip()
    if chosen:
        return Path(chosen).expanduser()
    if ctx.db.path is None:
        raise Refused("backup.sqlite_only")
    return ctx.db.path.parent / "backups"


def _file_name(ctx: Context, kind: str) -> str:
    return f"dangol-{ctx.local(ctx.now()):%Y%m%d-%H%M%S}-{kind}.sqlite"


def _ours(folder: Path) -> list[tuple[Path, re.Match[str]]]:
    """Our backups in the folder, newest first; other files there are never touched."""
    if not folder.is_dir():
        return []
    found = [(p, m) for p in folder.iterdir() if (m := _NAME.fullmatch(p.name)) and p.is_file()]
    # two copies within one second: the file written last is the newer
    return sorted(
        found, key=lambda item: (item[1].group(1, 2), item[0].stat().st_mtime_ns), reverse=True
    )


def _counts(path: Path) -> tuple[int | None, int | None]:
    """Customers and ledger entries, read quickly (the full check runs before a restore)."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            customers = conn.execute("SELECT count(*) FROM customers").fetchone()[0]
            entries = conn.execute("SELECT count(*) FROM ledger_entries").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return None, None
    return int(customers), int(entries)


def list_backups(ctx: Context) -> list[BackupFile]:
    """The backups in the shop's folder, newest first."""
    result = []
    for path, match in _ours(backup_folder(ctx)):
        stamp = "".join(match.group(1, 2))
        made = datetime.strptime(stamp + "+0000", "%Y%m%d%H%M%S%z").replace(tzinfo=ctx.zone)
        customers, entries = _counts(path)
        result.append(
            BackupFile(
                path=path,
                made_at=made,
                kind=match.group(3),
                bytes=path.stat().st_size,
                customers=customers,
                ledger_entries=entries,
            )
        )
    return result


def backup_now(ctx: Context, kind: str = "manual") -> backup_service.BackupResult:
    """A verified copy in the backup folder, then only the newest `backup_keep` are kept."""
    if kind not in KINDS:
        raise ValueError(kind)
    folder = backup_folder(ctx)
    result = backup_service.backup(ctx, folder / _file_name(ctx, kind))
    prune(ctx)
    return result


def daily_backup(ctx: Context) -> backup_service.BackupResult | None:
    """The day's automatic backup, unless one was already made today (shop's local date)."""
    today = f"{ctx.local(ctx.now()):%Y%m%d}"
    for path, match in _ours(backup_folder(ctx)):
        if match.group(1) == today and match.group(3) == "auto":
            if _counts(path) != (None, None):
                return None
            _remove(path)  # cut short (the app was closed during the copy): make it again
    return backup_now(ctx, "auto")


def _remove(path: Path) -> None:
    for leftover in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm"))):
        leftover.unlink(missing_ok=True)


def prune(ctx: Context) -> list[str]:
    """Delete our backups beyond the newest `backup_keep`; the deletion is audited."""
    keep = int(settings.setting(ctx, "backup_keep"))
    removed = []
    for path, _ in _ours(backup_folder(ctx))[keep:]:
        _remove(path)
        removed.append(path.name)
    if removed:
        with ctx.db.write() as session:
            audit(ctx, session, "backup.prune", detail={"files": removed, "keep": keep})
    return removed


def restore_backup(ctx: Context, path: Path | str) -> backup_service.BackupResult:
    """Owner only: restore (the current state is kept aside first), then re-read the settings."""
    require_owner(ctx)
    result = backup_service.restore(ctx, Path(path))
    with ctx.db.read() as session:
        stored = {row.key: json.loads(row.value) for row in session.scalars(select(Setting))}
    ctx.settings.clear()
    ctx.settings.update(stored)
    return result


def start_daily_backup(ctx: Context) -> threading.Thread | None:
    """Make today's backup on a thread of its own, so the counter opens at once."""
    if ctx.db.path is None:
        return None

    def run() -> None:
        try:
            made = daily_backup(ctx)
            if made is not None:
                log.info("daily backup: %s", made.path)
        except Exception:  # a failed backup must never stop the counter; it is logged
            log.exception("daily backup failed")

    thread = threading.Thread(target=run, name="dangol-daily-backup", daemon=True)
    thread.start()
    return thread
