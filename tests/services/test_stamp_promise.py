"""A stamp card keeps its promise through a program change (issue 13, item 3): the counter's
status, the sale, the reward, its void, the slip and the CLI all read the card's own goal."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.domain.errors import Refused
from app.services import customers, program, redemptions, sales, slips
from app.services.customers import resolve_customer
from app.services.program import load_program

PHONE = "010-1234-5678"


def at(ctx, *args: int) -> None:
    ctx.fixed_now = datetime(*args, tzinfo=ctx.zone).astimezone(UTC)


def change_stamps(ctx, **stamps: object) -> None:
    doc = program.show_program(ctx)
    doc["stamps"].update(stamps)
    load_program(ctx, doc)


def visits(ctx, n: int) -> sales.SaleResult:
    result = None
    for _ in range(n):
        result = sales.record_sale(ctx, resolve_customer(ctx, PHONE), 5_000)
    assert result is not None
    return result


def status(ctx) -> customers.CustomerStatus:
    return customers.customer_status(ctx, resolve_customer(ctx, PHONE))


def test_a_card_started_at_ten_finishes_at_ten_after_the_goal_becomes_eight(ctx) -> None:
    at(ctx, 2027, 3, 2, 12)
    customers.enroll(ctx, PHONE)
    visits(ctx, 3)
    at(ctx, 2027, 3, 3, 9)
    change_stamps(ctx, goal=8, reward="라떼 1잔")
    s = status(ctx)
    assert (s.stamps_on_card, s.stamp_goal, s.rewards_ready) == (3, 10, 0)  # 3/10, not 3/8
    assert s.stamp_reward == "아메리카노 1잔"
    at(ctx, 2027, 3, 3, 12)
    sale = visits(ctx, 5)
    assert (sale.stamps, sale.stamps_on_card, sale.stamp_goal, sale.rewards_ready) == (8, 8, 10, 0)
    with pytest.raises(Refused) as refused:
        redemptions.redeem_stamps(ctx, resolve_customer(ctx, PHONE))  # 8 of 10 is no reward
    assert refused.value.params == {"balance": 8, "goal": 10}
    sale = visits(ctx, 3)  # 11 stamps: the 10-card is full, one on the new 8-card
    assert (sale.stamps_on_card, sale.stamp_goal, sale.rewards_ready) == (1, 8, 1)
    assert sale.status is not None and sale.status.stamp_reward == "아메리카노 1잔"

    used = redemptions.redeem_stamps(ctx, resolve_customer(ctx, PHONE))
    assert (used.stamps_used, used.reward, used.stamps) == (10, "아메리카노 1잔", 1)
    assert used.status is not None
    assert (used.status.stamps_on_card, used.status.stamp_goal) == (1, 8)
    assert used.status.stamp_reward == "라떼 1잔"

    voided = sales.void_action(ctx, str(used.redemption_id))  # the same card comes back
    assert voided.status is not None
    assert (voided.status.rewards_ready, voided.status.stamp_reward) == (1, "아메리카노 1잔")
    assert (voided.status.stamps_on_card, voided.status.stamp_goal) == (1, 8)


def test_the_slip_shows_the_card_with_the_goal_it_was_started_with(ctx) -> None:
    at(ctx, 2027, 3, 2, 12)
    customers.enroll(ctx, PHONE)
    visits(ctx, 3)
    change_stamps(ctx, goal=8)
    sale = sales.record_sale(ctx, resolve_customer(ctx, PHONE), 5_000, with_slip=True)
    assert sale.slip is not None
    assert (sale.slip.stamps_on_card, sale.slip.stamp_goal) == (4, 10)
    visits(ctx, 6)  # the 10-card is full: the slip shows it full with its reward ready
    slip = slips.slip_for(ctx, str(visits(ctx, 0 + 1).sale_id))
    assert (slip.stamps_on_card, slip.stamp_goal, slip.rewards_ready) == (1, 8, 1)
    # a reprint of the earlier sale shows the card as it was then
    again = slips.slip_for(ctx, str(sale.sale_id))
    assert again.reprint and (again.stamps_on_card, again.stamp_goal) == (4, 10)


def test_a_void_of_the_sale_that_completed_a_card_reopens_that_card(ctx) -> None:
    at(ctx, 2027, 3, 2, 12)
    customers.enroll(ctx, PHONE)
    visits(ctx, 9)
    change_stamps(ctx, goal=5)
    last = visits(ctx, 1)
    assert (last.rewards_ready, last.stamps_on_card, last.stamp_goal) == (1, 0, 5)
    voided = sales.void_action(ctx, str(last.sale_id))
    assert voided.status is not None
    assert (voided.status.rewards_ready, voided.status.stamps_on_card) == (0, 9)
    assert voided.status.stamp_goal == 10


def test_a_program_that_never_changed_the_goal_reads_as_before(ctx) -> None:
    at(ctx, 2027, 3, 2, 12)
    customers.enroll(ctx, PHONE)
    change_stamps(ctx, per="item")  # a change that reinterprets nothing already stamped
    sale = sales.record_sale(ctx, resolve_customer(ctx, PHONE), 5_000, items=23)
    assert (sale.stamps, sale.stamps_on_card, sale.stamp_goal, sale.rewards_ready) == (23, 3, 10, 2)
    used = redemptions.redeem_stamps(ctx, resolve_customer(ctx, PHONE))
    assert used.stamps_used == 10 and used.stamps == 13
