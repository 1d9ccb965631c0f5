"""A realistic demo shop: a café with regulars, occasional visitors, redemptions and coupons."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.db.models import Customer, Store
from app.db.settings import set_setting
from app.domain.errors import Refused
from app.services.context import Context
from app.services.customers import enroll_in
from app.services.ledger import balances
from app.services.program import current_program
from app.services.redemptions import redeem_points_in, redeem_stamps_in
from app.services.sales import record_sale_in

SURNAMES = "김이박최정강조윤장임한오서신권황안송류홍"
GIVEN = [
    "민준",
    "서연",
    "도윤",
    "하은",
    "지호",
    "수아",
    "예준",
    "지우",
    "시우",
    "서윤",
    "주원",
    "지민",
    "하준",
    "채원",
    "유진",
    "현우",
    "다은",
    "준서",
    "은서",
    "건우",
]
PRICES = [4500, 5000, 5500, 6000, 6500, 9000, 11000, 12500, 15000, 24000, 32000]
SHOWCASE_PHONE = "010-1234-5678"


@dataclass(frozen=True)
class DemoResult:
    created: bool
    customers: int
    sales: int
    redemptions: int
    showcase_phone: str


def has_members(ctx: Context) -> bool:
    """Whether any customer record exists (a fresh install has none)."""
    with ctx.db.read() as session:
        return session.scalars(select(Customer.id).limit(1)).first() is not None


def mark_demo_offered(ctx: Context) -> None:
    """The demo is offered once per shop, whatever the owner answered."""
    with ctx.db.write() as session:
        set_setting(session, "demo_offered", True)
    ctx.settings["demo_offered"] = True


def build_demo(ctx: Context, customers: int = 200, days: int = 90, seed: int = 7) -> DemoResult:
    """Fill an empty shop; a shop that already has customers is left alone."""
    if not 1 <= customers <= 100_000:
        raise Refused("demo.customers_range", maximum=100_000)
    if not 1 <= days <= 3650:
        raise Refused("demo.days_range", maximum=3650)
    rng = random.Random(seed)
    end = ctx.now()
    start = end - timedelta(days=days)
    sales = redemptions = 0
    with ctx.db.write() as session:
        existing = session.scalar(select(func.count()).select_from(Customer)) or 0
        if existing:
            return DemoResult(False, int(existing), 0, 0, SHOWCASE_PHONE)
        store = session.get(Store, ctx.store_id)
        if store is not None and store.name == "내 가게":
            store.name = "단골 카페 (데모)"
        _, program = current_program(session)
        phones = {"01012345678"}
        while len(phones) < customers:
            phones.add(f"010{rng.randrange(2000_0000, 9999_9999):08d}")
        ordered = ["01012345678", *sorted(phones - {"01012345678"})]
        for index, phone in enumerate(ordered):
            regular = index == 0 or rng.random() < 0.08
            enrolled = start + timedelta(
                seconds=rng.randrange(
                    int((end - start).total_seconds() * (0.2 if regular else 0.9))
                )
            )
            name = (
                "김단골"
                if index == 0
                else rng.choice(SURNAMES) + rng.choice(GIVEN)
                if rng.random() < 0.7
                else None
            )
            birthday = (
                (
                    f"{rng.randrange(1960, 2006)}-{rng.randrange(1, 13):02d}-"
                    f"{rng.randrange(1, 29):02d}"
                )
                if rng.random() < 0.5
                else None
            )
            customer, _ = enroll_in(
                ctx,
                session,
                phone,
                now=enrolled,
                name=name,
                birthday=birthday,
                marketing_consent=rng.random() < 0.6,
                consent_source="demo",
            )
            visits = rng.randrange(20, 60) if regular else rng.choice([0, 1, 1, 2, 3, 5])
            moments = sorted(
                enrolled
                + timedelta(seconds=rng.randrange(max(1, int((end - enrolled).total_seconds()))))
                for _ in range(visits)
            )
            for moment in moments:
                moment = _opening_hours(ctx, moment, rng)
                if moment > end:
                    continue
                amount = rng.choice(PRICES) * (rng.randrange(1, 4) if regular else 1)
                record_sale_in(ctx, session, customer.id, amount, rng.randrange(1, 4), moment)
                sales += 1
                bal = balances(session, customer.id, moment)
                if bal.stamps >= program.stamps.goal and rng.random() < 0.7:
                    redeem_stamps_in(ctx, session, customer.id, moment + timedelta(minutes=1))
                    redemptions += 1
                elif bal.points >= 3000 and rng.random() < 0.2:
                    points = bal.points // program.points.redeem_unit * program.points.redeem_unit
                    redeem_points_in(
                        ctx, session, customer.id, points, moment + timedelta(minutes=1)
                    )
                    redemptions += 1
        return DemoResult(True, customers, sales, redemptions, SHOWCASE_PHONE)


def _opening_hours(ctx: Context, moment: datetime, rng: random.Random) -> datetime:
    """Move a random moment into the café's opening hours (08–21 local)."""
    local = ctx.local(moment)
    local = local.replace(hour=rng.randrange(8, 21), minute=rng.randrange(60))
    return local.astimezone(moment.tzinfo)
