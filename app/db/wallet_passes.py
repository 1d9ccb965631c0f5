"""The members' Google Wallet objects (`mobile_wallet_passes`) as a card moves: SQL the card
replacement and the merge of two records share with the wallet's own use cases."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from app.db.models import MobileWalletPass


def requeue_member(
    session: Session,
    customer_id: uuid.UUID,
    now: datetime,
    *,
    token: str | None = None,
    into: uuid.UUID | None = None,
) -> None:
    """Queue the member's objects for the outbox again (a new card's token as their barcode,
    or the record they were merged into as their member). `pushed_points` is forgotten, so
    the outbox's scan queues them again should this send fail for good."""
    values: dict[str, object] = {
        "status": "queued",
        "attempts": 0,
        "send_after": now,
        "last_error": None,
        "pushed_points": None,
    }
    if token is not None:
        values["token"] = token
    if into is not None:
        values["customer_id"] = into
    session.execute(
        update(MobileWalletPass)
        .where(MobileWalletPass.kind == "google", MobileWalletPass.customer_id == customer_id)
        .values(**values)
    )
