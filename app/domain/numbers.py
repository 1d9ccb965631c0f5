"""The one strict reader of typed numbers: ASCII digits and full-width digits, nothing else.

str.isdigit() and int() also take Arabic-Indic, Devanagari or superscript digits ("١٠٠٠" is
1000 to int(), "²" passes isdigit() and then crashes int()); a Korean shop types neither.
"""

from __future__ import annotations

ASCII_DIGITS = "0123456789"
FULL_WIDTH_DIGITS = "０１２３４５６７８９"
_TO_ASCII = str.maketrans(FULL_WIDTH_DIGITS, ASCII_DIGITS)


def plain_digits_only(text: str) -> bool:
    """True when every numeric character of text is an ASCII or a full-width digit."""
    return all(ch in ASCII_DIGITS or ch in FULL_WIDTH_DIGITS for ch in text if ch.isnumeric())


def ascii_digits(text: str) -> str:
    """text with full-width digits made ASCII (other characters untouched)."""
    return text.translate(_TO_ASCII)


def parse_count(text: str) -> int | None:
    """A whole number >= 0 written only in ASCII or full-width digits; anything else is None."""
    digits = ascii_digits(text)
    if not digits or not all(ch in ASCII_DIGITS for ch in digits):
        return None
    return int(digits)
