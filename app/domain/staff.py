"""A member of staff as the screens see them (no PIN hash, no database row)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class StaffMember:
    id: uuid.UUID
    name: str
    role: str
    active: bool
    has_pin: bool
