"""The range of moments the shop accepts as "now": past it, dates overflow or real points expire."""

from __future__ import annotations

from datetime import UTC, datetime

from app.domain.errors import Refused

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def check_clock(moment: datetime, typed: str) -> datetime:
    """The aware moment in UTC, or a refusal naming the range; `typed` is what the person gave."""
    if moment.tzinfo is None:
        raise ValueError("check_clock needs an aware moment")
    # the year first: converting year 1 or 9999 across a zone can itself overflow
    if not EARLIEST.year - 1 <= moment.year <= LATEST.year:
        raise _refused(typed)
    utc = moment.astimezone(UTC)
    if not EARLIEST <= utc < LATEST:
        raise _refused(typed)
    return utc


def _refused(typed: str) -> Refused:
    return Refused(
        "clock.out_of_range",
        value=typed[:40],
        earliest=EARLIEST.date().isoformat(),
        latest=LATEST.date().isoformat(),
    )
