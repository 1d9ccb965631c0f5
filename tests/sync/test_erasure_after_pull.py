"""An erasure survives sync: a member erased on register A whose old copy comes back (B edited
the member offline after the erasure, and that later edit wins the field-by-field merge) is
forgotten again after the pull, and no live central row keeps the personal data."""

from __future__ import annotations

import time

from sqlalchemy import select

from app.db.models import AuditEntry, Customer
from app.services import customers, sync
from app.services.customer_admin import ProfileChange, update_profile
from app.services.customers import resolve_customer
from app.sync import server

PHONE, NAME = "010-4321-8765", "한지우"


def _personal(row) -> tuple[object, ...]:
    return (row.phone, row.phone_last4, row.name, row.birthday, row.marketing_consent_at)


def test_an_old_copy_brought_back_by_a_merge_is_forgotten_again(registers) -> None:
    a, b = registers("A"), registers("B")
    customers.enroll(a, PHONE, name=NAME, birthday="1991-04-05", marketing_consent=True)
    sync.sync_now(a)
    sync.sync_now(b)
    member = resolve_customer(b, PHONE)
    customers.erase_customer(a, member)
    sync.sync_now(a)
    time.sleep(0.01)  # B's offline edit comes after the erasure on the wall clock
    update_profile(b, member, ProfileChange(name="한지우 (단골)"))
    sync.sync_now(b)  # pushes the edit (it wins the name field), pulls the erasure
    sync.sync_now(a)
    sync.sync_now(b)
    for ctx in (a, b):
        with ctx.db.read() as session:
            row = session.get(Customer, member)
            assert row is not None and row.status == "erased"
            assert _personal(row) == (None,) * 5, ctx.register_id
    central = server.central_engine(sync.configured_url(a) or "")
    with central.connect() as connection:
        row = connection.execute(select(Customer).where(Customer.id == member)).one()
        again = connection.scalars(
            select(AuditEntry.register_id).where(AuditEntry.action == "customer.erase_again")
        ).all()
    assert row.status == "erased" and _personal(row) == (None,) * 5
    assert again  # the re-erasure is in the log, synced like any entry


def test_an_idle_pull_writes_nothing_for_the_register(registers) -> None:
    a, b = registers("A"), registers("B")
    customers.enroll(a, PHONE, name=NAME)
    customers.erase_customer(a, resolve_customer(a, PHONE))
    sync.sync_now(a)
    sync.sync_now(b)
    with b.db.read() as session:
        before = session.scalars(select(AuditEntry.id)).all()
    assert sync.sync_now(b).pulled == 0
    with b.db.read() as session:
        assert session.scalars(select(AuditEntry.id)).all() == before
