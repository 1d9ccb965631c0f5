"""The wallet through the POS bridge: balance, spend, top-up, and a sale's wallet part."""

from __future__ import annotations

from app.services import program
from tests.bridge.test_api import PHONE, served  # noqa: F401  (the served API, a fixture)
from tests.services.helpers import snapshot


def test_wallet_endpoints_and_the_sale_answer(served) -> None:  # noqa: F811
    ctx, client, _, _ = served
    document = client.get("/openapi.json").json()
    assert {
        "/v1/customers/{who}/wallet",
        "/v1/customers/{who}/wallet/spend",
        "/v1/customers/{who}/wallet/topup",
    } <= set(document["paths"])
    plain = client.post("/v1/sales", json={"ref": "S0", "amount": 10_000, "who": PHONE})
    assert plain.status_code == 201 and "cashback_earned" not in plain.json()  # no wallet yet
    off = client.get(f"/v1/customers/{PHONE}/wallet")
    assert off.status_code == 422 and off.json()["error"] == "wallet.off"

    shape = program.show_program(ctx)
    shape["cashback"] = {"percent": {"BASIC": 5}, "prepaid_limit": 50_000}
    program.load_program(ctx, shape)
    top = client.post(f"/v1/customers/{PHONE}/wallet/topup", json={"won": 10_000, "ref": "CARD-1"})
    assert top.status_code == 201 and top.json()["wallet"]["prepaid"] == 10_000
    before = snapshot(ctx)
    for body, status, code in (
        ({"won": 1_000, "ref": "CARD-1"}, 409, "wallet.ref_used"),
        ({"won": 1_000, "ref": "W-1", "paid_with": "wallet"}, 422, "wallet.topup_from_wallet"),
        ({"won": 40_001, "ref": "W-2"}, 422, "wallet.topup_limit"),
    ):
        refused = client.post(
            f"/v1/customers/{PHONE}/wallet/topup",
            json=body,
            headers={"Accept-Language": "en"},
        )
        assert (refused.status_code, refused.json()["error"]) == (status, code)
        assert refused.json()["message"].isascii()
    assert snapshot(ctx) == before
    sale = client.post(
        "/v1/sales", json={"ref": "S1", "amount": 20_000, "who": PHONE, "wallet": 4_000}
    )
    assert sale.status_code == 201
    body = sale.json()
    assert (body["wallet_spent"], body["cashback_earned"]) == (4_000, 800)  # 5 % of 16,000
    assert body["wallet"]["prepaid"] == 6_000 and body["wallet"]["cashback"] == 800
    spent = client.post(f"/v1/customers/{PHONE}/wallet/spend", json={"won": 1_000})
    assert spent.status_code == 201
    assert (spent.json()["cashback_part"], spent.json()["prepaid_part"]) == (800, 200)
    shown = client.get(f"/v1/customers/{PHONE}/wallet").json()
    assert (shown["cashback"], shown["prepaid"], shown["total"]) == (0, 5_800, 5_800)
    too_much = client.post(f"/v1/customers/{PHONE}/wallet/spend", json={"won": 5_801})
    assert too_much.status_code == 422 and too_much.json()["error"] == "wallet.not_enough"
    assert "잔액" in too_much.json()["message"]
