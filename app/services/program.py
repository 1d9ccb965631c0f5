"""Showing and replacing the program; every version is kept with who loaded it."""

from __future__ import annotations

import json
from typing import Any

from app.db.models import ProgramVersion
from app.domain.program import Program
from app.services.shop import Shop, audit, current_program


def show_program(shop: Shop) -> dict[str, Any]:
    with shop.db.read() as session:
        return current_program(session)[1].to_json()


def load_program(shop: Shop, document: object) -> Program:
    """Validate first; only a sound program replaces the one in force (new actions only)."""
    program = Program.from_json(document)
    with shop.db.write() as session:
        version = ProgramVersion(
            created_at=shop.now(),
            staff_id=shop.staff_id,
            document=json.dumps(program.to_json(), ensure_ascii=False),
            register_id=shop.register_id,
        )
        session.add(version)
        session.flush()
        audit(shop, session, "program.load", target=version.id)
    return program


def program_in_force(shop: Shop) -> Program:
    with shop.db.read() as session:
        return current_program(session)[1]
