"""The coalition's monthly settlement statement as an A4 PDF: one page a pair of shops, the
points each issued and spent at the other, their value, the net amount and who pays whom,
the statement's hash and the previous one's (its link in the chain), and room to sign."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.domain import partners as rules
from app.i18n import translate
from app.printing.fonts import BOLD, REGULAR, register_fonts

ACCENT = colors.HexColor("#2f6f62")


def _won(amount: int, lang: str) -> str:
    return translate(lang, "partner.pdf.won", amount=f"{amount:,}")


def render_statements(
    statements: Sequence[rules.Statement], shop_name: str, lang: str = "ko"
) -> bytes:
    register_fonts()
    lang = lang if lang in ("ko", "en") else "ko"
    title = ParagraphStyle("title", fontName=BOLD, fontSize=17, leading=24)
    body = ParagraphStyle("body", fontName=REGULAR, fontSize=10, leading=14)
    small = ParagraphStyle(
        "small", fontName=REGULAR, fontSize=7.5, leading=10, textColor=colors.grey
    )

    heading = translate(lang, "partner.pdf.title")
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"{shop_name} — {heading}",
    )
    story: list[Any] = []
    for index, s in enumerate(statements):
        if index:
            story.append(PageBreak())
        payer, payee, amount = rules.payer_payee(s)
        story += [
            Paragraph(translate(lang, "partner.pdf.title"), title),
            Paragraph(
                translate(lang, "partner.pdf.period", month=s.month, a=s.name_a, b=s.name_b), body
            ),
            Paragraph(translate(lang, "partner.pdf.value", value=s.point_value), body),
            Spacer(1, 6 * mm),
        ]
        rows = [
            [translate(lang, "partner.pdf.col_item"), s.name_a, s.name_b],
            [translate(lang, "partner.pdf.issued"), f"{s.issued_a:,}", f"{s.issued_b:,}"],
            [
                translate(lang, "partner.pdf.spent_at_other"),
                f"{s.a_points_at_b:,}",
                f"{s.b_points_at_a:,}",
            ],
            [translate(lang, "partner.pdf.owed"), _won(s.a_owes_b, lang), _won(s.b_owes_a, lang)],
        ]
        table = Table(rows, colWidths=[70 * mm, 52 * mm, 52 * mm])
        table.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), REGULAR, 10),
                    ("FONT", (0, 0), (-1, 0), BOLD, 10),
                    ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                    ("BACKGROUND", (0, 0), (-1, 0), ACCENT),
                    ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#c9d3d0")),
                    ("TOPPADDING", (0, 0), (-1, -1), 5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ]
            )
        )
        story += [table, Spacer(1, 6 * mm)]
        if amount:
            verdict = translate(
                lang, "partner.pdf.net", payer=payer, payee=payee, amount=_won(amount, lang)
            )
        else:
            verdict = translate(lang, "partner.pdf.even")
        story += [
            Paragraph(
                f"<b>{verdict}</b>", ParagraphStyle("net", parent=body, fontSize=13, leading=18)
            ),
            Spacer(1, 12 * mm),
        ]
        signs = Table(
            [
                [
                    translate(lang, "partner.pdf.ack", shop=s.name_a),
                    translate(lang, "partner.pdf.ack", shop=s.name_b),
                ],
                ["", ""],
            ],
            colWidths=[87 * mm, 87 * mm],
            rowHeights=[8 * mm, 18 * mm],
        )
        signs.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), REGULAR, 9),
                    ("BOX", (0, 0), (0, -1), 0.4, colors.grey),
                    ("BOX", (1, 0), (1, -1), 0.4, colors.grey),
                ]
            )
        )
        story += [
            signs,
            Spacer(1, 10 * mm),
            Paragraph(translate(lang, "partner.pdf.hash", hash=s.hash), small),
            Paragraph(translate(lang, "partner.pdf.prev_hash", hash=s.prev_hash), small),
            Paragraph(translate(lang, "partner.pdf.rule"), small),
        ]
    doc.build(story)
    return buffer.getvalue()
