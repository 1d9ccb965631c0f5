"""Coupons: codes a cashier can read aloud, issue rules, validity and the discount they give.

Decisions: a code is 8 characters from an alphabet without 0/O/1/I/L, stored without a dash
and shown as "ABCD-EFGH". A coupon is valid from valid_from (inclusive) until valid_until
(exclusive); coupon_validity() makes a window of `days` local calendar days counting the
issue day.
"""

from __future__ import annotations

import random
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from decimal import Decimal

from app.domain.errors import Refused
from app.domain.money import MAX_SALE_WON, percent_of

COUPON_KINDS = ("amount", "percent", "item")
COUPON_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
COUPON_CODE_LENGTH = 8
MAX_COUPON_DAYS = 3650

_IGNORED_IN_CODE = frozenset(" -‐‑‒–—―−")


def new_coupon_code(rng: random.Random | None = None) -> str:
    """8 random characters from the unambiguous alphabet, stored without a dash."""
    rng = rng or secrets.SystemRandom()
    return "".join(rng.choice(COUPON_ALPHABET) for _ in range(COUPON_CODE_LENGTH))


def normalize_coupon_code(text: str) -> str:
    """Accept lowercase, dashes, spaces and full-width characters; refuse anything else."""
    cleaned = unicodedata.normalize("NFKC", text).upper()
    code = "".join(ch for ch in cleaned if ch not in _IGNORED_IN_CODE and not ch.isspace())
    if len(code) != COUPON_CODE_LENGTH or any(ch not in COUPON_ALPHABET for ch in code):
        raise Refused("coupon.code_invalid", text=text.strip())
    return code


def format_coupon_code(code: str) -> str:
    """ "ABCDEFGH" -> "ABCD-EFGH" for screens and slips."""
    return f"{code[:4]}-{code[4:]}"


def check_coupon_issue(kind: str, value: int, days: int) -> None:
    """Refuse a coupon whose kind, value or validity in days makes no sense."""
    if kind not in COUPON_KINDS:
        raise Refused("coupon.kind", kind=kind)
    if kind == "amount" and not 1 <= value <= MAX_SALE_WON:
        raise Refused("coupon.value", value=value)
    if kind == "percent" and not 1 <= value <= 100:
        raise Refused("coupon.percent_range", value=value)
    if kind == "item" and value < 0:
        raise Refused("coupon.value", value=value)
    if not 1 <= days <= MAX_COUPON_DAYS:
        raise Refused("coupon.days", days=days, max=MAX_COUPON_DAYS)


def coupon_validity(issued_at: datetime, days: int, zone: tzinfo) -> tuple[datetime, datetime]:
    """From the issue moment until local midnight after `days` calendar days (issue day = 1)."""
    if issued_at.tzinfo is None:
        raise ValueError("issued_at must be timezone-aware")
    first_day = issued_at.astimezone(zone).date()
    until = datetime.combine(first_day + timedelta(days=days), time(0), tzinfo=zone)
    return issued_at, until


@dataclass(frozen=True)
class CouponState:
    code: str
    kind: str
    value: int
    valid_from: datetime
    valid_until: datetime  # exclusive
    used_at: datetime | None


def check_coupon_usable(coupon: CouponState, now: datetime) -> None:
    """Refuse a used coupon or one outside its validity window; dates shown in now's zone."""
    if coupon.used_at is not None:
        raise Refused("coupon.used", used_at=_local_date(coupon.used_at, now))
    if now < coupon.valid_from:
        raise Refused("coupon.not_yet_valid", valid_from=_local_date(coupon.valid_from, now))
    if now >= coupon.valid_until:
        last_valid = coupon.valid_until - timedelta(microseconds=1)
        raise Refused("coupon.expired", valid_until=_local_date(last_valid, now))


def _local_date(moment: datetime, now: datetime) -> str:
    return moment.astimezone(now.tzinfo).date().isoformat()


def coupon_discount(kind: str, value: int, amount: int) -> int:
    """Won off the amount: fixed amount capped at the amount, percent floored, item 0."""
    if amount < 0:
        raise Refused("amount.not_positive")
    if kind == "amount":
        return min(value, amount)
    if kind == "percent":
        return percent_of(amount, Decimal(value))
    if kind == "item":
        return 0
    raise Refused("coupon.kind", kind=kind)
