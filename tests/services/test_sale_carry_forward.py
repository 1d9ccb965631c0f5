"""A sale reads the customer and the ledger's sums once and carries them forward (issue 17).

What it returns must be what a fresh read after it gives: points due to expire settled first,
lots expiring within 30 days, a campaign's bonus, stamps, a promotion; in fewer statements.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event

from app.domain.errors import Refused
from app.services import customers, program, redemptions, sales
from app.services.context import Context
from app.services.ledger import balances


def orm_status(ctx: Context, customer_id: uuid.UUID) -> customers.CustomerStatus:
    with ctx.db.read() as session:
        customer = customers.usable_customer(session, customer_id)
        return customers.status_of(ctx, session, customer, ctx.now())


def check_sale(ctx: Context, customer_id: uuid.UUID, amount: int) -> sales.SaleResult:
    result = sales.record_sale(ctx, customer_id, amount)
    after = orm_status(ctx, customer_id)
    assert result.status == after
    assert (result.points, result.stamps, result.tier) == (after.points, after.stamps, after.tier)
    with ctx.db.read() as session:
        bal = balances(session, customer_id, ctx.now())
    assert (result.points, result.stamps) == (bal.points, bal.stamps)
    assert bal.due_now == 0  # whatever was due was written as an expire entry first
    return result


def set_program(ctx: Context, **changes: Any) -> None:
    document = program.show_program(ctx)
    for section, values in changes.items():
        if isinstance(values, dict):
            document[section].update(values)
        else:
            document[section] = values
    program.load_program(ctx, document)


@pytest.mark.parametrize("expiry_months", [1, 12, 0])
def test_what_a_sale_returns_is_what_a_fresh_read_gives(ctx: Context, expiry_months: int) -> None:
    set_program(
        ctx,
        points={"expiry_months": expiry_months},
        campaigns=[
            {
                "name": "목요일 두 배",
                "multiplier": 2,
                "bonus": 50,
                "start": "2026-01-01",
                "end": "2027-12-31",
                "weekdays": [3],
                "hours": None,
                "tiers": [],
            }
        ],
    )
    who = customers.enroll(ctx, "010-5555-0001").id
    start = ctx.now()  # a Thursday: the campaign's bonus comes with each sale of that day
    promoted = []
    for day, amount in enumerate((80_000, 300_000, 250_000, 12_000, 1_000_000, 3_300)):
        ctx.fixed_now = start + timedelta(days=13 * day)  # lots come due, others within 30 days
        result = check_sale(ctx, who, amount)
        assert result.campaign_points > 0 or day % 7
        promoted.append(result.promoted_from)
    assert promoted[-2] is not None  # the sale of a million went up a tier
    ctx.fixed_now = start + timedelta(days=13 * 6)
    if expiry_months == 1:
        before = orm_status(ctx, who)
        assert before.points_expiring_30d > 0
    redemptions.redeem_points(ctx, who, 1000)
    check_sale(ctx, who, 45_000)
    ctx.fixed_now = start + timedelta(days=500)  # everything earned so far has expired (1, 12)
    check_sale(ctx, who, 9_000)
    # a February lot of a one-month program expires within 30 days of being earned
    ctx.fixed_now = datetime(2028, 2, 3, 12, tzinfo=ctx.zone).astimezone(UTC)
    result = check_sale(ctx, who, 20_000)
    assert (result.status.points_expiring_30d > 0) == (expiry_months == 1)  # type: ignore[union-attr]


def test_a_sale_to_an_unknown_or_inactive_member_is_refused(ctx: Context) -> None:
    with pytest.raises(Refused) as refused:
        sales.record_sale(ctx, uuid.uuid4(), 1000)
    assert refused.value.code == "customer.not_found"
    gone = customers.enroll(ctx, "010-5555-0002").id
    customers.erase_customer(ctx, gone)
    with pytest.raises(Refused) as refused:
        sales.record_sale(ctx, gone, 1000)
    assert refused.value.code == "customer.inactive"


def test_a_sale_takes_twelve_statements(sqlite_ctx: Context) -> None:
    """BEGIN, the customer, the sums with the ledger's newest row (a regular's kept position;
    apart until hot17c), the program's key, sale, entries, month, figures, the window's spend,
    and the status's card, coupons and visits (17 before issue 17, 13 before hot17c)."""
    ctx = sqlite_ctx
    who = customers.enroll(ctx, "010-5555-0003").id
    sales.record_sale(ctx, who, 5000)  # the program read and cached
    statements: list[str] = []
    event.listen(ctx.db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    sales.record_sale(ctx, who, 5000)
    assert len(statements) == 12, "\n".join(statements)


def test_a_redemption_and_a_void_return_what_a_fresh_read_gives(ctx: Context) -> None:
    set_program(ctx, points={"expiry_months": 1})
    who = customers.enroll(ctx, "010-5555-0004").id
    start = ctx.now()
    sales.record_sale(ctx, who, 200_000)
    ctx.fixed_now = start + timedelta(days=20)
    kept = sales.record_sale(ctx, who, 100_000)
    ctx.fixed_now = start + timedelta(days=40)  # the first lot has expired, unwritten
    undone = sales.record_sale(ctx, who, 150_000)
    voided = sales.void_action(ctx, str(undone.sale_id))
    assert voided.status == orm_status(ctx, who)
    assert (voided.points, voided.stamps) == (voided.status.points, voided.status.stamps)  # type: ignore[union-attr]
    ctx.fixed_now = start + timedelta(days=45)  # the second lot is due within 30 days
    used = redemptions.redeem_points(ctx, who, 1000)
    assert used.status == orm_status(ctx, who)
    assert used.status is not None and used.status.points_expiring_30d > 0
    assert used.points == used.status.points
    undo = sales.void_action(ctx, str(used.redemption_id))
    assert undo.status == orm_status(ctx, who)
    ctx.fixed_now = start + timedelta(days=47)
    voided = sales.void_action(ctx, str(kept.sale_id))
    assert voided.status == orm_status(ctx, who)
    assert voided.points == 0
