"""The erasure register: which members were erased and when, no personal data.

It is kept in the settings, read from the live file before a restore and re-applied to the
restored file before it goes live, so an older backup never brings an erased member back.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Customer, Setting
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
    """Forget again every registered member this database still knows; returns how many."""
    from app.services.customers import forget_person  # customers records into this register

    done = 0
    with ctx.db.write() as session:
        merged = {**read_register(session), **register}
        set_setting(session, REGISTER_KEY, merged)
        for key, entry in merged.items():
            customer = session.get(Customer, uuid.UUID(hex=key))
            if customer is None or customer.status in FORGOTTEN:
                continue
            status = entry.get("status") if entry.get("status") in FORGOTTEN else "erased"
            forget_person(ctx, session, customer, str(status), register=False)
            audit(ctx, session, "customer.erase_again", target=customer.id)
            done += 1
    return done
