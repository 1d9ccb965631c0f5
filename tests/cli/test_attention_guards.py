"""`dangol sync attention` says a fraud guard's finding in a sentence, in both languages."""

from __future__ import annotations

from tests.cli.conftest import MASKED, PHONE, Cli


def test_attention_lists_many_earnings_on_one_number(ctx: Cli) -> None:
    for minute in ("14:00", "14:10", "14:20"):
        ctx.now = f"2026-03-12T{minute}:00+09:00"
        assert ctx("sale", PHONE, "--amount", "10000").code == 0
    result = ctx("sync", "attention")
    assert result.code == 0 and "Traceback" not in result.err
    assert f"{MASKED} 번호로 30분 안에 3번 적립되었습니다 (03-12 14:00~14:20" in result.out
    english = ctx("sync", "attention", env={"DANGOL_LANG": "en"})
    assert "earned 3 times within 30 minutes" in english.out
    items = ctx.ok("sync", "attention")["items"]
    assert [i["kind"] for i in items] == ["fraud_rapid_earn"]
    assert items[0]["detail"]["count"] == 3 and items[0]["phone_masked"] == MASKED


def test_an_ordinary_day_needs_no_attention(ctx: Cli) -> None:
    ctx.now = "2026-03-12T14:00:00+09:00"
    assert ctx("sale", PHONE, "--amount", "10000").code == 0
    ctx.now = "2026-03-12T16:00:00+09:00"
    assert ctx("sale", PHONE, "--amount", "10000").code == 0
    assert ctx.ok("sync", "attention")["items"] == []
