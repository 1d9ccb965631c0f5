"""What the daily work owes since its last run, and when it may run: fixed dates only."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.daily_due import daily_time_ok, due_work, parse_daily_time, run_is_due


def test_never_run_owes_only_this_month() -> None:
    due = due_work(None, date(2026, 3, 12))
    assert due.tier_periods == (date(2026, 3, 1),)
    assert due.birthday_months == ((2026, 3),)


def test_forty_days_off_owes_each_missed_first_and_each_month_touched() -> None:
    due = due_work(date(2026, 1, 25), date(2026, 3, 6))
    assert due.tier_periods == (date(2026, 2, 1), date(2026, 3, 1))
    assert due.birthday_months == ((2026, 1), (2026, 2), (2026, 3))


def test_across_the_new_year() -> None:
    due = due_work(date(2025, 12, 31), date(2026, 1, 1))
    assert due.tier_periods == (date(2026, 1, 1),)
    assert due.birthday_months == ((2026, 1),)


def test_the_same_day_again_or_a_clock_set_back_owes_only_today() -> None:
    assert due_work(date(2026, 3, 6), date(2026, 3, 6)).tier_periods == (date(2026, 3, 1),)
    assert due_work(date(2026, 4, 2), date(2026, 3, 6)).birthday_months == ((2026, 3),)


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)),
    st.integers(min_value=0, max_value=800),
)
def test_every_missed_first_is_owed_once_in_order(last: date, gap: int) -> None:
    today = last + timedelta(days=gap)
    due = due_work(last, today)
    missed = [
        last + timedelta(days=n) for n in range(1, gap + 1) if (last + timedelta(days=n)).day == 1
    ]
    this_month = today.replace(day=1)
    expected = missed if this_month in missed else [*missed, this_month]
    assert list(due.tier_periods) == expected
    assert list(due.birthday_months) == sorted(set(due.birthday_months))
    assert (today.year, today.month) == due.birthday_months[-1]


def test_run_is_due_once_a_day_and_not_before_the_chosen_time() -> None:
    morning = datetime(2026, 3, 6, 8, 59)
    assert run_is_due(None, morning, None)
    assert run_is_due(date(2026, 3, 5), morning, None)
    assert not run_is_due(date(2026, 3, 6), morning, None)
    assert not run_is_due(date(2026, 3, 5), morning, time(9, 0))
    assert run_is_due(date(2026, 3, 5), morning.replace(hour=9), time(9, 0))
    # opened late, or after weeks off: due at once
    assert run_is_due(date(2026, 1, 25), datetime(2026, 3, 6, 22, 0), time(9, 0))


@pytest.mark.parametrize("text", ["", None, "00:00", "09:05", "23:59"])
def test_chosen_times_accepted(text: str | None) -> None:
    assert daily_time_ok(text)


@pytest.mark.parametrize("text", ["9:05", "24:00", "12:60", "noon", 905, "09:05:00"])
def test_chosen_times_refused(text: object) -> None:
    assert not daily_time_ok(text)
    with pytest.raises(ValueError):
        parse_daily_time(text)
