"""The monthly figures' names and arithmetic: months, cohorts, what an entry or a visit moves."""

from __future__ import annotations

from typing import Any

# Kept with active_members as customers become active in a month (see mark_active):
COHORT_PREFIX = "cohort:"  # + local month of enrollment: the cohort's members active that month
RETAINED = "retained_members"  # active this month and the month before


def cohort_metric(enrolled_month: str) -> str:
    """The metric counting, month by month, the active members enrolled in a local month."""
    return COHORT_PREFIX + enrolled_month


def shift_month(month: str, step: int) -> str:
    """A "YYYY-MM" month moved by a number of months."""
    year, number = divmod(int(month[:4]) * 12 + int(month[5:7]) - 1 + step, 12)
    return f"{year:04d}-{number + 1:02d}"


def activity_rows(
    month: str, store: str, enrolled_month: str, before: bool, after: bool
) -> list[dict[str, Any]]:
    """The figures a customer's first activity in a month moves (rows for bump_rows).

    active_members and the enrollment cohort in that month; retained_members in that month
    when the customer was active the month before, and in the month after when active then.
    """
    deltas = [(month, "active_members"), (month, cohort_metric(enrolled_month))]
    if before:
        deltas.append((month, RETAINED))
    if after:
        deltas.append((shift_month(month, 1), RETAINED))
    return [{"month": m, "store_id": store, "metric": k, "value": 1} for m, k in deltas]


_ISSUING = ("earn", "bonus", "adjust")


def ledger_metrics(
    kind: str, points: int, stamps: int, origin_kind: str, origin_points: int, origin_stamps: int
) -> dict[str, int]:
    """How an entry moves the monthly figures; a void moves its origin's figures back."""
    out: dict[str, int] = {"points_net": points, "stamps_net": stamps}
    if origin_kind in _ISSUING and origin_points > 0:
        out["points_issued"] = points
    elif origin_kind == "redeem":
        out["points_redeemed"] = -points
    elif origin_kind == "expire":
        out["points_expired"] = -points
    elif origin_kind == "adjust" and origin_points < 0:
        out["points_removed"] = -points
    if origin_kind in _ISSUING and origin_stamps > 0:
        out["stamps_issued"] = stamps
    elif origin_kind == "redeem":
        out["stamps_redeemed"] = -stamps
    elif origin_kind == "adjust" and origin_stamps < 0:
        out["stamps_removed"] = -stamps
    return out
