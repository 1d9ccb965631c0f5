"""The KPIs the seeds list on one page (issue 19): members, active members, points issued,
redemption rate, retention, average purchase, NPS — a month against the month before.

Everything comes from the figures kept as entries are written (monthly_stats) and the visit
ratings, so the page is a few small queries on any size of shop.

* retention: of the members active (a purchase) in the month before, the share active again
  in the month (monthly_stats' retained_members / the month before's active_members);
* average purchase: sales amount / visits of the month (won);
* redemption rate: points redeemed / points issued in the month;
* NPS: the month's visit ratings (app/domain/nps.py); empty without answers.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from app.db.models import MonthlyStat
from app.domain.csv_safe import safe_row
from app.domain.figures import RETAINED
from app.i18n import translate
from app.services import ratings
from app.services.analytics import dashboard, ratio
from app.services.audit_chain import audit
from app.services.context import Context
from app.services.reports import check_month
from app.services.staff import require_owner

KEYS = (
    "members",
    "active_members",
    "points_issued",
    "redemption_rate",
    "retention",
    "average_purchase",
    "nps",
)
UNITS = {
    "members": "count",
    "active_members": "count",
    "points_issued": "points",
    "redemption_rate": "rate",
    "retention": "rate",
    "average_purchase": "won",
    "nps": "score",
}


@dataclass(frozen=True)
class Kpi:
    key: str
    unit: str  # count, points, won, rate (0..1), score (-100..100)
    value: int | Decimal | None  # None: nothing to measure (NPS without answers)
    previous: int | Decimal | None

    @property
    def change(self) -> int | Decimal | None:
        """Month over month: the difference (rates in points of the rate, 0..1)."""
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def change_percent(self) -> Decimal | None:
        """The relative change of a count or an amount, in percent (None for rates/scores)."""
        if self.unit in ("rate", "score") or self.value is None or not self.previous:
            return None
        return (Decimal(self.value - self.previous) * 100 / Decimal(self.previous)).quantize(
            Decimal("0.1")
        )


@dataclass(frozen=True)
class KpiBoard:
    month: str
    previous_month: str
    kpis: tuple[Kpi, ...]

    def get(self, key: str) -> Kpi:
        return next(k for k in self.kpis if k.key == key)


def _month_before(month: str) -> str:
    year, number = (int(p) for p in month.split("-"))
    return f"{year - 1:04d}-12" if number == 1 else f"{year:04d}-{number - 1:02d}"


def kpi_board(ctx: Context, month: str | None = None) -> KpiBoard:
    """The KPIs of a local month (default: this one) and of the month before; owner only."""
    require_owner(ctx)
    month = check_month(month) if month else ctx.month_of(ctx.now())
    previous = _month_before(month)
    before = _month_before(previous)
    board = dashboard(ctx, before, month)
    by_month = {m.month: m for m in board.months}
    with ctx.db.read() as session:
        retained = {
            m: int(v or 0)
            for m, v in session.execute(
                select(MonthlyStat.month, func.sum(MonthlyStat.value))
                .where(MonthlyStat.metric == RETAINED, MonthlyStat.month.in_([previous, month]))
                .group_by(MonthlyStat.month)
            )
        }
    scores = {m.month: m for m in ratings.nps_by_month(ctx, 2, last=month)}

    def values(m: str, prior: str) -> dict[str, int | Decimal | None]:
        report, earlier = by_month[m], by_month[prior]
        answers = scores.get(m)
        return {
            "members": report.members,
            "active_members": report.active_members,
            "points_issued": report.points_issued,
            "redemption_rate": report.redemption_rate,
            "retention": ratio(retained.get(m, 0), earlier.active_members),
            "average_purchase": report.sales_amount // report.visits if report.visits else 0,
            "nps": answers.nps if answers is not None and answers.answers else None,
        }

    now, then = values(month, previous), values(previous, before)
    return KpiBoard(
        month, previous, tuple(Kpi(key, UNITS[key], now[key], then[key]) for key in KEYS)
    )


def _cell(value: int | Decimal | None) -> object:
    return "" if value is None else value


def export_kpis_csv(ctx: Context, month: str | None, path: Path, *, language: str = "ko") -> int:
    """The KPI page as CSV (UTF-8 with BOM for Excel): one row a KPI; returns the rows."""
    board = kpi_board(ctx, month)
    language = language if language in ("ko", "en") else "ko"
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            safe_row(
                [
                    "kpi",
                    "name",
                    "unit",
                    board.month,
                    board.previous_month,
                    "change",
                    "change_percent",
                ]
            )
        )
        for kpi in board.kpis:
            writer.writerow(
                safe_row(
                    [
                        kpi.key,
                        translate(language, f"kpi.{kpi.key}"),
                        kpi.unit,
                        _cell(kpi.value),
                        _cell(kpi.previous),
                        _cell(kpi.change),
                        _cell(kpi.change_percent),
                    ]
                )
            )
    with ctx.db.write() as session:
        audit(ctx, session, "kpis.export_csv", detail={"month": board.month, "file": path.name})
    return len(board.kpis)
