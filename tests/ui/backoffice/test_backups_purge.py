"""The backups page's purge: backups older than the days chosen go, after a question."""

from __future__ import annotations

from datetime import timedelta

from app.services import backup_schedule
from app.services.customers import enroll
from tests.ui.backoffice.confirm_help import answer
from tests.ui.backoffice.test_pages_a import _open
from tests.ui.conftest import settle

PURGE = ("오래된 백업 삭제", "닫기")


def test_old_backups_are_purged_from_the_page(window, qtbot, shot) -> None:
    ctx = window.ctx
    enroll(ctx, "010-1234-5678")
    now = ctx.now()
    for days in (40, 20, 0):
        ctx.fixed_now = now - timedelta(days=days)
        backup_schedule.backup_now(ctx, "manual")
    ctx.fixed_now = now
    page = _open(window, qtbot, "page.backups")
    assert page.table.rowCount() == 3
    page.purge_days.setValue(10)
    page.purge_button.click()
    asked = answer(qtbot, page.dialogs, "purgeConfirm", accept=False, buttons=PURGE)
    assert "10일보다 오래된" in asked
    settle(qtbot, window)
    assert len(backup_schedule.list_backups(ctx)) == 3  # said no: nothing deleted
    page.purge_button.click()
    answer(qtbot, page.dialogs, "purgeConfirm", accept=True, buttons=PURGE)
    settle(qtbot, window)
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=5000)
    assert "백업 2개를 지웠습니다" in page.message.text()
    shot(window.backoffice, "backoffice_backups_purged")
