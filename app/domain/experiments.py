"""Experiments: an offer tested against a holdout or a second variant (issue 19).

**Assignment** is a stable hash, so every register, every run and every later report puts a
member in the same group without storing the assignment: the first 8 bytes of
``SHA-256("<experiment id hex>:<member id hex>")`` read as a big-endian integer, modulo 10,000,
give a bucket 0–9,999; a bucket below ``treatment_percent × 100`` is group ``A`` (gets the
offer), the rest is ``B`` (the holdout, which gets nothing, or the second variant). A new
experiment has a new id, hence an independent split.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import date

from app.domain.errors import Refused

KINDS = ("coupon", "campaign", "stamp_goal", "message")
DESIGNS = ("holdout", "variant")
MAX_DAYS = 366
BUCKETS = 10_000


def bucket(experiment_id: uuid.UUID, customer_id: uuid.UUID) -> int:
    """The member's bucket 0..9999 in this experiment (the documented hash)."""
    digest = hashlib.sha256(f"{experiment_id.hex}:{customer_id.hex}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS


def group_of(experiment_id: uuid.UUID, customer_id: uuid.UUID, treatment_percent: int) -> str:
    """``"A"`` (the offer) or ``"B"`` (holdout or second variant)."""
    return "A" if bucket(experiment_id, customer_id) < treatment_percent * 100 else "B"


def check_experiment(
    name: str, kind: str, design: str, treatment_percent: int, start: date, end: date
) -> str:
    """The experiment's name, trimmed; refuses what cannot be run."""
    text = (name or "").strip()
    if not text or len(text) > 100:
        raise Refused("experiment.name")
    if kind not in KINDS:
        raise Refused("experiment.kind", kind=kind, kinds=", ".join(KINDS))
    if design not in DESIGNS:
        raise Refused("experiment.design", design=design)
    if not 1 <= treatment_percent <= 99:
        raise Refused("experiment.percent")
    if end < start:
        raise Refused("experiment.dates")
    if (end - start).days + 1 > MAX_DAYS:
        raise Refused("experiment.too_long", maximum=MAX_DAYS)
    return text
