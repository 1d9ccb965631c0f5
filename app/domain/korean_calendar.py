"""The Korean calendar: lunar birthdays and public holidays (issue 19).

* A member whose birthday is kept by the lunar calendar (음력 생일) has the birthday month and
  day stored as lunar ones; the bonus comes on that year's solar date, converted with
  ``korean-lunar-calendar`` (the KARI tables, lunar years 1000–2050). A lunar 30th in a year
  whose month has 29 days falls on the 29th; a birthday in a leap month (윤달) is kept in the
  ordinary month of that number (the usual custom), so it comes every year.
* Public holidays (공휴일, with substitute holidays) come from the ``holidays`` package's South
  Korea calendar; a campaign may run only on them or never on them.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import holidays
from korean_lunar_calendar import KoreanLunarCalendar


def lunar_to_solar(year: int, month: int, day: int, leap: bool = False) -> date | None:
    """The solar date of a lunar date, or None when the calendar has no such day."""
    calendar = KoreanLunarCalendar()
    if not calendar.setLunarDate(year, month, day, leap):
        return None
    return date.fromisoformat(calendar.SolarIsoFormat())


def lunar_birthday_in_year(birthday: date, year: int) -> date | None:
    """The solar date on which a lunar birthday (month and day of ``birthday``) falls in the
    lunar year ``year`` (None outside the tables)."""
    for day in (birthday.day, 29):
        found = lunar_to_solar(year, birthday.month, min(day, 30))
        if found is not None:
            return found
    return None


def lunar_birthdays_in_solar_year(birthday: date, year: int) -> list[date]:
    """Every solar date of ``year`` on which the lunar birthday falls (usually one; a lunar
    December birthday can fall in January of the next lunar year's solar span, so the lunar
    years ``year - 1`` and ``year`` are both tried)."""
    found = [lunar_birthday_in_year(birthday, y) for y in (year - 1, year)]
    return sorted(d for d in found if d is not None and d.year == year)


@lru_cache(maxsize=64)
def _korean_holidays(year: int) -> dict[date, str]:
    return dict(holidays.country_holidays("KR", years=year).items())


def is_public_holiday(day: date) -> bool:
    """Whether a day is a public holiday in Korea (substitute holidays included)."""
    return day in _korean_holidays(day.year)


def holiday_name(day: date) -> str | None:
    return _korean_holidays(day.year).get(day)
