"""`dangol pass ...`: plans, sell, use, pause, resume, cancel, show, report; refusals exit 2."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from app.domain.program import DEFAULT_PROGRAM_JSON
from tests.cli.conftest import PHONE, snapshot

PLAN = {
    "code": "AM30",
    "name": "아침 아메리카노 30일",
    "price": 39_000,
    "days": 30,
    "benefit": "free_item",
    "items": ["아메리카노"],
    "uses_per_day": 1,
    "hours": [7, 15],
    "refund": "pro_rata",
}


def load(ctx, tmp_path: Path, *plans: object) -> None:
    document = copy.deepcopy(DEFAULT_PROGRAM_JSON)
    document["passes"] = list(plans)
    path = tmp_path / "program.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    ctx.ok("program", "load", str(path))


def test_the_pass_commands_in_words_and_json(ctx, tmp_path: Path) -> None:
    assert "구독권 요금제가 없습니다" in ctx("pass", "plans").out
    load(ctx, tmp_path, PLAN)
    assert ctx.ok("pass", "plans")["plans"][0]["code"] == "AM30"
    assert "39,000원 / 30일" in ctx("pass", "plans").out
    sold = ctx.ok("pass", "sell", PHONE, "--plan", "AM30", "--ref", "POS-77")
    assert sold["action"] == "sold" and sold["pass"]["pos_ref"] == "POS-77"
    assert sold["pass"]["end"] == "2026-04-10"
    out = ctx("pass", "use", PHONE).out
    assert "구독권을 사용했습니다" in out and "오늘 1/1회 사용" in out
    before = snapshot(ctx.db)
    assert "모두 사용했습니다" in ctx.refused("pass", "use", PHONE)
    assert "already" in ctx.refused("pass", "sell", PHONE, "--plan", "AM30", "--lang", "en")
    assert "구독권 요금제 NOPE" in ctx.refused("pass", "sell", PHONE, "--plan", "NOPE")
    late = ctx.refused("pass", "use", PHONE, env={"DANGOL_NOW": "2026-03-12T16:00:00+09:00"})
    assert "7시부터 15시 전까지" in late
    assert snapshot(ctx.db) == before  # refusals write nothing
    ctx.now = "2026-03-14T10:00:00+09:00"
    assert ctx.ok("pass", "pause", PHONE)["pass"]["status"] == "paused"
    ctx.now = "2026-03-17T10:00:00+09:00"
    assert ctx.ok("pass", "resume", PHONE, "--plan", "AM30")["pass"]["end"] == "2026-04-13"
    cancelled = ctx.ok("pass", "cancel", PHONE, "--plan", "AM30", "--ref", "RF-1")
    assert cancelled["refund"] == 35_100  # 39,000 x 27/30 days left
    assert "환불: 35,100원" not in ctx("pass", "show", PHONE).out  # show is the pass, not the act
    assert ctx.ok("pass", "show", PHONE)["passes"][0]["status"] == "cancelled"
    report = ctx.ok("pass", "report", "--first", "2026-03", "--last", "2026-04")
    assert report["revenue"] == 3_900 and report["months"][0]["new"] == 1
    assert report["months"][0]["lapsed"] == 1 and report["uses"] == 1
    assert report["entitled"] == 3 and report["breakage"] == 2 and report["use_rate"] == "33.3"
    assert "사용률 33.3%" in ctx("pass", "report").out
    assert "YYYY-MM" in ctx.refused("pass", "report", "--last", "2026-13")
    # a POS token may sell and use passes; the owner's report it may not
    token = ctx.ok("token", "create", "--name", "포스", "--scope", "pos")["token"]
    env = {"DANGOL_TOKEN": token}
    assert ctx.ok("pass", "sell", PHONE, "--plan", "AM30", env=env)["action"] == "sold"
    assert ctx.refused("pass", "report", env=env)
