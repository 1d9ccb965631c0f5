"""The monthly report PDF read back: Korean titles, the months, the pages, the charts."""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader

from app.services import analytics
from tests.services.test_analytics import _history


def test_the_report_pdf_reads_back(sqlite_ctx, tmp_path: Path) -> None:
    _history(sqlite_ctx)
    out = tmp_path / "report.pdf"
    pages = analytics.export_report_pdf(sqlite_ctx, "2025-04", "2026-03", out)
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    assert len(reader.pages) == pages >= 1
    text = "".join(page.extract_text() for page in reader.pages)
    assert "월간 멤버십 리포트" in text
    assert "기간 2025-04 ~ 2026-03" in text
    assert "2026-02" in text and "35,000" in text
    assert "미사용 포인트 부채" in text and "1,700원" in text
    fonts = reader.pages[0]["/Resources"]["/Font"].values()
    assert any("NanumGothic" in str(f.get_object()["/BaseFont"]) for f in fonts)
    # the charts are vector drawings: bars filled in the accent green, lines stroked in orange
    content = reader.pages[0].get_contents().get_data()
    assert b".184314 .435294 .384314 rg" in content
    assert b".890196 .607843 .231373 RG" in content
    assert content.count(b" re") >= 8


def test_english_labels(sqlite_ctx, tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    analytics.export_report_pdf(sqlite_ctx, "2026-01", "2026-03", out, language="en")
    text = PdfReader(str(out)).pages[0].extract_text()
    assert "Monthly loyalty report" in text


def rated_months(ctx) -> None:
    """January: 2 answers (a 9 and a 3, NPS 0, too few); February: 30 answers, 20 promoters,
    5 passives, 5 detractors (NPS +50, shares 66.7% and 16.7%); March: no answer."""
    from datetime import UTC, datetime

    from app.services import customers, ratings, sales

    member = customers.enroll(ctx, "010-3000-0001", name="최단골")
    plan = [(datetime(2026, 1, 12, 3, tzinfo=UTC), [9, 3])]
    plan.append((datetime(2026, 2, 14, 3, tzinfo=UTC), [10] * 10 + [9] * 10 + [8] * 5 + [0] * 5))
    for when, scores in plan:
        ctx.fixed_now = when
        for score in scores:
            sale = sales.record_sale(ctx, member.id, 1_000)
            ratings.record_rating(ctx, sale.sale_id, score, source="tablet")
    ctx.fixed_now = datetime(2026, 3, 12, 5, tzinfo=UTC)


def nps_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("2026-0") and "%" in line]


def test_the_report_pdf_has_the_nps_by_month_in_korean(sqlite_ctx, tmp_path: Path) -> None:
    rated_months(sqlite_ctx)
    out = tmp_path / "report.pdf"
    analytics.export_report_pdf(sqlite_ctx, "2026-01", "2026-03", out)
    text = "".join(page.extract_text() for page in PdfReader(str(out)).pages)
    assert "방문 평가 (NPS)" in text and "응답 수" in text and "추천 (9–10점)" in text
    flat = " ".join(text.split())
    assert "2026-01 2 50.0% 50.0% +0 응답 30건 미만: 참고만" in flat
    assert "2026-02 30 66.7% 16.7% +50" in flat
    assert "2026-02 30 66.7% 16.7% +50 응답 30건 미만" not in flat  # 30 answers are enough
    assert "2026-03 0 — — — 응답 없음" in flat
    assert "(-100~+100)" in flat  # how the score is made, under the table, its minus printed


def test_the_report_pdf_has_the_nps_in_english(sqlite_ctx, tmp_path: Path) -> None:
    rated_months(sqlite_ctx)
    out = tmp_path / "report.pdf"
    analytics.export_report_pdf(sqlite_ctx, "2026-01", "2026-03", out, language="en")
    flat = " ".join("".join(p.extract_text() for p in PdfReader(str(out)).pages).split())
    assert "2026-01 2 50.0% 50.0% +0 fewer than 30 answers: a hint only" in flat
    assert "2026-03 0 — — — no answers" in flat


def test_a_staff_members_report_has_no_nps(sqlite_ctx, tmp_path: Path) -> None:
    rated_months(sqlite_ctx)
    sqlite_ctx.staff_role = "staff"  # the NPS is the owner's, as on the reports page
    out = tmp_path / "report.pdf"
    analytics.export_report_pdf(sqlite_ctx, "2026-01", "2026-03", out)
    text = "".join(page.extract_text() for page in PdfReader(str(out)).pages)
    assert "방문 평가" not in text and "월간 멤버십 리포트" in text
