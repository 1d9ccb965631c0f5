"""A member's pass in Google Wallet follows their card: a replaced card moves the object's
barcode to the new token (the outbox row queued again, the push sends the new value), and a
merge gives the absorbed record's pass the keeper's points and card. Against the stand-in of
Google's REST API on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from sqlalchemy import select

from app.db.models import MobileWalletPass
from app.domain.errors import Refused
from app.domain.mobile_wallet import SAVE_URL
from app.services import customer_admin, customers, mobile_wallet, sales
from app.services.context import Context
from tests.messaging.google_wallet_standin import EMAIL, GoogleWalletStandIn, service_account

ISSUER = "3388000000012345678"


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


def _rows(ctx: Context) -> list[tuple[Any, str, str, str]]:
    with ctx.db.read() as session:
        rows = session.scalars(select(MobileWalletPass).order_by(MobileWalletPass.created_at))
        return [(r.customer_id, r.object_id, r.token, r.status) for r in rows]


def _object_of(link: mobile_wallet.GoogleLink) -> dict[str, Any]:
    claims = jwt.decode(
        link.url[len(SAVE_URL) :], service_account()[1], algorithms=["RS256"], audience="google"
    )
    (obj,) = claims["payload"]["loyaltyObjects"]
    return dict(obj)


def test_a_replaced_card_moves_the_pass_s_barcode_to_the_new_token(ctx, google):
    _set_up(ctx, google)
    member = customers.enroll(ctx, "010-1234-5678", name="김단골")
    sales.record_sale(ctx, member.id, 12_000)
    old = customers.customer_status(ctx, member.id).card
    link = mobile_wallet.google_link(ctx, member.id)
    assert mobile_wallet.push_due(ctx).sent == 1
    assert google.objects[link.object_id]["barcode"]["value"] == old

    new = customers.reissue_card(ctx, member.id)

    assert new != old
    # the outbox row queued again, carrying the new token; the object keeps its id
    assert _rows(ctx) == [(member.id, link.object_id, new, "queued")]
    google.calls.clear()
    report = mobile_wallet.push_due(ctx)
    assert (report.sent, report.failed) == (1, 0)
    (call,) = [c for c in google.calls if c[1] != "/token"]
    assert call[0] == "PATCH" and call[2]["barcode"]["value"] == new  # the push sends it
    held = google.objects[link.object_id]
    assert held["barcode"] == {"type": "QR_CODE", "value": new, "alternateText": new}
    assert held["accountId"] == new and len(google.objects) == 1
    assert _rows(ctx) == [(member.id, link.object_id, new, "done")]
    # the pass scanned at the counter finds the member; the lost card no longer does
    found, _ = customers.find_for_counter(ctx, held["barcode"]["value"])
    assert found is not None and found.id == member.id
    try:
        lost, matches = customers.find_for_counter(ctx, old)
    except Refused:  # a revoked card may be said in words: it finds no one either way
        lost, matches = None, []
    assert lost is None and not matches
    # the link made again names the same object, with the new barcode
    again = mobile_wallet.google_link(ctx, member.id)
    assert again.object_id == link.object_id and len(_rows(ctx)) == 1
    assert _object_of(again) == {"id": link.object_id, "classId": f"{ISSUER}.dangol"}
    assert mobile_wallet.push_due(ctx).sent == 0  # nothing changed since: nothing sent


def test_after_a_failed_push_the_scan_queues_the_new_barcode_again(ctx, google):
    _set_up(ctx, google)
    member = customers.enroll(ctx, "010-1234-5678", name="김단골")
    link = mobile_wallet.google_link(ctx, member.id)
    assert mobile_wallet.push_due(ctx).sent == 1
    new = customers.reissue_card(ctx, member.id)
    google.fail_next = 50
    with ctx.db.write() as session:  # the retries used up: the row failed for good
        session.execute(
            MobileWalletPass.__table__.update().values(attempts=mobile_wallet.mw.MAX_ATTEMPTS - 1)
        )
    assert mobile_wallet.push_due(ctx).failed == 1
    google.fail_next = 0
    assert _rows(ctx)[0][3] == "failed"
    report = mobile_wallet.push_due(ctx)  # the scan finds it differs from what Google has
    assert report.queued == 1 and report.sent == 1
    assert google.objects[link.object_id]["barcode"]["value"] == new


def test_a_merge_gives_the_absorbed_pass_the_keeper_s_points_and_card(ctx, google):
    _set_up(ctx, google)
    keep = customers.enroll(ctx, "010-1234-5678", name="김단골")
    absorb = customers.enroll(ctx, "010-2222-3333", name="김단골")
    sales.record_sale(ctx, keep.id, 20_000)
    sales.record_sale(ctx, absorb.id, 10_000)
    absorbed_link = mobile_wallet.google_link(ctx, absorb.id)
    assert mobile_wallet.push_due(ctx).sent == 1

    customer_admin.merge_customers(ctx, keep.id, absorb.id)

    assert [(r[0], r[3]) for r in _rows(ctx)] == [(keep.id, "queued")]
    assert mobile_wallet.push_due(ctx).sent == 1
    status = customers.customer_status(ctx, keep.id)
    held = google.objects[absorbed_link.object_id]
    assert held["loyaltyPoints"]["balance"] == {"int": status.points} and status.points > 0
    assert held["barcode"]["value"] == status.card and held.get("state", "ACTIVE") == "ACTIVE"
    found, _ = customers.find_for_counter(ctx, status.card)
    assert found is not None and found.id == keep.id
