"""`dangol messages setup|queue|log|send-due` on a real SQLite file, against a Solapi stand-in."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cli.conftest import PHONE, snapshot
from tests.messaging.solapi_standin import SolapiStandIn

KEYS = {"member_id", "kind", "channel", "purpose", "status", "send_after"}


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    return {"DANGOL_SOLAPI_SECRET": "SECRET"}


def _connect(cli: Any, standin: SolapiStandIn, env: dict[str, str]) -> dict[str, Any]:
    return cli.ok(
        "messages", "setup", "--api-key", "KEY", "--sender", "02-123-4567",
        "--base-url", standin.url, env=env,
    )  # fmt: skip


def test_queue_send_due_and_log(ctx: Any, standin: SolapiStandIn, env: dict[str, str]) -> None:
    setup = _connect(ctx, standin, env)
    assert setup["sender"] == "021234567" and setup["secret_saved"] is False
    assert "SECRET" not in str(setup)
    ctx.ok("sale", PHONE, "--amount", "12000")
    (waiting,) = ctx.ok("messages", "queue")["messages"]
    assert set(waiting) >= KEYS and "text" not in waiting
    assert (waiting["kind"], waiting["status"], waiting["purpose"]) == (
        "points_earned",
        "queued",
        "info",
    )
    sent = ctx.ok("messages", "send-due", env=env)
    assert sent["sent"] == 1 and sent["offline"] is False
    assert [m["status"] for m in sent["messages"]] == ["sent"]
    assert set(sent["messages"][0]) >= KEYS
    assert len(standin.accepted) == 1
    assert ctx.ok("messages", "queue")["messages"] == []
    (logged,) = ctx.ok("messages", "log", PHONE)["messages"]
    assert logged["status"] == "sent" and logged["member_id"] == waiting["member_id"]
    text = ctx("messages", "log", PHONE)
    assert text.code == 0 and "포인트 적립 안내" in text.out and "발송" in text.out


def test_send_due_offline_keeps_the_queue(
    ctx: Any, standin: SolapiStandIn, env: dict[str, str]
) -> None:
    _connect(ctx, standin, env)
    ctx.ok("sale", PHONE, "--amount", "12000")
    standin.stop()
    out = ctx("messages", "send-due", env=env)
    assert out.code == 0 and "대기열에 그대로" in out.out
    assert [m["status"] for m in ctx.ok("messages", "queue")["messages"]] == ["queued"]


def test_without_a_provider_send_due_is_refused(ctx: Any) -> None:
    before = snapshot(ctx.db)
    assert "Solapi" in ctx.refused("messages", "send-due")
    assert snapshot(ctx.db) == before


def test_a_bad_sender_is_refused(ctx: Any, env: dict[str, str]) -> None:
    before = snapshot(ctx.db)
    err = ctx.refused("messages", "setup", "--api-key", "KEY", "--sender", "12", env=env)
    assert "발신번호" in err
    assert snapshot(ctx.db) == before


def test_rules_show_and_set_what_an_unapproved_template_does(ctx: Any) -> None:
    assert ctx.ok("messages", "rules")["rules"]["unapproved"] == "fallback"
    shown = ctx("messages", "rules")
    assert shown.code == 0 and "문자(SMS/LMS)로 대신 보냅니다" in shown.out
    held = ctx("messages", "rules", "--unapproved", "hold")
    assert held.code == 0 and "보내는 규칙을 저장했습니다." in held.out
    assert "승인될 때까지" in held.out
    assert ctx.ok("messages", "rules")["rules"]["unapproved"] == "hold"
    english = ctx("--lang", "en", "messages", "rules")
    assert "held until it is approved" in english.out
    before = snapshot(ctx.db)
    bad = ctx("messages", "rules", "--unapproved", "later")
    assert bad.code != 0 and "Traceback" not in bad.err and snapshot(ctx.db) == before
    back = ctx.ok("messages", "rules", "--unapproved", "fallback")
    assert back["rules"]["unapproved"] == "fallback"
