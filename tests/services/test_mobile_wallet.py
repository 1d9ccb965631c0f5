"""The member's card in Google Wallet and Apple Wallet, against real parts: the save JWT
verified with the service account's public key, the REST calls against a stand-in of Google's
API on 127.0.0.1, the .pkpass's signature verified by openssl against a chain made here, the
barcodes decoded back with zxing-cpp."""

from __future__ import annotations

import hashlib
import io
import json
import stat
import subprocess
import time
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
import qrcode
import zxingcpp
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import select, update

from app.db.models import MobileWalletPass
from app.domain.errors import Refused
from app.domain.mobile_wallet import SAVE_URL
from app.services import customers, mobile_wallet, sales
from app.services.context import Context
from tests.messaging.google_wallet_standin import EMAIL, GoogleWalletStandIn, service_account
from tests.printing.pass_chain import pass_chain

ISSUER = "3388000000012345678"


@pytest.fixture(scope="module")
def key_file_text() -> str:
    return service_account()[0]


@pytest.fixture(scope="module")
def public_pem() -> str:
    return service_account()[1]


@pytest.fixture
def google(
    public_pem: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[GoogleWalletStandIn]:
    # a shop on PostgreSQL keeps a secret without a keyring in the user's data folder: here
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    api = GoogleWalletStandIn(public_pem, EMAIL).start()
    yield api
    api.stop()


def _setup(ctx: Context, api: GoogleWalletStandIn, key_text: str) -> mobile_wallet.GoogleSetup:
    return mobile_wallet.setup_google(
        ctx,
        ISSUER,
        key_text,
        program_name="단골 카페 멤버십",
        colour="#2a6f4e",
        logo_url="https://shop.example/logo.png",
        base_url=api.url,
        token_url=f"{api.url}/token",
        origins=["https://shop.example"],
    )


def _member(ctx: Context, phone: str = "010-1234-5678") -> Any:
    return customers.enroll(ctx, phone, name="김단골")


def _claims(link: mobile_wallet.GoogleLink, public_pem: str) -> dict[str, Any]:
    assert link.url.startswith(SAVE_URL)
    token = link.url[len(SAVE_URL) :]
    assert jwt.get_unverified_header(token)["alg"] == "RS256"
    return jwt.decode(token, public_pem, algorithms=["RS256"], audience="google")


def test_the_save_link_is_a_savetowallet_jwt_signed_by_the_service_account(
    ctx: Context, google: GoogleWalletStandIn, key_file_text: str, public_pem: str
) -> None:
    done = _setup(ctx, google, key_file_text)
    assert (done.class_created, done.class_id) == ("created", f"{ISSUER}.dangol")
    made = google.classes[f"{ISSUER}.dangol"]
    assert made["programName"] == "단골 카페 멤버십" and made["hexBackgroundColor"] == "#2A6F4E"
    assert made["programLogo"]["sourceUri"]["uri"] == "https://shop.example/logo.png"
    assert made["issuerName"] and made["reviewStatus"] == "UNDER_REVIEW"
    member = _member(ctx)
    sales.record_sale(ctx, member.id, 12_000)
    status = customers.customer_status(ctx, member.id)

    link = mobile_wallet.google_link(ctx, member.id)

    claims = _claims(link, public_pem)
    assert claims["iss"] == EMAIL and claims["aud"] == "google"
    assert claims["typ"] == "savetowallet" and claims["origins"] == ["https://shop.example"]
    assert isinstance(claims["iat"], int)
    assert set(claims["payload"]) == {"loyaltyObjects"}
    (obj,) = claims["payload"]["loyaltyObjects"]
    assert obj["id"] == f"{ISSUER}.dangol-{status.card}" == link.object_id
    assert obj["classId"] == f"{ISSUER}.dangol" and obj["state"] == "ACTIVE"
    assert obj["barcode"] == {"type": "QR_CODE", "value": status.card, "alternateText": status.card}
    assert obj["loyaltyPoints"]["balance"] == {"int": status.points} and status.points > 0
    assert obj["textModulesData"][0]["body"] == status.tier_name
    assert obj["accountName"] == status.name_masked and "단골" not in obj["accountName"]
    # the link signed at the counter needed no network: only the class call of the setup
    assert google.api_calls() == [("POST", "/walletobjects/v1/loyaltyClass")]

    # the QR on the customer's screen carries the link whole; the pass's barcode is the card,
    # which the counter resolves as it does a printed card
    image = qrcode.make(link.url, border=4).get_image()
    # zxing-cpp now and then also reports a second, partial reading of so dense a code
    assert link.url in {found.text for found in zxingcpp.read_barcodes(image)}
    shown, matches = customers.find_for_counter(ctx, obj["barcode"]["value"])
    assert shown is not None and shown.id == member.id and not matches


def test_the_objects_follow_points_and_tier_through_the_outbox(
    ctx: Context, google: GoogleWalletStandIn, key_file_text: str, public_pem: str
) -> None:
    _setup(ctx, google, key_file_text)
    member = _member(ctx)
    link = mobile_wallet.google_link(ctx, member.id)
    mobile_wallet.google_link(ctx, member.id)  # twice: still one object, one row

    first = mobile_wallet.push_due(ctx)
    assert (first.sent, first.retrying, first.failed) == (1, 0, 0)
    assert google.objects[link.object_id]["loyaltyPoints"]["balance"]["int"] == 0
    assert mobile_wallet.push_due(ctx) == mobile_wallet.PushReport()  # nothing changed
    again = mobile_wallet.google_link(ctx, member.id)  # Google has it: the JWT names it only
    (named,) = _claims(again, public_pem)["payload"]["loyaltyObjects"]
    assert named == {"id": link.object_id, "classId": f"{ISSUER}.dangol"}
    assert len(again.url) < len(link.url) - 200

    sales.record_sale(ctx, member.id, 300_000)  # points, and a tier up at this spend
    status = customers.customer_status(ctx, member.id)
    google.calls.clear()
    after = mobile_wallet.push_due(ctx)
    assert (after.queued, after.sent) == (1, 1)
    assert google.api_calls() == [("PATCH", f"/walletobjects/v1/loyaltyObject/{link.object_id}")]
    now = google.objects[link.object_id]
    assert now["loyaltyPoints"]["balance"]["int"] == status.points > 0
    assert now["textModulesData"][0]["body"] == status.tier_name
    (line,) = mobile_wallet.google_passes(ctx)
    assert (line.status, line.pushed_points, line.pushed_tier) == (
        "done",
        status.points,
        status.tier,
    )

    del google.objects[link.object_id]  # deleted at Google's console: a patch finds nothing
    sales.record_sale(ctx, member.id, 5_000)
    google.calls.clear()
    assert mobile_wallet.push_due(ctx).sent == 1
    assert google.api_calls() == [
        ("PATCH", f"/walletobjects/v1/loyaltyObject/{link.object_id}"),
        ("POST", "/walletobjects/v1/loyaltyObject"),
    ]
    points = customers.customer_status(ctx, member.id).points
    assert google.objects[link.object_id]["loyaltyPoints"]["balance"]["int"] == points


def test_a_5xx_or_a_cut_is_retried_with_backoff_and_a_409_is_patched(
    sqlite_ctx: Context, google: GoogleWalletStandIn, key_file_text: str
) -> None:
    ctx = sqlite_ctx  # the same statements as the outbox's test, which runs on both
    _setup(ctx, google, key_file_text)
    member = _member(ctx)
    link = mobile_wallet.google_link(ctx, member.id)
    google.fail_next = 1
    report = mobile_wallet.push_due(ctx)
    assert (report.sent, report.retrying) == (0, 1) and "503" in report.errors[0]
    with ctx.db.read() as session:
        row = session.scalars(select(MobileWalletPass)).one()
        assert row.status == "queued" and row.attempts == 1
        assert row.send_after == ctx.now() + timedelta(seconds=30)
    assert mobile_wallet.push_due(ctx).sent == 0  # not due yet: the counter is never held up
    ctx.fixed_now = ctx.now() + timedelta(seconds=31)
    google.cut_next = 1  # the connection dropped: once more later, twice as late
    assert mobile_wallet.push_due(ctx).retrying == 1
    ctx.fixed_now = ctx.now() + timedelta(seconds=61)
    # meanwhile the member saved the card on the phone: Google has the object (409 on insert)
    google.objects[link.object_id] = {"id": link.object_id, "classId": f"{ISSUER}.dangol"}
    google.calls.clear()
    report = mobile_wallet.push_due(ctx)
    assert report.sent == 1
    assert google.api_calls() == [
        ("POST", "/walletobjects/v1/loyaltyObject"),
        ("PATCH", f"/walletobjects/v1/loyaltyObject/{link.object_id}"),
    ]
    assert google.objects[link.object_id]["loyaltyPoints"]["balance"]["int"] == 0


def test_set_up_offline_the_class_comes_with_the_first_push(
    sqlite_ctx: Context, google: GoogleWalletStandIn, key_file_text: str
) -> None:
    ctx = sqlite_ctx
    google.cut_next = 1
    done = _setup(ctx, google, key_file_text)
    assert done.class_created == "waiting" and not google.classes
    key_file = ctx.db.path.parent / f".{mobile_wallet.GOOGLE_SECRET}.secret"  # no keyring here
    if done.secret_kept == "file":
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert "PRIVATE KEY" not in json.dumps(ctx.settings[mobile_wallet.GOOGLE_KEY])
    member = _member(ctx)
    mobile_wallet.google_link(ctx, member.id)
    report = mobile_wallet.push_due(ctx)
    assert report.sent == 1 and f"{ISSUER}.dangol" in google.classes
    assert mobile_wallet.google_settings(ctx)["class_pending"] is False  # type: ignore[index]


def test_refusals_change_nothing(
    sqlite_ctx: Context, google: GoogleWalletStandIn, key_file_text: str
) -> None:
    ctx = sqlite_ctx
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    wrong = json.loads(key_file_text) | {
        "private_key": other.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
    }
    with pytest.raises(Refused) as refused:  # Google's token endpoint refuses the signature
        _setup(ctx, google, json.dumps(wrong))
    assert refused.value.code == "mobile_wallet.google_refused"
    assert refused.value.message("ko").startswith("Google이 거절했습니다 (400)")
    for bad, code in (
        ("{}", "mobile_wallet.key_invalid"),
        ("not json", "mobile_wallet.key_invalid"),
    ):
        with pytest.raises(Refused) as refused:
            _setup(ctx, google, bad)
        assert refused.value.code == code
    with pytest.raises(Refused) as refused:
        mobile_wallet.setup_google(ctx, "shop", key_file_text, base_url=google.url)
    assert refused.value.code == "mobile_wallet.issuer_invalid"
    assert not mobile_wallet.google_configured(ctx)
    member = _member(ctx)
    with pytest.raises(Refused) as refused:
        mobile_wallet.google_link(ctx, member.id)
    assert refused.value.code == "mobile_wallet.google_off"
    with ctx.db.read() as session:
        assert session.scalars(select(MobileWalletPass)).first() is None


# --- Apple Wallet -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("chain")
    files = pass_chain()
    for name, data in files.items():
        (folder / f"{name}.pem").write_bytes(data)
    return {"folder": folder, **files}


def test_the_pkpass_is_a_signed_store_card_that_openssl_verifies(
    sqlite_ctx: Context, chain: dict[str, Any], tmp_path: Path
) -> None:
    ctx = sqlite_ctx
    with pytest.raises(Refused) as refused:
        mobile_wallet.setup_apple(
            ctx, "pass.kr.dangol.cafe", "AB12CD34EF", chain["wwdr"], chain["key"], chain["wwdr"]
        )
    assert refused.value.code == "mobile_wallet.certificate_invalid"  # the key is not its
    done = mobile_wallet.setup_apple(
        ctx, "pass.kr.dangol.cafe", "AB12CD34EF", chain["cert"], chain["key"], chain["wwdr"]
    )
    assert "pass.kr.dangol.cafe" in done.certificate_subject
    member = _member(ctx)
    sales.record_sale(ctx, member.id, 20_000)
    status = customers.customer_status(ctx, member.id)

    made = mobile_wallet.apple_pass(ctx, member.id)

    archive = zipfile.ZipFile(io.BytesIO(made.data))
    names = set(archive.namelist())
    assert {"pass.json", "manifest.json", "signature", "icon.png", "icon@2x.png"} <= names
    assert {"logo.png", "logo@2x.png"} <= names
    manifest = json.loads(archive.read("manifest.json"))
    assert set(manifest) == names - {"manifest.json", "signature"}
    for name, digest in manifest.items():
        assert hashlib.sha1(archive.read(name)).hexdigest() == digest
    data = json.loads(archive.read("pass.json"))
    assert data["formatVersion"] == 1 and data["passTypeIdentifier"] == "pass.kr.dangol.cafe"
    assert data["teamIdentifier"] == "AB12CD34EF" and data["serialNumber"] == made.serial
    assert data["organizationName"] and data["description"].endswith("멤버십 카드")
    card = data["storeCard"]
    assert card["primaryFields"][0]["value"] == status.points > 0
    assert card["secondaryFields"][0]["value"] == status.tier_name
    (barcode,) = data["barcodes"]
    assert barcode["format"] == "PKBarcodeFormatQR" and barcode["message"] == status.card

    # the signature: detached PKCS#7 of the manifest, the intermediate carried inside
    (tmp_path / "manifest.json").write_bytes(archive.read("manifest.json"))
    (tmp_path / "signature").write_bytes(archive.read("signature"))
    verify = [
        "/usr/bin/openssl", "cms", "-verify", "-binary", "-inform", "DER",
        "-in", str(tmp_path / "signature"), "-content", str(tmp_path / "manifest.json"),
        "-CAfile", str(chain["folder"] / "root.pem"), "-purpose", "any", "-out", "/dev/null",
    ]  # fmt: skip
    checked = subprocess.run(verify, capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr
    assert "Verification successful" in checked.stderr
    (tmp_path / "manifest.json").write_bytes(archive.read("manifest.json") + b" ")
    tampered = subprocess.run(verify, capture_output=True, text=True, check=False)
    assert tampered.returncode != 0  # a changed manifest fails: the check can fail

    # the pass's barcode as Wallet draws it: a QR of the card token, found by the counter
    (found,) = zxingcpp.read_barcodes(qrcode.make(barcode["message"], border=4).get_image())
    shown, _ = customers.find_for_counter(ctx, found.text)
    assert shown is not None and shown.id == member.id


def test_an_erased_member_s_object_is_emptied_and_made_inactive(
    sqlite_ctx: Context, google: GoogleWalletStandIn, key_file_text: str
) -> None:
    ctx = sqlite_ctx
    _setup(ctx, google, key_file_text)
    member = _member(ctx)
    sales.record_sale(ctx, member.id, 12_000)
    link = mobile_wallet.google_link(ctx, member.id)
    assert mobile_wallet.push_due(ctx).sent == 1
    assert google.objects[link.object_id]["accountName"]
    customers.erase_customer(ctx, member.id)
    report = mobile_wallet.push_due(ctx)
    assert (report.queued, report.sent) == (1, 1)
    gone = google.objects[link.object_id]
    assert gone["state"] == "INACTIVE" and gone["loyaltyPoints"]["balance"]["int"] == 0
    assert gone["accountName"] == ""
    assert mobile_wallet.push_due(ctx) == mobile_wallet.PushReport()  # once only


def test_the_worker_updates_google_in_the_background_while_sales_go_on(
    sqlite_ctx: Context, google: GoogleWalletStandIn, key_file_text: str
) -> None:
    ctx = sqlite_ctx
    _setup(ctx, google, key_file_text)
    member = _member(ctx)
    link = mobile_wallet.google_link(ctx, member.id)
    ctx.fixed_now = None  # the worker runs on the wall clock
    google.fail_next = 100  # Google down: the counter goes on, the worker waits
    worker = mobile_wallet.start_worker(ctx, idle_seconds=0.05)
    assert worker is not None
    try:
        started = time.monotonic()
        sales.record_sale(ctx, member.id, 12_000)
        assert time.monotonic() - started < 2
        deadline = time.monotonic() + 10
        while not google.calls and time.monotonic() < deadline:
            time.sleep(0.02)
        assert google.calls and link.object_id not in google.objects
        worker.stop()  # the row as the failed try left it: kept for later, after a backoff
        with ctx.db.write() as session:
            row = session.scalars(select(MobileWalletPass)).one()
            assert (row.status, row.last_error) == ("queued", "HTTP 503") and row.attempts >= 1
            session.execute(  # the backoff's 30 s are not waited here: due again now
                update(MobileWalletPass).values(send_after=datetime.now(UTC) - timedelta(seconds=1))
            )
        worker = mobile_wallet.start_worker(ctx, idle_seconds=0.05)
        assert worker is not None
        google.fail_next = 0
        deadline = time.monotonic() + 10
        while link.object_id not in google.objects and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        worker.stop()
    points = customers.customer_status(ctx, member.id).points
    assert google.objects[link.object_id]["loyaltyPoints"]["balance"]["int"] == points > 0
