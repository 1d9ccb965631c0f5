"""The passes section of the program JSON, and a pass's state from its events (no database)."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.errors import Refused
from app.domain.passes import PassEvent, check_use, derive, overuse, refund_amount
from app.domain.program import DEFAULT_PROGRAM_JSON, Program, ProgramProblems

PLAN = {
    "code": "AM30",
    "name": "아메리카노 30일",
    "price": 30_000,
    "days": 30,
    "benefit": "free_item",
    "items": ["아메리카노"],
    "uses_per_day": 1,
    "hours": [7, 11],
    "refund": "pro_rata",
}
SEOUL = ZoneInfo("Asia/Seoul")


def program(*plans: object) -> dict[str, object]:
    document = copy.deepcopy(DEFAULT_PROGRAM_JSON)
    document["passes"] = list(plans)
    return document


def problems(document: object) -> list[tuple[str, str]]:
    with pytest.raises(ProgramProblems) as caught:
        Program.from_json(document)
    return [(p.code, str(p.params.get("field"))) for p in caught.value.problems]


def test_a_program_without_passes_reads_and_writes_as_before() -> None:
    parsed = Program.from_json(DEFAULT_PROGRAM_JSON)
    assert parsed.passes == () and parsed.to_json() == DEFAULT_PROGRAM_JSON
    assert "passes" not in parsed.to_json() and parsed.plan("AM30") is None


def test_plans_round_trip() -> None:
    off = {**PLAN, "code": "OFF", "benefit": "percent_off", "percent": 10, "items": []}
    del off["hours"]
    parsed = Program.from_json(program(PLAN, off))
    assert Program.from_json(parsed.to_json()) == parsed
    plan = parsed.plan("AM30")
    assert plan is not None and plan.hours == (7, 11) and plan.items == ("아메리카노",)
    other = parsed.plan("OFF")
    assert other is not None and other.hours is None and other.percent == 10


def test_every_problem_of_a_plan_is_refused_in_words() -> None:
    bad = {
        "code": "두 개",
        "name": " ",
        "price": -1,
        "days": 0,
        "benefit": "free",
        "uses_per_day": 0,
        "hours": [12, 9],
        "refund": "some",
        "extra": 1,
    }
    found = problems(program(bad))
    assert ("program.unknown_key", "passes[0].extra") in found
    for code, field in [
        ("program.pass_code", "passes[0].code"),
        ("program.empty_text", "passes[0].name"),
        ("program.negative", "passes[0].price"),
        ("program.too_small", "passes[0].days"),
        ("program.too_small", "passes[0].uses_per_day"),
        ("program.pass_benefit", "passes[0].benefit"),
        ("program.pass_refund", "passes[0].refund"),
        ("program.pass_hours", "passes[0].hours"),
    ]:
        assert (code, field) in found
    assert problems(program(PLAN, PLAN)) == [("program.pass_code_twice", "passes[1].code")]
    assert problems(program({**PLAN, "items": []})) == [
        ("program.pass_free_item", "passes[0].items")
    ]
    no_percent = {**PLAN, "benefit": "percent_off"}
    assert ("program.missing", "passes[0].percent") in problems(program(no_percent))
    assert problems(program({**PLAN, "percent": 5})) == [
        ("program.unknown_key", "passes[0].percent")
    ]
    assert problems({**program(), "passes": {}})[0][0] == "program.type"
    refusal = Refused("program.pass_hours", field="passes[0].hours")
    assert "passes[0].hours" in refusal.message("ko") and "시간" in refusal.message("ko")


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=SEOUL).astimezone(UTC)


def ev(kind: str, day: int, amount: int = 0, hour: int = 9) -> PassEvent:
    return PassEvent(kind, at(day, hour), date(2026, 3, day), amount)


def test_state_from_events_pauses_and_uses() -> None:
    sold = ev("sold", 1, 30_000)
    state = derive([sold], 30, date(2026, 3, 1))
    assert (state.status, state.end) == ("active", date(2026, 3, 30))
    paused = [sold, ev("used", 2), ev("paused", 5)]
    assert derive(paused, 30, date(2026, 3, 8)).end == date(2026, 4, 2)  # moving while paused
    resumed = [*paused, ev("resumed", 9)]
    later = derive(reversed(resumed), 30, date(2026, 3, 20))  # any order: sorted by time
    assert (later.status, later.end, later.paused_days) == ("active", date(2026, 4, 3), 4)
    assert derive(resumed, 30, date(2026, 4, 4)).status == "ended"
    local = datetime(2026, 3, 2, 8, tzinfo=SEOUL)
    with pytest.raises(Refused) as caught:
        check_use(derive(paused[:2], 30, date(2026, 3, 2)), 1, (7, 11), local)
    assert caught.value.code == "pass.used_up"
    with pytest.raises(Refused) as caught:
        check_use(derive([sold], 30, date(2026, 3, 2)), 1, (7, 11), local.replace(hour=11))
    assert caught.value.code == "pass.outside_hours"
    cancelled = derive([sold, ev("cancelled", 3), ev("refunded", 3, 27_000)], 30, date(2026, 3, 3))
    assert (cancelled.status, cancelled.refunded, cancelled.paid) == ("cancelled", 27_000, 30_000)
    # cancelled while paused: the end keeps the days paused up to the cancel
    paused_then_cancelled = derive([*paused, ev("cancelled", 8)], 30, date(2026, 3, 20))
    assert (paused_then_cancelled.end, paused_then_cancelled.paused_days) == (date(2026, 4, 2), 3)
    assert overuse({date(2026, 3, 2): 3, date(2026, 3, 3): 1}, 1) == {date(2026, 3, 2): 2}
    with pytest.raises(ValueError):
        derive([ev("used", 2)], 30, date(2026, 3, 2))


@given(
    price=st.integers(0, 10_000_000),
    days=st.integers(1, 366),
    left=st.integers(-5, 400),
)
def test_pro_rata_never_refunds_more_than_the_unused_share(
    price: int, days: int, left: int
) -> None:
    refund = refund_amount("pro_rata", price, days, left)
    share = min(max(left, 0), days)
    assert isinstance(refund, int) and 0 <= refund <= price
    assert refund * days <= price * share < (refund + 1) * days  # exactly rounded down
    assert refund_amount("none", price, days, left) == 0


def test_a_pause_of_no_day_moves_nothing() -> None:
    events = [ev("sold", 1, 1), ev("paused", 4, hour=9), ev("resumed", 4, hour=10)]
    assert derive(events, 10, date(2026, 3, 4)).end == date(2026, 3, 10)
    assert derive(events, 10, date(2026, 3, 4)).paused_days == 0


def test_pro_rata_of_a_whole_won_is_that_won() -> None:
    """A ratio rounded first (1/22 to 28 digits) times the price fell just short: 0, not 1."""
    assert refund_amount("pro_rata", 22, 22, 1) == 1
    assert refund_amount("pro_rata", 39_000, 30, 27) == 35_100
    assert refund_amount("pro_rata", 10_001, 3, 2) == 6_667
