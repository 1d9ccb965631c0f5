"""Soak: an app-like process sells and backs up while other processes read and write the file.

    .venv/bin/python bench/bench_soak.py --minutes 10

Prints the figures and exits 1 on any I/O error, lost row, or the WAL deleted under the app.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _second_handle(db: str) -> None:
    """What a second SQLite library does: open and close the file below Python's open()."""
    import ctypes

    libc = ctypes.CDLL(None)
    fd = libc.open(db.encode(), os.O_RDONLY)
    if fd >= 0:
        libc.close(fd)  # POSIX: drops every lock this process holds on the file


def app_process(db: str, seconds: float, out: str, sabotage: bool = False) -> None:
    """The counter: one long-lived Context, sales all along, a backup now and then."""
    from app.services import backup, backup_schedule
    from app.services.context import open_shop
    from app.services.customers import enroll
    from app.services.sales import record_sale

    backup.STEP_PAGES, backup.STEP_PAUSE = 8, 0.005
    ctx = open_shop(db)
    wal = Path(db + "-wal")
    errors: list[str] = []
    phones: list[str] = []
    wal_lost = 0
    backups = 0
    inode = wal.stat().st_ino if wal.exists() else None
    end = time.monotonic() + seconds
    next_backup = time.monotonic() + 1
    i = 0
    while time.monotonic() < end:
        i += 1
        phone = f"010-7{os.getpid() % 1000:03d}-{i:04d}"
        try:
            if sabotage:
                _second_handle(db)
            made = enroll(ctx, phone)
            record_sale(ctx, made.id, 5000)
            phones.append(phone)
            if time.monotonic() >= next_backup:
                ctx.fixed_now = None
                backup_schedule.backup_now(ctx)
                backups += 1
                next_backup = time.monotonic() + 2
        except Exception as error:  # every failure is a finding, counted and named
            errors.append(f"{type(error).__name__}: {error}")
        now_inode = wal.stat().st_ino if wal.exists() else None
        if inode is not None and now_inode != inode:
            wal_lost += 1  # deleted (or replaced) while this process had it open
        inode = now_inode if now_inode is not None else inode
    try:
        ctx.close()
    except Exception as error:  # closing a file a second handle broke can fail too
        errors.append(f"{type(error).__name__}: {error}")
    Path(out).write_text(
        json.dumps({"phones": phones, "errors": errors, "wal_lost": wal_lost, "backups": backups})
    )


def other_process(db: str, seconds: float, out: str, role: str) -> None:
    """Another register or the CLI: opens, reads or writes, closes, again and again."""
    from app.services.context import open_shop
    from app.services.customers import enroll

    errors: list[str] = []
    phones: list[str] = []
    reads = 0
    end = time.monotonic() + seconds
    i = 0
    while time.monotonic() < end:
        i += 1
        try:
            if role == "reader":
                conn = sqlite3.connect(db, timeout=30)
                conn.execute("SELECT count(*) FROM customers").fetchone()
                conn.close()  # the last close in this process tries to checkpoint and delete
                reads += 1
            else:
                ctx = open_shop(db)
                phone = f"010-8{os.getpid() % 1000:03d}-{i:04d}"
                enroll(ctx, phone)
                phones.append(phone)
                ctx.close()
        except Exception as error:
            errors.append(f"{type(error).__name__}: {error}")
        time.sleep(0.05)
    Path(out).write_text(json.dumps({"phones": phones, "errors": errors, "reads": reads}))


def soak(seconds: float, folder: Path, sabotage: bool = False) -> dict[str, object]:
    from app.services.context import open_shop

    db = str(folder / "shop.sqlite")
    open_shop(db).close()
    roles = ["app", "reader", "reader", "writer"]
    procs = []
    for n, role in enumerate(roles):
        out = str(folder / f"{n}-{role}.json")
        args = [sys.executable, __file__, "--role", role, "--db", db, "--out", out]
        extra = ["--sabotage"] if sabotage and role == "app" else []
        procs.append((out, subprocess.Popen([*args, "--seconds", str(seconds), *extra], cwd=ROOT)))
    for _, proc in procs:
        proc.wait(timeout=seconds + 120)
    # a process that died without its report (the sabotaged app, say) is a finding itself
    died = {"phones": [], "errors": ["the process died"], "wal_lost": 0, "backups": 0}
    results = [
        json.loads(Path(out).read_text())
        if Path(out).exists()
        else {**died, "exit": proc.returncode}
        for out, proc in procs
    ]
    written = {p for r in results for p in r.get("phones", [])}
    conn = sqlite3.connect(db)
    stored: set[str] = set()
    try:  # a file broken by a second handle may not even read back: that is a finding too
        stored = {row[0] for row in conn.execute("SELECT phone FROM customers")}
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        integrity = f"unreadable: {exc}"
    finally:
        conn.close()
    digits = {"".join(c for c in p if c.isdigit()) for p in written}
    stored_digits = {"".join(c for c in str(s) if c.isdigit()) for s in stored}
    return {
        "seconds": seconds,
        "rows_written": len(written),
        "rows_lost": len(digits - stored_digits),
        "errors": [e for r in results for e in r["errors"]],
        "wal_lost": results[0]["wal_lost"],
        "backups": results[0]["backups"],
        "reads": sum(r.get("reads", 0) for r in results),
        "integrity": integrity,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=2.0)
    parser.add_argument("--seconds", type=float)
    parser.add_argument("--role")
    parser.add_argument("--db")
    parser.add_argument("--out")
    parser.add_argument("--sabotage", action="store_true", help="the app also opens the file raw")
    args = parser.parse_args()
    seconds = args.seconds if args.seconds is not None else args.minutes * 60
    sys.path.insert(0, str(ROOT))
    if args.role == "app":
        app_process(args.db, seconds, args.out, args.sabotage)
        return 0
    if args.role:
        other_process(args.db, seconds, args.out, args.role)
        return 0
    with tempfile.TemporaryDirectory() as folder:
        figures = soak(seconds, Path(folder), args.sabotage)
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    ok = not figures["errors"] and not figures["rows_lost"] and not figures["wal_lost"]
    return 0 if ok and figures["integrity"] == "ok" else 1


if __name__ == "__main__":
    raise SystemExit(main())
