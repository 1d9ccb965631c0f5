"""The owner's program: the public JSON contract, its validation and the round trip."""

from __future__ import annotations

import copy
import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.errors import Refused
from app.domain.program import (
    DEFAULT_PROGRAM,
    DEFAULT_PROGRAM_JSON,
    Campaign,
    Program,
    TierLevel,
)

KST = timezone(timedelta(hours=9))

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


def program_json(**changes: object) -> dict:
    """The seed JSON with the double-points campaign; `changes` maps "a.b" paths to values."""
    data = copy.deepcopy(DEFAULT_PROGRAM_JSON)
    data["campaigns"] = [copy.deepcopy(DOUBLE_POINTS)]
    for path, value in changes.items():
        *parents, last = path.split(".")
        node = data
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if value is DELETE:
            del node[last]
        elif isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return data


DELETE = object()


def test_default_program_is_the_seed_without_campaigns():
    assert DEFAULT_PROGRAM.campaigns == ()
    assert DEFAULT_PROGRAM.points.min_redeem == 1000
    assert DEFAULT_PROGRAM.stamps.reward == "아메리카노 1잔"
    assert [level.code for level in DEFAULT_PROGRAM.tiers.levels] == [
        "BASIC",
        "SILVER",
        "GOLD",
        "PLATINUM",
    ]
    assert DEFAULT_PROGRAM.tier("GOLD").earn_percent == Decimal(4)
    assert DEFAULT_PROGRAM.to_json() == DEFAULT_PROGRAM_JSON


def test_the_contract_example_reads_and_writes_back_exactly():
    data = program_json()
    program = Program.from_json(data)
    assert program.campaigns == (
        Campaign(
            name="더블 포인트",
            multiplier=Decimal(2),
            bonus=0,
            start=date(2026, 12, 1),
            end=date(2026, 12, 31),
            weekdays=frozenset({0, 1, 2, 3, 4}),
            hours=(14, 17),
            tiers=frozenset(),
        ),
    )
    assert program.to_json() == data
    assert json.loads(json.dumps(program.to_json())) == data


def test_unknown_tier_code_gets_the_lowest_level():
    assert DEFAULT_PROGRAM.tier("DIAMOND").code == "BASIC"


def test_rates_as_float_str_or_decimal():
    data = program_json(**{"tiers.levels.0.earn_percent": 2.5, "campaigns.0.multiplier": "1.5"})
    program = Program.from_json(data)
    assert program.tiers.levels[0].earn_percent == Decimal("2.5")
    assert program.campaigns[0].multiplier == Decimal("1.5")
    assert program.to_json()["tiers"]["levels"][0]["earn_percent"] == 2.5
    assert Program.from_json(program.to_json()) == program
    decimals = program_json(**{"tiers.levels.0.earn_percent": Decimal("2.50")})
    assert Program.from_json(decimals).tiers.levels[0].earn_percent == Decimal("2.5")


def test_optional_parts_may_be_absent():
    data = program_json(
        **{"campaigns.0.weekdays": DELETE, "campaigns.0.hours": DELETE, "campaigns.0.tiers": DELETE}
    )
    campaign = Program.from_json(data).campaigns[0]
    assert campaign.weekdays == frozenset()
    assert campaign.hours is None
    assert campaign.tiers == frozenset()
    assert Program.from_json(program_json(campaigns=DELETE)).campaigns == ()
    assert Program.from_json(program_json(**{"campaigns.0.hours": None})).campaigns[0].hours is None


def test_expiry_zero_means_never():
    assert Program.from_json(program_json(**{"points.expiry_months": 0})).points.expiry_months == 0


@pytest.mark.parametrize(
    ("changes", "code", "params"),
    [
        ({"points": DELETE}, "program.missing", {"field": "points"}),
        ({"stamps.goal": DELETE}, "program.missing", {"field": "stamps.goal"}),
        ({"extra": 1}, "program.unknown_key", {"field": "extra"}),
        ({"stamps.color": "red"}, "program.unknown_key", {"field": "stamps.color"}),
        ({"stamps": []}, "program.type", {"field": "stamps", "expected": "object"}),
        ({"stamps.goal": "10"}, "program.type", {"field": "stamps.goal", "expected": "integer"}),
        ({"stamps.goal": True}, "program.type", {"field": "stamps.goal", "expected": "integer"}),
        ({"stamps.goal": 2.5}, "program.type", {"field": "stamps.goal", "expected": "integer"}),
        ({"stamps.goal": 0}, "program.stamp_goal", {"field": "stamps.goal"}),
        ({"stamps.goal": -1}, "program.negative", {"field": "stamps.goal"}),
        ({"stamps.per": "won"}, "program.stamp_per", {"field": "stamps.per", "value": "won"}),
        ({"stamps.reward": " "}, "program.empty_text", {"field": "stamps.reward"}),
        (
            {"points.redeem_unit": 0},
            "program.too_small",
            {"field": "points.redeem_unit", "minimum": 1},
        ),
        ({"points.redeem_unit": -100}, "program.negative", {"field": "points.redeem_unit"}),
        (
            {"points.min_redeem": 1050},
            "program.min_redeem_unit",
            {"field": "points.min_redeem", "unit": 100},
        ),
        ({"points.expiry_months": -1}, "program.negative", {"field": "points.expiry_months"}),
        ({"bonuses.signup": -500}, "program.negative", {"field": "bonuses.signup"}),
        (
            {"tiers.window_months": 0},
            "program.too_small",
            {"field": "tiers.window_months", "minimum": 1},
        ),
        ({"tiers.levels": []}, "program.tiers_empty", {"field": "tiers.levels"}),
        ({"tiers.levels": {}}, "program.type", {"field": "tiers.levels", "expected": "list"}),
        (
            {"tiers.levels.0.min_spend": 100},
            "program.tier_first",
            {"field": "tiers.levels[0].min_spend"},
        ),
        (
            {"tiers.levels.2.min_spend": 600000},
            "program.tier_order",
            {"field": "tiers.levels[2].min_spend"},
        ),
        (
            {"tiers.levels.2.min_spend": 500000},
            "program.tier_order",
            {"field": "tiers.levels[2].min_spend"},
        ),
        (
            {"tiers.levels.3.code": "GOLD"},
            "program.tier_duplicate",
            {"field": "tiers.levels[3].code", "tier": "GOLD"},
        ),
        (
            {"tiers.levels.1.earn_percent": 101},
            "program.earn_percent",
            {"field": "tiers.levels[1].earn_percent"},
        ),
        (
            {"tiers.levels.1.earn_percent": -1},
            "program.negative",
            {"field": "tiers.levels[1].earn_percent"},
        ),
        (
            {"tiers.levels.1.earn_percent": "abc"},
            "program.type",
            {"field": "tiers.levels[1].earn_percent", "expected": "number"},
        ),
        (
            {"tiers.levels.1.earn_percent": "NaN"},
            "program.type",
            {"field": "tiers.levels[1].earn_percent", "expected": "number"},
        ),
        (
            {"tiers.levels.1.earn_percent": 2.555},
            "program.precision",
            {"field": "tiers.levels[1].earn_percent", "places": 2},
        ),
        ({"campaigns": {}}, "program.type", {"field": "campaigns", "expected": "list"}),
        (
            {"campaigns.0.multiplier": Decimal("0.5")},
            "program.multiplier",
            {"field": "campaigns[0].multiplier", "max": 100},
        ),
        (
            {"campaigns.0.multiplier": 101},
            "program.multiplier",
            {"field": "campaigns[0].multiplier", "max": 100},
        ),
        (
            {"campaigns.0.end": "2026-11-30"},
            "program.campaign_dates",
            {"field": "campaigns[0].end"},
        ),
        (
            {"campaigns.0.start": "2026-02-30"},
            "program.date_not_exist",
            {"field": "campaigns[0].start", "value": "2026-02-30"},
        ),
        ({"campaigns.0.start": "2026-13-01"}, "program.date", {"field": "campaigns[0].start"}),
        ({"campaigns.0.start": "20261201"}, "program.date", {"field": "campaigns[0].start"}),
        (
            {"campaigns.0.hours": [17, 14]},
            "program.campaign_hours",
            {"field": "campaigns[0].hours"},
        ),
        (
            {"campaigns.0.hours": [14, 14]},
            "program.campaign_hours",
            {"field": "campaigns[0].hours"},
        ),
        (
            {"campaigns.0.hours": [14, 25]},
            "program.campaign_hours",
            {"field": "campaigns[0].hours"},
        ),
        ({"campaigns.0.hours": [14]}, "program.campaign_hours", {"field": "campaigns[0].hours"}),
        (
            {"campaigns.0.weekdays": [7]},
            "program.campaign_weekday",
            {"field": "campaigns[0].weekdays[0]"},
        ),
        ({"campaigns.0.weekdays": [-1]}, "program.negative", {"field": "campaigns[0].weekdays[0]"}),
        (
            {"campaigns.0.tiers": ["VIP"]},
            "program.campaign_tier",
            {"field": "campaigns[0].tiers[0]", "tier": "VIP"},
        ),
        ({"campaigns.0.name": ""}, "program.empty_text", {"field": "campaigns[0].name"}),
        ({"campaigns.0.bonus": -1}, "program.negative", {"field": "campaigns[0].bonus"}),
        ({"campaigns.0.when": "now"}, "program.unknown_key", {"field": "campaigns[0].when"}),
    ],
)
def test_refusals_name_the_field(changes, code, params):
    with pytest.raises(Refused) as caught:
        Program.from_json(program_json(**changes))
    assert caught.value.code == code
    assert caught.value.params == params


def test_not_an_object_at_all():
    with pytest.raises(Refused) as caught:
        Program.from_json([1, 2])
    assert caught.value.code == "program.type"
    assert caught.value.params["field"] == "program"


@pytest.mark.parametrize(
    ("moment", "tier", "applies"),
    [
        (datetime(2026, 12, 1, 14, 0, tzinfo=KST), "BASIC", True),  # Tuesday, first hour
        (datetime(2026, 12, 1, 16, 59, tzinfo=KST), "GOLD", True),
        (datetime(2026, 12, 1, 17, 0, tzinfo=KST), "BASIC", False),  # hours are [from, to)
        (datetime(2026, 12, 1, 13, 59, tzinfo=KST), "BASIC", False),
        (datetime(2026, 12, 5, 15, 0, tzinfo=KST), "BASIC", False),  # Saturday
        (datetime(2026, 12, 31, 15, 0, tzinfo=KST), "BASIC", True),  # end date inclusive
        (datetime(2027, 1, 1, 15, 0, tzinfo=KST), "BASIC", False),
        (datetime(2026, 11, 30, 15, 0, tzinfo=KST), "BASIC", False),
    ],
)
def test_campaign_applies(moment, tier, applies):
    campaign = Program.from_json(program_json()).campaigns[0]
    assert campaign.applies(moment, tier) is applies


def test_campaign_limited_to_tiers_and_all_day():
    data = program_json(**{"campaigns.0.tiers": ["GOLD"], "campaigns.0.hours": None})
    campaign = Program.from_json(data).campaigns[0]
    late = datetime(2026, 12, 1, 23, 30, tzinfo=KST)
    assert campaign.applies(late, "GOLD")
    assert not campaign.applies(late, "SILVER")


def test_campaign_needs_an_aware_time():
    campaign = Program.from_json(program_json()).campaigns[0]
    with pytest.raises(ValueError):
        campaign.applies(datetime(2026, 12, 1, 15, 0), "BASIC")


rates = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)


@st.composite
def programs(draw) -> Program:
    unit = draw(st.sampled_from([1, 10, 100, 500]))
    thresholds = sorted(draw(st.sets(st.integers(1, 10_000_000), max_size=4)))
    levels = tuple(
        TierLevel(code=f"T{i}", name=f"등급{i}", min_spend=spend, earn_percent=draw(rates))
        for i, spend in enumerate([0, *thresholds])
    )
    codes = [level.code for level in levels]
    data = copy.deepcopy(DEFAULT_PROGRAM_JSON)
    data["points"] = {
        "min_redeem": unit * draw(st.integers(0, 20)),
        "redeem_unit": unit,
        "expiry_months": draw(st.integers(0, 60)),
    }
    data["stamps"] = {
        "goal": draw(st.integers(1, 30)),
        "reward": "케이크 1조각",
        "per": draw(st.sampled_from(["visit", "item"])),
    }
    data["tiers"] = {
        "window_months": draw(st.integers(1, 12)),
        "levels": [
            {
                "code": lv.code,
                "name": lv.name,
                "min_spend": lv.min_spend,
                "earn_percent": lv.earn_percent,
            }
            for lv in levels
        ],
    }
    start = draw(st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 12, 31)))
    hours = draw(
        st.none() | st.tuples(st.integers(0, 23), st.integers(1, 24)).filter(lambda h: h[0] < h[1])
    )
    data["campaigns"] = [
        {
            "name": "이벤트",
            "multiplier": draw(st.decimals(min_value=1, max_value=5, places=2)),
            "bonus": draw(st.integers(0, 5000)),
            "start": start.isoformat(),
            "end": (start + timedelta(days=draw(st.integers(0, 90)))).isoformat(),
            "weekdays": sorted(draw(st.sets(st.integers(0, 6)))),
            "hours": list(hours) if hours else None,
            "tiers": sorted(draw(st.sets(st.sampled_from(codes)))),
        }
    ]
    return Program.from_json(data)


@given(programs())
def test_to_json_from_json_round_trip(program):
    written = program.to_json()
    assert Program.from_json(written) == program
    assert Program.from_json(json.loads(json.dumps(written))) == program


def test_every_problem_of_a_program_is_listed_at_once() -> None:
    import copy

    from app.domain.program import DEFAULT_PROGRAM_JSON, ProgramProblems

    doc = copy.deepcopy(DEFAULT_PROGRAM_JSON)
    doc["points"]["redeem_unit"] = 0
    doc["points"]["expiry_months"] = -1
    doc["stamps"]["goal"] = 0
    doc["tiers"]["levels"][2]["min_spend"] = 100  # GOLD below SILVER
    doc["tiers"]["levels"][3]["earn_percent"] = 120
    doc["bonuses"]["signup"] = "many"
    doc["campaigns"] = [
        {"name": "x", "multiplier": 0, "bonus": 0, "start": "2026-02-01", "end": "2026-01-01"}
    ]
    with pytest.raises(ProgramProblems) as refused:
        Program.from_json(doc)
    found = [(p.code, p.params.get("field")) for p in refused.value.problems]
    assert found == [
        ("program.earn_percent", "tiers.levels[3].earn_percent"),
        ("program.tier_order", "tiers.levels[2].min_spend"),
        ("program.too_small", "points.redeem_unit"),
        ("program.negative", "points.expiry_months"),
        ("program.stamp_goal", "stamps.goal"),
        ("program.type", "bonuses.signup"),
        ("program.multiplier", "campaigns[0].multiplier"),
        ("program.campaign_dates", "campaigns[0].end"),
    ]
    # the first problem is what a single refusal said before
    assert refused.value.code == "program.earn_percent"
