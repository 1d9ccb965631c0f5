"""지갑에 추가 with a tablet as the customer's screen: the check-in page shows the save link
the counter made, as a QR and as a button. Over real sockets (the moment's answer), then in a
real headless Chromium whose screenshot's QR, decoded with zxing-cpp, is the save link."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
import zxingcpp
from PIL import Image

from app.bridge.api import ApiServer
from app.domain.mobile_wallet import SAVE_URL
from app.services import customers, devices, mobile_wallet, program, sales
from app.services.context import Context
from tests.bridge.test_checkin_web_browser import (
    browser,  # noqa: F401  (the fixture)
    pair_in_browser,
    shoot,
    tablet,
    tap,
    tap_digits,
    visible,
)
from tests.messaging.google_wallet_standin import EMAIL, GoogleWalletStandIn, service_account

PHONE = "010-1234-5678"
ISSUER = "3388000000012345678"


@pytest.fixture
def google(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[GoogleWalletStandIn]:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    api = GoogleWalletStandIn(service_account()[1], EMAIL).start()
    yield api
    api.stop()


def _shop(ctx: Context) -> uuid.UUID:
    document = program.show_program(ctx)
    for level in document["tiers"]["levels"]:
        level["earn_percent"] = "2"
    document["campaigns"] = []
    program.load_program(ctx, document)
    member = customers.enroll(ctx, PHONE, name="김단골")
    sales.record_sale(ctx, member.id, 62_000)  # 1,240 points
    devices.set_tablet_enabled(ctx, True)
    return member.id


def _set_up_google(ctx: Context, api: GoogleWalletStandIn) -> None:
    mobile_wallet.setup_google(
        ctx, ISSUER, service_account()[0], base_url=api.url, token_url=f"{api.url}/token"
    )


def _claims(url: str) -> dict[str, Any]:
    assert url.startswith(SAVE_URL)
    return jwt.decode(
        url[len(SAVE_URL) :], service_account()[1], algorithms=["RS256"], audience="google"
    )


def test_the_moment_carries_the_save_link_the_counter_made_since_the_check_in(ctx, google):
    member = _shop(ctx)
    server = ApiServer(ctx, port=0)
    port = server.start()
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
    try:
        code = devices.start_pairing(ctx, "계산대 태블릿").code
        token = client.post("/checkin/pair", json={"code": code}).json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        # Google Wallet not set up: the answer has no link (and reads nothing for it)
        visit = client.post("/checkin/lookup", json={"number": "5678"}, headers=auth).json()
        answer = client.get("/checkin/moment", params={"visit": visit["visit"]}, headers=auth)
        assert answer.status_code == 200 and answer.json() == {"sale": None, "wallet": None}

        _set_up_google(ctx, google)
        early = mobile_wallet.google_link(ctx, member)  # before this check-in: not for it
        ctx.fixed_now = ctx.now() + timedelta(seconds=5)
        visit = client.post("/checkin/lookup", json={"number": "5678"}, headers=auth).json()
        handle = visit["visit"]
        waiting = client.get("/checkin/moment", params={"visit": handle}, headers=auth).json()
        assert waiting["wallet"] is None and early.url

        ctx.fixed_now = ctx.now() + timedelta(seconds=3)
        link = mobile_wallet.google_link(ctx, member)  # the cashier presses 지갑에 추가
        shown = client.get("/checkin/moment", params={"visit": handle}, headers=auth).json()
        wallet = shown["wallet"]
        assert wallet["url"] == link.url  # the very link the counter's display shows
        assert wallet["at"] == link.at.isoformat()
        claims = _claims(wallet["url"])
        (obj,) = claims["payload"]["loyaltyObjects"]
        assert obj["id"] == link.object_id and obj["barcode"]["value"] == link.token
        assert wallet["qr"].startswith("data:image/svg+xml;base64,")
        # never the full number or the name, as every answer of the page
        assert "김단골" not in str(shown) and "01012345678" not in str(shown)
        # another tablet's handle of it is refused, as the moment's is
        code = devices.start_pairing(ctx, "창가 태블릿").code
        other = client.post("/checkin/pair", json={"code": code}).json()["token"]
        refused = client.get(
            "/checkin/moment",
            params={"visit": handle},
            headers={"Authorization": f"Bearer {other}"},
        )
        assert refused.status_code == 404
    finally:
        client.close()
        server.stop()


def _qr_on_screen(driver: Any) -> str:
    shot = Image.open(io.BytesIO(driver.get_screenshot_as_png()))
    found = zxingcpp.read_barcodes(shot)
    assert found, "no QR on the tablet's screen"
    (code,) = found
    return str(code.text)


def test_the_tablet_shows_the_save_link_as_a_qr_and_a_button(sqlite_ctx, google, browser):  # noqa: F811
    from selenium.webdriver.common.by import By

    ctx = sqlite_ctx
    member = _shop(ctx)
    _set_up_google(ctx, google)
    server = ApiServer(ctx, port=0)
    port = server.start()
    url = f"http://127.0.0.1:{port}/checkin"
    driver = browser
    try:
        pair_in_browser(ctx, driver, url)
        prompt = visible(driver, "prompt")
        tap_digits(prompt, "5678")
        tap(prompt, "ok")
        visible(driver, "member")
        assert not zxingcpp.read_barcodes(Image.open(io.BytesIO(driver.get_screenshot_as_png())))
        link = mobile_wallet.google_link(ctx, member)  # 지갑에 추가 at the counter
        wallet = visible(driver, "wallet")
        assert "지갑" in wallet.text
        shoot(driver, "20-wallet-1280x800")
        assert _qr_on_screen(driver) == link.url
        button = driver.find_element(By.ID, "wallet-open")
        assert button.is_displayed() and button.get_attribute("href") == link.url
        assert "이 기기에서 지갑에 추가" in button.text
        tablet(driver, 800, 1280)
        shoot(driver, "20-wallet-800x1280")
        assert _qr_on_screen(driver) == link.url
        assert driver.execute_script("return document.documentElement.scrollWidth") <= 800
        # a sale while the QR is up waits for it; done, the moment of the sale follows
        sales.record_sale(ctx, customers.resolve_customer(ctx, PHONE), 12_000)
        driver.execute_script("return new Promise(r => setTimeout(r, 2500))")
        assert driver.find_element(By.ID, "screen-wallet").is_displayed()
        driver.find_element(By.ID, "wallet-done").click()
        visible(driver, "moment")
        assert not driver.find_element(By.ID, "wallet-qr").is_displayed()
    finally:
        server.stop()
