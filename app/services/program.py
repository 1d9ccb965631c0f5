"""Showing and replacing the program; every version is kept with who loaded it."""

from __future__ import annotations

import copy
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import ProgramVersion, Staff
from app.domain.program import DEFAULT_PROGRAM, DEFAULT_PROGRAM_JSON, Program
from app.services.audit_chain import audit
from app.services.context import Context


def current_program(session: Session) -> tuple[uuid.UUID, Program]:
    row = session.execute(_NEWEST_PROGRAM).first()
    if row is None:
        return uuid.UUID(int=0), DEFAULT_PROGRAM
    return row.id, _parse_program(row.document)


_NEWEST_PROGRAM = (
    select(ProgramVersion.id, ProgramVersion.document)
    .order_by(ProgramVersion.created_at.desc(), ProgramVersion.id.desc())
    .limit(1)
)


_PROGRAM_CACHE: dict[str, Program] = {}


def _parse_program(document: str) -> Program:
    program = _PROGRAM_CACHE.get(document)
    if program is None:
        program = Program.from_json(json.loads(document))
        _PROGRAM_CACHE[document] = program
    return program


def show_program(ctx: Context) -> dict[str, Any]:
    with ctx.db.read() as session:
        return current_program(session)[1].to_json()


def load_program(ctx: Context, document: object) -> Program:
    """Validate first; only a sound program replaces the one in force (new actions only)."""
    program = Program.from_json(document)
    with ctx.db.write() as session:
        put_in_force(ctx, session, program)
    return program


def put_in_force(ctx: Context, session: Session, program: Program) -> ProgramVersion:
    """A new version inside the caller's transaction, with who loaded it; audited."""
    version = ProgramVersion(
        created_at=ctx.now(),
        staff_id=ctx.staff_id,
        document=json.dumps(program.to_json(), ensure_ascii=False),
        register_id=ctx.register_id,
    )
    session.add(version)
    session.flush()
    audit(ctx, session, "program.load", target=version.id)
    return version


def program_in_force(ctx: Context) -> Program:
    with ctx.db.read() as session:
        return current_program(session)[1]


# --- history and templates ----------------------------------------------------------------


@dataclass(frozen=True)
class ProgramChange:
    """One version of the program: when, by whom, and what differs from the one before."""

    id: uuid.UUID
    created_at: datetime
    staff_name: str | None
    changes: tuple[tuple[str, object, object], ...]  # (path, before, after); empty for the first
    first: bool


def _flatten(value: object, path: str = "") -> dict[str, object]:
    """{"tiers.levels[1].earn_percent": 3, ...}: every leaf of the JSON by its path."""
    if isinstance(value, dict):
        leaves: dict[str, object] = {}
        for key, item in value.items():
            leaves.update(_flatten(item, f"{path}.{key}" if path else str(key)))
        return leaves
    if isinstance(value, list) and any(isinstance(item, dict | list) for item in value):
        leaves = {}
        for i, item in enumerate(value):
            leaves.update(_flatten(item, f"{path}[{i}]"))
        return leaves
    return {path: value}


def program_differences(before: object, after: object) -> tuple[tuple[str, object, object], ...]:
    """The leaves that differ, in the document's order (None where a leaf is absent)."""
    old, new = _flatten(before), _flatten(after)
    paths = list(old) + [p for p in new if p not in old]
    empty: tuple[object, ...] = (None, [])  # an empty list and an absent leaf say the same: nothing
    return tuple(
        (p, old.get(p), new.get(p))
        for p in paths
        if old.get(p) != new.get(p) and not (old.get(p) in empty and new.get(p) in empty)
    )


def program_history(ctx: Context, limit: int = 50) -> list[ProgramChange]:
    """The newest `limit` versions, newest first, each compared with the version before it."""
    with ctx.db.read() as session:
        rows = session.execute(
            select(
                ProgramVersion.id, ProgramVersion.created_at, ProgramVersion.document, Staff.name
            )
            .outerjoin(Staff, Staff.id == ProgramVersion.staff_id)
            .order_by(ProgramVersion.created_at.desc(), ProgramVersion.id.desc())
            .limit(limit + 1)
        ).all()
    history = []
    for i, row in enumerate(rows[:limit]):
        older = rows[i + 1] if i + 1 < len(rows) else None
        changes = (
            program_differences(json.loads(older.document), json.loads(row.document))
            if older is not None
            else ()
        )
        history.append(ProgramChange(row.id, row.created_at, row.name, changes, older is None))
    return history


def _levels(*percents: int | str) -> list[dict[str, object]]:
    base = DEFAULT_PROGRAM_JSON["tiers"]["levels"]  # type: ignore[index]
    return [{**level, "earn_percent": p} for level, p in zip(base, percents, strict=True)]


PROGRAM_TEMPLATES = ("stamps", "points", "both")


def program_template(kind: str) -> dict[str, Any]:
    """A program to start from: a café stamp card 10+1, points 2-5 % by four tiers, or both."""
    document: dict[str, Any] = copy.deepcopy(DEFAULT_PROGRAM_JSON)
    if kind == "stamps":
        # stamps only: one tier that earns no points
        document["tiers"]["levels"] = _levels(0, 0, 0, 0)[:1]
        document["stamps"] = {"goal": 10, "reward": "아메리카노 1잔", "per": "visit"}
    elif kind == "points":
        document["tiers"]["levels"] = _levels(2, 3, 4, 5)
        document["stamps"] = {**document["stamps"], "per": "none"}  # no stamp card
    elif kind != "both":
        raise ValueError(kind)
    document["campaigns"] = []
    return document
