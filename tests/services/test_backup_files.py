"""Backups that are whole: one self-contained file, made in steps, cut short leaves nothing."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest

from app.domain.errors import Refused
from app.i18n import explain
from app.services import backup, backup_schedule, settings
from app.services.customers import enroll
from tests.services.helpers import snapshot

ROOT = Path(__file__).resolve().parents[2]


def test_a_backup_is_one_file_that_restores_alone(sqlite_ctx, tmp_path) -> None:
    enroll(sqlite_ctx, "010-1234-5678")
    made = Path(backup_schedule.backup_now(sqlite_ctx).path)
    assert sorted(p.name for p in made.parent.iterdir()) == [made.name]
    assert made.read_bytes()[18:20] == b"\x01\x01"  # rollback journal: needs no -wal/-shm
    # the USB stick: the one file, alone, into another shop
    stick = tmp_path / "usb" / made.name
    stick.parent.mkdir()
    shutil.copyfile(made, stick)
    shutil.rmtree(made.parent)  # the PC's own copies are gone: only the stick is left
    enroll(sqlite_ctx, "010-9999-8888")
    backup_schedule.restore_backup(sqlite_ctx, stick)
    assert snapshot(sqlite_ctx)["customers"] == 1
    assert sorted(p.name for p in stick.parent.iterdir()) == [stick.name]


def test_the_copy_goes_in_steps_and_a_sale_gets_through(sqlite_ctx, monkeypatch) -> None:
    monkeypatch.setattr(backup, "STEP_PAGES", 1)
    monkeypatch.setattr(backup, "STEP_PAUSE", 0.02)
    done: list[object] = []
    worker = threading.Thread(target=lambda: done.append(backup_schedule.backup_now(sqlite_ctx)))
    worker.start()
    time.sleep(0.2)
    started = time.monotonic()
    enroll(sqlite_ctx, "010-1234-5678")
    assert time.monotonic() - started < 1.0
    assert worker.is_alive()  # the sale went in while the copy was still going
    worker.join(timeout=60)
    (made,) = done
    # one snapshot: the copy holds the state at its start, checked whole
    assert made.customers == 0  # type: ignore[attr-defined]
    assert backup.verify_backup(Path(made.path)) == (0, made.ledger_entries)  # type: ignore[attr-defined]


KILLED = textwrap.dedent(
    """
    import sys
    from app.services import backup, backup_schedule
    from app.services.context import open_shop
    backup.STEP_PAGES, backup.STEP_PAUSE = 1, 0.2
    ctx = open_shop(sys.argv[1])
    print("started", flush=True)
    backup_schedule.backup_now(ctx, "auto")
    """
)


def test_a_copy_cut_short_is_never_listed_and_leaves_nothing(sqlite_ctx) -> None:
    path = str(sqlite_ctx.db.path)
    folder = backup_schedule.backup_folder(sqlite_ctx)
    for _ in range(3):
        process = subprocess.Popen(
            [sys.executable, "-c", KILLED, path], cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        assert process.stdout is not None and process.stdout.readline().strip() == "started"
        deadline = time.monotonic() + 30
        while not any(folder.glob("*-journal")) and time.monotonic() < deadline:
            time.sleep(0.02)
        process.kill()  # the app closed in the middle of the copy
        process.wait()
        process.stdout.close()
        assert any(folder.iterdir())  # it did leave something behind
        assert backup_schedule.list_backups(sqlite_ctx) == []
    made = backup_schedule.daily_backup(sqlite_ctx)  # the next start
    assert made is not None
    assert sorted(p.name for p in folder.iterdir()) == [Path(made.path).name]


def test_a_failed_backup_is_not_listed_and_says_why_in_korean(sqlite_ctx, tmp_path) -> None:
    blocked = tmp_path / "a-file-not-a-folder"
    blocked.write_text("")
    settings.update_settings(sqlite_ctx, backup_folder=str(blocked / "backups"))
    with pytest.raises(Refused) as failed:
        backup_schedule.backup_now(sqlite_ctx)
    assert failed.value.code == "backup.cannot_write"
    assert "디스크에 쓸 수 없습니다" in explain(failed.value, "ko")


DISK_FULL = textwrap.dedent(
    """
    import resource, signal, sys
    from app.i18n import explain
    from app.domain.errors import Refused
    from app.services import backup_schedule
    from app.services.context import open_shop
    ctx = open_shop(sys.argv[1])
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (20000, 20000))  # a disk that fills up
    try:
        backup_schedule.backup_now(ctx)
    except Refused as refused:
        print(refused.code)
        print(explain(refused, "ko"))
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_a_full_disk_leaves_no_backup_and_a_korean_reason(sqlite_ctx) -> None:
    out = subprocess.run(
        [sys.executable, "-c", DISK_FULL, str(sqlite_ctx.db.path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    code, message = out.stdout.strip().splitlines()
    assert code in ("backup.cannot_write", "backup.no_space")
    assert "disk I/O" not in message and "디스크" in message
    folder = backup_schedule.backup_folder(sqlite_ctx)
    assert list(folder.iterdir()) == []
    assert backup_schedule.list_backups(sqlite_ctx) == []


def test_a_broken_file_never_counts_toward_those_kept(sqlite_ctx) -> None:
    ctx = sqlite_ctx
    settings.update_settings(ctx, backup_keep=2)
    first = backup_schedule.backup_now(ctx)
    ctx.fixed_now = ctx.now() + timedelta(minutes=1)
    second = backup_schedule.backup_now(ctx)
    folder = Path(first.path).parent
    # what an older version left when closed mid-copy: our name, a hot journal beside it
    broken = folder / "dangol-20260312-140500-auto.sqlite"
    broken.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    (folder / (broken.name + "-journal")).write_bytes(b"\x00" * 512)
    assert [b.path for b in backup_schedule.list_backups(ctx)] == [
        Path(second.path),
        Path(first.path),
    ]
    ctx.fixed_now = ctx.now() + timedelta(minutes=10)
    third = backup_schedule.backup_now(ctx)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        Path(r.path).name for r in (second, third)
    )
