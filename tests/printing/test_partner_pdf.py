"""The coalition's statement PDF: one page a pair, Korean read back, the font embedded."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from pypdf import PdfReader

from app.domain import partners as rules
from app.printing.partner_pdf import render_statements

T0 = datetime(2026, 3, 2, tzinfo=UTC)


def test_one_page_a_pair_with_the_net_and_the_hashes() -> None:
    entries = [
        rules.Entry("1", "m", "a", "earn", 500, T0, "2026-03"),
        rules.Entry("2", "m", "b", "spend", 300, T0 + timedelta(days=1), "2026-03"),
    ]
    shops = {"a": "가나베이커리", "b": "다라꽃집", "c": "마바카페"}
    statements = rules.settle("k", "2026-03", shops, entries, Decimal("1.5"))
    reader = PdfReader(io.BytesIO(render_statements(statements, "가나베이커리", "ko")))
    assert len(reader.pages) == 3
    first = reader.pages[0].extract_text()
    assert "골목 제휴 월 정산서" in first and "가나베이커리 → 다라꽃집 450원" in first
    assert statements[0].hash in first.replace("\n", "")
    assert "서로 지급할 금액이 없습니다" in reader.pages[2].extract_text()
    fonts = {
        str(f["/BaseFont"])
        for f in reader.pages[0]["/Resources"]["/Font"].values()  # type: ignore[index, union-attr]
    }
    assert any("NanumGothic" in name for name in fonts)
    english = PdfReader(io.BytesIO(render_statements(statements[:1], "x", "en")))
    assert "가나베이커리 pays 다라꽃집 450 won" in english.pages[0].extract_text()
