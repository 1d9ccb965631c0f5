"""Passes and their events travel between registers like the ledger; a pass used at two
registers offline beyond its day's allowance is listed in "needs attention"."""

from __future__ import annotations

import copy

from app.domain.program import DEFAULT_PROGRAM_JSON
from app.services import customers, passes, sync
from app.services.program import load_program
from tests.sync.conftest import later
from tests.sync.test_sync import sync_all

PLAN = {
    "code": "DAY1",
    "name": "하루 한 잔",
    "price": 30_000,
    "days": 30,
    "benefit": "free_item",
    "items": ["아메리카노"],
    "uses_per_day": 1,
    "refund": "pro_rata",
}


def test_a_pass_sold_at_one_register_and_used_at_both_offline(registers) -> None:
    a, b = registers("A"), registers("B")
    document = copy.deepcopy(DEFAULT_PROGRAM_JSON)
    document["passes"] = [PLAN]
    load_program(a, document)
    who = customers.enroll(a, "010-1234-5678", name="김단골").id
    passes.sell(a, who, "DAY1", ref="POS-1")
    sync_all(a, b)
    (seen,) = passes.member_passes(b, who)  # B sees the pass and its state
    assert (seen.status, seen.paid, seen.pos_ref) == ("active", 30_000, "POS-1")
    assert sync.needs_attention(b) == []
    # offline: each register lets the member use today's one use
    passes.use(a, who)
    later(b, minutes=5)
    passes.use(b, who)
    sync_all(a, b)
    sync_all(a, b)
    for register in (a, b):
        (view,) = passes.member_passes(register, who)
        assert view.uses_today == 2  # both uses are kept: events are never dropped
        items = [i for i in sync.needs_attention(register) if i.kind == "pass_overuse"]
        assert len(items) == 1 and items[0].points == 1
        assert items[0].detail["row"] == "2026-03-12" and items[0].detail["table"] == "하루 한 잔"
        assert items[0].phone_masked == "010-****-5678"
    # the cancel at B is seen at A: the same state everywhere
    passes.cancel(b, who)
    sync_all(a, b)
    assert passes.member_passes(a, who)[0].status == "cancelled"
    assert passes.member_passes(a, who)[0].refunded == passes.member_passes(b, who)[0].refunded
