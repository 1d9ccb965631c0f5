"""CSV export and import, backups and restores."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from app.domain.errors import Refused
from app.services import backup, customers, sales, transfer
from app.services.customers import resolve_customer
from tests.services.helpers import snapshot

GOOD = """phone,name,birthday,marketing_consent,points,stamps
010-1111-2222,김하나,1990-01-02,y,1200,3
01033334444,,,n,,
"""


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


def test_export_then_import_elsewhere_round_trips(ctx, tmp_path: Path, monkeypatch) -> None:
    customers.enroll(ctx, "010-1234-5678", name="김민준", marketing_consent=True)
    sales.record_sale(ctx, resolve_customer(ctx, "010-1234-5678"), 60_000)
    out = tmp_path / "members.csv"
    assert transfer.export_customers(ctx, out) == 1
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0]["phone"] == "010-1234-5678"
    assert (rows[0]["name"], rows[0]["points"], rows[0]["stamps"]) == ("김민준", "1200", "1")

    from app.services.context import open_shop

    other = open_shop(str(tmp_path / "other.sqlite"), now=ctx.now())
    try:
        result = transfer.import_customers(other, out)
        assert (result.rows, result.imported, result.bad) == (1, 1, [])
        status = customers.customer_status(other, resolve_customer(other, "010-1234-5678"))
        assert (status.name, status.points, status.stamps, status.marketing_consent) == (
            "김민준",
            1200,
            1,
            True,
        )
    finally:
        other.close()


def test_import_all_good_rows(ctx, tmp_path: Path) -> None:
    result = transfer.import_customers(ctx, write(tmp_path / "a.csv", GOOD))
    assert result.imported == 2
    assert customers.customer_status(ctx, resolve_customer(ctx, "010-1111-2222")).points == 1200


def test_bad_rows_reported_by_line_and_nothing_imported(ctx, tmp_path: Path) -> None:
    customers.enroll(ctx, "010-5555-6666")
    text = GOOD + (
        "010-12,이름,,n,0,0\n"  # line 4: too short
        "010-5555-6666,,,n,0,0\n"  # line 5: already a member
        "010-1111-2222,,,n,0,0\n"  # line 6: same as line 2
        "010-7777-8888,,1990-02-30,n,0,0\n"  # line 7: no such day
        "010-7777-9999,,,maybe,0,0\n"  # line 8: consent not y/n
        "010-7777-0000,,,n,-5,0\n"  # line 9: negative points
    )
    path = write(tmp_path / "b.csv", text)
    before = snapshot(ctx)
    result = transfer.import_customers(ctx, path)
    assert [(b.line, b.code) for b in result.bad] == [
        (4, "phone.too_short"),
        (5, "customer.exists"),
        (6, "import.duplicate"),
        (7, "date.not_exist"),
        (8, "import.consent_invalid"),
        (9, "import.count_invalid"),
    ]
    assert result.imported == 0
    assert snapshot(ctx) == before
    dry = transfer.import_customers(ctx, path, dry_run=True)
    assert dry.imported == 0 and len(dry.bad) == 6
    assert snapshot(ctx) == before
    partial = transfer.import_customers(ctx, path, skip_bad=True)
    assert partial.imported == 2
    assert len(customers.find_customers(ctx, "2222")) == 1


def test_cp949_file_with_korean_names(ctx, tmp_path: Path) -> None:
    path = tmp_path / "paper.csv"
    path.write_bytes("phone,name\n010-2468-1357,홍길동\n".encode("cp949"))
    assert transfer.import_customers(ctx, path).imported == 1
    assert customers.customer_status(ctx, resolve_customer(ctx, "010-2468-1357")).name == "홍길동"


def test_old_01x_numbers_can_be_imported_and_found_by_last4(ctx, tmp_path: Path) -> None:
    path = write(tmp_path / "old.csv", "phone,name\n011-234-5678,박옛날\n")
    assert transfer.import_customers(ctx, path).imported == 1
    assert [c.name for c in customers.find_customers(ctx, "5678")] == ["박옛날"]


def test_a_file_without_phone_column_is_refused(ctx, tmp_path: Path) -> None:
    with pytest.raises(Refused) as refused:
        transfer.import_customers(ctx, write(tmp_path / "c.csv", "name\n김\n"))
    assert refused.value.code == "import.no_phone_column"


def test_backup_verified_and_restore_keeps_the_state_before(sqlite_ctx, tmp_path: Path) -> None:
    ctx = sqlite_ctx
    customers.enroll(ctx, "010-1234-5678")
    sales.record_sale(ctx, resolve_customer(ctx, "010-1234-5678"), 10_000)
    copy = tmp_path / "backups" / "monday.sqlite"
    made = backup.backup(ctx, copy)
    assert (made.customers, made.ledger_entries) == (1, 1)
    with pytest.raises(Refused) as refused:
        backup.backup(ctx, copy)
    assert refused.value.code == "backup.exists"

    sales.record_sale(ctx, resolve_customer(ctx, "010-1234-5678"), 40_000)
    assert customers.customer_status(ctx, resolve_customer(ctx, "010-1234-5678")).points == 1000
    restored = backup.restore(ctx, copy)
    assert customers.customer_status(ctx, resolve_customer(ctx, "010-1234-5678")).points == 200
    aside = Path(restored.previous_copy or "")
    assert aside.is_file()
    assert backup.verify_backup(aside) == (1, 2)


def test_a_damaged_backup_is_refused_and_nothing_changes(sqlite_ctx, tmp_path: Path) -> None:
    ctx = sqlite_ctx
    customers.enroll(ctx, "010-1234-5678")
    good = tmp_path / "good.sqlite"
    backup.backup(ctx, good)
    damaged = tmp_path / "damaged.sqlite"
    data = bytearray(good.read_bytes())
    data[4096:8192] = b"\xff" * 4096  # trash the second page
    damaged.write_bytes(bytes(data))
    not_db = write(tmp_path / "notes.sqlite", "hello")
    before = snapshot(ctx)
    for path, code in [
        (damaged, "backup.damaged"),
        (not_db, "backup.not_database"),
        (tmp_path / "missing.sqlite", "backup.missing"),
    ]:
        with pytest.raises(Refused) as refused:
            backup.restore(ctx, path)
        assert refused.value.code == code
    assert snapshot(ctx) == before


@pytest.mark.postgres
def test_backup_needs_sqlite(pg_url: str, tmp_path: Path) -> None:
    from app.services.context import open_shop

    ctx = open_shop(pg_url)
    try:
        with pytest.raises(Refused) as refused:
            backup.backup(ctx, tmp_path / "x.sqlite")
        assert refused.value.code == "backup.sqlite_only"
    finally:
        ctx.close()
