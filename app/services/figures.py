"""A use case's additions to the monthly figures, filed under its shop's month and store."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.db.figures import bump_rows, first_active
from app.db.models import Customer
from app.domain.figures import activity_rows
from app.services.context import Context


def bump(ctx: Context, session: Session, moment: datetime, **deltas: int) -> None:
    """Add to this month's running figures (kept so reports never scan the ledger)."""
    month, store = ctx.month_of(moment), str(ctx.store_id)
    rows = [
        {"month": month, "store_id": store, "metric": k, "value": v} for k, v in deltas.items() if v
    ]
    bump_rows(session, rows)


def mark_active(ctx: Context, session: Session, customer: Customer, moment: datetime) -> None:
    """Count a customer once as active in the month of a purchase.

    The first purchase of the month adds to active_members, to cohort:<the customer's local
    month of enrollment> and, when the customer was active the month before, to
    retained_members: the cohort table and churn of the Reports page read these figures.
    The caller holds the customer row (record_sale_in locks it), so this is one INSERT and
    one bump, with no lookup.
    """
    month = ctx.month_of(moment)
    neighbours = first_active(session, customer.id, month)
    if neighbours is not None:
        enrolled = ctx.month_of(customer.enrolled_at)
        store = str(ctx.store_id)
        bump_rows(session, activity_rows(month, store, enrolled, *neighbours))
