"""Row ids every register derives alike, so work two registers did offline merges into one.

The monthly tier evaluation of a member for a period is the same fact wherever it was
written: its id is uuid5 of what it is about (member + period), not a fresh uuid7. The
expiry of a member's lots is too, but a ledger entry's id is also its place in the ledger's
order (the running balance, a slip's balances as of its action), so its id is a uuid7 whose
time is a moment every register shares -- the newest due lot's expiry -- and whose random
bits are a hash of what it is about, marked in the 12 bits after the version (`EXPIRY_MARK`).
Pushed from two registers, the second is "the same row pushed twice" (sync merges by id and
takes the central copy), not a second expiry in "needs attention".
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

# fixed forever: changing it would give the same fact two ids on two versions of the program
NAMESPACE = uuid.UUID("5b0f5c2e-7d1a-5e55-9a0e-d4a7c0de2020")
DERIVED_VERSION = 5
# rand_a of a derived expiry's uuid7: a random uuid7 carries it one time in 4,096, which only
# makes sync compare a row pushed twice with its copy (they are equal: nothing changes)
EXPIRY_MARK = 0xE59
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def evaluation_id(customer_id: uuid.UUID, period: str) -> uuid.UUID:
    """The tier change of a member's monthly evaluation for a period ('YYYY-MM')."""
    return uuid.uuid5(NAMESPACE, f"tier-evaluation:{customer_id.hex}:{period}")


def expiry_id(customer_id: uuid.UUID, moment: datetime, due: int, consumed: int) -> uuid.UUID:
    """The expire entry of a member's points due by `moment` (the newest due lot's expiry):
    `due` points, after `consumed` points used or expired before it.

    Two registers that saw the same history write the same id; a different history (a use
    one of them did not see) gives other figures, hence another id: two facts, as before.
    Its time is `moment`: before every entry written after the lots expired, which all
    settle the expiry first (the same id, wherever it is written)."""
    ms = (moment - _EPOCH) // timedelta(milliseconds=1)
    what = f"expiry:{customer_id.hex}:{ms}:{due}:{consumed}".encode()
    rand_b = int.from_bytes(hashlib.sha256(what).digest()[:8], "big") & ((1 << 62) - 1)
    return uuid.UUID(int=(ms << 80) | (7 << 76) | (EXPIRY_MARK << 64) | (0b10 << 62) | rand_b)


def is_derived(row_id: uuid.UUID) -> bool:
    if row_id.version == DERIVED_VERSION:
        return True
    return row_id.version == 7 and (row_id.int >> 64) & 0xFFF == EXPIRY_MARK
