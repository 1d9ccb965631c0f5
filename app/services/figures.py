"""A use case's additions to the monthly figures, filed under its shop's month and store."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Uuid, bindparam, select
from sqlalchemy.orm import Session

from app.db.figures import bump_rows, dialect_insert
from app.db.lean import Lean, session_lean
from app.db.models import Customer, CustomerMonth
from app.domain.figures import activity_rows, shift_month
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


def _first_active_statement(dialect: str) -> Any:
    """first_active's INSERT ... RETURNING with bound parameters: built once per dialect."""
    table = CustomerMonth.__table__
    other = table.alias("other_month").c
    customer = bindparam("customer_id", type_=Uuid())

    def active(month: str) -> Any:
        return (
            select(other.month)
            .where(other.customer_id == customer, other.month == bindparam(month))
            .exists()
        )

    return (
        dialect_insert(dialect)(table)
        .values(customer_id=customer, month=bindparam("month"))
        .on_conflict_do_nothing(index_elements=["customer_id", "month"])
        .returning(table.c.month, active("before"), active("after"))
    )


_FIRST_ACTIVE: dict[str, Lean] = {}


def first_active_in(
    session: Session, customer_id: uuid.UUID, month: str
) -> tuple[bool, bool] | None:
    """app.db.figures.first_active by a statement built once, on the session's connection.

    No autoflush: the caller has written (or flushed) what the month's activity depends on."""
    with session_lean(session) as lean:
        name = lean.dialect.name
        statement = _FIRST_ACTIVE.get(name)
        if statement is None:
            statement = _FIRST_ACTIVE[name] = Lean(_first_active_statement(name))
        row = statement.first(
            lean,
            customer_id=customer_id,
            month=month,
            before=shift_month(month, -1),
            after=shift_month(month, 1),
        )
    return None if row is None else (bool(row[1]), bool(row[2]))


class _Member(Protocol):
    """What activity_of reads of a customer (an ORM object or a lean record)."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def enrolled_at(self) -> datetime: ...


def activity_of(
    ctx: Context, session: Session, customer: _Member, moment: datetime
) -> list[dict[str, Any]]:
    """mark_active's one INSERT; the figures' rows it calls for are returned, not added."""
    month = ctx.month_of(moment)
    neighbours = first_active_in(session, customer.id, month)
    if neighbours is None:
        return []
    enrolled = ctx.month_of(customer.enrolled_at)
    return activity_rows(month, str(ctx.store_id), enrolled, *neighbours)
