"""How the program is doing: the owner's dashboard, cohorts, top customers, campaigns, exports.

The main figures and cohort retention come from the monthly running totals
(app.services.reports, monthly_stats), so a year of them is one small query. The heavier
analyses (top customers, campaign results) read sales and are meant to run off the UI thread.
"""

from __future__ import annotations

import csv
import math
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from app.db.models import Customer, LedgerEntry, MonthlyStat, Sale, Store
from app.domain import nps
from app.domain.csv_safe import safe_row
from app.domain.dashboard import Dashboard
from app.domain.errors import Refused
from app.domain.figures import RETAINED, cohort_metric
from app.domain.phone import Phone, mask_name
from app.i18n import translate
from app.services import ratings
from app.services.audit_chain import audit
from app.services.context import Context
from app.services.program import current_program
from app.services.reports import check_month, months_between, range_report

RATE = Decimal("0.0001")
MAX_MONTHS = 120
TOP_LIMIT = 10
REPORT_COLUMNS = [
    "month",
    "members",
    "new_members",
    "active_members",
    "visits",
    "sales_amount",
    "average_spend",
    "visits_per_active",
    "points_issued",
    "points_redeemed",
    "points_expired",
    "redemption_rate",
    "points_outstanding_won",
    "coupons_issued",
    "coupons_used",
    # the visit rating (issue 16): answers, NPS (empty without answers), under 30 answers
    "nps_answers",
    "nps_promoters",
    "nps_detractors",
    "nps",
    "nps_few_answers",
    "nps_note",
]


def ratio(part: int, whole: int) -> Decimal:
    """part / whole to 4 places, 0 when there is nothing to divide by."""
    if whole <= 0:
        return Decimal(0)
    return (Decimal(part) / Decimal(whole)).quantize(RATE, ROUND_HALF_UP)


def period_months(first: str, last: str) -> list[str]:
    """The months of a period the owner picked, refused as the monthly report refuses it."""
    first, last = check_month(first), check_month(last)
    if first > last:
        raise Refused("report.range_order", first=first, last=last)
    months = months_between(first, last)
    if len(months) > MAX_MONTHS:
        raise Refused("report.range_too_long", maximum=MAX_MONTHS)
    return months


def month_start(ctx: Context, month: str) -> datetime:
    """The first moment of a local month, in UTC."""
    year, number = (int(p) for p in month.split("-"))
    return datetime(year, number, 1, tzinfo=ctx.zone).astimezone(UTC)


def next_month(month: str) -> str:
    year, number = (int(p) for p in month.split("-"))
    return f"{year + 1:04d}-01" if number == 12 else f"{year:04d}-{number + 1:02d}"


# --- the dashboard: figures kept as entries are written ---------------------------------


def dashboard(ctx: Context, first: str, last: str) -> Dashboard:
    """The period's main figures, month by month and in total (one query)."""
    months = range_report(ctx, first, last)
    with ctx.db.read() as session:
        _, program = current_program(session)
    names = {level.code: level.name for level in program.tiers.levels}
    visits = sum(m.visits for m in months)
    sales = sum(m.sales_amount for m in months)
    active_months = sum(m.active_members for m in months)
    issued = sum(m.points_issued for m in months)
    redeemed = sum(m.points_redeemed for m in months)
    end = months[-1]
    return Dashboard(
        first=months[0].month,
        last=end.month,
        months=months,
        members=end.members,
        new_members=sum(m.new_members for m in months),
        visits=visits,
        sales_amount=sales,
        points_issued=issued,
        points_redeemed=redeemed,
        points_expired=sum(m.points_expired for m in months),
        liability_won=end.points_outstanding,
        redemption_rate=ratio(redeemed, issued),
        average_spend=sales // visits if visits > 0 else 0,
        visits_per_active=ratio(visits, active_months).quantize(Decimal("0.01")),
        monthly_value=sales // active_months if active_months > 0 else 0,
        tier_counts=dict(end.tier_counts),
        tier_names=names,
    )


# --- cohorts: enrollment month -> share active in each later month -------------------


@dataclass(frozen=True)
class Cohort:
    month: str  # enrollment month
    size: int
    active: list[int]  # active[k] = members of the cohort active k months after enrolling

    def retention(self, offset: int) -> Decimal:
        return ratio(self.active[offset], self.size) if offset < len(self.active) else Decimal(0)


@dataclass(frozen=True)
class CohortTable:
    cohorts: list[Cohort]
    monthly_churn: Decimal  # average share of last month's active who are not active this month
    lifetime_months: Decimal  # expected months a member stays: 1 / churn (capped)
    lifetime_value: int  # won: monthly value of an active member x expected lifetime


MAX_LIFETIME_MONTHS = Decimal(60)


def cohort_retention(ctx: Context, first: str, last: str) -> CohortTable:
    """Members enrolled in each month of the period and how many came back in later months.

    Read from the figures kept as sales are recorded (monthly_stats, one small query), never
    from customer_months:

    * size: the enrollment month's new_members, i.e. every member record enrolled in that
      local month, including those since withdrawn, erased or merged into another record
      (the same number as the month's "new members" on the Reports page);
    * active[k]: cohort:<enrollment month> of the k-th month after, i.e. how many of those
      records bought at least once in that month (k = 0 is the enrollment month itself);
    * monthly churn: 1 - (members active in a month and the month before, summed over the
      period's months after the first: retained_members) / (active members of the months
      before the last, summed: active_members).
    """
    months = period_months(first, last)
    cohorts_of = [cohort_metric(m) for m in months]
    kept = ("new_members", "active_members", RETAINED)
    with ctx.db.read() as session:
        rows = session.execute(
            select(MonthlyStat.month, MonthlyStat.metric, func.sum(MonthlyStat.value))
            .where(MonthlyStat.month >= months[0], MonthlyStat.month <= months[-1])
            .where(MonthlyStat.metric.in_([*kept, *cohorts_of]))
            .group_by(MonthlyStat.month, MonthlyStat.metric)
        ).all()
    figures: dict[tuple[str, str], int] = {
        (metric, month): int(value or 0) for month, metric, value in rows
    }
    cohorts = []
    for index, month in enumerate(months):
        metric = cohort_metric(month)
        cohorts.append(
            Cohort(
                month,
                figures.get(("new_members", month), 0),
                [figures.get((metric, m), 0) for m in months[index:]],
            )
        )
    churn = _monthly_churn(figures, months)
    value = dashboard(ctx, first, last).monthly_value
    lifetime = _lifetime(churn)
    return CohortTable(cohorts, churn, lifetime, int(Decimal(value) * lifetime))


def _monthly_churn(figures: dict[tuple[str, str], int], months: list[str]) -> Decimal:
    """Of those active in a month, the share not active the month after, over the period."""
    if len(months) < 2:
        return Decimal(0)
    total = sum(figures.get(("active_members", m), 0) for m in months[:-1])
    kept = sum(figures.get((RETAINED, m), 0) for m in months[1:])
    return Decimal(1) - ratio(kept, total) if total else Decimal(0)


def _lifetime(churn: Decimal) -> Decimal:
    if churn <= 0:
        return MAX_LIFETIME_MONTHS
    return min(MAX_LIFETIME_MONTHS, (Decimal(1) / churn).quantize(Decimal("0.1"), ROUND_HALF_UP))


# --- top customers ---------------------------------------------------------------------


@dataclass(frozen=True)
class TopCustomer:
    customer_id: uuid.UUID
    name: str  # masked
    phone: str  # masked
    spend: int
    visits: int


def visit_count() -> ColumnElement[Any]:
    """Visits net of voids: a void is a sale row with the negated amount."""
    return func.sum(case((Sale.amount > 0, 1), (Sale.amount < 0, -1), else_=0))


def top_customers(ctx: Context, first: str, last: str, limit: int = TOP_LIMIT) -> list[TopCustomer]:
    """The members who spent most in the period, masked as on every screen."""
    months = period_months(first, last)
    start, end = month_start(ctx, months[0]), month_start(ctx, next_month(months[-1]))
    # coalesce() keeps SQLite off the occurred_at index: walking the (customer, time, amount)
    # index whole and grouping as it goes is several times faster than a range then a sort.
    moment = func.coalesce(Sale.occurred_at, Sale.occurred_at)
    spend = func.sum(Sale.amount)
    with ctx.db.read() as session:
        rows = session.execute(
            select(Sale.customer_id, spend, visit_count())
            .where(moment >= start, moment < end)
            .group_by(Sale.customer_id)
            .order_by(spend.desc())
            .limit(limit)
        ).all()
        people = {
            c.id: c
            for c in session.scalars(select(Customer).where(Customer.id.in_([r[0] for r in rows])))
        }
    style = ctx.settings.get("phone_mask", "middle")
    return [
        TopCustomer(
            cid,
            mask_name(name) if (name := people[cid].name) else "",
            Phone(phone).masked(style) if (phone := people[cid].phone) else "",
            int(total),
            int(visits),
        )
        for cid, total, visits in rows
        if cid in people
    ]


# --- campaigns against the weeks before them ------------------------------------------


@dataclass(frozen=True)
class Figures:
    sales: int
    visits: int
    points: int


@dataclass(frozen=True)
class CampaignResult:
    name: str
    start: date
    end: date  # the last day counted (today for a running campaign)
    before_start: date
    before_end: date
    during: Figures
    before: Figures

    def change(self, field: str) -> Decimal | None:
        """(during - before) / before, None when there was nothing before."""
        old, new = getattr(self.before, field), getattr(self.during, field)
        return ratio(new - old, old) if old > 0 else None


def campaign_results(ctx: Context) -> list[CampaignResult]:
    """Each campaign that has started: sales, visits and points against the weeks before.

    The comparison window has the same number of days, moved back by whole weeks so
    that the same weekdays are compared (a weekday-only campaign against weekdays).
    """
    today = ctx.local_date(ctx.now())
    with ctx.db.read() as session:
        _, program = current_program(session)
        results = []
        for campaign in program.campaigns:
            if campaign.start > today:
                continue
            end = min(campaign.end, today)
            days = (end - campaign.start).days + 1
            shift = timedelta(days=math.ceil(days / 7) * 7)
            before_start = campaign.start - shift
            before_end = before_start + timedelta(days=days - 1)
            results.append(
                CampaignResult(
                    campaign.name,
                    campaign.start,
                    end,
                    before_start,
                    before_end,
                    _figures(ctx, session, campaign.start, end),
                    _figures(ctx, session, before_start, before_end),
                )
            )
    return results


def _day_start(ctx: Context, day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=ctx.zone).astimezone(UTC)


def _figures(ctx: Context, session: Session, first: date, last: date) -> Figures:
    start, end = _day_start(ctx, first), _day_start(ctx, last + timedelta(days=1))
    in_window = and_(Sale.occurred_at >= start, Sale.occurred_at < end)
    sales, visits = session.execute(
        select(func.coalesce(func.sum(Sale.amount), 0), func.coalesce(visit_count(), 0)).where(
            in_window
        )
    ).one()
    points = session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.points), 0))
        .join(Sale, Sale.id == LedgerEntry.sale_id)
        .where(in_window, LedgerEntry.kind != "expire")
    )
    return Figures(int(sales), int(visits), int(points or 0))


# --- exports ---------------------------------------------------------------------------


def report_nps(ctx: Context, board: Dashboard) -> list[nps.NpsMonth]:
    """The visit rating's NPS for the board's months, oldest first; for the owner only (as
    everywhere else), none for anyone else."""
    if ctx.staff_role != "owner":
        return []
    return ratings.nps_by_month(ctx, len(board.months), last=board.last)


def nps_note(month: nps.NpsMonth, language: str) -> str:
    """What the reports page says beside a month's NPS: no answers, or too few to rely on."""
    if not month.answers:
        return translate(language, "reports.nps_none")
    if month.few_answers:
        return translate(language, "reports.nps_few", n=nps.RELIABLE_ANSWERS)
    return ""


def _nps_cells(month: nps.NpsMonth | None, language: str) -> list[object]:
    if month is None:  # not the owner's export: the columns stay, empty
        return ["", "", "", "", "", ""]
    return [
        month.answers,
        month.promoters,
        month.detractors,
        month.nps if month.answers else "",
        1 if month.few_answers else 0,
        nps_note(month, language),
    ]


def report_rows(
    board: Dashboard, nps_months: list[nps.NpsMonth] | None = None, language: str = "ko"
) -> list[list[object]]:
    """The monthly report as rows under REPORT_COLUMNS (integer won, rates as decimals)."""
    by_month = {m.month: m for m in nps_months or []}
    rows: list[list[object]] = []
    for m in board.months:
        rows.append(
            [
                m.month,
                m.members,
                m.new_members,
                m.active_members,
                m.visits,
                m.sales_amount,
                m.sales_amount // m.visits if m.visits > 0 else 0,
                ratio(m.visits, m.active_members).quantize(Decimal("0.01")),
                m.points_issued,
                m.points_redeemed,
                m.points_expired,
                m.redemption_rate,
                m.points_outstanding,
                m.coupons_issued,
                m.coupons_used,
                *_nps_cells(by_month.get(m.month), language),
            ]
        )
    return rows


def export_report_csv(
    ctx: Context, first: str, last: str, path: Path, *, language: str = "ko"
) -> int:
    """The monthly report as CSV (UTF-8 with BOM so that Excel reads the Korean right), with
    each month's NPS; the note beside it in ``language``."""
    board = dashboard(ctx, first, last)
    months = report_nps(ctx, board)
    language = language if language in ("ko", "en") else "ko"
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(safe_row(REPORT_COLUMNS))
        writer.writerows(safe_row(row) for row in report_rows(board, months, language))
    _audit_export(ctx, "report.export_csv", board, path)
    return len(board.months)


def export_report_pdf(
    ctx: Context, first: str, last: str, path: Path, *, language: str = "ko"
) -> int:
    """The monthly report with its charts as a PDF; returns the number of pages."""
    from app.printing.report_pdf import render_report

    board = dashboard(ctx, first, last)
    with ctx.db.read() as session:
        store = session.get(Store, ctx.store_id)
        name = store.name if store else ""
    months = report_nps(ctx, board)
    data, pages = render_report(board, shop_name=name, language=language, nps_months=months)
    path.write_bytes(data)
    _audit_export(ctx, "report.export_pdf", board, path)
    return pages


def _audit_export(ctx: Context, action: str, board: Dashboard, path: Path) -> None:
    with ctx.db.write() as session:
        audit(
            ctx,
            session,
            action,
            detail={"first": board.first, "last": board.last, "file": path.name},
        )
