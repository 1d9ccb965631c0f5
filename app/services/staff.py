"""Staff and their PINs: slow hashes, sign-in, and a lock after five wrong PINs."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Setting, SignInAttempt, Staff
from app.db.settings import set_setting
from app.domain.errors import Refused
from app.domain.plain_text import clean_line
from app.domain.staff import StaffMember as StaffMember  # its home: screens use it early
from app.services.audit_chain import audit
from app.services.context import Context

MAX_WRONG_PINS = 5
LOCK_TIME = timedelta(minutes=5)
ROLES = ("owner", "cashier")
_HASHER = PasswordHasher()


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
    name = clean_line(name or "")  # no bidi, zero-width or control characters
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
    """An owner resets anyone's PIN (which also lifts a lock); everyone may change their own."""
    if staff_id != ctx.staff_id:
        require_owner(ctx)
    pin_hash = hash_pin(pin)
    with ctx.db.write() as session:
        staff = session.get(Staff, staff_id)
        if staff is None:
            raise Refused("staff.not_found")
        staff.pin_hash = pin_hash
        set_setting(session, _lock_key(staff.id), {"failures": 0})
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
        _try_pin(ctx, session, [staff], pin, "sign_in")
        audit(ctx, session, "staff.sign_in", target=staff.id)
        ctx.staff_id, ctx.staff_role = staff.id, staff.role
        return _view(staff)


def owner_pin_set(ctx: Context) -> bool:
    """Whether any active owner has a PIN: from then on owner work asks for it."""
    with ctx.db.read() as session:
        return bool(_owners_with_pin(ctx, session))


def authorize_owner(ctx: Context, credential: str | None, *, action: str) -> StaffMember | None:
    """Owner work outside the window: the credential (a PIN today; a POS token is meant to
    plug in here) is checked against the owners' PINs under the sign-in lockout, and the
    shop then acts as that owner. A shop without an owner PIN needs none (None)."""
    with ctx.db.write() as session:
        owners = _owners_with_pin(ctx, session)
        if not owners:
            return None
        if not (credential or "").strip():
            raise Refused("cli.owner_pin")
        owner = _try_pin(ctx, session, owners, credential or "", action)
        ctx.staff_id, ctx.staff_role = owner.id, owner.role
        return _view(owner)


# what the command line's commands are, as the actions a token's scope names
TOKEN_ACTIONS = {
    "sale": "sale",
    "redeem": "redeem",
    "void": "refund",
    "refund": "refund",
    "pos pending": "sale",
    **{
        f"pass {action}": "pass"
        for action in ("plans", "sell", "use", "pause", "resume", "cancel", "show")
    },
    # a `partner` token: the counter's partner commands (create, join, close, settle, ack and
    # the statements stay the owner's)
    **{f"partner {action}": "partner" for action in ("list", "find", "consent", "sale", "send")},
}


def authorize(
    ctx: Context,
    credential: str | None,
    action: str,
    *,
    owner_only: bool = False,
    door: str = "cli",
) -> StaffMember | None:
    """The one check before acting for a credential, for every door (the command line, the
    POS bridge): a token (`dgl_...`) must hold the action in its scope, and the shop then
    acts for it, named in the audit; otherwise owner-only work wants the owner's PIN once one
    is set (see authorize_owner). Returns the owner who acted by PIN, else None."""
    from app.services import tokens

    if tokens.is_token(credential):
        tokens.act_as_token(ctx, credential or "", TOKEN_ACTIONS.get(action, action))
        return None
    if owner_only:
        return authorize_owner(ctx, credential, action=f"{door} {action}")
    return None


def _owners_with_pin(ctx: Context, session: Session) -> list[Staff]:
    owners = session.scalars(
        select(Staff).where(
            Staff.role == "owner", Staff.active.is_(True), Staff.pin_hash.is_not(None)
        )
    ).all()
    # the shop's own owner first, so a one-owner shop counts on exactly one person
    return sorted(owners, key=lambda owner: str(owner.id) != ctx.settings.get("owner_staff_id"))


def _lock_key(staff_id: uuid.UUID) -> str:
    return f"pin_lock:{staff_id}"


def _lock_state(session: Session, staff_id: uuid.UUID) -> dict[str, Any]:
    row = session.get(Setting, _lock_key(staff_id))
    return dict(json.loads(row.value)) if row is not None else {"failures": 0}


def _locked_minutes(session: Session, staff_id: uuid.UUID, now: datetime) -> int | None:
    """Minutes left of this person's lock, or None. The failures are a count, not an order
    of rows, and a clock that moved back since the last failure locks again from there."""
    state = _lock_state(session, staff_id)
    if int(state.get("failures", 0)) < MAX_WRONG_PINS:
        return None
    last = datetime.fromisoformat(state["last_failure"])
    until = datetime.fromisoformat(state["locked_until"])
    if now < last:
        state["last_failure"], state["locked_until"] = (
            now.isoformat(),
            (now + LOCK_TIME).isoformat(),
        )
        set_setting(session, _lock_key(staff_id), state)
        until = now + LOCK_TIME
    if now >= until:
        return None
    return max(1, -(-int((until - now).total_seconds()) // 60))


def _try_pin(
    ctx: Context, session: Session, people: Sequence[Staff], pin: str, purpose: str
) -> Staff:
    """The one PIN door: refused while locked; a wrong PIN is kept, audited and counted
    (five in a row lock for LOCK_TIME); the right one clears the count. Returns who matched."""
    now = ctx.now()
    open_ = []
    locked: list[int] = []
    for person in people:
        minutes = _locked_minutes(session, person.id, now)
        if minutes is None:
            open_.append(person)
        else:
            locked.append(minutes)
    if not open_:
        session.commit()  # a lock moved to a clock set back is kept
        raise Refused("signin.locked", minutes=min(locked))
    for person in open_:
        if person.pin_hash is not None and _verify(person.pin_hash, pin):
            session.add(
                SignInAttempt(staff_id=person.id, at=now, success=True, register_id=ctx.register_id)
            )
            set_setting(session, _lock_key(person.id), {"failures": 0})
            return person
    left = MAX_WRONG_PINS
    for person in open_:
        session.add(
            SignInAttempt(staff_id=person.id, at=now, success=False, register_id=ctx.register_id)
        )
        state = _lock_state(session, person.id)
        failures = int(state.get("failures", 0)) + 1
        state = {"failures": failures, "last_failure": now.isoformat()}
        state["locked_until"] = (now + LOCK_TIME).isoformat()
        set_setting(session, _lock_key(person.id), state)
        audit(ctx, session, "staff.pin_wrong", target=person.id, detail={"for": purpose})
        left = min(left, MAX_WRONG_PINS - failures)
    # the failure must be kept even though the attempt is refused
    session.commit()
    if left <= 0:
        raise Refused("signin.locked", minutes=int(LOCK_TIME.total_seconds() // 60))
    raise Refused("signin.wrong_pin", left=left)


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
            owners = _owners_with_pin(ctx, session)
            if not owners:
                raise Refused("staff.owner_only")
            approver = _try_pin(ctx, session, owners, owner_pin or "", "customer.reveal_phone").id
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
