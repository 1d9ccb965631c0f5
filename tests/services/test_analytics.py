"""Reports, win-back and the mapped import against a small hand-made history (exact numbers)."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from app.db.models import AuditEntry, Coupon, Customer
from app.domain.errors import Refused
from app.domain.program import DEFAULT_PROGRAM
from app.services import analytics, customers, program, sales, transfer, winback
from app.services.customers import resolve_customer
from tests.services.helpers import snapshot

A, B, C = "010-1000-0001", "010-1000-0002", "010-1000-0003"
JAN = datetime(2026, 1, 10, 3, 0, tzinfo=UTC)  # 12:00 KST
FEB = datetime(2026, 2, 20, 3, 0, tzinfo=UTC)
MAR = datetime(2026, 3, 12, 5, 0, tzinfo=UTC)  # the fixture's "now"


def _history(ctx) -> None:
    """Jan: A and B join and buy; Feb: C joins, A and C buy; Mar: only A buys (a campaign)."""
    document = DEFAULT_PROGRAM.to_json()
    document["campaigns"] = [
        {
            "name": "3월 더블",
            "multiplier": 2,
            "bonus": 0,
            "start": "2026-03-01",
            "end": "2026-03-31",
        }
    ]
    ctx.fixed_now = JAN
    customers.enroll(ctx, A, name="김민준", marketing_consent=True)
    customers.enroll(ctx, B, name="이서연")
    sales.record_sale(ctx, resolve_customer(ctx, A), 10_000)
    sales.record_sale(ctx, resolve_customer(ctx, B), 20_000)
    ctx.fixed_now = FEB
    customers.enroll(ctx, C, name="박지호", marketing_consent=True)
    sales.record_sale(ctx, resolve_customer(ctx, A), 30_000)
    sales.record_sale(ctx, resolve_customer(ctx, C), 5_000)
    ctx.fixed_now = MAR
    program.load_program(ctx, document)
    sales.record_sale(ctx, resolve_customer(ctx, A), 10_000)


def test_the_dashboard_adds_up_the_months(ctx) -> None:
    _history(ctx)
    board = analytics.dashboard(ctx, "2026-01", "2026-03")
    assert [m.new_members for m in board.months] == [2, 1, 0]
    assert [m.active_members for m in board.months] == [2, 2, 1]
    assert [m.visits for m in board.months] == [2, 2, 1]
    assert [m.sales_amount for m in board.months] == [30_000, 35_000, 10_000]
    assert (board.members, board.new_members, board.visits) == (3, 3, 5)
    assert board.sales_amount == 75_000
    assert board.average_spend == 15_000
    assert board.visits_per_active == Decimal("1.00")
    assert board.monthly_value == 15_000
    # 2 % of 65,000 before March, then 2 x 2 % of 10,000 in the campaign
    assert board.points_issued == 1_300 + 400
    assert board.liability_won == 1_700
    assert board.redemption_rate == Decimal(0)
    assert board.tier_counts["BASIC"] == 3


def test_cohorts_churn_and_lifetime_value(ctx) -> None:
    _history(ctx)
    table = analytics.cohort_retention(ctx, "2026-01", "2026-03")
    jan, feb, mar = table.cohorts
    assert (jan.month, jan.size, jan.active) == ("2026-01", 2, [2, 1, 1])
    assert (feb.size, feb.active) == (1, [1, 0])
    assert (mar.size, mar.active) == (0, [0])
    assert jan.retention(1) == Decimal("0.5")
    # Jan {A,B} -> Feb keeps A; Feb {A,C} -> Mar keeps A: 2 of 4 stay, churn 50 %
    assert table.monthly_churn == Decimal("0.5")
    assert table.lifetime_months == Decimal("2.0")
    assert table.lifetime_value == 30_000


def test_top_customers_are_masked_and_ranked(ctx) -> None:
    _history(ctx)
    top = analytics.top_customers(ctx, "2026-01", "2026-03")
    assert [(c.name, c.phone, c.spend, c.visits) for c in top] == [
        ("김*준", "010-****-0001", 50_000, 3),
        ("이*연", "010-****-0002", 20_000, 1),
        ("박*호", "010-****-0003", 5_000, 1),
    ]
    assert analytics.top_customers(ctx, "2026-03", "2026-03")[0].spend == 10_000


def test_a_campaign_against_the_same_weekdays_before(ctx) -> None:
    _history(ctx)
    (result,) = analytics.campaign_results(ctx)
    # running 1–12 March (12 days): compared with 12 days two weeks earlier, 15–26 Feb
    assert (str(result.start), str(result.end)) == ("2026-03-01", "2026-03-12")
    assert (str(result.before_start), str(result.before_end)) == ("2026-02-15", "2026-02-26")
    assert result.during == analytics.Figures(sales=10_000, visits=1, points=400)
    assert result.before == analytics.Figures(sales=35_000, visits=2, points=700)
    assert result.change("visits") == Decimal("-0.5")


def test_report_csv_export_is_audited(ctx, tmp_path: Path) -> None:
    _history(ctx)
    out = tmp_path / "report.csv"
    assert analytics.export_report_csv(ctx, "2026-01", "2026-03", out) == 3
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert [r["month"] for r in rows] == ["2026-01", "2026-02", "2026-03"]
    assert rows[1]["sales_amount"] == "35000" and rows[1]["average_spend"] == "17500"
    assert rows[2]["points_outstanding_won"] == "1700"
    with ctx.db.read() as session:
        actions = list(session.scalars(select(AuditEntry.action)))
    assert "report.export_csv" in actions


def test_a_bad_period_is_refused(ctx) -> None:
    with pytest.raises(Refused) as caught:
        analytics.dashboard(ctx, "2026-05", "2026-01")
    assert caught.value.code == "report.range_order"


# --- win-back ---------------------------------------------------------------------------


def _withdraw(ctx, phone: str) -> None:
    with ctx.db.write() as session:
        customer = session.scalars(select(Customer).where(Customer.phone == phone)).one()
        customer.status = "withdrawn"


def test_dormant_members_with_what_they_spent(ctx) -> None:
    _history(ctx)
    found = winback.dormant_members(ctx, 14)  # A came in March: not dormant
    assert [(m.name, m.total_spend, m.visits, str(m.last_visit)) for m in found.members] == [
        ("이*연", 20_000, 1, "2026-01-10"),
        ("박*호", 5_000, 1, "2026-02-20"),
    ]
    assert found.members[0].average_spend == 20_000
    assert [m.marketing for m in found.members] == [False, True]
    assert winback.dormant_members(ctx, 60).members[0].phone == "010-****-0002"
    assert [m.phone for m in winback.dormant_members(ctx, 40).members] == ["010-****-0002"]


def test_one_coupon_each_in_one_step(ctx) -> None:
    _history(ctx)
    assert winback.issue_winback_coupons(ctx, 14, "amount", 3_000, 14).issued == 2
    with ctx.db.read() as session:
        coupons = list(session.scalars(select(Coupon)))
        audits = list(session.scalars(select(AuditEntry).where(AuditEntry.action.like("winback%"))))
    assert len(coupons) == 2 and {c.source for c in coupons} == {"winback"}
    assert {c.value for c in coupons} == {3_000}
    assert len(audits) == 1 and '"coupons": 2' in (audits[0].detail or "")
    assert analytics.dashboard(ctx, "2026-03", "2026-03").months[0].coupons_issued == 2


def test_bad_coupon_or_days_write_nothing(ctx) -> None:
    _history(ctx)
    before = snapshot(ctx)
    for args, code in (
        ((30, "amount", 0, 14), "coupon.value"),
        ((3, "amount", 1000, 14), "winback.days"),
        ((30, "percent", 300, 14), "coupon.percent_range"),
        ((3000, "amount", 1000, 14), "winback.nobody"),
    ):
        with pytest.raises(Refused) as caught:
            winback.issue_winback_coupons(ctx, *args)
        assert caught.value.code == code
    assert snapshot(ctx) == before


def test_the_sms_file_holds_only_opted_in_members(ctx, tmp_path: Path) -> None:
    _history(ctx)
    customers.enroll(ctx, "010-1000-0004", name="최우진", marketing_consent=True)
    sales.record_sale(ctx, resolve_customer(ctx, "010-1000-0004"), 8_000)
    ctx.fixed_now = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)
    _withdraw(ctx, "01010000004")
    out = tmp_path / winback.sms_file_name(ctx)
    result = winback.export_sms_list(ctx, 30, out)
    assert out.name == "winback_sms_20260601.csv"
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines == ["phone,name", "01010000001,김민준", "01010000003,박지호"]
    assert (result.written, result.no_consent, result.withdrawn) == (2, 1, 1)
    with ctx.db.read() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "winback.export")
        ).one()
    assert '"rows": 2' in (entry.detail or "")


def test_a_consent_older_than_the_renewal_period_does_not_count(ctx, tmp_path: Path) -> None:
    _history(ctx)
    ctx.fixed_now = datetime(2028, 6, 1, 3, 0, tzinfo=UTC)  # consents are 2+ years old
    result = winback.export_sms_list(ctx, 30, tmp_path / "sms.csv")
    assert (result.written, result.no_consent) == (0, 3)


# --- the mapped import ------------------------------------------------------------------

PAPER = "전화번호,고객명,도장,메모\n010-2222-0001,홍길동,7,단골\n010-2222-0002,,3,\n"


def test_a_paper_card_file_in_cp949_is_mapped_and_imported(ctx, tmp_path: Path) -> None:
    path = tmp_path / "cards.csv"
    path.write_bytes(PAPER.encode("cp949"))
    preview = transfer.preview_file(path)
    assert preview.encoding == "cp949"
    assert preview.guess == {"phone": "전화번호", "name": "고객명", "stamps": "도장"}
    assert preview.rows[0] == ["010-2222-0001", "홍길동", "7", "단골"]
    result = transfer.import_customers(ctx, path, mapping=preview.guess)
    assert (result.imported, result.bad, result.ignored_columns) == (2, [], ["메모"])
    assert customers.customer_status(ctx, resolve_customer(ctx, "010-2222-0001")).stamps == 7


def test_a_mapping_must_name_the_phone_column_once(tmp_path: Path, ctx) -> None:
    path = tmp_path / "cards.csv"
    path.write_text(PAPER, encoding="utf-8")
    before = snapshot(ctx)
    for mapping, code in (
        ({"name": "고객명"}, "import.mapping_no_phone"),
        ({"phone": "전화", "name": "고객명"}, "import.mapping_unknown_column"),
        ({"phone": "전화번호", "name": "전화번호"}, "import.mapping_twice"),
    ):
        with pytest.raises(Refused) as caught:
            transfer.import_customers(ctx, path, mapping=mapping)
        assert caught.value.code == code
    assert snapshot(ctx) == before


def test_report_csv_has_the_nps_by_month_with_its_answers(ctx, tmp_path: Path) -> None:
    from tests.printing.test_report_pdf import rated_months

    rated_months(ctx)
    out = tmp_path / "report.csv"
    analytics.export_report_csv(ctx, "2026-01", "2026-03", out)
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    nps = [
        (r["nps_answers"], r["nps_promoters"], r["nps_detractors"], r["nps"], r["nps_few_answers"])
        for r in rows
    ]
    assert nps == [
        ("2", "1", "1", "0", "1"),
        ("30", "20", "5", "50", "0"),
        ("0", "0", "0", "", "1"),
    ]
    assert [r["nps_note"] for r in rows] == ["응답 30건 미만: 참고만", "", "응답 없음"]
    assert rows[0]["month"] == "2026-01" and list(rows[0])[:2] == ["month", "members"]
    english = tmp_path / "report-en.csv"
    analytics.export_report_csv(ctx, "2026-01", "2026-03", english, language="en")
    rows = list(csv.DictReader(english.read_text(encoding="utf-8-sig").splitlines()))
    assert [r["nps_note"] for r in rows] == ["fewer than 30 answers: a hint only", "", "no answers"]
