"""The expire entry's derived id (app.domain.keys.expiry_id): the same history gives the same
id, its time is the newest due lot's expiry (before whatever came after the lots expired), and
an expiry from the same sums a second time takes a new id instead of colliding."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from app.db.models import LedgerEntry
from app.domain.keys import EXPIRY_MARK, expiry_id, is_derived
from app.services import customers, daily, redemptions, sales
from app.services.context import Context
from app.services.owner import ledger_lines
from tests.conftest import START

PHONE = "010-3333-4444"


def _expiries(ctx: Context, who: uuid.UUID) -> list[LedgerEntry]:
    with ctx.db.read() as session:
        return list(
            session.scalars(
                select(LedgerEntry)
                .where(LedgerEntry.customer_id == who, LedgerEntry.kind == "expire")
                .order_by(LedgerEntry.occurred_at)
            )
        )


@given(
    st.uuids(),
    st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)
    ),
    st.integers(1, 10**9),
    st.integers(0, 10**9),
)
def test_an_expiry_id_is_a_marked_uuid7_at_its_moment(
    who: uuid.UUID, moment: datetime, due: int, consumed: int
) -> None:
    made = expiry_id(who, moment, due, consumed)
    assert made == expiry_id(who, moment, due, consumed)  # every register alike
    assert made.version == 7 and made.variant == uuid.RFC_4122 and is_derived(made)
    assert (made.int >> 64) & 0xFFF == EXPIRY_MARK
    assert made.int >> 80 == (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(
        milliseconds=1
    )
    # another history is another fact
    assert expiry_id(who, moment, due + 1, consumed) != made
    assert expiry_id(who, moment, due, consumed + 1) != made


def test_a_random_uuid7_is_no_derived_expiry() -> None:
    from app.db.base import new_id

    marked = sum(is_derived(new_id()) for _ in range(20_000))
    assert marked < 20  # one in 4,096 at random, harmless (see keys.EXPIRY_MARK)


def test_the_expiry_sorts_at_the_lots_expiry_and_the_ledger_reads_in_order(ctx: Context) -> None:
    who = customers.enroll(ctx, PHONE).id
    sales.record_sale(ctx, who, 100_000)  # 2,000 points expiring a year later, at midnight
    ctx.fixed_now = START + timedelta(days=400)
    sales.record_sale(ctx, who, 10_000)  # settles the expiry first
    (expiry,) = _expiries(ctx, who)
    assert is_derived(expiry.id) and expiry.points == -2000
    # its id's time is the lot's expiry (local midnight), not the moment it was written: ids
    # are made from the PC's clock, as the moments are (this test's clock is set, its ids not)
    with ctx.db.read() as session:
        lot = session.scalars(
            select(LedgerEntry.expires_at).where(
                LedgerEntry.customer_id == who, LedgerEntry.expires_at.is_not(None)
            )
        ).first()
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=expiry.id.int >> 80)
    assert lot is not None and moment == lot < expiry.occurred_at
    assert moment.astimezone(ctx.zone).time().hour == 0
    _, lines = ledger_lines(ctx, who)
    assert [line.kind for line in lines] == ["earn", "expire", "earn"]  # the expiry first
    assert [line.points_balance for line in lines] == [2000, 0, 200]
    assert lines[-1].points_balance == 200 == customers.customer_status(ctx, who).points
    # the daily run later finds nothing more to expire
    assert daily.run_daily(ctx).expired_points == 0


def test_the_same_sums_expiring_twice_take_a_new_id(ctx: Context) -> None:
    """Points a void gives back expire again from sums equal to the first expiry's: the
    derived id is taken, so the second expiry gets a new one (no collision, no lost sale)."""
    who = customers.enroll(ctx, PHONE).id
    sales.record_sale(ctx, who, 100_000)  # 2,000 points
    redeemed = redemptions.redeem_points(ctx, who, 1000)
    ctx.fixed_now = START + timedelta(days=400)
    sales.record_sale(ctx, who, 10_000)  # expires the 1,000 left of the lot
    sales.void_action(ctx, str(redeemed.redemption_id))  # the 1,000 come back, already due
    sales.record_sale(ctx, who, 10_000)  # and expire: the same sums as the first expiry
    first, second = _expiries(ctx, who)
    assert (first.points, second.points) == (-1000, -1000)
    assert is_derived(first.id) and first.id != second.id
    assert customers.customer_status(ctx, who).points == 400
