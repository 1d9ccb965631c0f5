"""Row ids every register derives alike, so work two registers did offline merges into one.

The monthly tier evaluation of a member for a period is the same fact wherever it was
written: its id is uuid5 of what it is about (member + period), not a fresh uuid7. (Not the
daily expiry: ledger entries are ordered by their time-ordered ids; see
app.services.ledger.expiry_rows.) Pushed from two registers, the second is
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


def is_derived(row_id: uuid.UUID) -> bool:
    return row_id.version == DERIVED_VERSION
