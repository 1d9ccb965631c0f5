"""The audit log as a hash chain: each row carries the hash of its register's previous row.

The order is the chain of links itself, never the ids' or the clock's order; a count and the
last hash kept in the settings (and so in every backup) show rows cut off the end.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime
from typing import Any, NamedTuple, Protocol

from sqlalchemy import bindparam, insert, select, text, update
from sqlalchemy.orm import Session

from app.db.base import new_id
from app.db.lean import Lean, LeanWrite, session_lean
from app.db.models import AuditEntry, Setting
from app.db.settings import set_setting
from app.services.context import Context

GENESIS_HASH = "0" * 64
TIP_PREFIX = "audit.tip."  # + register id: {"count": rows so far, "hash": the newest row's}
# a restore's entry names the tip of the history it replaced, so the count a backup made
# before it (or the central server) kept is not taken for rows cut off
RESTORE_ACTION, REPLACED = "backup.restore", "replaced"


class Hashable(Protocol):
    """An audit row, or a plain result row with the same columns."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def at(self) -> datetime: ...
    @property
    def staff_id(self) -> uuid.UUID | None: ...
    @property
    def action(self) -> str: ...
    @property
    def target_id(self) -> str | None: ...
    @property
    def detail(self) -> str | None: ...
    @property
    def register_id(self) -> uuid.UUID | None: ...
    @property
    def prev_hash(self) -> str: ...


def tip_key(register_id: uuid.UUID | None) -> str:
    return TIP_PREFIX + (register_id.hex if register_id else "none")


def read_tip(value: object) -> tuple[int, str] | None:
    """A stored tip, or None when absent or not one of ours."""
    if isinstance(value, dict):
        count, last = value.get("count"), value.get("hash")
        if isinstance(count, int) and isinstance(last, str):
            return count, last
    return None


def chain_columns() -> tuple[Any, ...]:
    return (
        AuditEntry.id,
        AuditEntry.at,
        AuditEntry.staff_id,
        AuditEntry.action,
        AuditEntry.target_id,
        AuditEntry.detail,
        AuditEntry.register_id,
        AuditEntry.prev_hash,
        AuditEntry.hash,
    )


def walk_chain(session: Session, register_id: uuid.UUID | None) -> tuple[int, str]:
    """The number of rows reached from the start by their links, and the last hash reached."""
    links: dict[str, str] = dict(
        session.execute(
            select(AuditEntry.prev_hash, AuditEntry.hash).where(
                AuditEntry.register_id == register_id
                if register_id is not None
                else AuditEntry.register_id.is_(None)
            )
        ).all()
    )
    count, link, seen = 0, GENESIS_HASH, set()
    while link in links and link not in seen:
        seen.add(link)
        link = links[link]
        count += 1
    return count, link


def audit(
    ctx: Context,
    session: Session,
    action: str,
    *,
    target: object | None = None,
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    """Append to the audit log; each row carries the hash of this register's previous row."""
    audit_many(ctx, session, [(action, target, detail)], at=at)


# The audit rows and their tip go in by prebuilt statements (no unit of work): a redemption
# spent a third of its time in the flush of these two rows. `False` takes the ORM path,
# kept as the reference tests/services/test_lean_audit.py holds the lean one to.
LEAN_AUDIT = True


def audit_many(
    ctx: Context,
    session: Session,
    rows: list[tuple[str, object | None, dict[str, Any] | None]],
    *,
    at: datetime | None = None,
) -> None:
    """Append (action, target, detail) rows in this order, chained, with one read of the tip."""
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext('dangol.audit'))"))
    key = tip_key(ctx.register_id)
    # the tip as an object of the Session (a restore, a test set it): the unit of work owns it
    held = session.identity_map.get(session.identity_key(Setting, key)) is not None
    if LEAN_AUDIT and not held:
        _audit_lean(ctx, session, key, rows, at)
        return
    row = session.get(Setting, key)
    tip = read_tip(json.loads(row.value)) if row is not None else None
    if tip is None:  # a log from before the count was kept: taken as it is, counted from here
        tip = walk_chain(session, ctx.register_id)
    count, prev = tip
    entries: list[AuditEntry] = []
    for values in _chained(ctx, rows, prev, at):
        entries.append(AuditEntry(**values))
        prev = values["hash"]
    session.add_all(entries)
    # in the same transaction as the rows: all land or none does
    set_setting(session, key, {"count": count + len(entries), "hash": prev})
    session.flush()  # the next append in this transaction reads this tip, not the one before


_TIP = Lean(select(Setting.value).where(Setting.key == bindparam("key")))
_INSERT_AUDIT = LeanWrite(insert(AuditEntry))
_INSERT_TIP = LeanWrite(insert(Setting))
_UPDATE_TIP = LeanWrite(
    update(Setting).where(Setting.key == bindparam("tip_key")).values(value=bindparam("tip"))
)


def _audit_lean(
    ctx: Context,
    session: Session,
    key: str,
    rows: list[tuple[str, object | None, dict[str, Any] | None]],
    at: datetime | None,
) -> None:
    """audit_many's rows and tip by a lean read and prebuilt INSERT/UPDATE statements.

    What the Session holds unflushed goes in first (a staff member added in the same
    transaction is there before the row naming them), as the ORM path's flush ordered it."""
    session.flush()
    with session_lean(session) as lean:
        found = _TIP.first(lean, key=key)
        tip = read_tip(json.loads(found[0])) if found is not None else None
        if tip is None:  # a log from before the count was kept: taken as it is, counted from here
            tip = walk_chain(session, ctx.register_id)
        count, prev = tip
        entries = _chained(ctx, rows, prev, at)
        _INSERT_AUDIT.executemany(lean, entries)
        encoded = json.dumps(
            {"count": count + len(entries), "hash": entries[-1]["hash"]}, ensure_ascii=False
        )
        if found is None:
            _INSERT_TIP.execute(lean, {"key": key, "value": encoded})
        else:
            _UPDATE_TIP.execute(lean, {"tip_key": key, "tip": encoded})


class _Row(NamedTuple):
    """A row's hashed columns, for audit_hash before the row exists."""

    id: uuid.UUID
    at: datetime
    staff_id: uuid.UUID | None
    action: str
    target_id: str | None
    detail: str | None
    prev_hash: str
    register_id: uuid.UUID | None


def _chained(
    ctx: Context,
    rows: list[tuple[str, object | None, dict[str, Any] | None]],
    prev: str,
    at: datetime | None,
) -> list[dict[str, Any]]:
    """Every column of each audit row, each hashing the one before, the first after `prev`."""
    moment = at or ctx.now()
    chained: list[dict[str, Any]] = []
    for action, target, detail in rows:
        if ctx.token is not None:  # a token acted: the log names it
            detail = {**(detail or {}), "token": ctx.token}
        values: dict[str, Any] = {
            "id": new_id(),  # the id is part of the hash
            "at": moment,
            "staff_id": ctx.staff_id,
            "action": action,
            "target_id": str(target) if target is not None else None,
            "detail": json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else None,
            "prev_hash": prev,
            "register_id": ctx.register_id,
        }
        values["hash"] = prev = audit_hash(_Row(**values))
        chained.append(values)
    return chained


def audit_hash(entry: Hashable) -> str:
    return _digest(entry, entry.detail)


def _digest(entry: Hashable, detail: str | None) -> str:
    payload = json.dumps(
        [
            str(entry.id),
            entry.at.astimezone(UTC).isoformat(),
            str(entry.staff_id) if entry.staff_id else None,
            entry.action,
            entry.target_id,
            detail,
            str(entry.register_id) if entry.register_id else None,
            entry.prev_hash,
        ],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


# --- rows scrubbed of a secret -----------------------------------------------------------
# Older versions wrote the sync password into the `sync.setup` row's URL. Migration 0009 takes
# it out and keeps the row's hash (so the next row's link, the tips in the settings, in every
# backup and on the central server all still hold); the row then carries, under "scrubbed", a
# seal: the hash it kept bound to its content after the scrub. Only these actions may be
# scrubbed, and a scrubbed row edited afterwards breaks its seal like any other row.
SCRUBBED = "scrubbed"
SCRUBBABLE = frozenset({"sync.setup"})


def scrub_seal(entry: Hashable, kept_hash: str, detail: dict[str, Any]) -> str:
    """The seal of a scrubbed row: its kept hash and its content now (without the seal)."""
    now = json.dumps(detail, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(f"scrubbed:{kept_hash}:{_digest(entry, now)}".encode()).hexdigest()


def hash_holds(entry: Hashable, stored_hash: str) -> bool:
    """The row's stored hash is its content's, or the row was scrubbed and its seal holds."""
    if stored_hash == audit_hash(entry):
        return True
    if entry.action not in SCRUBBABLE or not entry.detail:
        return False
    try:
        detail = json.loads(entry.detail)
    except ValueError:
        return False
    marker = detail.pop(SCRUBBED, None) if isinstance(detail, dict) else None
    if not isinstance(marker, dict) or not isinstance(marker.get("seal"), str):
        return False
    return bool(marker["seal"] == scrub_seal(entry, stored_hash, detail))
