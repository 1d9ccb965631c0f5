"""The daily run: expiry, the monthly tier evaluation, birthday bonuses, the messages it
queues (points expiring, the two-yearly consent notice). Twice is harmless.

A run after days off catches up (`app.domain.daily_due`): each month's 1st missed is
evaluated with its own window, each missed birthday month given once. The day's record
keeps every run: a later run adds to it, never overwrites what an earlier one did.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import extract, func, select
from sqlalchemy.orm import Session

from app.db.models import Customer, DailyRun, LedgerEntry, LunarBirthday, Sale, TierChange
from app.domain.bonuses import birthday_bonus_due
from app.domain.calendar import add_months
from app.domain.daily_due import due_work
from app.domain.korean_calendar import lunar_birthdays_in_solar_year
from app.domain.program import Program
from app.domain.tiers import evaluation_window, monthly_evaluation
from app.services import messages, segments, wallet
from app.services.audit_chain import audit
from app.services.context import Context
from app.services.ledger import append_entry, lot_expiry, settle_expiry
from app.services.program import current_program
from app.services.sales import change_tier

# the counts a day's record adds up over its runs
_COUNTS = (
    "expired_customers",
    "expired_points",
    "tiers_evaluated",
    "promoted",
    "demoted",
    "birthday_bonuses",
)


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
    # added keys: the periods this run evaluated (oldest first) and the last run's day
    tier_periods: tuple[str, ...] = field(default=())
    caught_up_from: str | None = None
    # issue 19: members given RFM scores by this run (app/services/segments.py)
    rfm_scored: int = 0


def run_daily(ctx: Context) -> DailyResult:
    notices = messages.notices_due(ctx)  # read before: the list has its own read
    with ctx.db.write() as session:
        now = ctx.now()
        today = ctx.local_date(now)
        last = session.scalars(select(DailyRun).order_by(DailyRun.day.desc()).limit(1)).first()
        due = due_work(last.day if last else None, today)
        expired_customers, expired_points = _expire(
            ctx, session, now, last.ran_at if last else None
        )
        # the wallet's cashback lots that expired (app/services/wallet.py)
        wallet.expire_due_in(ctx, session, now, last.ran_at if last else None)
        _, program = current_program(session)
        evaluated = promoted = demoted = 0
        for period_start in due.tier_periods:
            counts = _evaluate_tiers(ctx, session, program, now, period_start)
            evaluated, promoted, demoted = (
                evaluated + counts[0],
                promoted + counts[1],
                demoted + counts[2],
            )
        messages.expiry_reminders(ctx, session, now, last.ran_at if last else None)
        messages.coupon_reminders(ctx, session, now, last.ran_at if last else None)
        messages.pass_reminders(ctx, session, now, last.ran_at if last else None)
        messages.consent_notices(ctx, session, notices)
        birthdays = sum(
            _birthday_bonuses(ctx, session, program, now, year, month)
            for year, month in due.birthday_months
        )
        scored = segments.compute_rfm(ctx, session, now)
        result = DailyResult(
            today.isoformat(),
            expired_customers,
            expired_points,
            today.strftime("%Y-%m"),
            evaluated,
            promoted,
            demoted,
            birthdays,
            tuple(p.strftime("%Y-%m") for p in due.tier_periods),
            last.day.isoformat() if last and last.day < today else None,
            scored,
        )
        _record(session, today, now, result)
        audit(ctx, session, "daily.run", detail=_as_dict(result))
        return result


def _as_dict(result: DailyResult) -> dict[str, Any]:
    out = asdict(result)
    out["tier_periods"] = list(result.tier_periods)
    return out


def _record(session: Session, day: date, now: datetime, result: DailyResult) -> None:
    """The day's record: totals over its runs, and each run as it was (none overwritten)."""
    row = session.get(DailyRun, day)
    this_run = {"ran_at": now.isoformat(), **_as_dict(result)}
    if row is None:
        record: dict[str, Any] = {"day": day.isoformat(), "runs": []}
        row = DailyRun(day=day, ran_at=now, summary="")
        session.add(row)
    else:
        record = _read_summary(row.summary, row.ran_at)
    record["runs"].append(this_run)
    for key in _COUNTS:
        record[key] = sum(int(run.get(key, 0)) for run in record["runs"])
    record["tier_period"] = result.tier_period
    row.ran_at, row.summary = now, json.dumps(record, ensure_ascii=False)


def _read_summary(text: str, ran_at: datetime) -> dict[str, Any]:
    """A stored record; one written before runs were kept is taken as that day's one run."""
    try:
        stored = json.loads(text)
    except ValueError:
        stored = {}
    if not isinstance(stored, dict):
        stored = {}
    if isinstance(stored.get("runs"), list):
        return stored
    old_run = {key: stored[key] for key in stored if key != "runs"}
    old_run.setdefault("ran_at", ran_at.isoformat())
    return {"day": stored.get("day"), "runs": [old_run] if stored else []}


def day_record(ctx: Context, day: date) -> dict[str, Any] | None:
    """What the daily work did on a local day: totals and each run (None if it never ran)."""
    with ctx.db.read() as session:
        row = session.get(DailyRun, day)
        if row is None:
            return None
        record = _read_summary(row.summary, row.ran_at)
        for key in _COUNTS:
            record.setdefault(key, sum(int(run.get(key, 0)) for run in record["runs"]))
        return record


def last_run(ctx: Context) -> datetime | None:
    """When the daily work last ran (aware UTC), for the status bar."""
    with ctx.db.read() as session:
        moment: datetime | None = session.scalar(select(func.max(DailyRun.ran_at)))
    if moment is None:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


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


def _local_midnight(ctx: Context, day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=ctx.zone)


def _evaluate_tiers(
    ctx: Context, session: Session, program: Program, now: datetime, month_start: date
) -> tuple[int, int, int]:
    """The evaluation of the month starting `month_start`, with that month's own window.

    One evaluation per customer and period, one step down at most; a member promoted by a
    sale since the period began, or who joined after its month, is left as they are.
    """
    levels = program.tiers.levels
    period = month_start.strftime("%Y-%m")
    start_day, end_day = evaluation_window(month_start, program.tiers.window_months)
    start, end = _local_midnight(ctx, start_day), _local_midnight(ctx, end_day)
    month_begins = _local_midnight(ctx, month_start)
    month_ends = _local_midnight(ctx, add_months(month_start, 1))
    # Only members above the lowest tier can move at evaluation: promotions happen at the sale.
    candidates = list(
        session.scalars(
            select(Customer)
            .where(
                Customer.status == "active",
                Customer.tier_code != levels[0].code,
                Customer.enrolled_at < month_ends,
                ~select(TierChange.id)
                .where(
                    TierChange.customer_id == Customer.id,
                    (TierChange.period == period)
                    | ((TierChange.reason == "sale") & (TierChange.changed_at >= month_begins)),
                )
                .exists(),
            )
            .order_by(Customer.id)
        )
    )
    if not candidates:
        return 0, 0, 0
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
    return len(candidates), promoted, demoted


def _birthday_bonuses(
    ctx: Context, session: Session, program: Program, now: datetime, year: int, month: int
) -> int:
    """The bonus of members born in `month`, once for `year`, if they were members by then."""
    bonus = program.bonuses.birthday
    if bonus <= 0:
        return 0
    month_day = date(year, month, 1)
    key = f"birthday:{year}"
    lunar = select(LunarBirthday.customer_id).where(
        LunarBirthday.customer_id == Customer.id, LunarBirthday.lunar.is_(True)
    )
    eligible = (
        Customer.status == "active",
        Customer.birthday.is_not(None),
        Customer.enrolled_at < _local_midnight(ctx, add_months(month_day, 1)),
        ~select(LedgerEntry.id)
        .where(LedgerEntry.customer_id == Customer.id, LedgerEntry.once_key == key)
        .exists(),
    )
    candidates: list[tuple[uuid.UUID, date | None]] = [
        (row[0], row[1])
        for row in session.execute(
            select(Customer.id, Customer.birthday)
            .where(*eligible, extract("month", Customer.birthday) == month, ~lunar.exists())
            .order_by(Customer.id)
        )
    ]
    # a lunar birthday (issue 19): the bonus in the month of that year's solar date
    for customer_id, birthday in session.execute(
        select(Customer.id, Customer.birthday)
        .where(*eligible, lunar.exists())
        .order_by(Customer.id)
    ).all():
        if birthday is None:
            continue
        solar = [d for d in lunar_birthdays_in_solar_year(birthday, year) if d.month == month]
        if solar:
            candidates.append((customer_id, solar[0]))
    given = 0
    expires = lot_expiry(ctx, program, now)
    for customer_id, birthday in candidates:
        if birthday_bonus_due(birthday, month_day, None):
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
            messages.birthday(ctx, session, customer_id, year, bonus)
            given += 1
    return given
