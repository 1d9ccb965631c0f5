"""Whether a member holds an open pass on a day, as one SQL condition (issue 19, segments).

The rule is app.domain.passes.derive's `open` (active or paused), written over pass_events:
a pass is open on `today` when it was not cancelled and either it is paused now (more pauses
than resumes: the service lets a pass be paused only when active and resumed only when paused)
or `today` is not after its end, start + days - 1 + the days of its finished pauses.
tests/services/test_segment_pass.py checks the two agree.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, case, exists, func, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.expression import FunctionElement

from app.db.models import MemberPass, PassEventRow


class days_between(FunctionElement[int]):  # an SQL function: named like one
    """Whole days from the first date to the second (second - first), on SQLite and PostgreSQL."""

    type = Integer()
    inherit_cache = True


@compiles(days_between)
def _days_generic(element: days_between, compiler: Any, **kw: Any) -> str:
    first, second = list(element.clauses)
    return f"({compiler.process(second, **kw)} - {compiler.process(first, **kw)})"


@compiles(days_between, "sqlite")
def _days_sqlite(element: days_between, compiler: Any, **kw: Any) -> str:
    first, second = list(element.clauses)
    return (
        f"CAST(julianday({compiler.process(second, **kw)}) - "
        f"julianday({compiler.process(first, **kw)}) AS INTEGER)"
    )


def open_pass_condition(today: date) -> ColumnElement[bool]:
    """MemberPass rows open on `today` (correlated on passes)."""
    e = PassEventRow
    day = literal(today, e.day.type)

    def count(kind: str) -> Any:
        return (
            select(func.count()).where(e.pass_id == MemberPass.id, e.kind == kind).scalar_subquery()
        )

    # finished pauses' days: sum(resume day) - sum(pause day) when they pair up
    since_start = days_between(MemberPass.start_day, e.day)
    pause_days = (
        select(
            func.coalesce(
                func.sum(
                    case(
                        (e.kind == "resumed", since_start),
                        (e.kind == "paused", -since_start),
                        else_=0,
                    )
                ),
                0,
            )
        )
        .where(e.pass_id == MemberPass.id)
        .scalar_subquery()
    )
    cancelled = exists().where(e.pass_id == MemberPass.id, e.kind == "cancelled")
    return and_(
        ~cancelled,
        or_(
            count("paused") > count("resumed"),
            days_between(MemberPass.start_day, day) <= MemberPass.days - 1 + pause_days,
        ),
    )


def holds_open_pass(
    customer_id: ColumnElement[uuid.UUID] | InstrumentedAttribute[uuid.UUID],
    today: date,
    plan_code: str | None,
) -> ColumnElement[bool]:
    """EXISTS an open pass of the member's (of that plan, when one is named)."""
    query = exists().where(MemberPass.customer_id == customer_id, open_pass_condition(today))
    if plan_code:
        query = query.where(MemberPass.plan_code == plan_code)
    return query
