"""Issue 19 (branch rfm19): the set-based RFM query gives exactly the scores of the first one.

The reference below is the first compute_rfm's per-member aggregate (a LEFT JOIN of each sale
to its void, the check made sale by sale), kept here as it was. Both run on one generated
shop with voids, refunds (partial and whole), voids of refunds, purchases outside the window,
members with every purchase voided and a withdrawn member, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, aliased

from app.db.models import Customer, RfmScore, Sale
from app.domain import rfm
from app.services import customers, segments
from app.services.context import Context
from tests.conftest import START


def _reference(session: Session, now: datetime) -> dict[uuid.UUID, tuple[object, ...]]:
    """The first compute_rfm's per-member figures and scores, in Python from its SQL."""
    since = now - timedelta(days=rfm.WINDOW_DAYS)
    void = aliased(Sale)
    standing = and_(Sale.amount > 0, void.id.is_(None))
    bought = func.sum(case((standing, 1), else_=0))
    per = (
        select(
            Sale.customer_id.label("customer_id"),
            func.max(case((standing, Sale.occurred_at))).label("last_at"),
            bought.label("frequency"),
            func.sum(Sale.amount).label("monetary"),
        )
        .outerjoin(void, void.reverses_id == Sale.id)
        .where(Sale.occurred_at >= since, Sale.occurred_at <= now)
        .group_by(Sale.customer_id)
        .having(bought > 0)
        .cte("per")
    )
    ranked = (
        select(
            per.c.customer_id,
            per.c.last_at,
            per.c.frequency,
            per.c.monetary,
            func.rank().over(order_by=per.c.last_at).label("rr"),
            func.rank().over(order_by=per.c.frequency).label("fr"),
            func.rank().over(order_by=per.c.monetary).label("mr"),
            func.count().over().label("n"),
        )
        .join(Customer, Customer.id == per.c.customer_id)
        .where(Customer.status == "active")
    )
    out: dict[uuid.UUID, tuple[object, ...]] = {}
    for who, last_at, frequency, monetary, rr, fr, mr, n in session.execute(ranked):
        r, f, m = (1 + 5 * (x - 1) // n for x in (rr, fr, mr))
        out[who] = (last_at, frequency, monetary, r, f, m, rfm.segment_of(r, f))
    return out


def _generated_shop(ctx: Context, session: Session, seed: int, members: list[uuid.UUID]) -> None:
    rng = random.Random(seed)
    for i, who in enumerate(members):
        bought: list[Sale] = []
        for _ in range(rng.choice((0, 1, 1, 2, 3, 5, 8, 13))):
            at = START - timedelta(minutes=rng.randrange(0, 480 * 24 * 60))
            amount = rng.choice((1_000, 4_500, 12_000, 30_000, 77_000))
            sale = Sale(customer_id=who, occurred_at=at, amount=amount, items=1)
            session.add(sale)
            bought.append(sale)
        session.flush()
        for sale in bought:
            later = sale.occurred_at + timedelta(minutes=rng.randrange(1, 90 * 24 * 60))
            roll = rng.random()
            if roll < 0.15 or i % 17 == 3:  # voided (member 3, 20, … every purchase voided)
                session.add(
                    Sale(
                        customer_id=who,
                        occurred_at=later,
                        amount=-sale.amount,
                        items=-1,
                        reverses_id=sale.id,
                    )
                )
            elif roll < 0.35:  # a partial or whole POS refund, itself voided now and then
                part = rng.choice((sale.amount // 3, sale.amount))
                refund = Sale(
                    customer_id=who,
                    occurred_at=later,
                    amount=-part,
                    items=0,
                    refund_of_id=sale.id,
                )
                session.add(refund)
                session.flush()
                if rng.random() < 0.3:
                    session.add(
                        Sale(
                            customer_id=who,
                            occurred_at=later + timedelta(minutes=5),
                            amount=part,
                            items=0,
                            reverses_id=refund.id,
                        )
                    )
        # two members bought at the very same moment: their recency ranks tie
        if i in (40, 41):
            session.add(
                Sale(customer_id=who, occurred_at=START - timedelta(days=9), amount=9_000, items=1)
            )
    withdrawn = session.get(Customer, members[7])
    assert withdrawn is not None
    withdrawn.status = "withdrawn"
    session.flush()


def test_the_set_based_rfm_gives_the_first_querys_scores(ctx: Context) -> None:
    for seed in (1, 2, 3):
        with ctx.db.write() as session:
            for row in session.scalars(select(Customer)):
                row.status = "erased"  # the previous seed's members leave the scores
        ctx.fixed_now = START - timedelta(days=500)
        members = [customers.enroll(ctx, f"010-31{seed:02d}-{i:04d}").id for i in range(80)]
        with ctx.db.write() as session:
            _generated_shop(ctx, session, seed, members)
        for now in (START, START - timedelta(days=40)):
            with ctx.db.write() as session:
                expected = _reference(session, now)
                assert segments.compute_rfm(ctx, session, now) == len(expected)
            with ctx.db.read() as session:
                got = {
                    row.customer_id: (
                        row.last_at,
                        row.frequency,
                        row.monetary,
                        row.r,
                        row.f,
                        row.m,
                        row.segment,
                    )
                    for row in session.scalars(select(RfmScore))
                }
            assert len(expected) > 30
            assert got == expected
