"""Showing and replacing the program; every version is kept with who loaded it."""

from __future__ import annotations

import copy
import dataclasses
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from app.db.lean import Lean, LeanConnection
from app.db.models import Experiment, ProgramVersion, Staff
from app.domain.experiments import APPLIED_KINDS, AppliedExperiment, experiment_campaigns
from app.domain.program import DEFAULT_PROGRAM, DEFAULT_PROGRAM_JSON, Program
from app.domain.stamp_cards import CardTerms, TermsTimeline, terms_timeline
from app.services.audit_chain import audit
from app.services.context import Context


def current_program(session: Session) -> tuple[uuid.UUID, Program]:
    """The version in force and its program (cached until a version is added)."""
    state = program_state(session)
    return state.version_id, state.program


@dataclass(frozen=True)
class ProgramState:
    """Every version of the program at one moment: the one in force, and each one's stamp terms."""

    version_id: uuid.UUID  # the newest (UUID 0 before any is loaded)
    program: Program
    versions: dict[uuid.UUID, tuple[datetime, CardTerms]]  # stamp terms by version, for cards
    timeline: TermsTimeline | None  # those terms by moment; None without versions
    # the experiments whose campaign or stamp goal a sale applies to their groups (issue 19):
    # empty in a shop that runs none, so a sale asks nothing more
    experiments: tuple[AppliedExperiment, ...] = ()


_EMPTY = ProgramState(uuid.UUID(int=0), DEFAULT_PROGRAM, {}, None)
_ALL = aliased(ProgramVersion)
# Versions and experiments are only ever added (their rows are frozen): the newest version and
# how many versions and experiments there are say which set this is, in one small statement.
_NEWEST_KEY = (
    select(
        ProgramVersion.id,
        select(func.count()).select_from(_ALL).scalar_subquery(),
        select(func.count()).select_from(Experiment).scalar_subquery(),
    )
    .order_by(ProgramVersion.created_at.desc(), ProgramVersion.id.desc())
    .limit(1)
)
_EVERY_VERSION = select(ProgramVersion.id, ProgramVersion.created_at, ProgramVersion.document)
_APPLIED = select(
    Experiment.id,
    Experiment.name,
    Experiment.kind,
    Experiment.treatment_percent,
    Experiment.start_day,
    Experiment.end_day,
    Experiment.offer,
).where(or_(*(Experiment.kind == kind for kind in APPLIED_KINDS)))  # no IN: a lean statement
# per database: the key of the set of versions last read, and what was made of it
_STATES: dict[str, tuple[tuple[uuid.UUID, int, int], ProgramState]] = {}
_NEWEST_KEY_LEAN = Lean(_NEWEST_KEY)
_EVERY_VERSION_LEAN = Lean(_EVERY_VERSION)
_APPLIED_LEAN = Lean(_APPLIED)


def program_state(session: Session) -> ProgramState:
    """The program's versions, read again only when one was added since the last call.

    One small statement (the newest version's id and the number of versions) checks it; a
    version loaded by another process or pulled by sync is seen by the next call."""
    row = session.execute(_NEWEST_KEY).first()
    if row is None:
        return _EMPTY
    key = (row[0], int(row[1]), int(row[2]))
    database = str(session.get_bind().engine.url)
    cached = _STATES.get(database)
    if cached is not None and cached[0] == key:
        return cached[1]
    applied = session.execute(_APPLIED).all() if key[2] else []
    return _remember(database, key, session.execute(_EVERY_VERSION).all(), applied)


def program_for(state: ProgramState, customer_id: uuid.UUID) -> Program:
    """The program a member's sale earns by: the one in force, plus the campaign of each
    experiment whose group they are in (the stable hash; nothing read)."""
    return with_experiments(state.program, state.experiments, customer_id)


def with_experiments(
    program: Program, experiments: tuple[AppliedExperiment, ...], customer_id: uuid.UUID
) -> Program:
    """`program` with the campaigns of the member's experiment groups (each keeps its days)."""
    if not experiments:
        return program
    extra = experiment_campaigns(experiments, customer_id)
    if not extra:
        return program
    return dataclasses.replace(program, campaigns=program.campaigns + extra)


def program_state_lean(connection: LeanConnection) -> ProgramState:
    """program_state for the counter's lean reads (app.db.lean), from the same cache."""
    row = _NEWEST_KEY_LEAN.first(connection)
    if row is None:
        return _EMPTY
    key = (row[0], int(row[1]), int(row[2]))
    cached = _STATES.get(connection.database)
    if cached is not None and cached[0] == key:
        return cached[1]
    applied = _APPLIED_LEAN.rows(connection) if key[2] else []
    return _remember(connection.database, key, _EVERY_VERSION_LEAN.rows(connection), applied)


def _remember(
    database: str,
    key: tuple[uuid.UUID, int, int],
    rows: Sequence[Sequence[Any]],
    applied: Sequence[Sequence[Any]],
) -> ProgramState:
    versions = {row[0]: (row[1], _terms_of(row[2])) for row in rows}
    newest = next(row for row in rows if row[0] == key[0])
    experiments = (_applied(row) for row in applied)
    state = ProgramState(
        key[0],
        _parse_program(newest[2]),
        versions,
        terms_timeline(list(versions.values())) if versions else None,
        tuple(sorted((e for e in experiments if e is not None), key=lambda e: e.starts)),
    )
    _STATES[database] = (key, state)
    return state


def _applied(row: Sequence[Any]) -> AppliedExperiment | None:
    """An experiment row as a sale applies it; an offer that cannot be read (not written by
    create_experiment) applies nothing rather than stop every sale."""
    try:
        offer = json.loads(row[6] or "{}")
        return AppliedExperiment.from_row(
            row[0], row[1], row[2], int(row[3]), row[4], row[5], offer
        )
    except (ValueError, TypeError, KeyError, ArithmeticError, AttributeError):
        return None


_PROGRAM_CACHE: dict[str, Program] = {}
_TERMS_CACHE: dict[str, CardTerms] = {}


def _parse_program(document: str) -> Program:
    program = _PROGRAM_CACHE.get(document)
    if program is None:
        program = Program.from_json(json.loads(document))
        _PROGRAM_CACHE[document] = program
    return program


def _terms_of(document: str) -> CardTerms:
    """A version's stamp card terms (read from the document, as every version is kept)."""
    terms = _TERMS_CACHE.get(document)
    if terms is None:
        stamps = json.loads(document)["stamps"]
        terms = CardTerms(int(stamps["goal"]), str(stamps["reward"]).strip())
        _TERMS_CACHE[document] = terms
    return terms


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
