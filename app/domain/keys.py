"""Row ids every register derives alike, so work two registers did offline merges into one.

The monthly tier evaluation of a member for a period, and the expiry of the same lots of a
member, are the same fact wherever they were written: their ids are uuid5 of what they are
about (member + period + kind), not a fresh uuid7. Pushed from two registers, the second is
"the same row pushed twice" (sync merges by id), not a unique key refused into "needs
attention". A derived id is a version-5 UUID: sync recognises such rows by that alone.
"""

from __future__ import annotations

import uuid

# fixed forever: changing it would give the same fact two ids on two versions of the program
NAMESPACE = uuid.UUID("5b0f5c2e-7d1a-5e55-9a0e-d4a7c0de2020")
DERIVED_VERSION = 5


def evaluation_id(customer_id: uuid.UUID, period: str) -> uuid.UUID:
    """The tier change of a member's monthly evaluation for a period ('YYYY-MM')."""
    return uuid.uuid5(NAMESPACE, f"tier-evaluation:{customer_id.hex}:{period}")


def expiry_id(customer_id: uuid.UUID, lots_due: int, consumed: int) -> uuid.UUID:
    """The expire entry of a member's lots: which lots are due (the points of every lot
    expired by now) and what was already taken from them identify the expiry, whichever
    register and moment wrote it (both then expire the same points)."""
    return uuid.uuid5(NAMESPACE, f"expiry:{customer_id.hex}:{lots_due}:{consumed}")


def is_derived(row_id: uuid.UUID) -> bool:
    return row_id.version == DERIVED_VERSION
