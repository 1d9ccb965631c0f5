"""What the counter watches of the POS: refunds that left a balance below zero, the API's
address from the owner's settings. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.domain.errors import Refused
from app.domain.redemption import max_redeemable
from app.services import customers, pos, pos_watch, program
from app.services.program import program_in_force
from app.services.settings import setting, update_settings
from tests.services.helpers import snapshot

PHONE = "010-1234-5678"


def two_percent(ctx) -> None:
    document = program.show_program(ctx)
    for level in document["tiers"]["levels"]:
        level["earn_percent"] = "2"
    document["campaigns"] = []
    program.load_program(ctx, document)


def spend_all(ctx, who, ref: str) -> None:
    points = customers.customer_status(ctx, who).points
    usable = max_redeemable(points, program_in_force(ctx).points)
    pos.redeem(ctx, ref, who, points=usable)


def test_only_refunds_that_leave_a_member_below_zero_are_watched(ctx) -> None:
    two_percent(ctx)
    who = customers.enroll(ctx, PHONE, name="김단골").id
    started = ctx.now() - timedelta(seconds=1)
    pos.post_sale(ctx, "W1", 200_000, customer_id=who)  # 4,000P
    small = pos.refund(ctx, "W1", "W1-r1", 10_000)  # 200P back: still above zero
    assert small.points >= 0 and small.points_reversed == 200
    assert pos_watch.recent_negative_refunds(ctx, started) == []

    spend_all(ctx, who, "U1")
    ctx.fixed_now = ctx.now() + timedelta(seconds=5)
    big = pos.refund(ctx, "W1", "W1-r2", 100_000)  # 2,000P taken back, already spent
    assert big.points < 0
    found = pos_watch.recent_negative_refunds(ctx, started)
    # only the refund that took the balance below zero, not the small one before it
    assert [(f.refund_ref, f.ref, f.points, f.amount) for f in found] == [
        ("W1-r2", "W1", big.points, 100_000)
    ]
    assert found[0].customer_id == who
    assert found[0].name_masked == "김*골" and found[0].phone_masked == "010-****-5678"
    # after that moment: nothing new
    assert pos_watch.recent_negative_refunds(ctx, ctx.now()) == []
    # the member back above zero (a new sale): nothing to warn about any more
    pos.post_sale(ctx, "W2", 150_000, customer_id=who)
    assert pos_watch.recent_negative_refunds(ctx, started) == []


def test_counter_watch_gives_the_pending_sales_and_writes_nothing(ctx) -> None:
    pos.post_sale(ctx, "P1", 12_000)
    pos.post_sale(ctx, "P2", 8_000)
    before = snapshot(ctx)
    watch = pos_watch.counter_watch(ctx, ctx.now() - timedelta(minutes=2))
    assert [p.ref for p in watch.pending] == ["P1", "P2"]
    assert watch.negative_refunds == [] and watch.checked_at == ctx.now()
    assert snapshot(ctx) == before
    ctx.fixed_now = ctx.now() + timedelta(minutes=31)  # past the owner's 30 minutes: lapsed
    assert pos_watch.counter_watch(ctx, ctx.now()).pending == []


def test_the_api_address_follows_the_owners_settings(ctx) -> None:
    assert pos_watch.api_binding(ctx) is None  # off until the owner turns it on
    assert setting(ctx, "pos_api_port") == 8765
    update_settings(ctx, pos_api_enabled=True)
    assert pos_watch.api_binding(ctx) == ("127.0.0.1", 8765)
    update_settings(ctx, pos_api_lan=True, pos_api_port=9000)
    assert pos_watch.api_binding(ctx) == ("0.0.0.0", 9000)


@pytest.mark.parametrize(
    "values",
    [
        {"pos_api_port": 80},
        {"pos_api_port": 70_000},
        {"pos_api_port": True},
        {"pos_api_port": "8765"},
        {"pos_api_enabled": "yes"},
        {"pos_api_lan": 1},
    ],
)
def test_bad_pos_settings_are_refused_and_nothing_changes(ctx, values) -> None:
    before = snapshot(ctx)
    with pytest.raises(Refused) as refused:
        update_settings(ctx, **values)
    assert refused.value.code == "settings.invalid"
    assert snapshot(ctx) == before and pos_watch.api_binding(ctx) is None
