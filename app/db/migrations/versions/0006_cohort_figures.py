"""cohort figures: cohort:<enrollment month> and retained_members kept in monthly_stats

From this version mark_active() keeps, for each month, how many members of each enrollment
month (cohort:YYYY-MM, the customer's local month of enrollment) and how many members active
the month before (retained_members) were active in it, so that the Reports page's cohort
retention and churn read a few monthly figures instead of every member-month.

upgrade() works them out once from what is already there: customer_months joined to
customers, streamed in customer order in chunks (the local month of enrollment needs the
shop's time zone, which SQLite cannot apply: it is worked out in Python, once a customer).
The figures are filed under the customer's store (str(uuid) with dashes, as bump() files
them), or the shop's own store for a customer without one; reports add the stores up.
downgrade() deletes them.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 18:30:34.507610
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT_ZONE = "Asia/Seoul"  # what a shop without a "timezone" setting runs in
COHORT_PREFIX = "cohort:"
RETAINED = "retained_members"
CHUNK = 20_000  # rows fetched at a time
INSERT_CHUNK = 5_000

ACTIVITY = sa.text(
    "SELECT m.customer_id, m.month, c.enrolled_at, c.store_id "
    "FROM customer_months AS m JOIN customers AS c ON c.id = m.customer_id "
    "ORDER BY m.customer_id, m.month"
)
DELETE = sa.text(
    "DELETE FROM monthly_stats WHERE metric LIKE :cohorts OR metric = :retained"
).bindparams(cohorts=COHORT_PREFIX + "%", retained=RETAINED)
INSERT = sa.text(
    "INSERT INTO monthly_stats (month, store_id, metric, value) "
    "VALUES (:month, :store_id, :metric, :value)"
)


def upgrade() -> None:
    bind = op.get_bind()
    settings = {
        key: json.loads(value)
        for key, value in bind.execute(
            sa.text("SELECT key, value FROM settings WHERE key IN ('timezone', 'store_id')")
        )
    }
    zone = ZoneInfo(settings.get("timezone") or DEFAULT_ZONE)
    bind.execute(DELETE)
    figures = cohort_figures(bind, zone, settings.get("store_id"))
    rows = [
        {"month": month, "store_id": store, "metric": metric, "value": value}
        for (month, store, metric), value in sorted(figures.items())
        if value
    ]
    for start in range(0, len(rows), INSERT_CHUNK):
        bind.execute(INSERT, rows[start : start + INSERT_CHUNK])


def downgrade() -> None:
    op.get_bind().execute(DELETE)


def cohort_figures(
    bind: sa.Connection, zone: ZoneInfo, shop_store: str | None
) -> Counter[tuple[str, str, str]]:
    """(month, store, metric) -> value, as mark_active() would have kept them."""
    figures: Counter[tuple[str, str, str]] = Counter()
    stores: dict[object, str] = {}
    months = LocalMonths(zone)
    previous: dict[str, str] = {}
    last_customer: object = None
    last_month = cohort = store = ""
    result = bind.execute(ACTIVITY.execution_options(yield_per=CHUNK))
    for chunk in result.partitions():
        for customer_id, month, enrolled_at, store_id in chunk:
            if customer_id != last_customer:
                last_customer, last_month = customer_id, ""
                cohort = COHORT_PREFIX + months.of(enrolled_at)
                if store_id not in stores:
                    stores[store_id] = dashed(store_id) or shop_store or ""
                store = stores[store_id]
            figures[month, store, cohort] += 1
            before = previous.get(month)
            if before is None:
                before = previous[month] = previous_month(month)
            if last_month == before:
                figures[month, store, RETAINED] += 1
            last_month = month
    return figures


class LocalMonths:
    """The local "YYYY-MM" of stored UTC moments (SQLite hands back naive UTC text).

    Worked out once per UTC day: a day whose first and last moments fall in one local month
    lies wholly in it; only the days a local month begins on are worked out moment by moment.
    """

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self.days: dict[str, str | None] = {}

    def of(self, stored: datetime | str) -> str:
        # SQLite's text starts with the UTC date: most rows need no parsing at all
        day = stored[:10] if isinstance(stored, str) else utc(stored).date().isoformat()
        if day not in self.days:
            start = datetime.fromisoformat(day).replace(tzinfo=UTC)
            first, last = self.month(start), self.month(start + ONE_DAY - TICK)
            self.days[day] = first if first == last else None
        return self.days[day] or self.month(utc(stored))

    def month(self, moment: datetime) -> str:
        return moment.astimezone(self.zone).strftime("%Y-%m")


ONE_DAY, TICK = timedelta(days=1), timedelta(microseconds=1)


def utc(stored: datetime | str) -> datetime:
    moment = datetime.fromisoformat(stored) if isinstance(stored, str) else stored
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def dashed(value: object) -> str | None:
    """A stored UUID (32 hex digits on SQLite, a uuid on PostgreSQL) as str(uuid)."""
    if value is None:
        return None
    return str(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))


def previous_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year - 1:04d}-12" if number == 1 else f"{year:04d}-{number - 1:02d}"
