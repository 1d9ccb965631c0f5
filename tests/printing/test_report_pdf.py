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
