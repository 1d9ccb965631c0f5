"""What the tap does with a receipt it read: a sale waiting for a member, a cancel, a refund.

A parsed receipt with an amount and a number becomes a pending sale under that number (the
cashier, or the customer at the check-in display, attaches the member); a reprint carries the
same number and so records nothing new; a cancel receipt cancels the sale it names by its
original number, or refunds part of it when it takes back less than what remains. A receipt
that cannot be read, or one whose sale is unknown, is reported and changes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from app.domain.errors import Refused
from app.domain.receipts import Receipt, ReceiptPatterns, read_receipt
from app.services import pos
from app.services.context import Context

PATTERNS_SETTING = "pos_receipt_patterns"  # JSON: ReceiptPatterns.from_json; absent = defaults


@dataclass(frozen=True)
class TapOutcome:
    kind: str  # pending, repeat, cancelled, refunded, unreadable, unknown_sale, refused
    ref: str | None
    amount: int | None
    detail: str | None = None


def patterns_of(ctx: Context) -> ReceiptPatterns:
    raw = ctx.settings.get(PATTERNS_SETTING)
    if not raw:
        return ReceiptPatterns()
    try:
        data = json.loads(raw) if isinstance(raw, str) else raw
        return ReceiptPatterns.from_json(dict(data))
    except (ValueError, TypeError):
        return ReceiptPatterns()  # a damaged setting never stops the tap: the defaults read


def post_receipt(ctx: Context, data: bytes) -> TapOutcome:
    receipt = read_receipt(data, patterns_of(ctx))
    if not receipt.usable and not (receipt.cancel and receipt.original_ref):
        return TapOutcome("unreadable", receipt.ref, receipt.amount)
    try:
        if receipt.cancel:
            return _cancel(ctx, receipt)
        assert receipt.ref is not None and receipt.amount is not None
        result = pos.post_sale(ctx, _ref(receipt.ref), receipt.amount, source="tap")
        return TapOutcome("pending" if result.created else "repeat", result.pos.ref, receipt.amount)
    except Refused as refused:
        return TapOutcome("refused", receipt.ref, receipt.amount, refused.code)


def _ref(text: str) -> str:
    return text.strip()[:64]


def _cancel(ctx: Context, receipt: Receipt) -> TapOutcome:
    original = receipt.original_ref
    if original is None:
        return TapOutcome("unknown_sale", receipt.ref, receipt.amount)
    try:
        sale = pos.pos_sale(ctx, original)
    except Refused:
        return TapOutcome("unknown_sale", original, receipt.amount)
    if sale.status == "posted" and receipt.amount and receipt.ref and receipt.amount < sale.amount:
        refund = pos.refund(ctx, original, _ref(receipt.ref), receipt.amount)
        if refund.remaining_amount > 0:
            return TapOutcome("refunded", original, receipt.amount)
    pos.cancel(ctx, original)
    return TapOutcome("cancelled", original, receipt.amount)
