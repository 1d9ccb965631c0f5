"""`dangol messages announce`: the owner's announcement, planned and sent, on a real SQLite file."""

from __future__ import annotations

from typing import Any

import pytest

from app.services import messages
from app.services.context import open_shop
from tests.messaging.solapi_standin import SolapiStandIn


def test_announce_plans_then_queues_for_who_agreed(
    ctx: Any, standin: SolapiStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    env = {"DANGOL_SOLAPI_SECRET": "SECRET"}
    ctx.ok(
        "messages", "setup", "--api-key", "KEY", "--sender", "02-123-4567",
        "--base-url", standin.url, env=env,
    )  # fmt: skip
    refused = ctx.refused("messages", "announce", "--text", "신메뉴 출시")
    assert "080" in refused  # no free opt-out number yet: said in words, nothing queued
    shop = open_shop(str(ctx.db))
    try:
        messages.set_rules(shop, optout="080-123-4567")
    finally:
        shop.close()
    ctx.ok("customer", "add", "--phone", "010-2222-3333", "--marketing-consent")
    planned = ctx.ok("messages", "announce", "--text", "신메뉴 출시", "--dry-run")
    assert planned["sent"] is False and planned["queued"] == 1 and planned["messages"] == []
    assert planned["excluded"] == {"no_ad_consent": planned["chosen"] - 1}
    assert ctx.ok("messages", "queue")["messages"] == []
    done = ctx.ok("messages", "announce", "--text", "신메뉴 출시")
    assert done["sent"] is True and done["queued"] == 1
    (waiting,) = ctx.ok("messages", "queue")["messages"]
    assert (waiting["kind"], waiting["purpose"], waiting["channel"]) == ("campaign", "ad", "sms")
    again = ctx("messages", "announce", "--text", "신메뉴 출시")
    assert again.code == 0 and "오늘 같은 내용을 이미 보냄" in again.out
    bad = ctx.refused("messages", "announce", "--text", "x", "--birthday-month", "13")
    assert "1에서 12 사이" in bad
