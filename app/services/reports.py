"""Monthly figures from the running totals kept as entries are written (never a ledger scan)."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import MonthlyStat
from app.domain.dashboard import MonthlyReport
from app.domain.errors import Refused
from app.services.context import Context
from app.services.program import current_program

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def check_month(text: str) -> str:
    if not MONTH.match(text.strip()):
        raise Refused("report.month_invalid", value=text)
    return text.strip()


def _month_totals(session: Session, last_month: str) -> dict[str, dict[str, int]]:
    """metric -> {month: value} for every month up to the last one, all stores together."""
    rows = session.execute(
        select(MonthlyStat.month, MonthlyStat.metric, func.sum(MonthlyStat.value))
        .where(MonthlyStat.month <= last_month)
        .group_by(MonthlyStat.month, MonthlyStat.metric)
    )
    out: dict[str, dict[str, int]] = {}
    for month, metric, value in rows:
        out.setdefault(metric, {})[month] = int(value or 0)
    return out


def _report(month: str, totals: dict[str, dict[str, int]], tier_codes: list[str]) -> MonthlyReport:
    def this(metric: str) -> int:
        return totals.get(metric, {}).get(month, 0)

    def through(metric: str) -> int:
        return sum(v for m, v in totals.get(metric, {}).items() if m <= month)

    issued, redeemed = this("points_issued"), this("points_redeemed")
    rate = (
        (Decimal(redeemed) / Decimal(issued)).quantize(Decimal("0.0001"), ROUND_HALF_UP)
        if issued > 0
        else Decimal(0)
    )
    return MonthlyReport(
        month=month,
        members=through("new_members") - through("members_erased"),
        new_members=this("new_members"),
        active_members=this("active_members"),
        visits=this("visits"),
        sales_amount=this("sales_amount"),
        points_issued=issued,
        points_redeemed=redeemed,
        points_expired=this("points_expired"),
        points_outstanding=through("points_net"),
        stamps_issued=this("stamps_issued"),
        stamps_redeemed=this("stamps_redeemed"),
        coupons_issued=this("coupons_issued"),
        coupons_used=this("coupons_used"),
        redemption_rate=rate,
        tier_counts={code: through(f"tier:{code}") for code in tier_codes},
    )


def monthly_report(ctx: Context, month: str) -> MonthlyReport:
    month = check_month(month)
    with ctx.db.read() as session:
        _, program = current_program(session)
        codes = [level.code for level in program.tiers.levels]
        return _report(month, _month_totals(session, month), codes)


def months_between(first: str, last: str) -> list[str]:
    y, m = (int(p) for p in first.split("-"))
    months = []
    while f"{y:04d}-{m:02d}" <= last:
        months.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def range_report(ctx: Context, first: str, last: str) -> list[MonthlyReport]:
    """Month by month, e.g. the twelve months of a year: one query for all of them."""
    first, last = check_month(first), check_month(last)
    if first > last:
        raise Refused("report.range_order", first=first, last=last)
    months = months_between(first, last)
    if len(months) > 120:
        raise Refused("report.range_too_long", maximum=120)
    with ctx.db.read() as session:
        _, program = current_program(session)
        codes = [level.code for level in program.tiers.levels]
        totals = _month_totals(session, last)
        return [_report(m, totals, codes) for m in months]
