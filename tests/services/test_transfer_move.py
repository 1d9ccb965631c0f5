"""Moving a shop: export from one database, import into a new one, and nothing is lost."""

from __future__ import annotations

import csv
import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.db.models import AuditEntry, Customer, MembershipCard
from app.domain.errors import Refused
from app.i18n import explain
from app.services import cards, customers, sales, transfer
from app.services.context import Context, open_shop
from app.services.customer_admin import unspent_lots
from app.services.customers import resolve_customer
from app.services.ledger import balances
from tests.conftest import START
from tests.services.helpers import ledger_sum, snapshot

A, B, C = "010-1111-2222", "010-3333-4444", "010-5555-6666"


def _member(ctx: Context, phone: str) -> Customer:
    with ctx.db.read() as session:
        return session.scalars(
            select(Customer).where(Customer.phone == phone.replace("-", ""))
        ).one()


def _tokens(ctx: Context, phone: str) -> set[str]:
    customer = _member(ctx, phone)
    with ctx.db.read() as session:
        return set(
            session.scalars(
                select(MembershipCard.token).where(
                    MembershipCard.customer_id == customer.id, MembershipCard.status == "active"
                )
            )
        )


def _lots(ctx: Context, phone: str) -> list:
    with ctx.db.read() as session:
        return unspent_lots(session, _member(ctx, phone).id)


def _shop_with_history(path: Path) -> Context:
    """A shop a year old: lots earned 11 months, 4 months and 1 day ago, stamps, tiers, cards."""
    src = open_shop(str(path), now=START - timedelta(days=335))
    src.settings["consent_version"] = "2"
    customers.enroll(src, A, name="김하나", birthday="1990-01-02", marketing_consent=True)
    sales.record_sale(src, resolve_customer(src, A), 50_000)
    src.settings["consent_version"] = "3"
    blank = cards.create_blank_cards(src, 1)[0]
    customers.enroll(src, B, name="이둘", card_token=blank)
    src.fixed_now = START - timedelta(days=120)
    sales.record_sale(src, resolve_customer(src, A), 30_000)
    sales.record_sale(src, resolve_customer(src, B), 20_000)
    src.fixed_now = START - timedelta(days=1)
    customers.enroll(src, C, birthday="1985-12-31")
    sales.record_sale(src, resolve_customer(src, C), 4_000_000)  # crosses every threshold
    sales.record_sale(src, resolve_customer(src, A), 10_000)
    src.fixed_now = START
    # a second card on A (as a merge leaves behind): both must keep working
    with src.db.write() as session:
        second = cards._unused_token(session)
        session.add(MembershipCard(token=second, customer_id=_member(src, A).id, issued_at=START))
    return src


def test_a_moved_shop_keeps_cards_consents_birthdays_tiers_and_lots(ctx, tmp_path: Path) -> None:
    src = _shop_with_history(tmp_path / "old.sqlite")
    try:
        out = tmp_path / "members.csv"
        assert transfer.export_customers(src, out) == 3
        header = next(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
        assert header[: len(transfer.EXPORT_COLUMNS_V1)] == transfer.EXPORT_COLUMNS_V1

        result = transfer.import_customers(ctx, out)
        assert (result.rows, result.imported, result.bad) == (3, 3, [])
        assert result.ignored_columns == []
        for phone in (A, B, C):
            old, new = _member(src, phone), _member(ctx, phone)
            assert _tokens(ctx, phone) == _tokens(src, phone) != set()
            for token in _tokens(src, phone):
                assert resolve_customer(ctx, token) == new.id  # the physical card still works
            for attr in (
                "name",
                "birthday",
                "tier_code",
                "program_consent_at",
                "marketing_consent_at",
                "consent_wording_version",
                "program_consent_source",
                "marketing_consent_source",
                "enrolled_at",
            ):
                assert getattr(new, attr) == getattr(old, attr), (phone, attr)
            assert _lots(ctx, phone) == _lots(src, phone)
            # the same balances at any moment to come: each lot expires when it did before
            for days in (0, 29, 31, 60, 230, 240, 400):
                at = START + timedelta(days=days)
                with src.db.read() as s1, ctx.db.read() as s2:
                    assert balances(s2, new.id, at) == balances(s1, old.id, at), (phone, days)
            # the books reconcile: the balance is the sum of the entries
            status = customers.customer_status(ctx, new.id)
            assert ledger_sum(ctx, new.id) == (status.points, status.stamps)
            assert ledger_sum(ctx, new.id) == ledger_sum(src, old.id)
        assert _member(ctx, C).tier_code != _member(ctx, B).tier_code
        assert len(_lots(ctx, A)) == 3
        assert _member(ctx, A).marketing_consent_at == START - timedelta(days=335)
        assert _member(ctx, A).consent_wording_version == "2"
        # given at the counter in the old shop: still "counter", not "import"
        assert _member(ctx, A).program_consent_source == "counter"
        assert _member(ctx, A).marketing_consent_source == "counter"
        assert _member(ctx, B).marketing_consent_source is None  # no marketing consent
        # points earned 11 months ago expire next month, not a year after the import
        a = _member(ctx, A).id
        with ctx.db.read() as session:
            assert (
                balances(session, a, START + timedelta(days=40)).points
                < balances(session, a, START).points
            )
    finally:
        src.close()


def test_a_card_that_belongs_to_someone_else_is_a_refused_row(ctx, tmp_path: Path) -> None:
    src = _shop_with_history(tmp_path / "old.sqlite")
    try:
        out = tmp_path / "members.csv"
        transfer.export_customers(src, out)
        taken = sorted(_tokens(src, B))[0]
    finally:
        src.close()
    with ctx.db.write() as session:
        session.add(MembershipCard(token=taken, issued_at=START))
    customers.enroll(ctx, "010-9999-8888", card_token=taken)
    before = snapshot(ctx)
    result = transfer.import_customers(ctx, out)
    assert [(b.line, b.code) for b in result.bad] == [(3, "import.card_taken")]
    assert result.imported == 0 and snapshot(ctx) == before
    for lang, words in (("ko", "다른 회원"), ("en", "another member")):
        assert words in explain(Refused(result.bad[0].code, **result.bad[0].params), lang)
    partial = transfer.import_customers(ctx, out, skip_bad=True)
    assert partial.imported == 2
    assert resolve_customer(ctx, taken) == _member(ctx, "010-9999-8888").id


def test_a_blank_card_of_the_target_becomes_the_members_card(ctx, tmp_path: Path) -> None:
    token = cards.create_blank_cards(ctx, 1)[0]
    path = tmp_path / "m.csv"
    path.write_text(f"phone,card\n{A},{token}\n", encoding="utf-8")
    assert transfer.import_customers(ctx, path).imported == 1
    assert resolve_customer(ctx, token) == _member(ctx, A).id


@pytest.mark.parametrize(
    ("cells", "code"),
    [
        ("card=1234", "import.card_invalid"),
        ("point_lots=10@tomorrow", "import.lots_invalid"),
        ("point_lots=-5@never", "import.lots_invalid"),
        ("points=100;point_lots=50@never", "import.lots_mismatch"),
        ("tier=DIAMOND", "import.tier_unknown"),
        ("program_consent_at=yesterday", "import.moment_invalid"),
    ],
)
def test_bad_new_columns_are_refused_rows(ctx, tmp_path: Path, cells: str, code: str) -> None:
    values = dict(cell.split("=", 1) for cell in cells.split(";"))
    path = tmp_path / "m.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["phone", *values])
        writer.writerow([A, *values.values()])
    before = snapshot(ctx)
    result = transfer.import_customers(ctx, path)
    assert [b.code for b in result.bad] == [code]
    assert snapshot(ctx) == before


def test_two_rows_with_one_card_are_refused(ctx, tmp_path: Path) -> None:
    token = cards.create_blank_cards(ctx, 1)[0]
    path = tmp_path / "m.csv"
    path.write_text(f"phone,cards\n{A},{token}\n{B},{token}\n", encoding="utf-8")
    result = transfer.import_customers(ctx, path)
    assert [(b.line, b.code) for b in result.bad] == [(3, "import.card_twice")]


def test_an_import_writes_in_batches_and_a_rerun_adds_nothing(ctx, tmp_path: Path) -> None:
    n = transfer.BATCH_ROWS * 2 + 7
    path = tmp_path / "many.csv"
    lines = ["phone,points"] + [f"010-2{i:03d}-{i % 10_000:04d},{i}" for i in range(n)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    first = transfer.import_customers(ctx, path)
    assert (first.imported, first.already_imported, first.bad) == (n, 0, [])
    with ctx.db.read() as session:
        batches = session.scalars(
            select(AuditEntry.detail).where(AuditEntry.action == "customers.import.batch")
        ).all()
    # each batch its own transaction of at most BATCH_ROWS rows, recorded with its lines
    lines = [json.loads(detail or "{}")["lines"] for detail in batches]
    assert len(batches) >= 3 and max(len(chunk) for chunk in lines) <= transfer.BATCH_ROWS
    assert sorted(n for chunk in lines for n in chunk) == list(range(2, n + 2))
    before = snapshot(ctx)
    again = transfer.import_customers(ctx, path)
    assert (again.imported, again.already_imported, again.bad) == (0, n, [])
    assert {k: v for k, v in snapshot(ctx).items() if k != "audit_log"} == {
        k: v for k, v in before.items() if k != "audit_log"
    }


def test_a_write_that_fails_midway_says_what_was_imported_and_a_rerun_finishes(
    ctx, tmp_path: Path
) -> None:
    n = transfer.BATCH_ROWS + 10
    path = tmp_path / "many.csv"
    lines = ["phone,points"] + [f"010-3{i:03d}-{i:04d},{i + 1}" for i in range(n)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # checked first, then someone enrolls the last row's number at the counter before it is written
    late = f"010-3{n - 1:03d}-{n - 1:04d}"
    checked = transfer.import_customers(ctx, path, dry_run=True)
    assert checked.bad == []

    seen: list[int] = []

    def enroll_meanwhile(done: int) -> None:
        if not seen:
            customers.enroll(ctx, late)
        seen.append(done)

    with pytest.raises(Refused) as refused:
        transfer.import_customers(ctx, path, progress=enroll_meanwhile)
    assert seen and seen[-1] < n
    assert refused.value.code == "import.partial"
    assert refused.value.params["imported"] == seen[-1]
    assert refused.value.params["rows"] == n
    assert "다시" in refused.value.message("ko") and "again" in refused.value.message("en")
    with ctx.db.read() as session:
        assert session.scalar(select(Customer.id).where(Customer.phone == "01030000000"))
    rerun = transfer.import_customers(ctx, path, skip_bad=True)
    assert rerun.already_imported == seen[-1]
    assert rerun.imported == n - seen[-1] - 1
    assert [b.code for b in rerun.bad] == ["customer.exists"]


def test_consent_sources_are_stored_exported_and_kept_by_an_import(ctx, tmp_path: Path) -> None:
    from app.services.customer_admin import ProfileChange, update_profile

    customers.enroll(ctx, A, marketing_consent=True)  # the window's enroll: the counter
    customers.enroll(ctx, B, consent_source="cli")
    update_profile(ctx, resolve_customer(ctx, B), ProfileChange(marketing_consent=True))
    assert (_member(ctx, A).program_consent_source, _member(ctx, A).marketing_consent_source) == (
        "counter",
        "counter",
    )
    assert (_member(ctx, B).program_consent_source, _member(ctx, B).marketing_consent_source) == (
        "cli",
        "back_office",
    )
    out = tmp_path / "members.csv"
    transfer.export_customers(ctx, out)
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    header = next(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert header[-2:] == ["program_consent_source", "marketing_consent_source"]
    assert {(r["program_consent_source"], r["marketing_consent_source"]) for r in rows} == {
        ("counter", "counter"),
        ("cli", "back_office"),
    }
    target = open_shop(str(tmp_path / "new.sqlite"))
    try:
        assert transfer.import_customers(target, out).imported == 2
        assert _member(target, B).program_consent_source == "cli"
        assert _member(target, B).marketing_consent_source == "back_office"
        # a file of another system has no sources: the consents came by import
        other = tmp_path / "other.csv"
        other.write_text(f"phone,marketing_consent\n{C},y\n", encoding="utf-8")
        assert transfer.import_customers(target, other).imported == 1
        assert _member(target, C).program_consent_source == "import"
        assert _member(target, C).marketing_consent_source == "import"
        bad = tmp_path / "bad.csv"
        bad.write_text("phone,program_consent_source\n010-7777-8888,kiosk\n", encoding="utf-8")
        result = transfer.import_customers(target, bad)
        assert [(b.line, b.code) for b in result.bad] == [(2, "import.consent_source_invalid")]
        assert "kiosk" in explain(Refused(result.bad[0].code, **result.bad[0].params), "ko")
    finally:
        target.close()
