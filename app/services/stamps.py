"""A customer's stamp cards, each with the goal and reward it was started with.

Derived, not stored: the ledger (append-only) says when every stamp came and went, and the
program history (every version kept, each sale naming its own) says which terms were in force
then. A stored "goal of the card" would be a second truth to keep right through voids, merges,
imports, restores and the merge of several registers' ledgers by sync; the replay is right in
all of them by construction, and for databases made before cards kept their goal too.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, Uuid, bindparam, select
from sqlalchemy.orm import Session

from app.db.models import LedgerEntry, Sale
from app.domain.experiments import GoalWindow, goal_at, goal_windows
from app.domain.program import Program
from app.domain.stamp_cards import (
    CardTerms,
    StampCards,
    StampMove,
    TermsTimeline,
    cards_from_balance,
    replay_stamp_cards,
)
from app.services.program import ProgramState, program_state


def card_terms(program: Program) -> CardTerms:
    return CardTerms(program.stamps.goal, program.stamps.reward)


def stamp_cards(
    session: Session,
    customer_id: uuid.UUID,
    *,
    balance: int,
    program: Program | None = None,
    until: uuid.UUID | None = None,
    state: ProgramState | None = None,
    now: datetime | None = None,
) -> StampCards:
    """The cards of a customer whose stamp balance is `balance` (through entry `until`).

    `program` is the one in force (new cards get its terms); `state` the program's versions
    (read when not given). In a stamp goal experiment's group, a card started in its days
    needs the group's goal (and keeps it); `now`, when given, says whether a new card would."""
    if state is None:
        state = program_state(session)
    terms_now = card_terms(program if program is not None else state.program)
    windows = goal_windows(state.experiments, customer_id) if state.experiments else ()
    if not needs_replay(state, terms_now, windows):
        return cards_from_balance(balance, terms_now)
    assert state.timeline is not None  # needs_replay: there are versions
    moves = _moves(session, customer_id, state.versions, state.timeline, until, windows)
    return replay_stamp_cards(moves, new_card_terms(terms_now, windows, now))


def needs_replay(
    state: ProgramState, terms_now: CardTerms, windows: tuple[GoalWindow, ...] = ()
) -> bool:
    """Whether the cards must be replayed from the ledger: the terms changed at some point,
    or the member's cards took an experiment's goal."""
    timeline = state.timeline
    if windows and timeline is not None:
        return True
    return not (timeline is None or (timeline.constant and timeline.terms[0] == terms_now))


def new_card_terms(
    terms_now: CardTerms, windows: tuple[GoalWindow, ...], now: datetime | None
) -> CardTerms:
    """The terms a card started now gets: an experiment's goal during its days."""
    goal = goal_at(windows, now) if windows and now is not None else None
    return terms_now if goal is None else CardTerms(goal, terms_now.reward)


def _moves_statement() -> Select[*tuple[Any, ...]]:
    """Every stamp move of a customer, oldest first, with the program version of its sale."""
    e = LedgerEntry
    return (
        select(
            e.id,
            e.kind,
            e.stamps,
            e.occurred_at,
            e.redemption_id,
            e.reverses_id,
            Sale.program_version_id,
        )
        .outerjoin(Sale, Sale.id == e.sale_id)
        .where(e.customer_id == bindparam("customer_id", type_=Uuid()), e.stamps != 0)
        .order_by(e.occurred_at, e.id)
    )


MOVES = _moves_statement()
MOVES_UNTIL = MOVES.where(LedgerEntry.id <= bindparam("until", type_=Uuid()))


def moves_of(
    rows: Iterable[Sequence[Any]],
    versions: dict[uuid.UUID, tuple[datetime, CardTerms]],
    timeline: TermsTimeline,
    windows: tuple[GoalWindow, ...] = (),
) -> list[StampMove]:
    """The rows of moves_statement as the replay takes them, each with its card terms (an
    experiment's goal in its days, for a member of its group: `windows`)."""
    moves = []
    for key, kind, stamps, occurred_at, redemption_id, reverses_id, version_id in rows:
        named = versions.get(version_id) if version_id else None
        terms = named[1] if named else timeline.at(occurred_at)
        goal = goal_at(windows, occurred_at) if windows else None
        moves.append(
            StampMove(
                key=key,
                stamps=stamps,
                terms=terms if goal is None else CardTerms(goal, terms.reward),
                reward_used=kind == "redeem" and redemption_id is not None,
                restores=reverses_id if kind == "void" and redemption_id is not None else None,
            )
        )
    return moves


def _moves(
    session: Session,
    customer_id: uuid.UUID,
    versions: dict[uuid.UUID, tuple[datetime, CardTerms]],
    timeline: TermsTimeline,
    until: uuid.UUID | None,
    windows: tuple[GoalWindow, ...] = (),
) -> list[StampMove]:
    if until is None:
        rows = session.execute(MOVES, {"customer_id": customer_id})
    else:
        rows = session.execute(MOVES_UNTIL, {"customer_id": customer_id, "until": until})
    return moves_of(rows, versions, timeline, windows)
