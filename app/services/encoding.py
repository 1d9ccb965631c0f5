"""One JSON encoder for what the services return: dataclasses walked field by field.

Moments are ISO 8601 in the shop's zone, dates ISO 8601, UUIDs strings, Decimals numbers,
enums their values, tuples lists. A type whose public JSON differs from its fields says how in
one `Shape` (renamed, left out, converted, computed keys) in the table below; the JSON keys are
a public contract (tests/cli/test_json_contract.py).
"""

from __future__ import annotations

import dataclasses
import enum
import uuid
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from types import MappingProxyType
from typing import Any, Protocol


class Zoned(Protocol):
    """What the encoder needs of the shop: its local time zone."""

    def local(self, moment: datetime) -> datetime: ...


Convert = Callable[[Any, "Encoder"], Any]


@dataclasses.dataclass(frozen=True)
class Shape:
    """How one dataclass's JSON differs from its fields."""

    rename: Mapping[str, str] = dataclasses.field(default_factory=dict)
    omit: frozenset[str] = frozenset()
    convert: Mapping[str, Convert] = dataclasses.field(default_factory=dict)
    extra: Callable[[Any], Mapping[str, Any]] | None = None  # computed keys, after the fields


Shapes = Mapping[type, "Shape | Convert"]


class Encoder:
    """Turns a value into plain JSON data, the shop's zone at hand for moments."""

    def __init__(self, ctx: Zoned, shapes: Shapes) -> None:
        self.ctx = ctx
        self.shapes = shapes

    def __call__(self, value: Any) -> Any:
        if value is None or isinstance(value, bool | int | float | str):
            return value
        if isinstance(value, enum.Enum):
            return self(value.value)
        if isinstance(value, datetime):
            return self.ctx.local(value).isoformat()
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, uuid.UUID):
            return str(value)
        if isinstance(value, Decimal):
            return float(value)
        if isinstance(value, Mapping):
            return {key: self(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self(item) for item in value]
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return self._dataclass(value)
        return value  # anything else (a Path) is printed with str() by the caller's json.dumps

    def _dataclass(self, value: Any) -> Any:
        shape = self.shapes.get(type(value), Shape())
        if not isinstance(shape, Shape):
            return shape(value, self)
        out: dict[str, Any] = {}
        for f in dataclasses.fields(value):
            if f.name in shape.omit:
                continue
            item = getattr(value, f.name)
            convert = shape.convert.get(f.name)
            out[shape.rename.get(f.name, f.name)] = convert(item, self) if convert else self(item)
        if shape.extra is not None:
            out.update({key: self(item) for key, item in shape.extra(value).items()})
        return out


def to_json(value: Any, ctx: Zoned, shapes: Shapes | None = None) -> Any:
    """The public JSON of a service's result (or of anything built from them)."""
    return Encoder(ctx, service_shapes() if shapes is None else shapes)(value)


# --- where a result's JSON is not just its fields ------------------------------------------


def _last_valid_day(valid_until: datetime, encode: Encoder) -> str:
    from app.services.customers import last_valid_day  # customers' results use this encoder

    return last_valid_day(encode.ctx, valid_until).isoformat()


def _expiry(expires_at: datetime | None, encode: Encoder) -> str | None:
    from app.services.ledger import NEVER

    return encode(expires_at) if expires_at and expires_at != NEVER else None


def _visits(visits: list[tuple[datetime, int]], encode: Encoder) -> list[dict[str, Any]]:
    return [{"at": encode(at), "amount": amount} for at, amount in visits]


def _bad_row(row: Any, encode: Encoder) -> dict[str, Any]:
    return {"line": row.line, "code": row.code, **encode(row.params)}


def _sale_wallet(sale: Any) -> Mapping[str, Any]:
    part = sale.wallet
    found: dict[str, Any] = {}
    if part is not None:
        found.update(
            wallet_spent=part.spent, cashback_earned=part.cashback_earned, wallet=part.wallet
        )
    partner = sale.partner
    if partner is not None:  # the coalition's points (new keys, a shop in a coalition only)
        found.update(
            partner_earned=partner.earned,
            partner_spent=partner.spent,
            partner_spent_value=partner.spent_value,
            partner_balance=partner.balance,
        )
    return found


def _void_partner(void: Any) -> Mapping[str, Any]:
    if void.partner is None:
        return {}
    earned, spent = void.partner
    return {"partner_earned_back": earned, "partner_spent_back": spent}


def _refund_extra(refund: Any) -> Mapping[str, Any]:
    """negative_balance; and the wallet's part (new keys) when the sale touched the wallet."""
    extra: dict[str, Any] = {"negative_balance": refund.negative_balance}
    if refund.wallet is not None:
        extra.update(
            cashback_reversed=refund.wallet.cashback_reversed,
            cashback_restored=refund.wallet.cashback_restored,
            prepaid_restored=refund.wallet.prepaid_restored,
        )
    return extra


@cache
def service_shapes() -> Shapes:
    from app.domain.dashboard import MonthlyReport
    from app.services.customers import CouponView, CustomerStatus, Enrollment
    from app.services.owner import IssuedCoupon, LedgerLine
    from app.services.pos import PosSaleView, RefundResult
    from app.services.redemptions import RedemptionResult
    from app.services.sales import SaleResult, VoidResult
    from app.services.sync import SyncStatus
    from app.services.transfer import BadRow, ImportResult
    from app.services.wallet import WalletSale, WalletStatus

    coupon = Shape(convert={"valid_until": _last_valid_day})
    return MappingProxyType(
        {
            CouponView: coupon,
            IssuedCoupon: coupon,
            CustomerStatus: Shape(
                # offers: the counter's preview of an experiment's campaign, not the CLI's JSON
                omit=frozenset({"last4", "window_spend", "offers"}),
                convert={"last_visits": _visits},
            ),
            Enrollment: Shape(omit=frozenset({"status"})),
            LedgerLine: Shape(rename={"reverses_id": "reverses"}, convert={"expires_at": _expiry}),
            # the liability in won is the outstanding points: 1 point = 1 won
            MonthlyReport: Shape(extra=lambda r: {"points_liability_won": r.points_outstanding}),
            # what the counter screen needs back (status, slip) is not part of the CLI's JSON
            # the wallet's keys only for a program with a cashback section (extended, never null)
            SaleResult: Shape(
                omit=frozenset({"status", "slip", "wallet", "partner"}), extra=_sale_wallet
            ),
            RedemptionResult: Shape(omit=frozenset({"status"})),
            VoidResult: Shape(omit=frozenset({"status", "partner"}), extra=_void_partner),
            SyncStatus: Shape(extra=lambda s: {"in_sync": s.in_sync}),
            RefundResult: Shape(omit=frozenset({"wallet"}), extra=_refund_extra),
            # what `pos pending` and GET /v1/sales/pending list of a waiting sale
            PosSaleView: Shape(omit=frozenset({"status", "customer_id", "sale_id"})),
            ImportResult: Shape(rename={"bad": "bad_rows"}),
            BadRow: _bad_row,
            WalletStatus: Shape(
                rename={"expiring_soon": "cashback_expiring_30d"},
                omit=frozenset({"customer_id"}),
                extra=lambda w: {"total": w.total},
            ),
            WalletSale: Shape(rename={"spent": "wallet_spent"}),
        }
    )
