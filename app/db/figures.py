"""The monthly running figures in SQL: adding to monthly_stats, noting a customer active in a month.

Use cases (through app.services.figures) and the sync's pull (app.sync.figures) both write them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.db.base import BUSINESS_INFO
from app.db.lean import LeanWrite, session_lean
from app.db.models import CustomerMonth, MonthlyStat
from app.domain.figures import shift_month


def insert_for(session: Session) -> Callable[..., Any]:
    return dialect_insert(session.get_bind().dialect.name)


def dialect_insert(dialect: str) -> Callable[..., Any]:
    # imported when first needed: a shop on SQLite never loads the PostgreSQL dialect
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


def is_central(session: Session) -> bool:
    return session.connection().info.get(BUSINESS_INFO) is not None


def _bump_statement(insert: Callable[..., Any], central: bool) -> Any:
    stmt = insert(MonthlyStat.__table__)
    return stmt.on_conflict_do_update(
        index_elements=[*(["business_id"] if central else []), "month", "store_id", "metric"],
        set_={"value": MonthlyStat.__table__.c.value + stmt.excluded.value},
    )


# One statement per dialect (and central or not), run as one executemany on the session's
# driver cursor.
_BUMP: dict[tuple[str, bool], LeanWrite] = {}


def bump_rows(session: Session, rows: list[dict[str, Any]]) -> None:
    """Add each row's value to its figure (month, store_id, metric): one upsert, executemany."""
    if rows:
        central = is_central(session)
        with session_lean(session) as lean:
            key = (lean.dialect.name, central)
            if key not in _BUMP:
                _BUMP[key] = LeanWrite(_bump_statement(dialect_insert(key[0]), central))
            _BUMP[key].executemany(lean, rows)


_OTHER_MONTH = CustomerMonth.__table__.alias("other_month")


def _active_in(customer_id: uuid.UUID, month: str) -> Select[Any]:
    other = _OTHER_MONTH.c
    return select(other.month).where(other.customer_id == customer_id, other.month == month)


def first_active(session: Session, customer_id: uuid.UUID, month: str) -> tuple[bool, bool] | None:
    """Note a customer as active in a local month (customer_months), in one statement.

    None when it was noted already; else whether the customer was also active the month
    before and the month after (a purchase recorded late can fall before a later month).
    """
    insert = insert_for(session)
    stmt = (
        insert(CustomerMonth)
        .values(customer_id=customer_id, month=month)
        .on_conflict_do_nothing(index_elements=["customer_id", "month"])
        .returning(
            CustomerMonth.month,
            _active_in(customer_id, shift_month(month, -1)).exists(),
            _active_in(customer_id, shift_month(month, 1)).exists(),
        )
    )
    row = session.execute(stmt).first()
    return None if row is None else (bool(row[1]), bool(row[2]))
