"""`dangol segment save NAME --pass-holder [PLAN]`: the pass holder rule from the command line."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import PHONE, snapshot
from tests.cli.test_pass_cli import PLAN, load


def test_segment_save_with_the_pass_holder_rule(ctx, tmp_path: Path) -> None:
    load(ctx, tmp_path, PLAN)
    ctx.ok("pass", "sell", PHONE, "--plan", "AM30")
    anyone = ctx.ok("segment", "save", "구독 회원", "--pass-holder")
    assert anyone["rules"] == {"pass_holder": True} and anyone["members"] == 1
    morning = ctx.ok("segment", "save", "아침 구독", "--pass-holder", "AM30", "--min-spend", "0")
    assert morning["rules"] == {"pass_holder": "AM30", "min_spend": 0}
    assert morning["members"] == 1
    listed = {line["code"]: line for line in ctx.ok("segment", "list")["segments"]}
    assert listed["아침 구독"]["members"] == 1
    before = snapshot(ctx.db)
    assert "구독권 요금제 NOPE" in ctx.refused("segment", "save", "x", "--pass-holder", "NOPE")
    assert "pass plan NOPE" in ctx.refused(
        "segment", "save", "x", "--pass-holder", "NOPE", "--lang", "en"
    )
    assert "20자" in ctx.refused("segment", "save", "x", "--pass-holder", "A" * 21)
    assert snapshot(ctx.db) == before
    assert "--pass-holder" in ctx("segment", "save", "--help").out
