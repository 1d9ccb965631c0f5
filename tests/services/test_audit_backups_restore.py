"""The back office's audit check holds the chain against the newest backup in the backup folder,
and a legitimate restore (its entry names the history it replaced) does not look like a cut."""

from __future__ import annotations

from sqlalchemy import delete

from app.db.models import AuditEntry, Setting
from app.services import backup_schedule, customers
from app.services.audit import check_audit, verify_audit_chain
from tests.services.test_audit_chain_integrity import PHONES, _in_chain_order


def test_the_newest_backup_in_the_folder_shows_a_cut_with_a_forged_count(sqlite_ctx) -> None:
    ctx = sqlite_ctx
    for phone in PHONES[:3]:
        customers.enroll(ctx, phone)
    backup_schedule.backup_now(ctx, "manual")
    _first, *rest = _in_chain_order(ctx)
    with ctx.db.write() as session:
        session.execute(delete(AuditEntry).where(AuditEntry.id.in_([e.id for e in rest])))
        session.execute(delete(Setting).where(Setting.key.startswith("audit.")))
    assert verify_audit_chain(ctx).intact  # the table and the settings alone cannot tell
    check = check_audit(ctx)
    assert (check.intact, check.truncated) == (False, True)


def test_a_restore_of_an_older_backup_is_not_a_cut(sqlite_ctx) -> None:
    ctx = sqlite_ctx
    customers.enroll(ctx, PHONES[0])
    older = backup_schedule.backup_now(ctx, "manual")
    for phone in PHONES[1:4]:
        customers.enroll(ctx, phone)
    ctx.fixed_now = ctx.now().replace(second=ctx.now().second + 1)
    backup_schedule.backup_now(ctx, "manual")  # the newest backup: a longer history
    backup_schedule.restore_backup(ctx, older.path)
    check = check_audit(ctx)
    assert check.intact, check
    # the later backups made from here on hold the new history; a cut after it still shows
    ctx.fixed_now = ctx.now().replace(second=ctx.now().second + 1)
    customers.enroll(ctx, PHONES[1])
    backup_schedule.backup_now(ctx, "manual")
    assert check_audit(ctx).intact
    newest = _in_chain_order(ctx)[-1]
    with ctx.db.write() as session:
        session.execute(delete(AuditEntry).where(AuditEntry.id == newest.id))
    check = check_audit(ctx)
    assert (check.intact, check.truncated) == (False, True)
