"""The audit log: who did what, chained so that an edited or deleted row shows."""

from __future__ import annotations

from sqlalchemy import select, update

from app.db.models import AuditEntry
from app.services import customers, sales
from app.services.audit import verify_audit_chain
from app.services.customers import resolve_customer


def _actions(ctx) -> list[str]:
    with ctx.db.read() as session:
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_actions_are_logged_and_the_chain_verifies(ctx) -> None:
    e = customers.enroll(ctx, "010-1234-5678")
    sale = sales.record_sale(ctx, resolve_customer(ctx, "010-1234-5678"), 10_000)
    customers.customer_status(ctx, resolve_customer(ctx, "010-1234-5678"), log_view=True)
    sales.void_action(ctx, str(sale.sale_id))
    customers.erase_customer(ctx, resolve_customer(ctx, e.card))
    assert _actions(ctx) == ["customer.enroll", "customer.view", "sale.void", "customer.erase"]
    check = verify_audit_chain(ctx)
    assert (check.intact, check.rows) == (True, 4)


def test_an_edited_row_breaks_the_chain(ctx) -> None:
    customers.enroll(ctx, "010-1234-5678")
    customers.enroll(ctx, "010-2222-3333")
    customers.enroll(ctx, "010-4444-5555")
    with ctx.db.write() as session:
        second = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()[1]
        session.execute(
            update(AuditEntry).where(AuditEntry.id == second.id).values(action="customer.view")
        )
    check = verify_audit_chain(ctx)
    assert check.intact is False
    assert check.first_broken == second.id


def test_a_deleted_row_breaks_the_chain(ctx) -> None:
    for phone in ("010-1234-5678", "010-2222-3333", "010-4444-5555"):
        customers.enroll(ctx, phone)
    with ctx.db.write() as session:
        second = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()[1]
        session.delete(second)
    assert verify_audit_chain(ctx).intact is False
