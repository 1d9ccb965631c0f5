"""The local API over real sockets: tokens, every endpoint, idempotency, refusal codes."""

from __future__ import annotations

import concurrent.futures
import json

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from sqlalchemy import func, select

from app.bridge.api import ApiServer, SaleIn, plain_sale
from app.db.models import AuditEntry, PosSale, Sale
from app.services import customers, program, tokens
from tests.services.helpers import snapshot

PHONE = "010-1234-5678"


@pytest.fixture
def served(ctx):
    document = program.show_program(ctx)
    for level in document["tiers"]["levels"]:
        level["earn_percent"] = "2"
    document["campaigns"] = []
    program.load_program(ctx, document)
    customers.enroll(ctx, PHONE, name="김단골")
    token = tokens.create_token(ctx, "카운터 POS", "pos").token
    server = ApiServer(ctx, port=0)
    port = server.start()
    client = httpx.Client(
        base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}
    )
    yield ctx, client, token, port
    client.close()
    server.stop()


def test_health_needs_no_token_and_the_openapi_document_is_published(served):
    _, _client, _, port = served
    bare = httpx.get(f"http://127.0.0.1:{port}/v1/health")
    assert bare.status_code == 200 and bare.json()["ok"] is True
    document = httpx.get(f"http://127.0.0.1:{port}/openapi.json").json()
    assert {"/v1/sales", "/v1/sales/{ref}/refunds", "/v1/redemptions"} <= set(document["paths"])
    # the plain sale skips FastAPI's route, but the document still gives its body
    body = document["paths"]["/v1/sales"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["$ref"].endswith("/SaleIn")
    sale_in = document["components"]["schemas"]["SaleIn"]
    assert set(sale_in["properties"]) == {
        "ref",
        "amount",
        "items",
        "who",
        "wallet",
        "partner_spend",
    }
    assert sale_in["required"] == ["ref", "amount"]


def test_no_token_or_a_wrong_one_is_401_in_the_callers_language(served):
    ctx, _client, _, port = served
    before = snapshot(ctx)
    bare = httpx.post(f"http://127.0.0.1:{port}/v1/sales", json={"ref": "A1", "amount": 1000})
    assert bare.status_code == 401 and bare.json()["error"] == "api.unauthorized"
    assert "토큰" in bare.json()["message"]
    wrong = httpx.post(
        f"http://127.0.0.1:{port}/v1/sales",
        json={"ref": "A1", "amount": 1000},
        headers={"Authorization": "Bearer dgl_pos_nope", "Accept-Language": "en-US,en;q=0.9"},
    )
    assert wrong.status_code == 401 and wrong.json()["error"] == "token.unknown"
    assert wrong.json()["message"].isascii()
    pin = httpx.get(
        f"http://127.0.0.1:{port}/v1/sales/pending", headers={"Authorization": "Bearer 1234"}
    )
    assert pin.status_code == 401
    assert snapshot(ctx) == before


def test_repeated_bad_tokens_are_slowed_down(served):
    _, _, _, port = served
    import time

    timings = []
    for _ in range(6):
        started = time.perf_counter()
        httpx.get(
            f"http://127.0.0.1:{port}/v1/sales/pending",
            headers={"Authorization": "Bearer dgl_pos_guess"},
        )
        timings.append(time.perf_counter() - started)
    assert max(timings[:3]) < 0.25 and timings[-1] >= 0.9


def test_a_forwarded_for_header_does_not_hide_a_guessing_client(served):
    _, _, _, port = served
    import time

    timings = []
    for attempt in range(6):
        started = time.perf_counter()
        httpx.get(
            f"http://127.0.0.1:{port}/v1/sales/pending",
            headers={
                "Authorization": "Bearer dgl_pos_guess",
                "X-Forwarded-For": f"10.9.9.{attempt}",
            },
        )
        timings.append(time.perf_counter() - started)
    assert timings[-1] >= 0.9


def test_a_revoked_token_stops_at_once(served):
    ctx, client, _, _ = served
    assert client.get("/v1/sales/pending").status_code == 200
    tokens.revoke_token(ctx, "카운터 POS")
    assert client.get("/v1/sales/pending").status_code == 401


def test_a_token_revoked_by_another_process_stops_within_a_second(served, db_url):
    import os
    import subprocess
    import sys
    import time

    _, client, _, _ = served
    assert client.get("/v1/sales/pending").status_code == 200
    env = {k: v for k, v in os.environ.items() if not k.startswith("DANGOL_")}
    done = subprocess.run(
        [sys.executable, "-m", "app", "--db", db_url, "pos", "token", "revoke", "카운터 POS"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    revoked = time.monotonic()
    while client.get("/v1/sales/pending").status_code == 200:
        assert time.monotonic() - revoked < 1.5, "the revoked token still works"
        time.sleep(0.05)


def test_sale_then_repeat_then_conflict(served):
    ctx, client, _, _ = served
    first = client.post("/v1/sales", json={"ref": "30012398", "amount": 12_000, "who": PHONE})
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["points_earned"] == 240 and body["ref"] == "30012398"
    assert {"sale_id", "customer_id", "points", "stamps", "tier", "phone_masked"} <= set(body)
    before = snapshot(ctx)
    again = client.post("/v1/sales", json={"ref": "30012398", "amount": 12_000, "who": PHONE})
    assert again.status_code == 200 and again.json()["sale_id"] == body["sale_id"]
    other = client.post("/v1/sales", json={"ref": "30012398", "amount": 9_000, "who": PHONE})
    assert other.status_code == 409 and other.json()["error"] == "pos.ref_conflict"
    assert snapshot(ctx) == before
    with ctx.db.read() as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.action == "pos.sale")).all()
    assert rows and "카운터 POS" in json.dumps(json.loads(rows[0].detail), ensure_ascii=False)


def test_fifty_identical_requests_at_once_write_one_sale(served):
    ctx, _client, token, port = served

    def post(_: int) -> tuple[int, str]:
        with httpx.Client(headers={"Authorization": f"Bearer {token}"}) as own:
            response = own.post(
                f"http://127.0.0.1:{port}/v1/sales",
                json={"ref": "BURST-1", "amount": 7_000, "who": PHONE},
                timeout=60,
            )
        return response.status_code, response.json()["sale_id"]

    with concurrent.futures.ThreadPoolExecutor(max_workers=50) as pool:
        answers = list(pool.map(post, range(50)))
    assert sorted(status for status, _ in answers) == [200] * 49 + [201]
    assert len({sale_id for _, sale_id in answers}) == 1
    with ctx.db.read() as session:
        assert session.scalar(select(func.count()).select_from(PosSale)) == 1
        assert session.scalar(select(func.count()).select_from(Sale)) == 1


def test_pending_attach_and_the_pending_list(served):
    _, client, _, _ = served
    waiting = client.post("/v1/sales", json={"ref": "P-7", "amount": 12_000})
    assert waiting.status_code == 202 and waiting.json() == {"ref": "P-7", "status": "pending"}
    listed = client.get("/v1/sales/pending").json()["pending"]
    assert [(p["ref"], p["amount"], p["source"]) for p in listed] == [("P-7", 12_000, "api")]
    assert listed[0]["received_at"].endswith("+09:00")
    attached = client.post("/v1/sales/P-7/customer", json={"who": PHONE})
    assert attached.status_code == 201 and attached.json()["points_earned"] == 240
    assert client.get("/v1/sales/pending").json() == {"pending": []}
    unknown = client.post("/v1/sales/NOPE/customer", json={"who": PHONE})
    assert unknown.status_code == 404 and unknown.json()["error"] == "pos.unknown_ref"


def test_refunds_cancel_and_their_codes(served):
    _, client, _, _ = served
    client.post("/v1/sales", json={"ref": "S1", "amount": 12_000, "who": PHONE})
    part = client.post("/v1/sales/S1/refunds", json={"refund_ref": "S1-R1", "amount": 4_000})
    assert part.status_code == 201
    assert {k: part.json()[k] for k in ("points_reversed", "remaining_amount")} == {
        "points_reversed": 80,
        "remaining_amount": 8_000,
    }
    assert set(part.json()) >= {
        "points_reversed",
        "stamps_reversed",
        "points_restored",
        "points",
        "stamps",
        "remaining_amount",
    }
    again = client.post("/v1/sales/S1/refunds", json={"refund_ref": "S1-R1", "amount": 4_000})
    assert again.status_code == 200 and again.json()["points_reversed"] == 80
    over = client.post("/v1/sales/S1/refunds", json={"refund_ref": "S1-R2", "amount": 9_000})
    assert over.status_code == 422 and over.json()["error"] == "refund.over_remaining"
    assert "8,000원" in over.json()["message"]
    cancelled = client.post("/v1/sales/S1/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["points_reversed"] == 160
    assert client.post("/v1/sales/S1/cancel").json()["remaining_amount"] == 0


def test_redemptions_by_ref(served):
    _, client, _, _ = served
    client.post("/v1/sales", json={"ref": "S9", "amount": 100_000, "who": PHONE})
    used = client.post("/v1/redemptions", json={"ref": "U9", "who": PHONE, "points": 1_000})
    assert used.status_code == 201 and used.json()["points_used"] == 1_000
    again = client.post("/v1/redemptions", json={"ref": "U9", "who": PHONE, "points": 1_000})
    assert again.status_code == 200
    assert again.json()["redemption_id"] == used.json()["redemption_id"]
    too_much = client.post("/v1/redemptions", json={"ref": "U10", "who": PHONE, "points": 99_000})
    assert too_much.status_code == 422 and too_much.json()["error"] == "redeem.insufficient"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"ref": "X", "amount": "12000"}, "amount"),  # a string where a number belongs
        ({"amount": 1000}, "ref"),  # no ref
        ({"ref": "X", "amount": 1000, "colour": "red"}, "colour"),  # an unknown key
        ({"ref": "X", "amount": 1000.0}, "amount"),
        ({"ref": "X", "amount": True}, "amount"),
        ({"ref": "X", "amount": None}, "amount"),
        ({"ref": "X"}, "amount"),
        ({"ref": 5, "amount": 1000}, "ref"),
        ({"ref": "X" * 65, "amount": 1000}, "ref"),
        ({"ref": "X", "amount": 1000, "who": 5}, "who"),
        ({"ref": "X", "amount": 1000, "who": "1" * 101}, "who"),
        ({"ref": "X", "amount": 1000, "items": "3"}, "items.int"),
        ({"ref": "X", "amount": 1000, "items": True}, "items.int"),
        ({"ref": "X", "amount": 1000, "items": {"qty": 2}}, "items.int"),
        ([], "body"),
        ("X", "body"),
    ],
)
def test_malformed_bodies_are_400_naming_the_field(served, body, field):
    """The plain sale's own parsing leaves these to FastAPI's check: the same 400 as ever."""
    ctx, client, _, _ = served
    before = snapshot(ctx)
    response = client.post("/v1/sales", json=body, headers={"Accept-Language": "en"})
    assert response.status_code == 400 and response.json()["error"] == "api.malformed"
    assert f"read: {field} is missing" in response.json()["message"]
    korean = client.post("/v1/sales", json=body)
    assert korean.json() == {"error": "api.malformed", "message": korean.json()["message"]}
    assert f"{field} 값이" in korean.json()["message"]
    assert snapshot(ctx) == before


@pytest.mark.parametrize(
    ("content", "content_type", "field"),
    [
        (b'{"ref": "X", "amount": 1000', "application/json", "27"),  # where the JSON breaks
        (b'{"ref": "X", "amount": 1000}garbage', "application/json", "28"),
        (b"", "application/json", "body"),
        (b'{"ref": "X", "amount": NaN}', "application/json", "amount"),
        (b'{"ref": "X", "amount": 1000}', "text/plain", "body"),  # not said to be JSON
        (b'{"ref": "X", "amount": 1000}', None, "body"),
    ],
)
def test_bodies_that_are_not_plain_json_are_400(served, content, content_type, field):
    ctx, _client, token, port = served
    before = snapshot(ctx)
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
    if content_type:
        headers["Content-Type"] = content_type
    with httpx.Client() as bare:  # no Content-Type unless given
        response = bare.post(f"http://127.0.0.1:{port}/v1/sales", content=content, headers=headers)
    assert response.status_code == 400 and response.json()["error"] == "api.malformed"
    assert f"read: {field} is missing" in response.json()["message"]
    assert snapshot(ctx) == before


def test_the_plain_path_and_fastapis_route_answer_a_sale_alike(served):
    """A sale with a charset or an item list (the Gate's plain path) and one sent as
    'application/merge+json' (FastAPI's route): the same codes and keys, both recorded."""
    _, client, _, _ = served
    lines = [{"sku": "A", "qty": 2}, {"sku": "B"}]
    plain = client.post(
        "/v1/sales",
        content=json.dumps({"ref": "C1", "amount": 12_000, "items": lines, "who": PHONE}),
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    routed = client.post(
        "/v1/sales",
        content=json.dumps({"ref": "C2", "amount": 12_000, "items": lines, "who": PHONE}),
        headers={"Content-Type": "application/merge+json"},
    )
    assert plain.status_code == routed.status_code == 201
    assert plain.headers["content-type"] == routed.headers["content-type"] == "application/json"
    assert set(plain.json()) == set(routed.json())
    same = ("points_earned", "stamps_earned", "tier", "name", "phone_masked")
    assert [plain.json()[k] for k in same] == [routed.json()[k] for k in same]
    waiting = client.post("/v1/sales", json={"ref": "C3", "amount": 1_000, "who": None})
    assert waiting.status_code == 202 and waiting.json() == {"ref": "C3", "status": "pending"}
    bad = client.post("/v1/sales", json={"ref": "C4", "amount": 1_000, "items": [{"qty": 0}]})
    assert bad.status_code == 422 and bad.json()["error"] == "items.invalid"


def _accepted_alike(data: object) -> None:
    """plain_sale takes a body exactly when the strict model does, and reads it the same."""
    sale = plain_sale(json.dumps(data).encode())
    try:
        model = SaleIn.model_validate(data)
    except ValidationError:
        assert sale is None, data
    else:
        assert sale is not None and sale.model_dump() == model.model_dump(), data


TRICKY = [None, True, False, 0, -1, 10**22, 1.0, 2.5, "", "X", "x" * 64, "x" * 65, "1" * 100]
TRICKY += ["1" * 101, [], [1, "a"], [{"qty": 2}], {}, {"a": 1}]


@pytest.mark.parametrize("key", ["ref", "amount", "items", "who", "colour"])
def test_the_plain_parse_accepts_what_the_model_accepts_key_by_key(key):
    for value in TRICKY:
        _accepted_alike({"ref": "R1", "amount": 1000, key: value})
    _accepted_alike({k: v for k, v in {"ref": "R1", "amount": 1000}.items() if k != key})
    for body in ([], "R1", 5, None, {}):
        _accepted_alike(body)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.sampled_from(["ref", "amount", "items", "who", "colour"]),
        st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=101)),
    )
)
def test_the_plain_parse_accepts_what_the_model_accepts(data):
    _accepted_alike(data)


def test_the_plain_parse_reads_a_usual_sale():
    body = b'{"ref": "30012398", "amount": 12000, "items": 3, "who": "010-1234-5678"}'
    assert plain_sale(body) == SaleIn(ref="30012398", amount=12_000, items=3, who=PHONE)


def test_not_json_and_too_large(served):
    ctx, client, _, _ = served
    before = snapshot(ctx)
    garbled = client.post(
        "/v1/sales", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert garbled.status_code == 400
    huge = client.post("/v1/sales", json={"ref": "X", "amount": 1, "items": ["x" * 70_000]})
    assert huge.status_code == 413 and huge.json()["error"] == "api.too_large"
    negative = client.post("/v1/sales", json={"ref": "N1", "amount": -5, "who": PHONE})
    assert negative.status_code == 422 and negative.json()["error"] == "amount.not_positive"
    nobody = client.get("/v1/customers/010-9999-9999")
    assert nobody.status_code == 404
    assert snapshot(ctx) == before


def test_customers_endpoints_use_the_cli_keys(served):
    _, client, _, _ = served
    found = client.get("/v1/customers", params={"q": "5678"}).json()["customers"]
    assert found and {"id", "phone_masked", "points", "stamps", "tier"} <= set(found[0])
    shown = client.get(f"/v1/customers/{PHONE}").json()
    assert shown["phone_masked"] == "010-****-5678"
