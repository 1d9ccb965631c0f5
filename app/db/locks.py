"""Row locks a use case takes inside its transaction."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Customer


def lock_customer(session: Session, customer_id: uuid.UUID) -> Customer:
    """The customer row, locked for this transaction (PostgreSQL); SQLite holds the write lock."""
    customer = session.scalars(
        select(Customer).where(Customer.id == customer_id).with_for_update()
    ).one()
    return customer
