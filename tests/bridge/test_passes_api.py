"""The POS bridge's pass endpoints over a real socket: plans, sell, use, pause, resume,
cancel, a member's passes; refusals in the caller's language; in the OpenAPI document."""

from __future__ import annotations

import copy

import httpx
import pytest

from app.bridge.api import ApiServer
from app.domain.program import DEFAULT_PROGRAM_JSON
from app.services import customers, program, tokens

PHONE = "010-1234-5678"
PLAN = {
    "code": "AM30",
    "name": "아메리카노 30일",
    "price": 30_000,
    "days": 30,
    "benefit": "free_item",
    "items": ["아메리카노"],
    "uses_per_day": 1,
    "refund": "pro_rata",
}


@pytest.fixture
def client(sqlite_ctx):
    document = copy.deepcopy(DEFAULT_PROGRAM_JSON)
    document["passes"] = [PLAN]
    program.load_program(sqlite_ctx, document)
    customers.enroll(sqlite_ctx, PHONE, name="김단골")
    token = tokens.create_token(sqlite_ctx, "카운터 POS", "pos").token
    server = ApiServer(sqlite_ctx, port=0)
    port = server.start()
    with httpx.Client(
        base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}
    ) as http:
        yield http
    server.stop()


def test_the_pass_endpoints(client) -> None:
    paths = set(client.get("/openapi.json").json()["paths"])
    assert {"/v1/passes", "/v1/passes/use", "/v1/passes/cancel", "/v1/passes/plans"} <= paths
    assert client.get("/v1/passes/plans").json()["plans"][0]["code"] == "AM30"
    sold = client.post("/v1/passes", json={"who": PHONE, "plan": "AM30", "ref": "POS-9"})
    assert sold.status_code == 201 and sold.json()["pass"]["pos_ref"] == "POS-9"
    again = client.post("/v1/passes", json={"who": PHONE, "plan": "AM30"})
    assert again.status_code == 422 and again.json()["error"] == "pass.already"
    assert "구독권" in again.json()["message"]
    no_plan = client.post("/v1/passes", json={"who": PHONE})
    assert no_plan.status_code == 400 and no_plan.json()["error"] == "api.malformed"
    used = client.post("/v1/passes/use", json={"who": PHONE})
    assert used.status_code == 200 and used.json()["pass"]["uses_today"] == 1
    twice = client.post("/v1/passes/use", json={"who": PHONE}, headers={"Accept-Language": "en"})
    assert twice.json()["error"] == "pass.used_up" and "used up" in twice.json()["message"]
    assert client.post("/v1/passes/pause", json={"who": PHONE}).json()["pass"]["status"] == "paused"
    assert client.post("/v1/passes/resume", json={"who": PHONE}).json()["action"] == "resumed"
    cancelled = client.post("/v1/passes/cancel", json={"who": PHONE, "ref": "RF-9"}).json()
    assert cancelled["refund"] == 29_000  # 29 days left of 30
    listed = client.get(f"/v1/customers/{PHONE}/passes").json()["passes"]
    assert [p["status"] for p in listed] == ["cancelled"]
    unknown = client.post("/v1/passes/use", json={"who": "010-9999-0000"})
    assert unknown.status_code == 404
    extra = client.post("/v1/passes/use", json={"who": PHONE, "points": 1})
    assert extra.status_code == 400
