"""The "Save to Google Wallet" link on a member's slip (the owner's slip_wallet_qr, on by default
once Google Wallet is set up): the PDF and the ESC/POS raster rendered, their QR decoded back
with zxing-cpp and compared with the link; the link's JWT verified with the account's key."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import jwt
import pytest
from sqlalchemy import event, select

from app.db.models import MobileWalletPass
from app.domain.mobile_wallet import SAVE_URL
from app.printing.escpos import slip_escpos, slip_escpos_text, slip_image
from app.printing.slip_pdf import slip_pdf
from app.services import customers, mobile_wallet, sales, settings
from app.services.context import Context
from tests.messaging.google_wallet_standin import EMAIL, GoogleWalletStandIn, service_account
from tests.printing.conftest import PHONE, pdf_text, read_qr_codes, render_pages

ISSUER = "3388000000012345678"
SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots" / "slips"


@pytest.fixture
def google(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[GoogleWalletStandIn]:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    api = GoogleWalletStandIn(service_account()[1], EMAIL).start()
    yield api
    api.stop()


def _set_up(ctx: Context, api: GoogleWalletStandIn) -> None:
    mobile_wallet.setup_google(
        ctx, ISSUER, service_account()[0], base_url=api.url, token_url=f"{api.url}/token"
    )


def _claims(url: str) -> dict[str, Any]:
    assert url.startswith(SAVE_URL)
    token = url[len(SAVE_URL) :]
    return jwt.decode(token, service_account()[1], algorithms=["RS256"], audience="google")


def _passes(ctx: Context) -> list[tuple[str, str, bool]]:
    with ctx.db.read() as session:
        rows = session.scalars(select(MobileWalletPass))
        return [(r.token, r.status, r.inserted) for r in rows]


def test_a_member_s_first_slip_carries_the_save_link_as_a_qr(store_shop, member, google):
    ctx = store_shop
    _set_up(ctx, google)
    assert settings.setting(ctx, "slip_wallet_qr") is True  # on by default
    customer = customers.resolve_customer(ctx, PHONE)
    card = customers.customer_status(ctx, customer).card

    made = sales.record_sale(ctx, customer, 12_500, with_slip=True)

    slip = made.slip
    assert slip is not None and slip.wallet_link
    (obj,) = _claims(slip.wallet_link)["payload"]["loyaltyObjects"]
    assert obj["id"] == f"{ISSUER}.dangol-{card}" and obj["barcode"]["value"] == card
    # the member's object queued in the sale's transaction: a pass saved from paper is updated
    assert _passes(ctx) == [(card, "queued", False)]
    for width in (58, 80):
        pdf = slip_pdf(slip, width)
        assert "휴대폰 지갑에 카드 저장" in pdf_text(pdf)
        (page,) = render_pages(pdf)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.save(SHOTS / f"slip-wallet-{width}.png")
        (found,) = read_qr_codes(page)
        assert found.text == slip.wallet_link
        assert found.width >= 35  # modules of about 0.45 mm: a phone reads it off the roll
        image = slip_image(slip, width)  # what the ESC/POS printer gets
        (raster,) = read_qr_codes(image.convert("L"), dpi=203)
        assert raster.text == slip.wallet_link
        assert image.width == {58: 384, 80: 576}[width]
    assert len(slip_escpos(slip, 58)) > len(slip_escpos(replace(slip, wallet_link=None), 58))
    assert "지갑".encode("cp949") not in slip_escpos_text(slip, 58)  # plain text: no QR to print

    # pushed, the object is at Google: the next slip carries no link
    report = mobile_wallet.push_due(ctx)
    assert report.sent == 1 and _passes(ctx) == [(card, "done", True)]
    later = sales.record_sale(ctx, customer, 3_000, with_slip=True).slip
    assert later is not None and later.wallet_link is None
    assert read_qr_codes(render_pages(slip_pdf(later, 80))[0]) == []


def test_the_owner_s_setting_leaves_the_qr_off(store_shop, member, google):
    ctx = store_shop
    _set_up(ctx, google)
    settings.update_settings(ctx, slip_wallet_qr=False)
    customer = customers.resolve_customer(ctx, PHONE)

    slip = sales.record_sale(ctx, customer, 12_500, with_slip=True).slip

    assert slip is not None and slip.wallet_link is None
    pdf = slip_pdf(slip, 80)
    assert read_qr_codes(render_pages(pdf)[0]) == []
    assert "휴대폰 지갑" not in pdf_text(pdf)
    assert read_qr_codes(slip_image(slip, 58).convert("L"), dpi=203) == []
    assert _passes(ctx) == []  # nothing queued either
    with pytest.raises(Exception) as refused:
        settings.update_settings(ctx, slip_wallet_qr="yes")
    assert getattr(refused.value, "code", None) == "settings.invalid"


def test_without_google_wallet_the_sale_and_its_slip_read_nothing_of_it(store_shop, member):
    ctx = store_shop
    customer = customers.resolve_customer(ctx, PHONE)
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(ctx.db.engine, "before_cursor_execute", seen)
    try:
        made = sales.record_sale(ctx, customer, 12_500, with_slip=True)
        sales.record_sale(ctx, customer, 2_000)
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", seen)
    assert made.slip is not None and made.slip.wallet_link is None
    assert statements and not any("mobile_wallet" in s for s in statements)


def test_the_counter_s_print_of_a_sale_carries_it_and_queues_the_object(store_shop, member, google):
    from app.services import slips

    ctx = store_shop
    _set_up(ctx, google)
    customer = customers.resolve_customer(ctx, PHONE)
    card = customers.customer_status(ctx, customer).card
    made = sales.record_sale(ctx, customer, 12_500)  # the counter's sale: no slip made with it
    assert _passes(ctx) == []

    document, printer = slips.render_action_slip(ctx, str(made.sale_id))  # F6, auto-print

    assert printer.kind == "pdf"
    (found,) = read_qr_codes(render_pages(document)[0])
    (obj,) = _claims(found.text)["payload"]["loyaltyObjects"]
    assert obj["barcode"]["value"] == card
    assert _passes(ctx) == [(card, "queued", False)]  # followed: a pass saved from it updates
    slips.slip_for(ctx, str(made.sale_id))  # printed again: still one object
    assert len(_passes(ctx)) == 1
    assert mobile_wallet.push_due(ctx).sent == 1
    assert google.objects[obj["id"]]["loyaltyPoints"]["balance"]["int"] > 0
    assert slips.slip_for(ctx, str(made.sale_id)).wallet_link is None  # the object is there
