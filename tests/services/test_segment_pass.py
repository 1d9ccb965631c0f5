"""The "pass holder" segment rule (issue 19) on SQLite and PostgreSQL: the one-statement SQL
agrees with app.domain.passes.derive day after day, through sales, pauses, resumes, ends and
cancels; the rule is kept, listed and refused in words."""

from __future__ import annotations

import copy
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.db.models import MemberPass, OwnerSegment
from app.domain import passes as rules
from app.domain.errors import Refused
from app.domain.program import DEFAULT_PROGRAM_JSON
from app.services import customers, passes, segments
from app.services.announcements import Audience, members_of
from app.services.context import Context
from app.services.program import load_program
from tests.conftest import START
from tests.services.test_passes import LATTE, MORNING

DAY = timedelta(days=1)


def _derived(ctx: Context, plan: str | None) -> set[uuid.UUID]:
    """Holders by the Python rule: every pass replayed."""
    today = ctx.local_date(ctx.now())
    with ctx.db.read() as session:
        rows = list(session.scalars(select(MemberPass)))
        events = passes._events(session, [r.id for r in rows])
    return {
        r.customer_id
        for r in rows
        if (plan is None or r.plan_code == plan) and rules.derive(events[r.id], r.days, today).open
    }


def _sql(ctx: Context, audience: Audience) -> set[uuid.UUID]:
    with ctx.db.read() as session:
        return set(members_of(ctx, session, audience, ctx.now(), with_phone=False))


def test_pass_holders_in_sql_agree_with_the_pass_rules(ctx: Context) -> None:
    document = copy.deepcopy(DEFAULT_PROGRAM_JSON)
    document["passes"] = [MORNING, LATTE]
    load_program(ctx, document)
    ids = [customers.enroll(ctx, f"010-4100-{i:04d}").id for i in range(7)]
    passes.sell(ctx, ids[0], "AM30")  # 30 days from START
    passes.sell(ctx, ids[1], "LATTE")  # 7 days
    passes.sell(ctx, ids[2], "AM30")
    passes.sell(ctx, ids[3], "AM30")
    passes.sell(ctx, ids[4], "LATTE")
    passes.cancel(ctx, ids[4], "LATTE")  # cancelled at once
    # ids[5] holds nothing; ids[6] will buy later
    ctx.fixed_now = START + 2 * DAY
    passes.pause(ctx, ids[2], "AM30")  # paused from day 2 ...
    passes.pause(ctx, ids[3], "AM30")
    ctx.fixed_now = START + 12 * DAY
    passes.resume(ctx, ids[3], "AM30")  # ... 10 days: ends on day 39
    anyone = Audience(pass_holder=True)
    morning = Audience(pass_plan="AM30")
    seen: list[tuple[int, int]] = []
    for day in (0, 2, 6, 7, 12, 20, 29, 30, 39, 40, 60):
        ctx.fixed_now = START + day * DAY
        if day == 20:
            passes.sell(ctx, ids[6], "LATTE")
        want_any, want_am = _derived(ctx, None), _derived(ctx, "AM30")
        assert _sql(ctx, anyone) == want_any, day
        assert _sql(ctx, morning) == want_am, day
        seen.append((len(want_any), len(want_am)))
    # the walk went through every case: holders came and went
    assert seen[0] == (4, 3)  # 0, 1 (latte), 2, 3; never the cancelled one
    assert seen[3] == (3, 3)  # day 7: the 7-day latte has ended
    assert seen[7] == (2, 2)  # day 30: ids[0] ended; ids[2] paused, ids[3] moved by 10 days
    assert seen[9] == (1, 1)  # day 40: only the one still paused
    assert _sql(ctx, Audience(pass_holder=True, tier="none-such")) == set()  # rules combine

    # kept as an owner's segment, listed, and usable as an audience by name; on day 21:
    # ids[0] and [3] (AM30), [2] (AM30, paused), [6] (LATTE since day 20)
    ctx.fixed_now = START + 21 * DAY
    line = segments.save_segment(ctx, "정기권 회원", Audience(pass_holder=True))
    assert line.rules == {"pass_holder": True} and line.members == 4
    am = segments.save_segment(ctx, "아침 정기권", Audience(pass_plan="AM30"))
    assert am.rules == {"pass_holder": "AM30"} and am.members == 3
    listed = {x.code: x for x in segments.list_segments(ctx)}
    assert listed["아침 정기권"].members == 3
    kept = segments.owner_audience(ctx, "아침 정기권")
    assert kept == Audience(pass_holder=True, pass_plan="AM30")

    # refusals in words, nothing written
    with ctx.db.read() as session:
        before = list(session.scalars(select(OwnerSegment.rules)))
    for code, call in (
        ("segment.unknown_plan", lambda: segments.save_segment(ctx, "x", Audience(pass_plan="NO"))),
        ("segment.bad_pass_rule", lambda: segments.audience_of_rules({"pass_holder": 3})),
        ("segment.bad_pass_rule", lambda: segments.audience_of_rules({"pass_holder": " "})),
        ("segment.bad_pass_rule", lambda: segments.audience_of_rules({"pass_holder": "X" * 21})),
    ):
        with pytest.raises(Refused) as caught:
            call()
        assert caught.value.code == code
        assert caught.value.message("ko") != code and caught.value.message("en") != code
    with ctx.db.read() as session:
        assert list(session.scalars(select(OwnerSegment.rules))) == before


def test_a_plan_rule_in_a_shop_without_plans_says_there_are_none(sqlite_ctx) -> None:
    from app.domain.errors import Refused
    from app.services.program import program_in_force

    ctx = sqlite_ctx
    assert not program_in_force(ctx).passes  # the seeded program sells no passes
    with pytest.raises(Refused) as refused:
        segments.save_segment(ctx, "x", Audience(pass_plan="NO"))
    assert refused.value.code == "segment.no_plans"
    assert refused.value.message("ko").endswith("구독권 요금제가 아직 없습니다.")
    assert "pass plans yet" in refused.value.message("en")
    assert segments.list_segments(ctx) == [] or all(
        s.code != "x" for s in segments.list_segments(ctx)
    )
