"""A use case's additions to the monthly figures, filed under its shop's month and store."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.db.figures import bump_rows, first_active
from app.db.models import Customer
from app.domain.figures import activity_rows
from app.services.context import Context


def bump(ctx: Context, session: Session, moment: datetime, **deltas: int) -> None:
    """Add to this month's running figures (kept so reports never scan the ledger)."""
    bump_rows(session, figure_rows(ctx, moment, deltas))


def figure_rows(ctx: Context, moment: datetime, deltas: Mapping[str, int]) -> list[dict[str, Any]]:
    """bump's rows (for bump_rows), to add with others in one statement."""
    month, store = ctx.month_of(moment), str(ctx.store_id)
    return [
        {"month": month, "store_id": store, "metric": k, "value": v} for k, v in deltas.items() if v
    ]


def mark_active(ctx: Context, session: Session, customer: Customer, moment: datetime) -> None:
    """Count a customer once as active in the month of a purchase.

    The first purchase of the month adds to active_members, to cohort:<the customer's local
    month of enrollment> and, when the customer was active the month before, to
    retained_members: the cohort table and churn of the Reports page read these figures.
    The caller holds the customer row (record_sale_in locks it), so this is one INSERT and
    one bump, with no lookup.
    """
    bump_rows(session, activity_of(ctx, session, customer, moment))


def activity_of(
    ctx: Context, session: Session, customer: Customer, moment: datetime
) -> list[dict[str, Any]]:
    """mark_active's one INSERT; the figures' rows it calls for are returned, not added."""
    month = ctx.month_of(moment)
    neighbours = first_active(session, customer.id, month)
    if neighbours is None:
        return []
    enrolled = ctx.month_of(customer.enrolled_at)
    return activity_rows(month, str(ctx.store_id), enrolled, *neighbours)
