"""`dangol wallet-card ...`: Google Wallet set up against a stand-in of its API on 127.0.0.1,
a member's save link (and its QR read back), the updates pushed, Apple's .pkpass written."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import zxingcpp
from PIL import Image

from app.domain.mobile_wallet import SAVE_URL
from tests.cli.conftest import PHONE
from tests.messaging.google_wallet_standin import GoogleWalletStandIn, service_account
from tests.printing.pass_chain import PASS_TYPE_ID, pass_chain

ISSUER = "3388000000012345678"


def test_google_setup_link_push_status(funded, tmp_path: Path) -> None:
    cli = funded
    key_text, public_pem = service_account()
    key = tmp_path / "service-account.json"
    key.write_text(key_text, encoding="utf-8")
    assert "설정되지 않았습니다" in cli.refused("wallet-card", "google", "link", PHONE)
    api = GoogleWalletStandIn(public_pem, json.loads(key_text)["client_email"]).start()
    try:
        done = cli.ok(
            "wallet-card", "google", "setup", "--issuer", ISSUER, "--key", str(key),
            "--colour", "#123456", "--base-url", api.url, "--token-url", f"{api.url}/token",
        )  # fmt: skip
        assert done["class"] == "created" and done["class_id"] == f"{ISSUER}.dangol"
        assert "private_key" not in json.dumps(done)
        qr = tmp_path / "link.png"
        link = cli.ok("wallet-card", "google", "link", PHONE, "--qr", str(qr))
        assert link["url"].startswith(SAVE_URL)
        (found,) = zxingcpp.read_barcodes(Image.open(qr))
        assert found.text == link["url"]
        pushed = cli.ok("wallet-card", "google", "push")
        assert (pushed["sent"], pushed["failed"]) == (1, 0)
        assert api.objects[link["object_id"]]["loyaltyPoints"]["balance"]["int"] > 0
        (item,) = cli.ok("wallet-card", "google", "status", PHONE)["items"]
        assert item["status"] == "done" and item["points"] > 0
        text = cli("wallet-card", "google", "status").out
        assert "최신" in text and link["object_id"] in text
    finally:
        api.stop()
    bad = tmp_path / "bad.json"
    bad.write_text("{}", encoding="utf-8")
    said = cli.refused("wallet-card", "google", "setup", "--issuer", ISSUER, "--key", str(bad))
    assert "키 파일" in said


def test_apple_setup_and_pass(ctx, tmp_path: Path) -> None:
    cli = ctx
    chain = pass_chain()
    for name, data in chain.items():
        (tmp_path / f"{name}.pem").write_bytes(data)
    out = tmp_path / "card.pkpass"
    assert "Apple Wallet" in cli.refused("wallet-card", "apple", "pass", PHONE, "--out", str(out))
    done = cli.ok(
        "wallet-card", "apple", "setup", "--pass-type-id", PASS_TYPE_ID, "--team-id", "AB12CD34EF",
        "--cert", str(tmp_path / "cert.pem"), "--key", str(tmp_path / "key.pem"),
        "--wwdr", str(tmp_path / "wwdr.pem"),
    )  # fmt: skip
    assert done["pass_type_id"] == PASS_TYPE_ID and "BEGIN" not in json.dumps(done)
    made = cli.ok("wallet-card", "apple", "pass", PHONE, "--out", str(out))
    assert made["file"] == str(out) and made["bytes"] == out.stat().st_size
    names = zipfile.ZipFile(out).namelist()
    assert {"pass.json", "manifest.json", "signature", "icon.png", "logo@2x.png"} <= set(names)
    said = cli("--lang", "en", "wallet-card", "apple", "pass", PHONE, "--out", str(out)).out
    assert said.startswith("Apple Wallet card saved:")
