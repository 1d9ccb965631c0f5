"""Check-ins on the customer's own screen, as the sale that follows them needs them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import CheckIn


def link_sale_in(
    session: Session, customer_id: uuid.UUID, sale_id: uuid.UUID, since: datetime
) -> uuid.UUID | None:
    """The member's latest check-in after ``since`` that has no sale yet gets this sale.

    Inside the caller's transaction; returns the check-in's id, None when there was none."""
    row = session.scalars(
        select(CheckIn)
        .where(CheckIn.customer_id == customer_id, CheckIn.sale_id.is_(None), CheckIn.at > since)
        .order_by(CheckIn.at.desc(), CheckIn.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    row.sale_id = sale_id
    return row.id
