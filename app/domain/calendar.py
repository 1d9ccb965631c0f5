"""Calendar arithmetic on local dates: month starts and month steps clamped to the month's end."""

from __future__ import annotations

from datetime import date, timedelta


def days_in_month(year: int, month: int) -> int:
    """Number of days in the given month."""
    next_month = date(year + month // 12, month % 12 + 1, 1)
    return (next_month - timedelta(days=1)).day


def month_start(d: date) -> date:
    """First day of the month of `d`."""
    return d.replace(day=1)


def add_months(d: date, months: int) -> date:
    """Same day `months` months later (or earlier), clamped: Jan 31 + 1 month is Feb 28/29."""
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(d.day, days_in_month(year, month)))
