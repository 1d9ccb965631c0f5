"""`dangol messages templates | template set|submit|status | preview` on a real SQLite file,
against a Solapi stand-in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import PHONE, snapshot
from tests.messaging.solapi_standin import SolapiStandIn

BASIS = "※ 이 메시지는 고객님의 구매로 적립된 포인트 안내입니다."


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    return {"DANGOL_SOLAPI_SECRET": "SECRET"}


def _connect(cli: Any, standin: SolapiStandIn, env: dict[str, str]) -> None:
    cli.ok(
        "messages", "setup", "--api-key", "KEY", "--sender", "02-123-4567",
        "--pf-id", "PF1", "--base-url", standin.url, env=env,
    )  # fmt: skip


def test_templates_lists_every_trigger(ctx: Any) -> None:
    listed = ctx.ok("messages", "templates")["templates"]
    kinds = [t["kind"] for t in listed]
    assert kinds[0] == "points_earned" and kinds[-1] == "consent_notice"
    earned = listed[0]
    assert (earned["status"], earned["sends_as"], earned["purpose"]) == ("draft", "sms", "info")
    assert earned["problems"] == [] and earned["buttons"] == []
    assert {"text", "fallback", "fallback_type", "variables", "status_changed_at"} <= set(earned)
    text = ctx("messages", "templates")
    assert text.code == 0 and "포인트 적립 안내 (points_earned)" in text.out
    assert "미제출" in text.out and "Traceback" not in text.err


def test_set_from_options_and_from_a_file(ctx: Any, tmp_path: Path) -> None:
    done = ctx.ok(
        "messages", "template", "set", "points_earned",
        "--text", f"#{{이름}}님, #{{적립}}P 적립되었습니다.\n{BASIS}",
        "--button", "WL:포인트 확인:https://m.example.kr/p", "--category", "004001",
    )["template"]  # fmt: skip
    assert done["buttons"] == [
        {
            "type": "WL",
            "name": "포인트 확인",
            "link_mobile": "https://m.example.kr/p",
            "link_pc": None,
        }
    ]
    assert done["category"] == "004001" and done["text"].startswith("#{이름}님")
    path = tmp_path / "t.json"
    path.write_text(
        json.dumps({"fallback": "#{이름}님 #{적립}P 적립", "on": False}, ensure_ascii=False),
        encoding="utf-8",
    )
    done = ctx.ok("messages", "template", "set", "points_earned", "--from", str(path))["template"]
    assert done["fallback"] == "#{이름}님 #{적립}P 적립" and done["on"] is False
    assert done["buttons"][0]["name"] == "포인트 확인"  # what the file does not name is kept
    text = ctx("messages", "template", "set", "points_earned", "--on")
    assert text.code == 0 and "저장했습니다" in text.out and "[AlimTalk]" in text.out


def test_bad_templates_are_refused_with_nothing_changed(ctx: Any, tmp_path: Path) -> None:
    before = snapshot(ctx.db)
    args = ("messages", "template", "set", "points_earned")
    assert "광고성 표현" in ctx.refused(*args, "--text", f"#{{이름}}님 특가 세일\n{BASIS}")
    assert "발송 근거" in ctx.refused(*args, "--text", "#{이름}님 적립 완료")
    assert "14자" in ctx.refused(*args, "--button", "BK:" + "가" * 15)
    assert "종류:이름" in ctx.refused(*args, "--button", "WL")
    assert "‘kimchi’" in ctx.refused("messages", "template", "set", "kimchi", "--on")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    assert "읽을 수 없습니다" in ctx.refused(*args, "--from", str(bad))
    assert "파일이 없습니다" in ctx.refused(*args, "--from", str(tmp_path / "none.json"))
    english = ctx.refused("--lang", "en", *args, "--text", "#{이름}님 적립 완료")
    assert "basis line" in english
    assert snapshot(ctx.db) == before


def test_submit_status_and_preview(ctx: Any, standin: SolapiStandIn, env: dict[str, str]) -> None:
    _connect(ctx, standin, env)
    # without Kakao's category code: refused in words, nothing reaches the provider
    missing = ctx.refused("messages", "template", "submit", "points_earned", env=env)
    assert "카테고리" in missing and standin.requests == []
    english = ctx.refused(
        "--lang", "en", "messages", "template", "submit", "points_earned", env=env
    )
    assert "category" in english
    assert "여섯 자리" in ctx.refused(
        "messages", "template", "set", "points_earned", "--category", "abc", env=env
    )
    ctx.ok("messages", "template", "set", "points_earned", "--category", "004001", env=env)
    submitted = ctx.ok("messages", "template", "submit", "points_earned", env=env)["template"]
    assert submitted["status"] == "inspecting"
    (template_id,) = standin.templates
    assert submitted["provider_template_id"] == template_id
    assert "광고성 알림" in ctx.refused("messages", "template", "submit", "winback", env=env)
    twice = ctx.refused("messages", "template", "submit", "points_earned", env=env)
    assert "‘포인트 적립 안내’ 템플릿은 이미 제출되었습니다. (상태: 검수 중)" in twice

    standin.review(template_id, approved=False, reason="변수 과다")
    (rejected,) = ctx.ok("messages", "template", "status", env=env)["templates"]
    assert (rejected["status"], rejected["status_reason"]) == ("rejected", "변수 과다")
    out = ctx("messages", "template", "status", "points_earned", env=env)
    assert out.code == 0 and "반려 사유: 변수 과다" in out.out
    assert "아직 제출되지" in ctx.refused("messages", "template", "status", "winback", env=env)

    ctx.ok("sale", PHONE, "--amount", "12000")
    shown = ctx.ok("messages", "preview", "points_earned", PHONE)["preview"]
    assert shown["phone_masked"] == "010-****-5678" and "#{" not in shown["alimtalk"]
    assert shown["sends_as"] == "sms" and shown["fallback_type"] in ("SMS", "LMS")
    text = ctx("messages", "preview", "points_earned", PHONE)
    assert text.code == 0 and "010-****-5678" in text.out and "[AlimTalk]" in text.out


def test_the_log_says_what_became_of_a_message(
    ctx: Any, standin: SolapiStandIn, env: dict[str, str]
) -> None:
    _connect(ctx, standin, env)
    ctx.ok("sale", PHONE, "--amount", "12000")
    done = ctx.ok("messages", "send-due", env=env)  # sent, then asked at once: delivered
    (reported,) = done["delivered"]
    assert done["sent"] == 1 and reported["id"] == done["messages"][0]["id"]
    assert reported["delivery"] == "delivered" and reported["delivered_at"]
    assert "text" not in reported
    (logged,) = ctx.ok("messages", "log", PHONE)["messages"]
    assert logged["delivery"] == "delivered"
    text = ctx("messages", "log", PHONE)
    assert "수신 완료" in text.out


def test_submit_offline_is_refused(ctx: Any, standin: SolapiStandIn, env: dict[str, str]) -> None:
    _connect(ctx, standin, env)
    ctx.ok("messages", "template", "set", "points_earned", "--category", "004001", env=env)
    standin.stop()
    before = snapshot(ctx.db)
    assert "응답하지 않습니다" in ctx.refused(
        "messages", "template", "submit", "points_earned", env=env
    )
    assert snapshot(ctx.db) == before


def test_status_says_a_template_unknown_at_solapi_and_asks_the_others(
    ctx: Any, standin: SolapiStandIn, env: dict[str, str]
) -> None:
    _connect(ctx, standin, env)
    for kind in ("points_earned", "coupon_issued"):
        ctx.ok("messages", "template", "set", kind, "--category", "004001", env=env)
        ctx.ok("messages", "template", "submit", kind, env=env)
    earned, coupon = standin.templates
    del standin.templates[earned]
    standin.review(coupon, approved=True)
    out = ctx("messages", "template", "status", env=env)
    assert out.code == 0, out.err
    assert "솔라피에 없음 (다시 제출 필요)" in out.out and "승인" in out.out
    shown = {
        t["kind"]: t["status"]
        for t in ctx.ok("messages", "template", "status", env=env)["templates"]
    }
    assert shown == {"points_earned": "missing", "coupon_issued": "approved"}
