"""What the daily work still owes since its last run, and when it may run today.

The daily run settles expiry up to now (that needs no calendar), evaluates tiers on each
month's 1st and gives the birthday bonus in the birthday month. A run after days or weeks
off catches up: every month's 1st since the last run is a tier period still due (oldest
first, each with its own window), and every month the missed days touched is a birthday
month still due. Both are safe to repeat: the services record a period's evaluation and a
year's birthday bonus once, so a month listed again changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from app.domain.calendar import add_months, month_start

_TIME = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")


@dataclass(frozen=True)
class DueWork:
    today: date
    tier_periods: tuple[date, ...]  # the 1st of each month to evaluate, oldest first
    birthday_months: tuple[tuple[int, int], ...]  # (year, month), oldest first


def _months(first: date, last: date) -> list[date]:
    """The 1st of every month from `first`'s month to `last`'s month, inclusive."""
    found, current, end = [], month_start(first), month_start(last)
    while current <= end:
        found.append(current)
        current = add_months(current, 1)
    return found


def due_work(last_day: date | None, today: date) -> DueWork:
    """The periods and birthday months not done since the run of `last_day` (local dates).

    Never run before (or a clock set back): only today's month. Today's month is always
    listed, so a member who joined since this month's run is still evaluated or given.
    """
    if last_day is None or last_day >= today:
        this_month = month_start(today)
        return DueWork(today, (this_month,), ((today.year, today.month),))
    # month starts in (last_day, today]: the 1st of last_day's month was done on last_day
    periods = [m for m in _months(last_day, today) if m > last_day]
    if month_start(today) not in periods:
        periods.append(month_start(today))
    birthdays = [(m.year, m.month) for m in _months(last_day + timedelta(days=1), today)]
    return DueWork(today, tuple(periods), tuple(birthdays))


def parse_daily_time(value: object) -> time | None:
    """The owner's chosen time "HH:MM" (local), or None for "at the first quiet moment"."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _TIME.fullmatch(value):
        raise ValueError(value)
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def daily_time_ok(value: object) -> bool:
    try:
        parse_daily_time(value)
    except ValueError:
        return False
    return True


def run_is_due(last_day: date | None, local_now: datetime, chosen: time | None) -> bool:
    """Due once a local day: not yet run today and, with a chosen time, that time has come.

    An app opened after the chosen time (or after days off) is due at once, so nothing
    waits for the next day.
    """
    if last_day is not None and last_day >= local_now.date():
        return False
    return chosen is None or local_now.time().replace(tzinfo=None) >= chosen
