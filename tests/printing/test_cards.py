"""Membership cards: CR80 pages, the QR decoded back to the token, the rules on the back."""

from __future__ import annotations

import pytest

from app.domain.card import format_card_token, is_valid_card_token
from app.domain.errors import Refused
from app.printing.card import CR80, card_pdf, qr_size_mm, rules_lines, scale_of
from app.printing.qr import MIN_MODULE_MM, QUIET_ZONE, error_level, qr_matrix
from app.printing.sheets import BUILT_IN
from app.services import cards, customers
from app.services.context import Context
from app.services.customers import resolve_customer
from tests.printing.conftest import (
    PHONE,
    STORE,
    page_sizes_mm,
    pdf_text,
    read_qr_codes,
    render_pages,
    set_shop_setting,
)


def test_card_pages_are_cr80(store_shop: Context, member: customers.Enrollment) -> None:
    pdf = card_pdf(cards.card_for(store_shop, resolve_customer(store_shop, PHONE)))
    assert page_sizes_mm(pdf) == [(85.6, 54.0), (85.6, 54.0)]


def test_card_qr_is_exactly_the_token(store_shop: Context, member: customers.Enrollment) -> None:
    pdf = card_pdf(cards.card_for(store_shop, resolve_customer(store_shop, PHONE), with_name=True))
    front, back = render_pages(pdf)
    found = read_qr_codes(front)
    assert [f.text for f in found] == [member.card]
    assert found[0].ec_level in ("M", "Q")
    # 21 modules of the version-1 symbol, each at least 0.4 mm on paper
    assert found[0].width / len(qr_matrix(member.card)) >= MIN_MODULE_MM
    # the quiet zone (4 modules) fits on the card to the right of the symbol
    assert found[0].x + found[0].width / 2 + QUIET_ZONE * 0.4 <= CR80[0]
    assert read_qr_codes(back) == []
    text = pdf_text(pdf)
    assert STORE in text
    assert format_card_token(member.card) in text
    assert "김민준 님" in text


def test_qr_payload_is_numeric_mode() -> None:
    from reportlab.graphics.barcode.qr import QrCodeWidget

    token = "4539148803436467"
    widget = QrCodeWidget(token, barLevel=error_level(token), barBorder=QUIET_ZONE)
    widget.qr.make()
    # the encoder picks numeric mode for digits: the smallest symbol, version 1
    assert [type(d).__name__ for d in widget.qr.dataList] == ["QRNumber"]
    assert len(qr_matrix(token)) == widget.qr.getModuleCount() == 21
    assert error_level(token) == "M"
    assert error_level("1" * 30) == "Q"


def test_back_has_the_program_rules(store_shop: Context, member: customers.Enrollment) -> None:
    card = cards.card_for(store_shop, resolve_customer(store_shop, PHONE))
    text = pdf_text(card_pdf(card)).replace("\n", " ")
    for line in rules_lines(card.program):
        assert line.split(":")[0] in text
    assert "10개를 모으면 아메리카노 1잔" in text
    assert "베이직 2%" in text and "플래티넘 5%" in text
    assert "1,000P부터" in text and "12개월" in text


def test_no_name_unless_asked(store_shop: Context, member: customers.Enrollment) -> None:
    assert "김민준" not in pdf_text(
        card_pdf(cards.card_for(store_shop, resolve_customer(store_shop, PHONE)))
    )


def test_logo_from_settings(store_shop: Context, member: customers.Enrollment, tmp_path) -> None:
    from PIL import Image

    logo = tmp_path / "logo.png"
    Image.new("RGB", (64, 64), (11, 93, 91)).save(logo)
    set_shop_setting(store_shop, "logo_path", str(logo))
    card = cards.card_for(store_shop, resolve_customer(store_shop, PHONE))
    assert card.logo_path == str(logo)
    front = render_pages(card_pdf(card, back=False))[0]
    assert [f.text for f in read_qr_codes(front)] == [member.card]
    set_shop_setting(store_shop, "logo_path", str(tmp_path / "missing.png"))
    assert cards.card_for(store_shop, resolve_customer(store_shop, PHONE)).logo_path is None


def test_modules_stay_readable_at_every_sheet_size() -> None:
    token = "4539148803436467"
    modules = len(qr_matrix(token)) + 2 * QUIET_ZONE
    for layout in BUILT_IN.values():
        scale = scale_of(layout.card_width, layout.card_height)
        assert qr_size_mm_of(token, scale) / modules >= MIN_MODULE_MM


def qr_size_mm_of(token: str, scale: float) -> float:
    from app.domain.card_face import CardData
    from app.domain.program import DEFAULT_PROGRAM
    from app.domain.slip import StoreInfo

    return qr_size_mm(CardData(token, StoreInfo("x"), DEFAULT_PROGRAM), scale)


def test_unknown_member_is_refused(store_shop: Context) -> None:
    with pytest.raises(Refused) as refused:
        cards.card_for(store_shop, resolve_customer(store_shop, "010-9999-8888"))
    assert refused.value.code == "customer.not_found"


def test_blank_cards_are_unique_unassigned_and_enroll(store_shop: Context) -> None:
    tokens = cards.create_blank_cards(store_shop, 12)
    assert len(set(tokens)) == 12
    assert all(is_valid_card_token(t) for t in tokens)
    with pytest.raises(Refused) as refused:
        customers.customer_status(store_shop, resolve_customer(store_shop, tokens[0]))
    assert refused.value.code == "card.blank"
    enrolled = customers.enroll(store_shop, PHONE, card_token=tokens[0])
    assert enrolled.card == tokens[0]
    assert (
        customers.customer_status(store_shop, resolve_customer(store_shop, tokens[0])).id
        == enrolled.id
    )
    with pytest.raises(Refused) as refused:
        customers.enroll(store_shop, "010-2222-3333", card_token=tokens[0])
    assert refused.value.code == "card.taken"


def test_blank_cards_are_audited(store_shop: Context) -> None:
    from sqlalchemy import select

    from app.db.models import AuditEntry

    cards.create_blank_cards(store_shop, 3)
    with store_shop.db.read() as session:
        actions = list(
            session.scalars(
                select(AuditEntry.detail).where(AuditEntry.action == "card.blank_batch")
            )
        )
    assert actions == ['{"count": 3}']


@pytest.mark.parametrize("n", [0, -1, 1001, True])
def test_blank_count_out_of_range(store_shop: Context, n: int) -> None:
    with pytest.raises(Refused) as refused:
        cards.create_blank_cards(store_shop, n)
    assert refused.value.code == "cards.count_range"


def test_cashier_cannot_make_blank_cards(store_shop: Context) -> None:
    store_shop.staff_role = "cashier"
    with pytest.raises(Refused) as refused:
        cards.create_blank_cards(store_shop, 1)
    assert refused.value.code == "staff.owner_only"
