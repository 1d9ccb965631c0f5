"""지갑에 추가 at the counter: the member's "Save to Google Wallet" link as a QR code on the
customer display, read back from the screen's pixels with zxing-cpp."""

from __future__ import annotations

from pathlib import Path

import zxingcpp
from PIL import Image
from PySide6.QtCore import Qt

from app.domain.mobile_wallet import SAVE_URL
from app.services import customers, mobile_wallet, sales
from tests.messaging.google_wallet_standin import EMAIL, GoogleWalletStandIn, service_account
from tests.ui.conftest import settle
from tests.ui.counter_help import shot

PHONE = "010-1234-5678"


def _keep(path: Path) -> None:
    """The screenshot stays where `shot` saved it, under build/screenshots/."""
    assert path.is_file(), path


def test_add_to_wallet_shows_the_save_link_as_a_qr_on_the_customer_display(window, qtbot) -> None:
    counter = window.counter
    assert counter.add_wallet_button.isHidden()  # no Google Wallet set up: no button
    key_text, public_pem = service_account()
    api = GoogleWalletStandIn(public_pem, EMAIL).start()
    try:
        _with_google(window, qtbot, api, key_text)
    finally:
        if window.wallet_worker is not None:
            window.wallet_worker.stop()
        api.stop()


def _with_google(window, qtbot, api: GoogleWalletStandIn, key_text: str) -> None:
    ctx, counter = window.ctx, window.counter
    mobile_wallet.setup_google(
        ctx, "3388000000012345678", key_text, base_url=api.url, token_url=f"{api.url}/token"
    )
    window._start_messages()  # as at the start of a shop with Google Wallet set up
    assert window.wallet_worker is not None and window.wallet_worker.alive
    member = customers.enroll(ctx, PHONE, name="김민준")
    sales.record_sale(ctx, member.id, 12_000)
    counter.lookup(PHONE)
    settle(qtbot, window)
    assert counter.add_wallet_button.isVisible() and counter.add_wallet_button.isEnabled()
    assert counter.add_wallet_button.text() == "지갑에 추가"

    qtbot.mouseClick(counter.add_wallet_button, Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    display = window.display
    assert display is not None and display.showing_wallet_qr()
    display.resize(800, 480)
    path = shot(display, "counter/display-wallet-qr")
    _keep(path)
    shot(window, "counter/counter-wallet-button")
    _keep(path.parent / "counter-wallet-button.png")
    assert "휴대폰 카메라로 찍으면" in display.wallet_hint.text()
    assert display.points.isVisible()  # the member's points stay up beside the QR

    (found,) = zxingcpp.read_barcodes(Image.open(path))
    assert found.text.startswith(SAVE_URL)
    with ctx.db.read() as session:  # the link queued the member's object for the worker
        from app.db.models import MobileWalletPass

        assert session.query(MobileWalletPass).one().customer_id == member.id

    display.end_wallet_qr()  # its minute is up: the card again, no QR
    assert not display.wallet_qr.isVisible() and display.points.isVisible()
    window.wallet_worker.poke()  # the worker puts the member's object at Google meanwhile
    qtbot.waitUntil(lambda: len(api.objects) == 1, timeout=10_000)
    (made,) = api.objects.values()
    assert made["loyaltyPoints"]["balance"]["int"] == counter.status.points > 0


def test_the_check_in_screen_shows_the_wallet_qr_too(app, sqlite_ctx, qtbot) -> None:
    from app.ui.checkin_display import CheckInDisplay

    screen = CheckInDisplay(sqlite_ctx, "단골 카페")
    qtbot.addWidget(screen)
    url = SAVE_URL + "eyJhbGciOiJSUzI1NiJ9." + "x" * 600
    screen.show_wallet_qr(url)
    assert screen.page() == "wallet" and screen.idle.isActive()
    path = shot(screen, "counter/checkin-wallet-qr")
    _keep(path)
    (found,) = zxingcpp.read_barcodes(Image.open(path))
    assert found.text == url
    screen.reset()
    assert screen.page() == "prompt"
