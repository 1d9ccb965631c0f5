"""Points expire N months after earning, oldest first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.expiry import expiry_moment, fifo_remaining, remaining_to_expire

SEOUL = ZoneInfo("Asia/Seoul")


def test_usable_through_the_same_date_n_months_later():
    earned = datetime(2026, 3, 15, 14, 30, tzinfo=SEOUL)
    assert expiry_moment(earned, 12, SEOUL) == datetime(2027, 3, 16, 0, 0, tzinfo=SEOUL)


def test_the_local_date_counts_not_the_utc_date():
    earned = datetime(2026, 3, 14, 16, 0, tzinfo=UTC)  # 2026-03-15 01:00 in Seoul
    moment = expiry_moment(earned, 1, SEOUL)
    assert moment == datetime(2026, 4, 16, 0, 0, tzinfo=SEOUL)
    assert moment.tzinfo == UTC
    assert moment == datetime(2026, 4, 15, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("earned_day", "expires"),
    [
        (datetime(2026, 1, 31, 12, tzinfo=SEOUL), datetime(2026, 3, 1, tzinfo=SEOUL)),
        (datetime(2028, 1, 31, 12, tzinfo=SEOUL), datetime(2028, 3, 1, tzinfo=SEOUL)),
        (datetime(2026, 12, 31, 23, 59, tzinfo=SEOUL), datetime(2027, 2, 1, tzinfo=SEOUL)),
    ],
)
def test_month_end_is_clamped(earned_day, expires):
    assert expiry_moment(earned_day, 1, SEOUL) == expires


def test_never_expires_with_zero_months():
    assert expiry_moment(datetime(2026, 1, 1, tzinfo=SEOUL), 0, SEOUL) is None


def test_expiry_needs_aware_times_and_non_negative_months():
    with pytest.raises(ValueError):
        expiry_moment(datetime(2026, 1, 1), 12, SEOUL)
    with pytest.raises(ValueError):
        expiry_moment(datetime(2026, 1, 1, tzinfo=SEOUL), -1, SEOUL)


def test_dst_zone_expires_at_local_midnight():
    new_york = ZoneInfo("America/New_York")
    moment = expiry_moment(datetime(2026, 2, 10, 12, tzinfo=new_york), 1, new_york)
    assert moment.astimezone(new_york) == datetime(2026, 3, 11, 0, 0, tzinfo=new_york)


def test_remaining_to_expire_examples():
    assert remaining_to_expire(1000, 300) == 700
    assert remaining_to_expire(1000, 1500) == 0
    assert remaining_to_expire(0, 0) == 0
    with pytest.raises(ValueError):
        remaining_to_expire(-1, 0)


def test_fifo_eats_the_oldest_lot_first():
    jan = datetime(2027, 1, 1, tzinfo=UTC)
    feb = datetime(2027, 2, 1, tzinfo=UTC)
    mar = datetime(2027, 3, 1, tzinfo=UTC)
    lots = [(feb, 500), (jan, 300), (mar, 200)]
    assert fifo_remaining(lots, 400) == [(feb, 400), (mar, 200)]
    assert fifo_remaining(lots, 0) == [(jan, 300), (feb, 500), (mar, 200)]
    assert fifo_remaining(lots, 1000) == []


BASE = datetime(2027, 1, 1, tzinfo=UTC)
lot_lists = st.lists(
    st.tuples(st.integers(0, 60).map(lambda d: BASE + timedelta(days=d)), st.integers(1, 5000)),
    max_size=15,
)


@given(lot_lists, st.data())
def test_remaining_to_expire_matches_the_fifo_simulation(lots, data):
    total = sum(points for _, points in lots)
    consumed = data.draw(st.integers(0, total))
    cutoff = BASE + timedelta(days=data.draw(st.integers(-1, 61)))
    due_total = sum(points for expires, points in lots if expires <= cutoff)
    simulated = sum(
        points for expires, points in fifo_remaining(lots, consumed) if expires <= cutoff
    )
    assert remaining_to_expire(due_total, consumed) == simulated


@given(lot_lists, st.integers(0, 10**6))
def test_fifo_conserves_points(lots, consumed):
    total = sum(points for _, points in lots)
    left = fifo_remaining(lots, consumed)
    assert sum(points for _, points in left) == max(0, total - consumed)
    assert all(points > 0 for _, points in left)
