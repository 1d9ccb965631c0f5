"""The erasure register: which members were erased and when, no personal data.

It is kept in the settings, read from the live file before a restore and re-applied to the
restored file before it goes live, so an older backup never brings an erased member back; it
is re-applied after every sync pull too, so an old copy on another register or on the central
database that wins a merge (an edit made offline after the erasure) is forgotten again here and
the re-erasure goes out with the next push.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.orm import Session

from app.db.models import Customer, MembershipCard, Setting
from app.db.settings import set_setting
from app.services.audit_chain import audit
from app.services.context import Context

REGISTER_KEY = "privacy.erased"  # {customer id hex: {"at": iso time, "status": "erased"|...}}
FORGOTTEN = ("erased", "withdrawn")


def record_erasure(session: Session, customer_id: uuid.UUID, at: datetime, status: str) -> None:
    """In the erasing transaction: the register gains the member, or neither happens."""
    register = read_register(session)
    register[customer_id.hex] = {"at": at.isoformat(), "status": status}
    set_setting(session, REGISTER_KEY, register)


def read_register(session: Session) -> dict[str, dict[str, str]]:
    """The register, plus members already forgotten before it was kept."""
    row = session.get(Setting, REGISTER_KEY)
    found = json.loads(row.value) if row is not None else {}
    register = dict(found) if isinstance(found, dict) else {}
    for customer_id, status, erased_at, withdrawn_at in session.execute(
        select(Customer.id, Customer.status, Customer.erased_at, Customer.withdrawn_at).where(
            Customer.status.in_(FORGOTTEN)
        )
    ):
        at = erased_at or withdrawn_at
        register.setdefault(customer_id.hex, {"at": at.isoformat() if at else "", "status": status})
    return register


def reapply(ctx: Context, register: dict[str, dict[str, str]]) -> int:
    """Forget again every registered member this database still knows, and clear personal
    data that came back to a member already forgotten (an older copy's edit that won a sync
    merge, say); returns how many. Quiet and cheap when there is nothing to do, so it runs
    after every restore and every sync pull."""
    from app.services.customers import (  # customers records into this register
        clear_personal_data,
        forget_person,
    )

    done = 0
    with ctx.db.write() as session:
        stored = session.get(Setting, REGISTER_KEY)
        merged = {**read_register(session), **register}
        if stored is None or json.loads(stored.value) != merged:
            set_setting(session, REGISTER_KEY, merged)
        back: list[Customer] = []
        ids = [uuid.UUID(hex=key) for key in merged]
        for start in range(0, len(ids), 500):
            back += session.scalars(
                select(Customer).where(
                    Customer.id.in_(ids[start : start + 500]), Customer.status.not_in(FORGOTTEN)
                )
            )
        for customer in back:
            entry = merged[customer.id.hex]
            status = entry.get("status") if entry.get("status") in FORGOTTEN else "erased"
            forget_person(ctx, session, customer, str(status), register=False)
            audit(ctx, session, "customer.erase_again", target=customer.id)
            done += 1
        for customer in session.scalars(
            select(Customer).where(Customer.status.in_(FORGOTTEN), or_(*_personal_left()))
        ):
            clear_personal_data(customer)
            session.execute(
                update(MembershipCard)
                .where(MembershipCard.customer_id == customer.id, MembershipCard.status == "active")
                .values(status="revoked", revoked_at=ctx.now())
            )
            audit(ctx, session, "customer.erase_again", target=customer.id)
            done += 1
    return done


def _personal_left() -> list[ColumnElement[bool]]:
    """What clear_personal_data empties: any of it still there on a forgotten member."""
    return [
        Customer.phone.is_not(None),
        Customer.phone_last4.is_not(None),
        Customer.name.is_not(None),
        Customer.birthday.is_not(None),
        Customer.marketing_consent_at.is_not(None),
    ]
