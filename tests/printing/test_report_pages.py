"""The monthly report PDF never leaves one month's row alone on a page (issue 13, item 7)."""

from __future__ import annotations

import io
import re
from decimal import Decimal

from pypdf import PdfReader

from app.domain.dashboard import Dashboard, MonthlyReport
from app.printing.report_pdf import render_report

ROW = re.compile(r"^\d{4}-\d{2}\n[\d,]+\n", re.MULTILINE)  # a month, then its members


def months(n: int) -> list[str]:
    return [f"{2020 + i // 12}-{i % 12 + 1:02d}" for i in range(n)]


def board(n: int) -> Dashboard:
    reports = [
        MonthlyReport(
            m,
            1_000 + i,
            10,
            300,
            900,
            13_500_000,
            270_000,
            100_000,
            5_000,
            0,
            0,
            0,
            0,
            0,
            Decimal("0.37"),
            {},
        )
        for i, m in enumerate(months(n))
    ]
    return Dashboard(
        reports[0].month,
        reports[-1].month,
        reports,
        1_000,
        10,
        900,
        13_500_000,
        270_000,
        100_000,
        5_000,
        165_000,
        Decimal("0.37"),
        15_000,
        Decimal(3),
        45_000,
        {},
        {},
    )


def rows_per_page(n: int) -> list[int]:
    pdf, pages = render_report(board(n), shop_name="단골 카페")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == pages
    return [len(ROW.findall(page.extract_text())) for page in reader.pages]


def test_no_page_holds_a_single_month_of_the_table() -> None:
    seen_split = False
    # every length a period of up to two years has, then longer ones that take 3 or 4 pages
    for n in [*range(1, 25), 36, 57, 58, 59, 103, 104, 120]:
        counts = rows_per_page(n)
        assert sum(counts) == n, (n, counts)
        holding = [c for c in counts if c]
        seen_split |= len(holding) > 1
        assert n < 2 or all(c >= 2 for c in holding), (n, counts)
    assert seen_split  # long periods do run over several pages
