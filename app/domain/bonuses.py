"""Bonus rules: the birthday bonus, once a calendar year in the birthday month."""

from __future__ import annotations

from datetime import date

from app.domain.calendar import days_in_month


def birthday_in_year(birthday: date, year: int) -> date:
    """The birthday as celebrated in `year`: Feb 29 falls on Feb 28 in common years."""
    return date(year, birthday.month, min(birthday.day, days_in_month(year, birthday.month)))


def birthday_bonus_due(birthday: date | None, today: date, last_bonus_year: int | None) -> bool:
    """True in the birthday month if no birthday bonus was given this calendar year.

    A Feb 29 birthday is in February every year, so it needs no special case here.
    """
    if birthday is None or today.month != birthday.month:
        return False
    return last_bonus_year is None or last_bonus_year < today.year
