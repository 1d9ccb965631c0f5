"""Every CSV the app writes is safe to open; the customer export reads back exactly."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from app.domain.csv_safe import FORMULA_START
from app.services import analytics, customers, sales, transfer, winback
from app.services.context import open_shop
from app.services.customers import resolve_customer
from tests.services.test_analytics import JAN, MAR, _history

EVIL = "=cmd|' /C calc'!A"  # a name a spreadsheet would run (no digits: clean_name keeps it)


def _cells(path: Path) -> list[list[str]]:
    return list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))


def _no_formula(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_START), (cell, row)


def test_customer_export_neutralises_and_import_restores(ctx, tmp_path: Path) -> None:
    customers.enroll(ctx, "010-1234-5678", name=EVIL, marketing_consent=True)
    customers.enroll(ctx, "010-2222-3333", name="'=twice")
    sales.record_sale(ctx, resolve_customer(ctx, "010-1234-5678"), 60_000)
    out = tmp_path / "members.csv"
    assert transfer.export_customers(ctx, out) == 2
    rows = _cells(out)
    _no_formula(rows)
    names = {r[1] for r in rows[1:]}
    assert names == {"'" + EVIL, "''=twice"}
    other = open_shop(str(tmp_path / "other.sqlite"), now=ctx.now())
    try:
        result = transfer.import_customers(other, out)
        assert (result.imported, result.bad) == (2, [])
        first = customers.customer_status(other, resolve_customer(other, "010-1234-5678"))
        second = customers.customer_status(other, resolve_customer(other, "010-2222-3333"))
        assert (first.name, first.points) == (EVIL, 1200)
        assert second.name == "'=twice"
    finally:
        other.close()


def test_sms_list_is_neutralised(ctx, tmp_path: Path) -> None:
    ctx.fixed_now = JAN
    customers.enroll(ctx, "010-9999-8888", name="-cmd|calc", marketing_consent=True)
    sales.record_sale(ctx, resolve_customer(ctx, "010-9999-8888"), 10_000)
    ctx.fixed_now = MAR
    out = tmp_path / "sms.csv"
    winback.export_sms_list(ctx, 14, out)
    rows = _cells(out)
    assert [r[1] for r in rows[1:]] == ["'-cmd|calc"]
    _no_formula(rows)


def test_every_csv_row_the_app_writes_goes_through_safe_row() -> None:
    app = Path(__file__).resolve().parents[2] / "app"
    writers = [
        (source.name, call.group(1))
        for source in app.rglob("*.py")
        for call in re.finditer(r"\.writerows?\(\s*(\w+)", source.read_text(encoding="utf-8"))
    ]
    assert len(writers) >= 4  # customers (header, rows), SMS list, report
    assert all(first == "safe_row" for _, first in writers), writers


def test_report_csv_has_no_formula_cell(ctx, tmp_path: Path) -> None:
    _history(ctx)
    out = tmp_path / "report.csv"
    analytics.export_report_csv(ctx, "2026-01", "2026-03", out)
    _no_formula(_cells(out))


@pytest.mark.parametrize("points", ["١٠٠٠", "²", "1²"])
def test_points_in_other_digits_are_a_bad_row_not_a_crash(ctx, tmp_path: Path, points) -> None:
    path = tmp_path / "odd.csv"
    path.write_text(f"phone,name,points\n010-1111-2222,김하나,{points}\n", encoding="utf-8")
    result = transfer.import_customers(ctx, path)
    assert [(b.line, b.code) for b in result.bad] == [(2, "import.count_invalid")]
    assert result.imported == 0


def test_full_width_points_are_read(ctx, tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text("phone,name,points\n010-1111-2222,김하나,１，２００\n", encoding="utf-8")
    assert transfer.import_customers(ctx, path).imported == 1
    assert customers.customer_status(ctx, resolve_customer(ctx, "010-1111-2222")).points == 1200


def test_a_name_and_a_reason_are_stored_without_bidi_or_zero_width_marks(ctx) -> None:
    from app.services import owner

    member = customers.enroll(ctx, "010-4444-5555", name="\u202e김\u200b민준\u2066")
    assert customers.customer_status(ctx, member.id).name == "김민준"
    owner.adjust_points(ctx, member.id, 100, "\u202e보상\ufeff 지급")
    lines = owner.ledger_lines_of(ctx, member.id)
    assert lines[-1].reason == "보상 지급", lines
