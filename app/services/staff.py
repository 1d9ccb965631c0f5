"""Staff and their PINs: slow hashes, sign-in, and a lock after five wrong PINs."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from app.db.models import SignInAttempt, Staff
from app.domain.errors import Refused
from app.services.audit_chain import audit
from app.services.context import Context

MAX_WRONG_PINS = 5
LOCK_TIME = timedelta(minutes=5)
ROLES = ("owner", "cashier")
_HASHER = PasswordHasher()


@dataclass(frozen=True)
class StaffMember:
    id: uuid.UUID
    name: str
    role: str
    active: bool
    has_pin: bool


def _view(staff: Staff) -> StaffMember:
    return StaffMember(staff.id, staff.name, staff.role, staff.active, staff.pin_hash is not None)


def check_pin(pin: str) -> str:
    pin = (pin or "").strip()
    if not pin.isdigit() or not pin.isascii():
        raise Refused("staff.pin_digits")
    if not 4 <= len(pin) <= 8:
        raise Refused("staff.pin_length", minimum=4, maximum=8)
    return pin


def hash_pin(pin: str) -> str:
    """A checked PIN as its slow one-way hash (argon2)."""
    return _HASHER.hash(check_pin(pin))


def require_owner(ctx: Context) -> None:
    if ctx.staff_role != "owner":
        raise Refused("staff.owner_only")


def list_staff(ctx: Context, *, include_inactive: bool = False) -> list[StaffMember]:
    with ctx.db.read() as session:
        stmt = select(Staff).order_by(Staff.role.desc(), Staff.name)
        if not include_inactive:
            stmt = stmt.where(Staff.active.is_(True))
        return [_view(s) for s in session.scalars(stmt)]


def add_staff(ctx: Context, name: str, role: str, pin: str) -> StaffMember:
    require_owner(ctx)
    name = " ".join((name or "").split())
    if not name:
        raise Refused("staff.name_required")
    if role not in ROLES:
        raise Refused("staff.role", role=role)
    pin_hash = hash_pin(pin)
    with ctx.db.write() as session:
        staff = Staff(
            store_id=ctx.store_id,
            name=name,
            role=role,
            pin_hash=pin_hash,
            created_at=ctx.now(),
            register_id=ctx.register_id,
        )
        session.add(staff)
        session.flush()
        audit(ctx, session, "staff.add", target=staff.id, detail={"role": role})
        return _view(staff)


def set_pin(ctx: Context, staff_id: uuid.UUID, pin: str) -> None:
    """An owner resets anyone's PIN; everyone may change their own."""
    if staff_id != ctx.staff_id:
        require_owner(ctx)
    pin_hash = hash_pin(pin)
    with ctx.db.write() as session:
        staff = session.get(Staff, staff_id)
        if staff is None:
            raise Refused("staff.not_found")
        staff.pin_hash = pin_hash
        audit(ctx, session, "staff.pin", target=staff.id)


def set_active(ctx: Context, staff_id: uuid.UUID, active: bool) -> None:
    require_owner(ctx)
    if staff_id == ctx.staff_id and not active:
        raise Refused("staff.disable_self")
    with ctx.db.write() as session:
        staff = session.get(Staff, staff_id)
        if staff is None:
            raise Refused("staff.not_found")
        staff.active = active
        audit(ctx, session, "staff.enable" if active else "staff.disable", target=staff.id)


def sign_in(ctx: Context, staff_id: uuid.UUID, pin: str) -> StaffMember:
    """Check the PIN (slowly, by design); on success the shop acts as this person."""
    with ctx.db.write() as session:
        staff = session.get(Staff, staff_id)
        if staff is None or not staff.active:
            raise Refused("staff.not_found")
        now = ctx.now()
        recent = list(
            session.scalars(
                select(SignInAttempt)
                .where(SignInAttempt.staff_id == staff.id)
                .order_by(SignInAttempt.id.desc())
                .limit(MAX_WRONG_PINS)
            )
        )
        failures = 0
        for attempt in recent:
            if attempt.success:
                break
            failures += 1
        if failures >= MAX_WRONG_PINS and now < recent[0].at + LOCK_TIME:
            wait = recent[0].at + LOCK_TIME - now
            raise Refused("signin.locked", minutes=max(1, -(-int(wait.total_seconds()) // 60)))
        ok = staff.pin_hash is not None and _verify(staff.pin_hash, pin)
        session.add(
            SignInAttempt(staff_id=staff.id, at=now, success=ok, register_id=ctx.register_id)
        )
        if not ok:
            # the failure must be kept even though the sign-in is refused
            session.commit()
            left = MAX_WRONG_PINS - failures - 1
            if left <= 0:
                raise Refused("signin.locked", minutes=int(LOCK_TIME.total_seconds() // 60))
            raise Refused("signin.wrong_pin", left=left)
        audit(ctx, session, "staff.sign_in", target=staff.id)
        ctx.staff_id, ctx.staff_role = staff.id, staff.role
        return _view(staff)


def _verify(pin_hash: str, pin: str) -> bool:
    try:
        return _HASHER.verify(pin_hash, (pin or "").strip())
    except (VerificationError, InvalidHashError):
        return False


def reveal_phone(ctx: Context, customer_id: uuid.UUID, owner_pin: str | None = None) -> str:
    """The full number, for an owner only (signed in, or approving with a PIN); audited."""
    from app.db.models import Customer
    from app.domain.phone import Phone

    with ctx.db.write() as session:
        approver = ctx.staff_id if ctx.staff_role == "owner" else None
        if approver is None:
            for owner in session.scalars(
                select(Staff).where(Staff.role == "owner", Staff.active.is_(True))
            ):
                if owner.pin_hash and _verify(owner.pin_hash, owner_pin or ""):
                    approver = owner.id
                    break
        if approver is None:
            raise Refused("staff.owner_only")
        customer = session.get(Customer, customer_id)
        if customer is None or customer.phone is None:
            raise Refused("customer.not_found", query=str(customer_id))
        audit(
            ctx,
            session,
            "customer.reveal_phone",
            target=customer.id,
            detail={"approved_by": str(approver)},
        )
        return Phone(customer.phone).display()
