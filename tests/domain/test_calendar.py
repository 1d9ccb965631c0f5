"""Month arithmetic on local dates."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.calendar import add_months, days_in_month, month_start


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 1, 15), -1, date(2025, 12, 15)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2026, 5, 31), -3, date(2026, 2, 28)),
        (date(2026, 5, 10), 0, date(2026, 5, 10)),
    ],
)
def test_add_months_clamps_to_the_month_end(start, months, expected):
    assert add_months(start, months) == expected


def test_days_in_month():
    assert days_in_month(2026, 2) == 28
    assert days_in_month(2028, 2) == 29
    assert days_in_month(2026, 12) == 31
    assert days_in_month(2026, 4) == 30


def test_month_start():
    assert month_start(date(2026, 7, 19)) == date(2026, 7, 1)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2900, 12, 31)), st.integers(-240, 240))
def test_add_months_lands_in_the_right_month(d, months):
    moved = add_months(d, months)
    assert moved.year * 12 + moved.month == d.year * 12 + d.month + months
    assert moved.day == min(d.day, days_in_month(moved.year, moved.month))
