"""Reading and verifying the audit log (each row carries the hash of the one before)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.db.models import AuditEntry
from app.services.shop import GENESIS_HASH, Shop, audit_hash


@dataclass(frozen=True)
class ChainCheck:
    intact: bool
    rows: int
    registers: int
    first_broken: uuid.UUID | None = None

    def to_json(self, shop: Shop | None = None) -> dict[str, Any]:
        return {
            "intact": self.intact,
            "rows": self.rows,
            "registers": self.registers,
            "first_broken": str(self.first_broken) if self.first_broken else None,
        }


def verify_audit_chain(shop: Shop) -> ChainCheck:
    """Recompute every hash, register by register in the order rows were written."""
    last: dict[uuid.UUID | None, str] = {}
    rows = 0
    with shop.db.read() as session:
        for entry in session.scalars(
            select(AuditEntry).order_by(AuditEntry.register_id, AuditEntry.id)
        ).yield_per(2000):
            rows += 1
            expected_prev = last.get(entry.register_id, GENESIS_HASH)
            if entry.prev_hash != expected_prev or entry.hash != audit_hash(entry):
                return ChainCheck(False, rows, len(last) + 1, entry.id)
            last[entry.register_id] = entry.hash
    return ChainCheck(True, rows, len(last))
