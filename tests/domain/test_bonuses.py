"""The birthday bonus: once a calendar year, in the birthday month."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.bonuses import birthday_bonus_due, birthday_in_year


@pytest.mark.parametrize(
    ("birthday", "today", "last_year", "due"),
    [
        (date(1990, 5, 20), date(2026, 5, 1), None, True),
        (date(1990, 5, 20), date(2026, 5, 31), 2025, True),
        (date(1990, 5, 20), date(2026, 5, 10), 2026, False),
        (date(1990, 5, 20), date(2026, 6, 1), None, False),
        (date(1990, 5, 20), date(2026, 4, 30), None, False),
        (None, date(2026, 5, 1), None, False),
        (date(2000, 2, 29), date(2026, 2, 28), None, True),
        (date(2000, 2, 29), date(2028, 2, 29), 2027, True),
        (date(2000, 2, 29), date(2026, 3, 1), None, False),
    ],
)
def test_birthday_bonus_due(birthday, today, last_year, due):
    assert birthday_bonus_due(birthday, today, last_year) is due


def test_birthday_in_year_moves_feb_29_in_common_years():
    assert birthday_in_year(date(2000, 2, 29), 2026) == date(2026, 2, 28)
    assert birthday_in_year(date(2000, 2, 29), 2028) == date(2028, 2, 29)
    assert birthday_in_year(date(1990, 5, 20), 2026) == date(2026, 5, 20)
