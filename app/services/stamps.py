"""A customer's stamp cards, each with the goal and reward it was started with.

Derived, not stored: the ledger (append-only) says when every stamp came and went, and the
program history (every version kept, each sale naming its own) says which terms were in force
then. A stored "goal of the card" would be a second truth to keep right through voids, merges,
imports, restores and the merge of several registers' ledgers by sync; the replay is right in
all of them by construction, and for databases made before cards kept their goal too.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import LedgerEntry, ProgramVersion, Sale
from app.domain.program import Program
from app.domain.stamp_cards import (
    CardTerms,
    StampCards,
    StampMove,
    TermsTimeline,
    cards_from_balance,
    replay_stamp_cards,
    terms_timeline,
)
from app.services.program import current_program

_TERMS_CACHE: dict[str, CardTerms] = {}


def card_terms(program: Program) -> CardTerms:
    return CardTerms(program.stamps.goal, program.stamps.reward)


def _terms_of(document: str) -> CardTerms:
    terms = _TERMS_CACHE.get(document)
    if terms is None:
        stamps = json.loads(document)["stamps"]
        terms = CardTerms(int(stamps["goal"]), str(stamps["reward"]).strip())
        _TERMS_CACHE[document] = terms
    return terms


def _versions(session: Session) -> dict[uuid.UUID, tuple[datetime, CardTerms]]:
    rows = session.execute(
        select(ProgramVersion.id, ProgramVersion.created_at, ProgramVersion.document)
    )
    return {row.id: (row.created_at, _terms_of(row.document)) for row in rows}


def stamp_cards(
    session: Session,
    customer_id: uuid.UUID,
    *,
    balance: int,
    program: Program | None = None,
    until: uuid.UUID | None = None,
) -> StampCards:
    """The cards of a customer whose stamp balance is `balance` (through entry `until`).

    `program` is the one in force (new cards get its terms); read when not given."""
    versions = _versions(session)
    if program is None:
        program = current_program(session)[1]
    terms_now = card_terms(program)
    timeline = terms_timeline(list(versions.values())) if versions else None
    if timeline is None or (timeline.constant and timeline.terms[0] == terms_now):
        return cards_from_balance(balance, terms_now)
    return replay_stamp_cards(_moves(session, customer_id, versions, timeline, until), terms_now)


def _moves(
    session: Session,
    customer_id: uuid.UUID,
    versions: dict[uuid.UUID, tuple[datetime, CardTerms]],
    timeline: TermsTimeline,
    until: uuid.UUID | None,
) -> list[StampMove]:
    e = LedgerEntry
    query = (
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
        .where(e.customer_id == customer_id, e.stamps != 0)
        .order_by(e.occurred_at, e.id)
    )
    if until is not None:
        query = query.where(e.id <= until)
    moves = []
    for row in session.execute(query):
        named = versions.get(row.program_version_id) if row.program_version_id else None
        moves.append(
            StampMove(
                key=row.id,
                stamps=row.stamps,
                terms=named[1] if named else timeline.at(row.occurred_at),
                reward_used=row.kind == "redeem" and row.redemption_id is not None,
                restores=(
                    row.reverses_id
                    if row.kind == "void" and row.redemption_id is not None
                    else None
                ),
            )
        )
    return moves
