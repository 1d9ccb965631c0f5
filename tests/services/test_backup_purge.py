"""`backup purge --older-than DAYS`: the owner deletes old backups (and the copies kept aside
before a restore or an upgrade) so the personal data they hold leaves the PC; audited."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.cli.main import main
from app.db.models import AuditEntry
from app.domain.errors import Refused
from app.services import backup_schedule
from tests.conftest import START


def _backups_at(ctx, *days_ago: int) -> None:
    for days in days_ago:
        ctx.fixed_now = START - timedelta(days=days)
        backup_schedule.backup_now(ctx, "manual")
    ctx.fixed_now = START


def test_purge_deletes_what_is_older_and_keeps_the_rest(sqlite_ctx) -> None:
    ctx = sqlite_ctx
    _backups_at(ctx, 40, 20, 5, 0)
    live = ctx.db.path
    aside = live.with_name(f"{live.stem}.before-restore-20260101T000000Z{live.suffix}")
    upgrade = live.with_name(f"{live.stem}.before-upgrade-0007-20260310T000000Z{live.suffix}")
    unrelated = live.with_name("notes.sqlite")
    for path in (aside, upgrade, unrelated):
        shutil.copyfile(backup_schedule.list_backups(ctx)[0].path, path)
    result = backup_schedule.purge_backups(ctx, 10)
    assert len(result.files) == 3 and aside.name in result.files
    assert not aside.exists() and upgrade.exists() and unrelated.exists()
    left = [(START - b.made_at).days for b in backup_schedule.list_backups(ctx)]
    assert left == [0, 5]
    with ctx.db.read() as session:
        row = session.scalars(select(AuditEntry).where(AuditEntry.action == "backup.purge")).one()
    assert json.loads(row.detail or "{}") == {"files": result.files, "older_than_days": 10}
    assert backup_schedule.purge_backups(ctx, 0).files  # 0: every one
    assert backup_schedule.list_backups(ctx) == [] and not upgrade.exists()


@pytest.mark.parametrize("days", [-1, 40_000])
def test_purge_refuses_a_nonsense_age(sqlite_ctx, days: int) -> None:
    with pytest.raises(Refused) as refused:
        backup_schedule.purge_backups(sqlite_ctx, days)
    assert refused.value.code == "backup.purge_days"


def test_purge_is_owner_work(sqlite_ctx) -> None:
    sqlite_ctx.staff_role = "cashier"
    with pytest.raises(Refused) as refused:
        backup_schedule.purge_backups(sqlite_ctx, 10)
    assert refused.value.code == "staff.owner_only"


def test_the_command_line_purges(sqlite_ctx, capsys, monkeypatch) -> None:
    _backups_at(sqlite_ctx, 30, 0)
    db = str(sqlite_ctx.db.path)
    sqlite_ctx.close()
    monkeypatch.setenv("DANGOL_NOW", START.isoformat())
    assert main(["--db", db, "backup", "purge"]) == 2
    assert "--older-than" in capsys.readouterr().err
    assert main(["--db", db, "backup", "purge", "--older-than", "10", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["older_than_days"] == 10 and len(out["files"]) == 1
    assert main(["--db", db, "backup", "purge", "--older-than", "10"]) == 0
    assert "10일보다 오래된 백업 0개를 지웠습니다." in capsys.readouterr().out
    assert main(["--db", db, "backup", str(sqlite_ctx.db.path.with_name("x.sqlite"))]) == 0
