"""`dangol experiment create --campaign-… / --stamp-goal`: an offer a sale applies to its group
by itself (issue 19 item 3), from the command line, and its refusals in words."""

from __future__ import annotations

import uuid

from app.domain.experiments import group_of
from tests.cli.conftest import PHONE, snapshot


def test_a_variant_campaign_from_the_command_line_reaches_the_members_sale(ctx) -> None:
    created = ctx.ok(
        "experiment", "create", "봄 적립", "--kind", "campaign",
        "--start", "2026-03-12", "--end", "2026-03-18", "--design", "variant",
        "--campaign-multiplier", "2", "--b-campaign-bonus", "100",
    )  # fmt: skip
    assert created["offer"]["A"] == {"campaign": {"multiplier": "2", "bonus": 0}}
    assert created["offer"]["B"] == {"campaign": {"multiplier": "1", "bonus": 100}}
    assert set(created["offer"]["window"]) == {"from", "until"}
    first = ctx.ok("sale", PHONE, "--amount", "10000")
    group = group_of(uuid.UUID(created["id"]), uuid.UUID(first["customer_id"]), 50)
    # 2 % of 10,000 = 200: doubled for A, 100 more for B, under the experiment's name
    assert first["points_earned"] == (400 if group == "A" else 300)
    assert first["campaigns"] == ["봄 적립"]
    later = ctx(
        "sale",
        PHONE,
        "--amount",
        "10000",
        "--json",
        env={"DANGOL_NOW": "2026-03-19T12:00:00+09:00"},
    )
    assert later.code == 0 and later.json["points_earned"] == 200  # after its days: nothing
    assert later.json["campaigns"] == []


def test_a_stamp_goal_from_the_command_line(ctx) -> None:
    created = ctx.ok(
        "experiment", "create", "스탬프 5개", "--kind", "stamp_goal",
        "--start", "2026-03-12", "--end", "2026-03-18", "--percent", "99", "--stamp-goal", "5",
    )  # fmt: skip
    assert created["offer"]["A"] == {"stamp_goal": 5} and "B" not in created["offer"]
    sale = ctx.ok("sale", PHONE, "--amount", "5000")
    group = group_of(uuid.UUID(created["id"]), uuid.UUID(sale["customer_id"]), 99)
    assert sale["stamp_goal"] == (5 if group == "A" else 10)


def test_offer_flags_refused_in_words_and_nothing_written(ctx) -> None:
    before = snapshot(ctx.db)
    base = ("experiment", "create", "x", "--start", "2026-03-12", "--end", "2026-03-18")
    assert "1보다 크고" in ctx.refused(*base, "--kind", "campaign", "--campaign-multiplier", "1")
    assert "1보다 크고" in ctx.refused(*base, "--kind", "campaign", "--campaign-multiplier", "두배")
    assert "above 1" in ctx.refused(
        *base, "--kind", "campaign", "--campaign-multiplier", "0.5", "--lang", "en"
    )
    assert "보너스 포인트" in ctx.refused(*base, "--kind", "campaign", "--campaign-bonus", "-5")
    assert "비어 있습니다" in ctx.refused(*base, "--kind", "campaign", "--campaign-bonus", "0")
    assert "stamp_goal 실험" in ctx.refused(*base, "--kind", "campaign", "--stamp-goal", "5")
    assert "1~100개" in ctx.refused(*base, "--kind", "stamp_goal", "--stamp-goal", "0")
    assert "variant 방식" in ctx.refused(
        *base, "--kind", "campaign", "--campaign-bonus", "50", "--b-campaign-bonus", "100"
    )
    assert snapshot(ctx.db) == before
    help_text = ctx("experiment", "create", "--help").out
    assert "--campaign-multiplier" in help_text and "--b-stamp-goal" in help_text
