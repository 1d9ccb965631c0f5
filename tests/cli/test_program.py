"""`program show` / `program load`: the round trip, campaigns at the counter, refused files."""

from __future__ import annotations

import copy
import json

import pytest

from tests.cli.conftest import PHONE, assert_refused_in_both_languages, snapshot

DOUBLE_POINTS = {
    "name": "더블 포인트",
    "multiplier": 2,
    "bonus": 0,
    "start": "2026-12-01",
    "end": "2026-12-31",
    "weekdays": [0, 1, 2, 3, 4],
    "hours": [14, 17],
    "tiers": [],
}


@pytest.fixture
def program(ctx):
    """The program in force, as `program show --json` prints it."""
    return ctx.ok("program", "show")


def write(tmp_path, document, name="program.json"):
    path = tmp_path / name
    text = document if isinstance(document, str) else json.dumps(document, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_show_then_load_round_trip(ctx, program, tmp_path):
    assert program["stamps"]["goal"] == 10
    assert [t["code"] for t in program["tiers"]["levels"]] == [
        "BASIC",
        "SILVER",
        "GOLD",
        "PLATINUM",
    ]
    # the human output of `program show` is the same document, to edit and load back
    code, out, _ = ctx("program", "show")
    assert code == 0 and json.loads(out) == program
    versions = snapshot(ctx.db)["program_versions"]

    loaded = ctx.ok("program", "load", write(tmp_path, out))
    assert loaded == program
    assert ctx.ok("program", "show") == program
    assert snapshot(ctx.db)["program_versions"] == versions + 1


def test_a_loaded_program_applies_to_new_actions(ctx, program, tmp_path):
    changed = copy.deepcopy(program)
    changed["stamps"]["goal"] = 2
    changed["bonuses"]["signup"] = 500
    changed["tiers"]["levels"][0]["earn_percent"] = 5
    ctx.ok("program", "load", write(tmp_path, changed))
    assert ctx.ok("program", "show") == changed

    added = ctx.ok("customer", "add", "--phone", "010-2222-3333")
    assert added["points"] == 500  # signup bonus
    sale = ctx.ok("sale", PHONE, "--amount", "12000")
    assert sale["points_earned"] == 600  # 5 % now
    ctx.ok("sale", PHONE, "--amount", "1000")
    assert ctx.ok("redeem", PHONE, "--stamps")["stamps"] == 0  # a goal of 2


def test_campaign_multiplies_points_inside_its_window(ctx, program, tmp_path):
    program["campaigns"] = [DOUBLE_POINTS]
    ctx.ok("program", "load", write(tmp_path, program))

    inside = ctx.ok("sale", PHONE, "--amount", "12000", env={"DANGOL_NOW": "2026-12-24T15:00"})
    assert inside["campaigns"] == ["더블 포인트"]
    assert (inside["points_earned"], inside["campaign_points"]) == (480, 240)

    for outside in ("2026-12-24T17:00", "2026-12-26T15:00", "2027-01-04T15:00"):
        sale = ctx.ok("sale", PHONE, "--amount", "12000", env={"DANGOL_NOW": outside})
        assert (sale["points_earned"], sale["campaigns"]) == (240, []), outside

    ledger = ctx.ok("ledger", PHONE)["entries"]
    bonus = [e for e in ledger if e["kind"] == "bonus"]
    assert [(e["points"], e["reason"]) for e in bonus] == [(240, "campaign: 더블 포인트")]

    code, out, _ = ctx("sale", PHONE, "--amount", "12000", env={"DANGOL_NOW": "2026-12-21T14:30"})
    assert code == 0
    assert "캠페인 더블 포인트 +240P" in out


def bad_goal(p):
    p["stamps"]["goal"] = 0


def overlapping_tiers(p):
    p["tiers"]["levels"][1]["min_spend"] = p["tiers"]["levels"][2]["min_spend"]


def negative_rate(p):
    p["tiers"]["levels"][0]["earn_percent"] = -1


def unknown_key(p):
    p["points"]["minimum"] = 1000


def campaign_backwards(p):
    p["campaigns"] = [{**DOUBLE_POINTS, "start": "2026-12-31", "end": "2026-12-01"}]


BAD_PROGRAMS = {
    "stamp goal of 0": (bad_goal, "스탬프 목표 개수는 1개 이상", "stamp goal must be at least 1"),
    "overlapping tiers": (
        overlapping_tiers,
        "등급 기준 금액은 아래 등급보다 커야 합니다 (tiers.levels[2].min_spend)",
        "higher than the one below",
    ),
    "negative rate": (negative_rate, "0 이상이어야", "must not be negative"),
    "unknown key": (unknown_key, "알 수 없는 설정 항목입니다: points.minimum", "Unknown setting"),
    "campaign ends first": (campaign_backwards, "종료일이 시작일보다 빠릅니다", "ends before"),
}


@pytest.mark.parametrize(("spoil", "ko", "en"), BAD_PROGRAMS.values(), ids=BAD_PROGRAMS.keys())
def test_an_unsound_program_is_refused(ctx, program, tmp_path, spoil, ko, en):
    spoil(program)
    path = write(tmp_path, program)
    assert_refused_in_both_languages(ctx, ["program", "load", path], ko, en)


@pytest.mark.parametrize(
    "text", ['{"points": {"min_redeem": 1000,', "", "[1, 2]"], ids=["broken", "empty", "a list"]
)
def test_a_file_that_is_not_a_program_is_refused(ctx, tmp_path, text):
    path = write(tmp_path, text)
    result = ctx("program", "load", path, "--lang", "en")
    assert result.code == 2
    assert "not valid JSON" in result.err or "wrong type" in result.err
    before = snapshot(ctx.db)
    korean = ctx.refused("program", "load", path)
    assert "올바른 JSON이 아닙니다" in korean or "형식이 올바르지 않습니다" in korean
    assert snapshot(ctx.db) == before


def test_a_stamp_card_keeps_the_goal_it_was_started_with(funded, tmp_path):
    """Item 3 of issue 13: two stamps on a 10-card stay x/10 after the goal becomes 8."""
    changed = funded.ok("program", "show")
    changed["stamps"].update(goal=8, reward="라떼 1잔")
    funded.ok("program", "load", write(tmp_path, changed))
    shown = funded.ok("customer", "show", PHONE)
    assert (shown["stamps_on_card"], shown["stamp_goal"], shown["rewards_ready"]) == (2, 10, 0)
    assert shown["stamp_reward"] == "아메리카노 1잔"
    code, out, _ = funded("customer", "show", PHONE)
    assert code == 0 and "스탬프: 2/10" in out
    for _ in range(7):
        sale = funded.ok("sale", PHONE, "--amount", "1000")
    assert (sale["stamps_on_card"], sale["stamp_goal"], sale["rewards_ready"]) == (9, 10, 0)
    code, out, _ = funded("sale", PHONE, "--amount", "1000")
    assert code == 0 and "스탬프 0/8" in out  # the 10-card is full; the next one is an 8-card
    used = funded.ok("redeem", PHONE, "--stamps")
    assert (used["stamps_used"], used["reward"], used["stamps"]) == (10, "아메리카노 1잔", 0)
