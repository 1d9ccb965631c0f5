"""The daily run: expiry, the monthly tier evaluation, birthday bonuses. Twice is harmless."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import extract, func, select
from sqlalchemy.orm import Session

from app.db.models import Customer, DailyRun, LedgerEntry, Sale, TierChange
from app.domain.bonuses import birthday_bonus_due
from app.domain.tiers import evaluation_window, monthly_evaluation
from app.services.audit_chain import audit
from app.services.context import Context
from app.services.ledger import append_entry, lot_expiry, settle_expiry
from app.services.program import current_program
from app.services.sales import change_tier


@dataclass(frozen=True)
class DailyResult:
    day: str
    expired_customers: int
    expired_points: int
    tier_period: str
    tiers_evaluated: int
    promoted: int
    demoted: int
    birthday_bonuses: int


def run_daily(ctx: Context) -> DailyResult:
    with ctx.db.write() as session:
        now = ctx.now()
        last = session.scalars(select(DailyRun).order_by(DailyRun.day.desc()).limit(1)).first()
        expired_customers, expired_points = _expire(
            ctx, session, now, last.ran_at if last else None
        )
        period, evaluated, promoted, demoted = _evaluate_tiers(ctx, session, now)
        birthdays = _birthday_bonuses(ctx, session, now)
        result = DailyResult(
            ctx.local_date(now).isoformat(),
            expired_customers,
            expired_points,
            period,
            evaluated,
            promoted,
            demoted,
            birthdays,
        )
        day = ctx.local_date(now)
        row = session.get(DailyRun, day)
        summary = json.dumps(asdict(result))
        if row is None:
            session.add(DailyRun(day=day, ran_at=now, summary=summary))
        else:
            row.ran_at, row.summary = now, summary
        audit(ctx, session, "daily.run", detail=asdict(result))
        return result


def _expire(
    ctx: Context, session: Session, now: datetime, since: datetime | None
) -> tuple[int, int]:
    """Customers with a lot whose expiry passed since the last run get an expire entry."""
    stmt = (
        select(LedgerEntry.customer_id)
        .distinct()
        .where(LedgerEntry.expires_at.is_not(None), LedgerEntry.expires_at <= now)
    )
    if since is not None:
        stmt = stmt.where(LedgerEntry.expires_at > since)
    customers = total = 0
    for customer_id in session.scalars(stmt).all():
        points = settle_expiry(ctx, session, customer_id, now)
        if points:
            customers += 1
            total += points
    return customers, total


def _evaluate_tiers(ctx: Context, session: Session, now: datetime) -> tuple[str, int, int, int]:
    """On (or after) the 1st: one evaluation per customer and month, one step down at most."""
    _, program = current_program(session)
    levels = program.tiers.levels
    today = ctx.local_date(now)
    period = today.strftime("%Y-%m")
    month_start = today.replace(day=1)
    start_day, end_day = evaluation_window(month_start, program.tiers.window_months)
    start = datetime.combine(start_day, datetime.min.time(), tzinfo=ctx.zone)
    end = datetime.combine(end_day, datetime.min.time(), tzinfo=ctx.zone)
    month_begins = datetime.combine(month_start, datetime.min.time(), tzinfo=ctx.zone)
    # Only members above the lowest tier can move at evaluation: promotions happen at the sale.
    candidates = list(
        session.scalars(
            select(Customer).where(
                Customer.status == "active",
                Customer.tier_code != levels[0].code,
                ~select(TierChange.id)
                .where(
                    TierChange.customer_id == Customer.id,
                    (TierChange.period == period)
                    | ((TierChange.reason == "sale") & (TierChange.changed_at >= month_begins)),
                )
                .exists(),
            )
        )
    )
    if not candidates:
        return period, 0, 0, 0
    ids = [c.id for c in candidates]
    spend: dict[Any, int] = {}
    for chunk in range(0, len(ids), 500):
        part = ids[chunk : chunk + 500]
        for customer_id, total in session.execute(
            select(Sale.customer_id, func.sum(Sale.amount))
            .where(Sale.customer_id.in_(part), Sale.occurred_at >= start, Sale.occurred_at < end)
            .group_by(Sale.customer_id)
        ):
            spend[customer_id] = int(total or 0)
    promoted = demoted = 0
    rank = {level.code: i for i, level in enumerate(levels)}
    for customer in candidates:
        customer_spend = spend.get(customer.id, 0)
        before = customer.tier_code
        after = monthly_evaluation(levels, before, customer_spend)
        change_tier(
            ctx, session, customer, after, "evaluation", now, spend=customer_spend, period=period
        )
        if rank.get(after, 0) > rank.get(before, 0):
            promoted += 1
        elif rank.get(after, 0) < rank.get(before, 0):
            demoted += 1
    return period, len(candidates), promoted, demoted


def _birthday_bonuses(ctx: Context, session: Session, now: datetime) -> int:
    _, program = current_program(session)
    bonus = program.bonuses.birthday
    if bonus <= 0:
        return 0
    today = ctx.local_date(now)
    key = f"birthday:{today.year}"
    candidates = session.execute(
        select(Customer.id, Customer.birthday).where(
            Customer.status == "active",
            Customer.birthday.is_not(None),
            extract("month", Customer.birthday) == today.month,
            ~select(LedgerEntry.id)
            .where(LedgerEntry.customer_id == Customer.id, LedgerEntry.once_key == key)
            .exists(),
        )
    ).all()
    given = 0
    expires = lot_expiry(ctx, program, now)
    for customer_id, birthday in candidates:
        if birthday_bonus_due(birthday, today, None):
            append_entry(
                ctx,
                session,
                customer_id=customer_id,
                kind="bonus",
                at=now,
                points=bonus,
                expires_at=expires,
                reason="birthday",
                once_key=key,
            )
            given += 1
    return given
