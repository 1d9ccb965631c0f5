"""Staff PINs: hashed, checked slowly, five wrong ones lock sign-in for a while."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.db.models import SignInAttempt, Staff
from app.domain.errors import Refused
from app.services import staff
from app.services.customers import resolve_customer


def test_pins_are_stored_as_slow_hashes(ctx) -> None:
    member = staff.add_staff(ctx, "이알바", "cashier", "4321")
    with ctx.db.read() as session:
        stored = session.get(Staff, member.id).pin_hash
    assert stored.startswith("$argon2") and "4321" not in stored
    signed = staff.sign_in(ctx, member.id, "4321")
    assert (signed.role, ctx.staff_id, ctx.staff_role) == ("cashier", member.id, "cashier")


def test_a_cashier_cannot_do_owner_things(ctx) -> None:
    member = staff.add_staff(ctx, "이알바", "cashier", "4321")
    staff.sign_in(ctx, member.id, "4321")
    with pytest.raises(Refused) as refused:
        staff.add_staff(ctx, "김알바", "cashier", "1111")
    assert refused.value.code == "staff.owner_only"


@pytest.mark.parametrize(
    ("pin", "code"),
    [
        ("12a4", "staff.pin_digits"),
        ("123", "staff.pin_length"),
        ("123456789", "staff.pin_length"),
        ("１２３４", "staff.pin_digits"),
    ],
)
def test_bad_pins_refused(ctx, pin: str, code: str) -> None:
    with pytest.raises(Refused) as refused:
        staff.add_staff(ctx, "이알바", "cashier", pin)
    assert refused.value.code == code


def test_five_wrong_pins_lock_then_unlock(ctx) -> None:
    member = staff.add_staff(ctx, "이알바", "cashier", "4321")
    for left in (4, 3, 2, 1):
        with pytest.raises(Refused) as refused:
            staff.sign_in(ctx, member.id, "0000")
        assert (refused.value.code, refused.value.params["left"]) == ("signin.wrong_pin", left)
    with pytest.raises(Refused) as refused:
        staff.sign_in(ctx, member.id, "0000")
    assert refused.value.code == "signin.locked"
    # even the right PIN waits out the lock
    with pytest.raises(Refused) as refused:
        staff.sign_in(ctx, member.id, "4321")
    assert refused.value.code == "signin.locked"
    with ctx.db.read() as session:
        attempts = session.scalars(select(SignInAttempt.success)).all()
    assert attempts == [False] * 5  # the refused-while-locked try is not even checked
    ctx.fixed_now = ctx.now() + timedelta(minutes=6)
    assert staff.sign_in(ctx, member.id, "4321").id == member.id


def test_a_cashier_voids_only_their_own_recent_action(ctx) -> None:
    from app.services import customers, sales

    customers.enroll(ctx, "010-1234-5678")
    by_owner = sales.record_sale(ctx, resolve_customer(ctx, "010-1234-5678"), 10_000)
    kim = staff.add_staff(ctx, "김알바", "cashier", "1111")
    lee = staff.add_staff(ctx, "이알바", "cashier", "2222")
    staff.sign_in(ctx, kim.id, "1111")
    mine = sales.record_sale(ctx, resolve_customer(ctx, "010-1234-5678"), 10_000)
    with pytest.raises(Refused) as refused:
        sales.void_action(ctx, str(by_owner.sale_id))
    assert refused.value.code == "void.not_yours"
    staff.sign_in(ctx, lee.id, "2222")
    with pytest.raises(Refused) as refused:
        sales.void_action(ctx, str(mine.sale_id))
    assert refused.value.code == "void.not_yours"
    staff.sign_in(ctx, kim.id, "1111")
    ctx.fixed_now = ctx.now() + timedelta(minutes=11)
    with pytest.raises(Refused) as refused:
        sales.void_action(ctx, str(mine.sale_id))
    assert refused.value.code == "void.too_late"
    ctx.fixed_now = ctx.now() - timedelta(minutes=2)
    assert sales.void_action(ctx, str(mine.sale_id)).points_change == -200
