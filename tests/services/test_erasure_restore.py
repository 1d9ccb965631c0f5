"""An erased member stays erased when an older backup is restored."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.db.models import Customer
from app.domain.errors import Refused
from app.services import backup, customers
from app.services.audit import verify_audit_chain
from app.services.customers import resolve_customer


def _row(ctx, customer_id) -> Customer:
    with ctx.db.read() as session:
        found = session.scalars(select(Customer).where(Customer.id == customer_id)).one()
        session.expunge(found)
        return found


def test_restoring_a_backup_from_before_an_erasure_does_not_bring_the_member_back(
    sqlite_ctx, tmp_path: Path
) -> None:
    ctx = sqlite_ctx
    customers.enroll(ctx, "010-1234-5678", name="김단골")
    customers.enroll(ctx, "010-2222-3333", name="이손님")
    member = resolve_customer(ctx, "010-1234-5678")
    old = tmp_path / "before.sqlite"
    backup.backup(ctx, old)
    customers.erase_customer(ctx, member)

    backup.restore(ctx, old)
    row = _row(ctx, member)
    assert (row.status, row.name, row.phone, row.phone_last4) == ("erased", None, None, None)
    with pytest.raises(Refused):
        resolve_customer(ctx, "010-1234-5678")
    assert resolve_customer(ctx, "010-2222-3333")  # the others come back as they were
    assert verify_audit_chain(ctx).intact is True


def test_the_register_outlives_a_restore_of_a_file_from_before_the_member(
    sqlite_ctx, tmp_path: Path
) -> None:
    ctx = sqlite_ctx
    empty = tmp_path / "empty.sqlite"
    backup.backup(ctx, empty)
    customers.enroll(ctx, "010-1234-5678", name="김단골")
    member = resolve_customer(ctx, "010-1234-5678")
    middle = tmp_path / "middle.sqlite"
    backup.backup(ctx, middle)
    customers.erase_customer(ctx, member)
    backup.restore(ctx, empty)  # the member never existed here ...
    backup.restore(ctx, middle)  # ... and must not come back from this one either
    assert _row(ctx, member).status == "erased"
    with pytest.raises(Refused):
        resolve_customer(ctx, "010-1234-5678")
