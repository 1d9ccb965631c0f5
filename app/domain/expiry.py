"""Points expire N months after they were earned, oldest first (FIFO).

Decision: points earned on local date D are usable through local date D + N months (clamped,
Jan 31 + 1 month -> Feb 28/29) and expire at local midnight at the start of the next day.
months == 0 means they never expire. FIFO order is by expiry moment; with one expiry period
this is the order of earning.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.domain.calendar import add_months


def expiry_moment(earned_at: datetime, months: int, zone: ZoneInfo) -> datetime | None:
    """The aware UTC moment points earned at `earned_at` expire, or None if they never do."""
    if earned_at.tzinfo is None:
        raise ValueError("earned_at must be timezone-aware")
    if months < 0:
        raise ValueError(f"months must be >= 0, got {months}")
    if months == 0:
        return None
    last_day = add_months(earned_at.astimezone(zone).date(), months)
    local_midnight = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=zone)
    return local_midnight.astimezone(UTC)


def remaining_to_expire(due_lots_total: int, consumed_total: int) -> int:
    """Unspent points of the lots due by some moment, given FIFO consumption of everything."""
    if due_lots_total < 0 or consumed_total < 0:
        raise ValueError("totals must be >= 0")
    return max(0, due_lots_total - consumed_total)


def fifo_remaining(
    lots: Sequence[tuple[datetime, int]], consumed: int
) -> list[tuple[datetime, int]]:
    """Explicit FIFO: eat `consumed` points from the earliest-expiring lots; return what is left."""
    if consumed < 0:
        raise ValueError(f"consumed must be >= 0, got {consumed}")
    left = consumed
    remaining: list[tuple[datetime, int]] = []
    for expires_at, points in sorted(lots, key=lambda lot: lot[0]):
        eaten = min(points, left)
        left -= eaten
        if points - eaten > 0:
            remaining.append((expires_at, points - eaten))
    return remaining
