"""Backups the owner does not have to think of: one a day, the newest few kept, listed."""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from app.db.engine import is_live, open_copy
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
    """Our whole backups in the folder, newest first; other files there are never touched."""
    if not folder.is_dir():
        return []
    found = [
        (p, m)
        for p in folder.iterdir()
        if (m := _NAME.fullmatch(p.name)) and p.is_file() and backup_service.is_whole(p)
    ]
    # two copies within one second: the file written last is the newer
    return sorted(
        found, key=lambda item: (item[1].group(1, 2), item[0].stat().st_mtime_ns), reverse=True
    )


def _counts(path: Path) -> tuple[int | None, int | None]:
    """Customers and ledger entries, read quickly (the full check runs before a restore)."""
    try:
        conn = open_copy(path)
        try:
            customers = conn.execute("SELECT count(*) FROM customers").fetchone()[0]
            entries = conn.execute("SELECT count(*) FROM ledger_entries").fetchone()[0]
        finally:
            conn.close()
    except (sqlite3.Error, PermissionError):
        return None, None
    return int(customers), int(entries)


def list_backups(ctx: Context) -> list[BackupFile]:
    """The backups in the shop's folder, newest first."""
    result = []
    for path, match in _ours(backup_folder(ctx)):
        stamp = "".join(match.group(1, 2))
        made = datetime.strptime(stamp + "+0000", "%Y%m%d%H%M%S%z").replace(tzinfo=ctx.zone)
        customers, entries = _counts(path)
        if customers is None:
            continue  # not a backup one could restore: never listed
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


def backup_now(
    ctx: Context, kind: str = "manual", *, stop: Callable[[], bool] | None = None
) -> backup_service.BackupResult:
    """A verified copy in the backup folder, then only the newest `backup_keep` are kept."""
    if kind not in KINDS:
        raise ValueError(kind)
    folder = backup_folder(ctx)
    backup_service.remove_cut_short(folder)
    result = backup_service.backup(ctx, folder / _file_name(ctx, kind), stop=stop)
    prune(ctx)
    return result


def daily_backup(
    ctx: Context, *, stop: Callable[[], bool] | None = None
) -> backup_service.BackupResult | None:
    """The day's automatic backup, unless a whole one was already made today (local date)."""
    folder = backup_folder(ctx)
    backup_service.remove_cut_short(folder)
    for broken in _not_whole(folder):  # cut short by an older version: made again below
        _remove(broken)
    today = f"{ctx.local(ctx.now()):%Y%m%d}"
    for path, match in _ours(folder):
        if match.group(1) == today and match.group(3) == "auto" and _counts(path)[0] is not None:
            return None
    return backup_now(ctx, "auto", stop=stop)


def _not_whole(folder: Path) -> list[Path]:
    """Files with our name that are no backup (cut short by an older version, damaged)."""
    if not folder.is_dir():
        return []
    return [
        p
        for p in folder.iterdir()
        if _NAME.fullmatch(p.name)
        and p.is_file()
        and (not backup_service.is_whole(p) or _counts(p)[0] is None)
    ]


def _remove(path: Path) -> None:
    backup_service.remove_with_leftovers(path)


def prune(ctx: Context) -> list[str]:
    """Delete our backups beyond the newest `backup_keep`; the deletion is audited."""
    keep = int(settings.setting(ctx, "backup_keep"))
    folder = backup_folder(ctx)
    removed = []
    # a file that is no backup never takes the place of one: removed with its leftovers
    for path in _not_whole(folder):
        _remove(path)
        removed.append(path.name)
    for path, _ in _ours(folder)[keep:]:
        _remove(path)
        removed.append(path.name)
    if removed:
        with ctx.db.write() as session:
            audit(ctx, session, "backup.prune", detail={"files": removed, "keep": keep})
    return removed


@dataclass(frozen=True)
class PurgeResult:
    older_than_days: int
    files: list[str]  # the files deleted, oldest first


_ASIDE = re.compile(r".+\.before-(?:restore|upgrade-\w+)-(\d{8}T\d{6}Z)\.sqlite")


def purge_backups(ctx: Context, older_than_days: int) -> PurgeResult:
    """Owner only: delete every backup of ours older than that many days (0: all of them),
    the copies kept aside before a restore or an upgrade too, so personal data they hold
    (members erased since, say) is gone from this PC. Audited; other files are never touched."""
    require_owner(ctx)
    if not isinstance(older_than_days, int) or not 0 <= older_than_days <= 36_500:
        raise Refused("backup.purge_days", maximum=36_500)
    cutoff = ctx.now() - timedelta(days=older_than_days)
    found: list[tuple[datetime, Path]] = []
    for backup in list_backups(ctx):
        found.append((backup.made_at, backup.path))
    for path in _not_whole(backup_folder(ctx)):
        found.append((datetime.fromtimestamp(path.stat().st_mtime, UTC), path))
    live = ctx.db.path
    if live is not None and live.parent.is_dir():
        for path in live.parent.iterdir():
            match = _ASIDE.fullmatch(path.name)
            if match and path.is_file() and not is_live(path):
                made = datetime.strptime(match.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
                found.append((made, path))
    removed = []
    for made, path in sorted(found):
        if older_than_days == 0 or made < cutoff:
            _remove(path)
            removed.append(path.name)
    with ctx.db.write() as session:
        audit(
            ctx,
            session,
            "backup.purge",
            detail={"files": removed, "older_than_days": older_than_days},
        )
    return PurgeResult(older_than_days, removed)


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
