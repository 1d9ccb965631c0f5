"""Won amounts: exact percentages, reading what the cashier typed, and display."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from app.domain.errors import Refused
from app.domain.numbers import plain_digits_only

MAX_SALE_WON = 100_000_000

_PLAIN = re.compile(r"\d+")
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+")


def percent_of(amount: int, percent: Decimal | int) -> int:
    """floor(amount * percent / 100) in exact integer arithmetic (10,000 won at 5 % is 500)."""
    if amount < 0:
        raise Refused("amount.not_positive")
    rate = Decimal(percent)
    if not rate.is_finite() or rate < 0:
        raise ValueError(f"percent must be a finite non-negative Decimal, got {percent!r}")
    numerator, denominator = rate.as_integer_ratio()
    return (amount * numerator) // (denominator * 100)


def parse_won(text: str | int) -> int:
    """Read an amount typed as "12,000", "12000원", "₩12,000", "１２０００" or " 5000 "."""
    if isinstance(text, bool):
        raise Refused("amount.invalid", text=str(text))
    if isinstance(text, int):
        return _checked(text)
    if not plain_digits_only(text):  # NFKC would read "²" as 2
        raise Refused("amount.invalid", text=text.strip())
    cleaned = unicodedata.normalize("NFKC", text).strip()
    cleaned = cleaned.removeprefix("₩").removesuffix("원").strip()
    negative = cleaned.startswith("-")
    body = cleaned.removeprefix("-").strip()
    if not (_PLAIN.fullmatch(body) or _GROUPED.fullmatch(body)) or not body.isascii():
        raise Refused("amount.invalid", text=text.strip())
    amount = int(body.replace(",", ""))
    return _checked(-amount if negative else amount)


def _checked(amount: int) -> int:
    if amount <= 0:
        raise Refused("amount.not_positive")
    if amount > MAX_SALE_WON:
        raise Refused("amount.too_large", max=MAX_SALE_WON)
    return amount


def format_won(amount: int, lang: str = "ko") -> str:
    """ "12,000원" in Korean, "₩12,000" otherwise."""
    sign = "-" if amount < 0 else ""
    grouped = f"{abs(amount):,}"
    if lang == "ko":
        return f"{sign}{grouped}원"
    return f"{sign}₩{grouped}"


def format_figure(value: Any, unit: str, won: Callable[[int], str]) -> str:
    """A KPI's value as a person reads it: a rate as a percent, won with `won` (each door's
    own spelling), a score signed, a count grouped; "—" when there is none."""
    if value is None:
        return "—"
    if unit == "rate":
        return f"{Decimal(value) * 100:.1f}%"
    if unit == "won":
        return won(int(value))
    if unit == "score":
        return f"{int(value):+d}"
    return f"{int(value):,}"
