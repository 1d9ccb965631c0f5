"""The back office's services: store profile, program history and templates, backups, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.db.models import AuditEntry, Store
from app.domain.errors import Refused
from app.domain.program import Program
from app.services import audit, backup_schedule, program, settings, staff, store
from app.services.customers import enroll
from tests.services.helpers import snapshot

VALID_BRN = "1234567891"  # 123-45-67891: the check digit of 123456789 is 1


def test_business_number_check_digit() -> None:
    assert store.business_number_ok(VALID_BRN)
    assert not store.business_number_ok("1234567890")
    assert store.parse_business_number(" 123-45-67891 ") == VALID_BRN
    assert store.parse_business_number("１２３-４５-６７８９１") == VALID_BRN
    assert store.format_business_number(VALID_BRN) == "123-45-67891"
    with pytest.raises(Refused) as wrong:
        store.parse_business_number("123-45-67890")
    assert wrong.value.code == "store.business_number_check"
    with pytest.raises(Refused) as short:
        store.parse_business_number("123-45-678")
    assert short.value.code == "store.business_number_format"


def test_store_profile_is_saved_and_audited(ctx) -> None:
    profile = store.StoreProfile("단골 카페 본점", "123-45-67891", "서울 마포구 1", "02-123-4567")
    saved = store.save_store(ctx, profile, slip_footer="또 오세요")
    assert saved.business_number == VALID_BRN
    assert store.store_profile(ctx) == store.StoreProfile(
        "단골 카페 본점", VALID_BRN, "서울 마포구 1", "02-123-4567"
    )
    assert settings.setting(ctx, "slip_footer") == "또 오세요"
    rows = audit.list_audit(ctx, audit.AuditFilter(action="store")).rows
    assert rows[0].detail == {"fields": ["address", "business_number", "name", "phone"]}


def test_a_bad_business_number_writes_nothing(ctx) -> None:
    before = snapshot(ctx)
    profile = store.StoreProfile("가게", "123-45-67890", "", "")
    with pytest.raises(Refused) as refused:
        store.save_store(ctx, profile, slip_footer="바뀌면 안 됨")
    assert refused.value.code == "store.business_number_check"
    assert snapshot(ctx) == before
    with ctx.db.read() as session:
        assert session.get(Store, ctx.store_id).name == "내 가게"


def test_consent_version_moves_only_when_the_wording_changes(ctx) -> None:
    profile = store.store_profile(ctx)
    same = settings.setting(ctx, "consent_program_text")
    store.save_store(ctx, profile, consent_program_text=same)
    assert settings.setting(ctx, "consent_version") == "1"
    store.save_store(ctx, profile, consent_program_text=same + " (개정)")
    assert settings.setting(ctx, "consent_version") == "2"


def test_a_cashier_cannot_change_the_store(ctx) -> None:
    cashier = staff.add_staff(ctx, "이알바", "cashier", "1234")
    staff.sign_in(ctx, cashier.id, "1234")
    with pytest.raises(Refused) as refused:
        store.save_store(ctx, store.StoreProfile("남의 가게", "", "", ""))
    assert refused.value.code == "staff.owner_only"


def test_program_history_names_who_changed_what(ctx) -> None:
    document = program.show_program(ctx)
    document["points"]["expiry_months"] = 24
    document["tiers"]["levels"][1]["earn_percent"] = 3.5
    program.load_program(ctx, document)
    newest, seed = program.program_history(ctx)
    assert newest.staff_name == "사장님"
    assert newest.changes == (
        ("points.expiry_months", 12, 24),
        ("tiers.levels[1].earn_percent", 3, 3.5),
    )
    assert seed.first and seed.changes == ()


@pytest.mark.parametrize("kind", program.PROGRAM_TEMPLATES)
def test_templates_are_valid_programs(kind: str) -> None:
    parsed = Program.from_json(program.program_template(kind))
    rates = [level.earn_percent for level in parsed.tiers.levels]
    if kind == "stamps":
        assert rates == [0] and parsed.stamps.goal == 10
    else:
        assert rates == [2, 3, 4, 5]


def test_audit_listing_filters_and_pages(ctx) -> None:
    cashier = staff.add_staff(ctx, "이알바", "cashier", "1234")
    for i in range(5):
        enroll(ctx, f"010-1234-000{i}")
    ctx.fixed_now = ctx.now() + timedelta(days=2)
    staff.sign_in(ctx, cashier.id, "1234")
    enroll(ctx, "010-9999-0000")
    everything = audit.list_audit(ctx, page_size=4)
    assert (everything.total, everything.pages, len(everything.rows)) == (8, 2, 4)
    assert everything.rows[0].staff_name == "이알바"
    second = audit.list_audit(ctx, page=1, page_size=4)
    assert {r.id for r in second.rows}.isdisjoint({r.id for r in everything.rows})
    by_cashier = audit.list_audit(ctx, audit.AuditFilter(staff_id=cashier.id))
    assert [r.action for r in by_cashier.rows] == ["customer.enroll"]
    staff_area = audit.list_audit(ctx, audit.AuditFilter(action="staff"))
    assert [r.action for r in staff_area.rows] == ["staff.sign_in", "staff.add"]
    assert [r.target_name for r in staff_area.rows] == ["이알바", "이알바"]
    early = audit.list_audit(ctx, audit.AuditFilter(end=ctx.now() - timedelta(days=1)))
    assert early.total == 6
    assert "customer.enroll" in audit.audit_actions(ctx)


def test_daily_backup_once_a_day_and_pruned(sqlite_ctx) -> None:
    ctx = sqlite_ctx
    settings.update_settings(ctx, backup_keep=3)
    enroll(ctx, "010-1234-5678")
    first = backup_schedule.daily_backup(ctx)
    assert first is not None and first.customers == 1
    assert backup_schedule.daily_backup(ctx) is None  # same day: nothing more
    for _ in range(4):
        ctx.fixed_now = ctx.now() + timedelta(days=1)
        assert backup_schedule.daily_backup(ctx) is not None
    listed = backup_schedule.list_backups(ctx)
    assert len(listed) == 3
    assert [b.made_at.day for b in listed] == [16, 15, 14]
    assert all(b.kind == "auto" and b.customers == 1 and b.bytes > 0 for b in listed)
    assert listed[0].path.parent == ctx.db.path.parent / "backups"
    with ctx.db.read() as session:
        pruned = session.scalars(select(AuditEntry).where(AuditEntry.action == "backup.prune"))
        assert len(list(pruned)) == 2


def test_other_files_in_the_folder_are_left_alone(sqlite_ctx, tmp_path) -> None:
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "notes.txt").write_text("사장님 메모")
    settings.update_settings(sqlite_ctx, backup_folder=str(folder), backup_keep=1)
    backup_schedule.backup_now(sqlite_ctx)
    sqlite_ctx.fixed_now = sqlite_ctx.now() + timedelta(minutes=1)
    backup_schedule.backup_now(sqlite_ctx)
    names = sorted(p.name for p in folder.iterdir() if not p.name.endswith(("-wal", "-shm")))
    assert names == ["dangol-20260312-140100-manual.sqlite", "notes.txt"]
    assert not any(p.name.startswith("dangol-20260312-140000") for p in folder.iterdir())


def test_restore_brings_back_the_old_state_and_settings(sqlite_ctx) -> None:
    ctx = sqlite_ctx
    made = backup_schedule.backup_now(ctx)
    enroll(ctx, "010-1234-5678")
    settings.update_settings(ctx, idle_minutes=30)
    backup_schedule.restore_backup(ctx, made.path)
    assert settings.setting(ctx, "idle_minutes") == 10
    assert snapshot(ctx)["customers"] == 0


def test_a_backup_cut_short_is_made_again(sqlite_ctx) -> None:
    made = backup_schedule.daily_backup(sqlite_ctx)
    assert made is not None
    with open(made.path, "r+b") as handle:
        handle.write(b"not a database any more")
    again = backup_schedule.daily_backup(sqlite_ctx)
    assert again is not None and len(backup_schedule.list_backups(sqlite_ctx)) == 1


def test_the_daily_backup_runs_in_the_background(sqlite_ctx) -> None:
    thread = backup_schedule.start_daily_backup(sqlite_ctx)
    assert thread is not None
    thread.join(timeout=30)
    assert [b.kind for b in backup_schedule.list_backups(sqlite_ctx)] == ["auto"]
