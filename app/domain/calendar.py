"""Calendar arithmetic on local dates: month starts and month steps clamped to the month's end."""

from __future__ import annotations

import re
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


# YYYY-MM-DD with a month 01..12 and a day 01..31: the shape of a date, maybe not a real one
_DATE_SHAPE = re.compile(r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])")


def impossible_day(text: str) -> str | None:
    """The date part of `text` (a date or a moment) when it has a date's shape but the
    calendar lacks that day (2025-02-30, 2023-02-29), else None."""
    head = text.strip()[:10]
    if not _DATE_SHAPE.fullmatch(head):
        return None
    try:
        date.fromisoformat(head)
    except ValueError:
        return head
    return None
