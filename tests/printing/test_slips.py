"""Slips: the data from real sales and redemptions, then the PDF and ESC/POS read back."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.domain.errors import Refused
from app.domain.slip import DEFAULT_FOOTER
from app.printing.escpos import DOTS, slip_escpos, slip_escpos_text, slip_image
from app.printing.slip_pdf import slip_pdf
from app.services import owner, redemptions, sales
from app.services.context import Context
from app.services.customers import resolve_customer
from app.services.slips import printer_settings, slip_for
from tests.printing.conftest import (
    MASKED,
    PHONE,
    STORE,
    page_sizes_mm,
    pdf_text,
    set_shop_setting,
)


def test_sale_slip_data_matches_the_sale(store_shop: Context, sale: sales.SaleResult) -> None:
    slip = slip_for(store_shop, str(sale.sale_id))
    assert slip.kind == "sale"
    assert (slip.amount, slip.points_change, slip.stamps_change) == (12_500, 250, 1)
    assert (slip.points, slip.stamps, slip.stamp_goal) == (sale.points, sale.stamps, 10)
    assert slip.phone_masked == MASKED
    assert slip.customer_name == "김*준"
    assert slip.store.name == STORE
    assert slip.at.utcoffset() is not None and slip.at.hour == 14  # Seoul, not UTC
    assert slip.tier_name == "베이직" and slip.next_tier_name == "실버"
    assert slip.to_next_tier == 600_000 - 12_500
    assert slip.footer == DEFAULT_FOOTER
    assert not slip.reprint


def test_redemption_and_void_slips(store_shop: Context, member) -> None:
    for _ in range(10):
        sales.record_sale(store_shop, resolve_customer(store_shop, PHONE), 60_000)
    used = redemptions.redeem_points(store_shop, resolve_customer(store_shop, PHONE), 1_000)
    slip = slip_for(store_shop, str(used.redemption_id))
    assert (slip.kind, slip.points_change, slip.points) == ("points", -1_000, used.points)

    reward = redemptions.redeem_stamps(store_shop, resolve_customer(store_shop, PHONE))
    slip = slip_for(store_shop, str(reward.redemption_id))
    assert (slip.kind, slip.stamps_change, slip.reward) == ("stamps", -10, "아메리카노 1잔")

    voided = sales.void_action(store_shop, str(reward.redemption_id))
    void_slip = slip_for(store_shop, str(_void_row_id(store_shop, voided.voided_id)))
    assert void_slip.kind == "redemption_void"
    assert void_slip.stamps_change == 10


def _void_row_id(ctx: Context, original):
    from sqlalchemy import select

    from app.db.models import Redemption

    with ctx.db.read() as session:
        return session.scalars(
            select(Redemption.id).where(Redemption.reverses_id == original)
        ).one()


def test_reprint_shows_balances_right_after_that_sale(store_shop: Context, member) -> None:
    first = sales.record_sale(store_shop, resolve_customer(store_shop, PHONE), 10_000)
    sales.record_sale(store_shop, resolve_customer(store_shop, PHONE), 20_000)
    slip = slip_for(store_shop, str(first.sale_id))
    assert slip.reprint
    assert (slip.points, slip.stamps) == (first.points, first.stamps)


def test_a_reprint_under_a_clock_set_ahead_keeps_the_expiry_its_sale_settled(tmp_path) -> None:
    """Under DANGOL_NOW (or any clock ahead of the PC's), an expiry's id carries the lots'
    expiry moment, after the PC's clock that made the sale's id: the reprint still counts the
    expiry the sale settled first."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from app.services import customers
    from app.services.context import open_shop

    SEOUL = ZoneInfo("Asia/Seoul")
    path = str(tmp_path / "shop.sqlite")
    then = open_shop(path, now=datetime(2026, 1, 10, 12, tzinfo=SEOUL))
    customers.enroll(then, PHONE)
    sales.record_sale(then, resolve_customer(then, PHONE), 50_000)  # 1,000 points, a year
    then.db.dispose()
    later = open_shop(path, now=datetime(2027, 1, 11, 10, tzinfo=SEOUL))
    try:
        settled = sales.record_sale(later, resolve_customer(later, PHONE), 12_000)
        assert settled.points == 240  # the 1,000 expired first, then 240 earned
        sales.record_sale(later, resolve_customer(later, PHONE), 10_000)  # the ledger moves on
        slip = slip_for(later, str(settled.sale_id))
        assert slip.reprint
        assert (slip.points, slip.stamps) == (240, settled.stamps)
    finally:
        later.db.dispose()


def test_coupon_issued_with_the_visit_is_on_the_slip(store_shop: Context, sale) -> None:
    owner.issue_coupon(store_shop, resolve_customer(store_shop, PHONE), "amount", 3_000, 30)
    slip = slip_for(store_shop, str(sale.sale_id))
    assert len(slip.coupons_issued) == 1
    assert slip.coupons_issued[0].value == 3_000
    assert "쿠폰이 발급되었어요" in pdf_text(slip_pdf(slip, 80))


@pytest.mark.parametrize("action_id", ["nope", "", "01a213c5-1c98-7348-8fed-babd9b400658"])
def test_unknown_id_is_refused(store_shop: Context, action_id: str) -> None:
    with pytest.raises(Refused) as refused:
        slip_for(store_shop, action_id)
    assert refused.value.code == "slip.not_found"


@pytest.mark.parametrize("width", [58, 80])
def test_slip_pdf_page_and_text(store_shop: Context, sale: sales.SaleResult, width: int) -> None:
    set_shop_setting(store_shop, "slip_footer", "다음에 또 오세요 ☕")
    pdf = slip_pdf(slip_for(store_shop, str(sale.sale_id)), width)
    sizes = page_sizes_mm(pdf)
    assert len(sizes) == 1, "the page grows with the slip: never a second page"
    page_width, page_height = sizes[0]
    assert page_width == float(width)
    assert 80 < page_height < 300
    text = pdf_text(pdf)
    for expected in (STORE, "스탬프", MASKED, "멤버십 적립 안내", "12,500원", "+250P", "다음에 또"):
        assert expected in text, expected
    for never in ("01012345678", "1234-5678", "부가세", "VAT", "승인"):
        assert never not in text


def test_slip_says_when_a_purchase_earned_nothing(store_shop: Context, sale) -> None:
    slip = replace(slip_for(store_shop, str(sale.sale_id)), points_change=0, stamps_change=0)
    assert "적립되지 않았습니다" in pdf_text(slip_pdf(slip, 58)).replace("\n", "")


@pytest.mark.parametrize("width", [58, 80])
def test_escpos_is_a_raster_image(store_shop: Context, sale: sales.SaleResult, width: int) -> None:
    slip = slip_for(store_shop, str(sale.sale_id))
    data = slip_escpos(slip, width)
    assert data.startswith(b"\x1b@")
    assert b"\x1dv0" in data  # GS v 0: print raster bit image
    assert b"\x1dV" in data[-8:]  # GS V: cut
    image = slip_image(slip, width)
    assert image.width == DOTS[width]
    assert image.mode == "1"
    # the width in the first raster header: bytes per line = dots / 8
    header = data.index(b"\x1dv0") + 4
    assert int.from_bytes(data[header : header + 2], "little") == DOTS[width] // 8


def test_escpos_text_is_cp949(store_shop: Context, sale: sales.SaleResult) -> None:
    data = slip_escpos_text(slip_for(store_shop, str(sale.sale_id)), 58)
    assert data.startswith(b"\x1b@")
    assert "스탬프".encode("cp949") in data
    assert MASKED.encode("cp949") in data


def test_printer_settings_default_to_pdf(store_shop: Context) -> None:
    assert printer_settings(store_shop).kind == "pdf"
    set_shop_setting(store_shop, "printer", {"kind": "escpos", "width": 58, "device": "/dev/x"})
    assert printer_settings(store_shop) == printer_settings(store_shop).__class__(
        "escpos", 58, "/dev/x"
    )
    set_shop_setting(store_shop, "printer", {"kind": "fax", "width": 70})
    assert (printer_settings(store_shop).kind, printer_settings(store_shop).width) == ("pdf", 80)
