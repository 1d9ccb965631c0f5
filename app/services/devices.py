"""Tablets as the customer's display: on or off, and pairing one with a one-time code.

The owner turns the tablet on (the setting ``tablet_enabled``, off by default) and presses
"태블릿 연결" in the back office: a six-digit code, valid ten minutes, is shown big. The tablet
opens ``http://PC:PORT/checkin`` and types it; the code becomes a device token (a token of the
``tablet`` scope, kept hashed like a POS token, listed and revoked with the others), which the
page keeps. Only one code is alive at a time; a new one replaces it; a code pairs one tablet;
after ``MAX_TRIES`` wrong codes the code is burnt (the owner makes a new one), on top of the
bridge slowing down a client that keeps guessing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select

from app.db.models import CheckIn, Customer, LedgerEntry, Setting
from app.db.settings import set_setting
from app.domain.errors import Refused
from app.domain.plain_text import clean_line
from app.services import ratings, tokens
from app.services.audit_chain import audit
from app.services.context import Context
from app.services.customers import status_of
from app.services.settings import setting, update_settings
from app.services.staff import require_owner

SCOPE = "tablet"
ENABLED = "tablet_enabled"  # the owner's setting (services.settings.DEFAULTS: False)
PAIRING_KEY = "tablet.pairing"  # the live code's record: its digest, expiry, name, tries
CODE_DIGITS = 6
CODE_MINUTES = 10
MAX_TRIES = 5  # wrong codes before the live code is burnt


@dataclass(frozen=True)
class PairingCode:
    """The code shown to the owner, this once; the database keeps its digest only."""

    code: str
    name: str  # the name the tablet's token will have
    expires_at: datetime


@dataclass(frozen=True)
class PairingState:
    """What the back office shows while a code is up: waiting, used (by which tablet), over."""

    waiting: bool
    paired_name: str | None = None
    expires_at: datetime | None = None


@dataclass(frozen=True)
class Paired:
    """The device token, given to the tablet once (the page keeps it in its storage)."""

    token: str
    name: str
    id: str


@dataclass(frozen=True)
class VisitSale:
    """The moment of a sale on the tablet: what it earned and where the member stands now."""

    points_earned: int
    stamps_added: int
    points: int
    stamps_on_card: int
    stamp_goal: int
    rewards_ready: int
    stamp_reward: str
    ask_rating: bool = False  # the visit's rating follows the moment (``ratings.should_ask``)


def tablet_enabled(ctx: Context) -> bool:
    return bool(setting(ctx, ENABLED))


def set_tablet_enabled(ctx: Context, enabled: bool) -> None:
    """Owner only: turning the tablet off stops every tablet at once (their tokens stay)."""
    update_settings(ctx, **{ENABLED: bool(enabled)})
    tokens.GENERATION[0] += 1


def _code_digest(code: str) -> str:
    return hashlib.sha256(("dangol-tablet:" + code).encode()).hexdigest()


def _read(ctx: Context) -> dict[str, object] | None:
    with ctx.db.read() as session:
        row = session.get(Setting, PAIRING_KEY)
        return dict(json.loads(row.value)) if row is not None else None


def start_pairing(ctx: Context, name: str) -> PairingCode:
    """Owner only, with the tablet on: a new code (the one before stops), valid ten minutes."""
    require_owner(ctx)
    if not tablet_enabled(ctx):
        raise Refused("tablet.off")
    name = clean_line(name or "")
    if not name:
        raise Refused("token.name_required")
    if len(name) > tokens.MAX_NAME:
        raise Refused("token.name_long", maximum=tokens.MAX_NAME)
    if any(t.active and t.name == name for t in tokens.list_tokens(ctx).tokens):
        raise Refused("token.name_taken", name=name)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    expires = ctx.now() + timedelta(minutes=CODE_MINUTES)
    record = {
        "digest": _code_digest(code),
        "name": name,
        "expires_at": expires.isoformat(),
        "created_by": str(ctx.staff_id),
        "tries": 0,
        "paired": None,
    }
    with ctx.db.write() as session:
        set_setting(session, PAIRING_KEY, record)
        audit(ctx, session, "tablet.code", detail={"name": name})
    return PairingCode(code, name, expires)


def pairing_state(ctx: Context) -> PairingState:
    """Owner only: whether the code is still waiting, or which tablet it paired."""
    require_owner(ctx)
    record = _read(ctx)
    if record is None:
        return PairingState(waiting=False)
    if record.get("paired"):
        return PairingState(waiting=False, paired_name=str(record["name"]))
    expires = datetime.fromisoformat(str(record["expires_at"]))
    alive = ctx.now() < expires and int(str(record["tries"])) < MAX_TRIES
    return PairingState(waiting=alive, expires_at=expires)


def cancel_pairing(ctx: Context) -> None:
    """Owner only: the code shown stops working (the dialog was closed before use)."""
    require_owner(ctx)
    with ctx.db.write() as session:
        row = session.get(Setting, PAIRING_KEY)
        if row is not None:
            session.delete(row)


def pair(ctx: Context, code: str) -> Paired:
    """The tablet's side: the code typed becomes a device token, once. A wrong, used or
    expired code is refused in words and counts against the live code."""
    if not tablet_enabled(ctx):
        raise Refused("tablet.off")
    code = (code or "").strip()
    if not (code.isascii() and code.isdigit() and len(code) == CODE_DIGITS):
        raise Refused("tablet.code_form", digits=CODE_DIGITS)
    now = ctx.now()
    wrong = False
    with ctx.db.write() as session:
        row = session.get(Setting, PAIRING_KEY)
        record = dict(json.loads(row.value)) if row is not None else None
        if record is None or record.get("paired"):
            raise Refused("tablet.code_wrong")
        tries = int(str(record["tries"]))
        if now >= datetime.fromisoformat(str(record["expires_at"])) or tries >= MAX_TRIES:
            raise Refused("tablet.code_expired")
        if not hmac.compare_digest(_code_digest(code), str(record["digest"])):
            record["tries"] = tries + 1  # the try counts: written, then refused below
            set_setting(session, PAIRING_KEY, record)
            wrong = True
        else:
            owner = uuid.UUID(str(record["created_by"]))
            made = tokens.add_token_record(session, str(record["name"]), SCOPE, owner, now)
            record["paired"] = made.id
            set_setting(session, PAIRING_KEY, record)
            as_owner = replace(ctx, staff_id=owner, staff_role="owner", token=None, allowed=None)
            audit(as_owner, session, "tablet.pair", target=made.id, detail={"name": made.name})
    if wrong:
        raise Refused("tablet.code_wrong")
    return Paired(made.token, made.name, made.id)


def device_of(ctx: Context, token: str, action: str = "checkin") -> tokens.TokenInfo:
    """The tablet's token checked (known, not revoked, its scope holding ``action``: the
    check-in, or the rating) with the tablet on; the shop then acts for it (``ctx.token``
    names it in the audit)."""
    if not tablet_enabled(ctx):
        raise Refused("tablet.off")
    if not tokens.is_token(token):
        raise Refused("token.unknown")
    return tokens.act_as_token(ctx, token, action)


def visit_sale(ctx: Context, checkin_id: uuid.UUID) -> VisitSale | None:
    """The sale the counter recorded for a check-in (``checkins.sale_id``, filled by the sale
    itself), with the member's balances now; None while there is none."""
    with ctx.db.read() as session:
        row = session.get(CheckIn, checkin_id)
        if row is None or row.sale_id is None:
            return None
        earned = session.execute(
            select(LedgerEntry.points, LedgerEntry.stamps).where(
                LedgerEntry.sale_id == row.sale_id, LedgerEntry.kind.in_(("earn", "bonus"))
            )
        ).all()
        customer = session.get(Customer, row.customer_id)
        if customer is None:
            return None
        status = status_of(ctx, session, customer, ctx.now())
        sale_id = row.sale_id
    return VisitSale(
        points_earned=sum(int(e.points) for e in earned),
        stamps_added=sum(int(e.stamps) for e in earned),
        points=status.points,
        stamps_on_card=status.stamps_on_card,
        stamp_goal=status.stamp_goal,
        rewards_ready=status.rewards_ready,
        stamp_reward=status.stamp_reward,
        ask_rating=ratings.should_ask(ctx, sale_id),
    )


def visit_sale_id(ctx: Context, checkin_id: uuid.UUID) -> uuid.UUID | None:
    """The sale recorded for a check-in, None while there is none."""
    with ctx.db.read() as session:
        row = session.get(CheckIn, checkin_id)
        return row.sale_id if row is not None else None


def rate_visit(
    ctx: Context, checkin_id: uuid.UUID, score: object, comment: str | None
) -> ratings.RatingResult:
    """The customer's answer on the tablet to the rating of the visit's sale (source
    "tablet"); refused in words, nothing stored, like any rating (``ratings.record_rating``)."""
    sale_id = visit_sale_id(ctx, checkin_id)
    if sale_id is None:
        raise Refused("rating.no_sale")
    return ratings.record_rating(ctx, sale_id, score, comment, source="tablet")
