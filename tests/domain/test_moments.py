"""Moments outside 2000-01-01 .. 2100-01-01 are refusals, never an overflow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from app.domain.errors import Refused
from app.domain.member_file import parse_moment
from app.domain.moments import EARLIEST, LATEST, check_clock

SEOUL = ZoneInfo("Asia/Seoul")


@pytest.mark.parametrize(
    "moment",
    [
        datetime(1, 1, 1, tzinfo=SEOUL),
        datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-12))),
        EARLIEST - timedelta(microseconds=1),
        LATEST,
        datetime(2126, 1, 10, tzinfo=UTC),
    ],
)
def test_outside_the_range_is_refused(moment: datetime) -> None:
    with pytest.raises(Refused) as caught:
        check_clock(moment, moment.isoformat())
    assert caught.value.code == "clock.out_of_range"
    assert "2000-01-01" in caught.value.message("en")
    assert "2100-01-01" in caught.value.message("ko")


@pytest.mark.parametrize("moment", [EARLIEST, LATEST - timedelta(microseconds=1)])
def test_the_ends_of_the_range_are_accepted(moment: datetime) -> None:
    assert check_clock(moment.astimezone(SEOUL), "x") == moment


@pytest.mark.parametrize("cell", ["0001-01-01T00:00", "9999-12-31T23:59-12:00", "2150-01-01"])
def test_an_imported_moment_outside_the_range_is_a_refusal(cell: str) -> None:
    with pytest.raises(Refused) as caught:
        parse_moment(cell, "marketing_consent_at", SEOUL)
    assert caught.value.code == "import.moment_out_of_range"
    assert "Marketing consent" in caught.value.message("en")  # the column in words
