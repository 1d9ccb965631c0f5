"""The lunar birthday option of a member (issue 19): the birthday month and day kept in
customers.birthday are read as lunar ones, the bonus comes on that year's solar date."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app.db.models import Customer, LunarBirthday
from app.domain.bonuses import birthday_in_year
from app.domain.errors import Refused
from app.domain.korean_calendar import lunar_birthdays_in_solar_year
from app.services.audit_chain import audit
from app.services.context import Context

# the namespace of lunar_birthdays' ids (frozen in migration 0026 too): never change it
LUNAR_NAMESPACE = uuid.UUID("5b0e6f1c-3a52-4d0b-9a57-6c1b7d2e9f40")


def lunar_id(customer_id: uuid.UUID) -> uuid.UUID:
    """The one lunar_birthdays row id of a member, the same at every register."""
    return uuid.uuid5(LUNAR_NAMESPACE, str(customer_id))


@dataclass(frozen=True)
class BirthdayOption:
    customer_id: uuid.UUID
    lunar: bool
    this_year: date | None  # the day the birthday falls on in the current (solar) year


def set_lunar_birthday(ctx: Context, customer_id: uuid.UUID, lunar: bool) -> BirthdayOption:
    """Keep (or stop keeping) the member's birthday by the lunar calendar."""
    now = ctx.now()
    with ctx.db.write() as session:
        customer = session.get(Customer, customer_id)
        if customer is None or customer.status != "active":
            raise Refused("customer.not_found", query=str(customer_id))
        if customer.birthday is None:
            raise Refused("birthday.none")
        row = session.scalars(
            select(LunarBirthday).where(LunarBirthday.customer_id == customer_id)
        ).first()
        if row is None and lunar:
            session.add(
                LunarBirthday(
                    id=lunar_id(customer_id),
                    customer_id=customer_id,
                    lunar=True,
                    set_at=now,
                    register_id=ctx.register_id,
                )
            )
        elif row is not None and row.lunar != lunar:
            row.lunar, row.set_at = lunar, now
        audit(ctx, session, "customer.lunar_birthday", target=customer_id, detail={"lunar": lunar})
        year = ctx.local_date(now).year
        if lunar:
            days = lunar_birthdays_in_solar_year(customer.birthday, year)
            day = days[0] if days else None
        else:
            day = birthday_in_year(customer.birthday, year)
        return BirthdayOption(customer_id, lunar, day)
