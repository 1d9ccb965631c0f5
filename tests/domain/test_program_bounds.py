"""Every program value has a bound; a program at every bound still lets the shop work."""

from __future__ import annotations

import copy

import pytest

from app.domain.errors import Refused
from app.domain.money import MAX_SALE_WON
from app.domain.program import (
    DEFAULT_PROGRAM_JSON,
    MAX_BONUS,
    MAX_EXPIRY_MONTHS,
    MAX_STAMP_GOAL,
    MAX_WINDOW_MONTHS,
    Program,
)
from app.services import customers, daily, program, sales
from app.services.customers import resolve_customer


def at_every_bound() -> dict[str, object]:
    document = copy.deepcopy(DEFAULT_PROGRAM_JSON)
    document["points"] = {
        "min_redeem": MAX_BONUS,
        "redeem_unit": MAX_BONUS,
        "expiry_months": MAX_EXPIRY_MONTHS,
    }
    document["stamps"] = {"goal": MAX_STAMP_GOAL, "reward": "커피", "per": "item"}
    document["tiers"] = {
        "window_months": MAX_WINDOW_MONTHS,
        "levels": [{"code": "ALL", "name": "모두", "min_spend": 0, "earn_percent": 100}],
    }
    document["bonuses"] = {"signup": MAX_BONUS, "birthday": MAX_BONUS, "referral": MAX_BONUS}
    document["campaigns"] = [
        {
            "name": "최대",
            "multiplier": 100,
            "bonus": MAX_BONUS,
            "start": "2000-01-01",
            "end": "2099-12-31",
        }
    ]
    return document


def test_a_program_at_every_bound_still_sells_enrolls_and_runs_the_day(ctx) -> None:
    program.load_program(ctx, at_every_bound())
    referrer = customers.enroll(
        ctx, "010-1111-2222", birthday="1990-" + ctx.now().strftime("%m-%d")
    )
    member = customers.enroll(ctx, "010-3333-4444", referrer_id=referrer.id)
    assert member.points >= MAX_BONUS
    result = sales.record_sale(ctx, resolve_customer(ctx, "010-3333-4444"), MAX_SALE_WON, 1000)
    assert result.points_earned > 0
    daily.run_daily(ctx)
    assert customers.customer_status(ctx, member.id).points >= MAX_BONUS


@pytest.mark.parametrize(
    ("section", "key", "value"),
    [
        ("points", "expiry_months", 100_000),
        ("points", "expiry_months", MAX_EXPIRY_MONTHS + 1),
        ("points", "redeem_unit", 2**63),
        ("bonuses", "signup", 2**63),
        ("bonuses", "birthday", MAX_BONUS + 1),
        ("bonuses", "referral", MAX_BONUS + 1),
        ("stamps", "goal", MAX_STAMP_GOAL + 1),
        ("tiers", "window_months", MAX_WINDOW_MONTHS + 1),
    ],
)
def test_a_value_past_its_bound_is_refused_in_words(section: str, key: str, value: int) -> None:
    document = copy.deepcopy(DEFAULT_PROGRAM_JSON)
    part = dict(document[section])  # type: ignore[call-overload]
    part[key] = value
    if (section, key) == ("points", "redeem_unit"):
        part["min_redeem"] = 0
    document[section] = part
    with pytest.raises(Refused) as caught:
        Program.from_json(document)
    assert caught.value.code == "program.too_large"
    for language in ("ko", "en"):
        words = caught.value.message(language)
        assert f"{section}.{key}" in words and "program.too_large" not in words


def test_a_campaign_bonus_past_its_bound_is_refused() -> None:
    document = at_every_bound()
    document["campaigns"][0]["bonus"] = MAX_BONUS + 1  # type: ignore[index]
    with pytest.raises(Refused) as caught:
        Program.from_json(document)
    assert caught.value.code == "program.too_large"


def test_a_tier_threshold_past_its_bound_is_refused() -> None:
    document = copy.deepcopy(DEFAULT_PROGRAM_JSON)
    document["tiers"]["levels"][1]["min_spend"] = 2**63  # type: ignore[index]
    with pytest.raises(Refused) as caught:
        Program.from_json(document)
    assert caught.value.code == "program.too_large"
