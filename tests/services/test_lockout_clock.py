"""The PIN lockout holds when the PC's clock is set back, and every PIN door shares it."""

from __future__ import annotations

import os
import uuid
from datetime import datetime, timedelta

import pytest

from app.db.models import AuditEntry, SignInAttempt
from app.domain.errors import Refused
from app.services import customers, staff


def _uuid7_at(moment: datetime) -> uuid.UUID:
    """A UUIDv7 as a PC whose clock read `moment` would have made it."""
    ms = int(moment.timestamp() * 1000)
    raw = bytearray(ms.to_bytes(6, "big") + os.urandom(10))
    raw[6] = 0x70 | (raw[6] & 0x0F)
    raw[8] = 0x80 | (raw[8] & 0x3F)
    return uuid.UUID(bytes=bytes(raw))


def _lock(ctx, member_id: uuid.UUID) -> None:
    for _ in range(5):
        with pytest.raises(Refused):
            staff.sign_in(ctx, member_id, "0000")


def _code(call) -> str:
    with pytest.raises(Refused) as refused:
        call()
    return refused.value.code


def test_setting_the_clock_back_does_not_unlock(ctx) -> None:
    member = staff.add_staff(ctx, "이알바", "cashier", "4321")
    _lock(ctx, member.id)
    locked_at = ctx.now()
    for back in (timedelta(minutes=1), timedelta(hours=3), timedelta(days=400)):
        ctx.fixed_now = locked_at - back
        assert _code(lambda: staff.sign_in(ctx, member.id, "4321")) == "signin.locked"
    # five minutes must really pass from where the clock now stands
    ctx.fixed_now = locked_at - timedelta(days=400) + timedelta(minutes=6)
    assert staff.sign_in(ctx, member.id, "4321").id == member.id


def test_guessing_after_setting_the_clock_back_still_locks(ctx) -> None:
    """A sign-in recorded while the clock read later sorts after every new guess by id."""
    member = staff.add_staff(ctx, "이알바", "cashier", "4321")
    later = datetime.now().astimezone() + timedelta(days=30)
    with ctx.db.write() as session:
        session.add(
            SignInAttempt(
                id=_uuid7_at(later),
                staff_id=member.id,
                at=later,
                success=True,
                register_id=ctx.register_id,
            )
        )
    _lock(ctx, member.id)
    assert _code(lambda: staff.sign_in(ctx, member.id, "4321")) == "signin.locked"


def test_the_phone_reveal_counts_toward_the_same_lock_and_is_audited(ctx) -> None:
    staff.set_pin(ctx, ctx.staff_id, "9999")
    owner_id = ctx.staff_id
    cashier = staff.add_staff(ctx, "이알바", "cashier", "1234")
    member = customers.enroll(ctx, "010-1234-5678")
    staff.sign_in(ctx, cashier.id, "1234")
    for left in (4, 3, 2, 1):
        with pytest.raises(Refused) as refused:
            staff.reveal_phone(ctx, member.id, "0000")
        assert (refused.value.code, refused.value.params["left"]) == ("signin.wrong_pin", left)
    assert _code(lambda: staff.reveal_phone(ctx, member.id, "0000")) == "signin.locked"
    assert _code(lambda: staff.reveal_phone(ctx, member.id, "9999")) == "signin.locked"
    # the owner's own sign-in at the window is locked by the same counter
    assert _code(lambda: staff.sign_in(ctx, owner_id, "9999")) == "signin.locked"
    with ctx.db.read() as session:
        failures = session.query(AuditEntry).filter(AuditEntry.action == "staff.pin_wrong").all()
        reveals = session.query(AuditEntry).filter(AuditEntry.action == "customer.reveal_phone")
        assert reveals.count() == 0
    assert len(failures) == 5
    assert all(f.target_id == str(owner_id) and "reveal" in (f.detail or "") for f in failures)
    ctx.fixed_now = ctx.now() + timedelta(minutes=6)
    assert staff.reveal_phone(ctx, member.id, "9999").endswith("1234-5678")


def test_the_command_line_check_needs_a_pin_only_once_one_is_set(ctx) -> None:
    assert staff.authorize_owner(ctx, None, action="adjust") is None
    staff.set_pin(ctx, ctx.staff_id, "9999")
    assert _code(lambda: staff.authorize_owner(ctx, None, action="adjust")) == "cli.owner_pin"
    acting = staff.authorize_owner(ctx, "9999", action="adjust")
    assert acting is not None and acting.id == ctx.staff_id
