"""Scoped tokens: what a POS (or a script) may do without a person's PIN.

A token is shown once, when the owner makes it; the database keeps only its SHA-256 (a token
is 32 random bytes, so a fast hash is as good as a slow one) with its name, scope, who made
it and when, and when it was revoked. A `pos` token may record sales, refunds (the void of a
sale) and redemptions, nothing else. `staff.authorize` is the one check every door (the
command line, the POS bridge) makes before acting for a credential.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Setting
from app.db.settings import set_setting
from app.domain.errors import Refused
from app.domain.plain_text import clean_line
from app.services.audit_chain import audit
from app.services.context import Context
from app.services.staff import require_owner

PREFIX = "dgl_"  # every token starts so; a PIN never does
KEY_PREFIX = "token."  # + the token's sha256: its record
# bumped by every revoke in this process: a door that remembers tokens it checked (the POS
# bridge, for a second at most) forgets them at once
GENERATION = [0]
# what each scope may do: the actions the doors ask for
SCOPES: dict[str, frozenset[str]] = {
    "pos": frozenset({"sale", "refund", "redeem", "pass"}),  # pass: subscription passes
    # a paired tablet: the customer's check-in, and their answer to the visit's rating
    "tablet": frozenset({"checkin", "rate"}),
    # the 골목 제휴 at the till: find a member, record their word, the partner sale, send
    "partner": frozenset({"partner"}),
}
MAX_NAME = 40


@dataclass(frozen=True)
class TokenInfo:
    id: str  # 8 hex digits: how `token revoke` names it
    name: str
    scope: str
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class NewToken:
    """The token made: `token` is shown this once and kept nowhere."""

    id: str
    name: str
    scope: str
    token: str
    created_at: datetime


@dataclass(frozen=True)
class TokenList:
    tokens: list[TokenInfo]


@dataclass(frozen=True)
class Revoked:
    id: str
    name: str
    revoked_at: datetime


def is_token(credential: str | None) -> bool:
    return (credential or "").strip().startswith(PREFIX)


def digest(token: str) -> str:
    return hashlib.sha256(token.strip().encode()).hexdigest()


def _key(token: str) -> str:
    """The settings key of a token's record: 192 bits of its digest fit the key column (60)."""
    return KEY_PREFIX + digest(token)[:48]


def label(info: TokenInfo) -> str:
    """How the audit log names a token."""
    return f"{info.name} ({info.id})"


def _info(record: dict[str, object]) -> TokenInfo:
    revoked = record.get("revoked_at")
    return TokenInfo(
        str(record["id"]),
        str(record["name"]),
        str(record["scope"]),
        datetime.fromisoformat(str(record["created_at"])),
        datetime.fromisoformat(str(revoked)) if revoked else None,
    )


def _records(session: Session) -> dict[str, dict[str, object]]:
    rows = session.scalars(select(Setting).where(Setting.key.startswith(KEY_PREFIX)))
    return {row.key: dict(json.loads(row.value)) for row in rows}


def create_token(ctx: Context, name: str, scope: str) -> NewToken:
    """Owner only: a new token of that scope under a name no active token has."""
    require_owner(ctx)
    name = clean_line(name or "")
    if not name:
        raise Refused("token.name_required")
    if len(name) > MAX_NAME:
        raise Refused("token.name_long", maximum=MAX_NAME)
    if scope not in SCOPES:
        raise Refused("token.scope", scope=scope, scopes=", ".join(sorted(SCOPES)))
    token = PREFIX + scope + "_" + secrets.token_urlsafe(32)
    now = ctx.now()
    with ctx.db.write() as session:
        existing = _records(session)
        if any(r["name"] == name and not r.get("revoked_at") for r in existing.values()):
            raise Refused("token.name_taken", name=name)
        token_id = uuid.uuid4().hex[:8]
        record = {
            "id": token_id,
            "name": name,
            "scope": scope,
            "created_at": now.isoformat(),
            "created_by": str(ctx.staff_id),
            "revoked_at": None,
        }
        set_setting(session, _key(token), record)
        audit(ctx, session, "token.create", target=token_id, detail={"name": name, "scope": scope})
    return NewToken(token_id, name, scope, token, now)


def list_tokens(ctx: Context) -> TokenList:
    """Owner only: every token, newest first (never the token itself: it is not kept)."""
    require_owner(ctx)
    with ctx.db.read() as session:
        found = [_info(r) for r in _records(session).values()]
    return TokenList(sorted(found, key=lambda t: t.created_at, reverse=True))


def revoke_token(ctx: Context, which: str) -> Revoked:
    """Owner only: the token named (by its id or its name) stops working at once."""
    require_owner(ctx)
    which = clean_line(which or "")
    now = ctx.now()
    with ctx.db.write() as session:
        records = _records(session)
        matches = [
            (key, r)
            for key, r in records.items()
            if not r.get("revoked_at") and which in (r["id"], r["name"])
        ]
        if not matches:
            raise Refused("token.not_found", token=which)
        key, record = matches[0]
        record["revoked_at"] = now.isoformat()
        set_setting(session, key, record)
        audit(ctx, session, "token.revoke", target=record["id"], detail={"name": record["name"]})
    GENERATION[0] += 1
    return Revoked(str(record["id"]), str(record["name"]), now)


def act_as_token(ctx: Context, credential: str, action: str) -> TokenInfo:
    """The token's check: known, not revoked, and its scope holds the action; then the shop
    acts for it (as the owner who made it, limited to its scope, named in the audit)."""
    with ctx.db.read() as session:
        row = session.get(Setting, _key(credential))
        record = dict(json.loads(row.value)) if row is not None else None
    if record is None or record.get("revoked_at"):
        raise Refused("token.unknown")
    info = _info(record)
    allowed = SCOPES.get(info.scope, frozenset())
    if action not in allowed:
        raise Refused("token.not_allowed", token=info.name, action=action, scope=info.scope)
    ctx.staff_id = uuid.UUID(str(record["created_by"]))
    ctx.staff_role = info.scope
    ctx.token = label(info)
    ctx.allowed = allowed
    return info


def add_token_record(
    session: Session, name: str, scope: str, created_by: uuid.UUID, now: datetime
) -> NewToken:
    """A new token's record in the caller's transaction, for a door that made it without the
    owner at hand (a tablet pairing with the code the owner showed: ``services.devices``).
    The name must be free among active tokens, like ``create_token``'s."""
    existing = _records(session)
    if any(r["name"] == name and not r.get("revoked_at") for r in existing.values()):
        raise Refused("token.name_taken", name=name)
    token = PREFIX + scope + "_" + secrets.token_urlsafe(32)
    token_id = uuid.uuid4().hex[:8]
    record = {
        "id": token_id,
        "name": name,
        "scope": scope,
        "created_at": now.isoformat(),
        "created_by": str(created_by),
        "revoked_at": None,
    }
    set_setting(session, _key(token), record)
    return NewToken(token_id, name, scope, token, now)
