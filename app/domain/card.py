"""Membership card tokens printed in the QR code: 16 digits, never starting with 0, Luhn-checked."""

from __future__ import annotations

import random
import re
import secrets
import unicodedata

CARD_TOKEN_LENGTH = 16
# what people put between the groups of four when they copy a printed number
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212]")


def normalize_card_token(text: str) -> str:
    """A card number as typed or printed ("9550 5273 9093 0219", dashes, wide digits) as a token."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text))


def luhn_check_digit(digits: str) -> str:
    """The Luhn digit to append to `digits` so that the whole string passes the Luhn check."""
    if not (digits.isascii() and digits.isdigit()):
        raise ValueError(f"Luhn payload must be ASCII digits, got {digits!r}")
    total = 0
    # The check digit will sit at the right, so the payload's last digit is doubled.
    for position, ch in enumerate(reversed(digits)):
        value = int(ch)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def new_card_token(rng: random.Random | None = None) -> str:
    """A fresh token: a first digit 1-9 (never read as a phone number), 14 digits, a check digit."""
    rng = rng or secrets.SystemRandom()
    payload = str(rng.randint(1, 9)) + "".join(
        str(rng.randrange(10)) for _ in range(CARD_TOKEN_LENGTH - 2)
    )
    return payload + luhn_check_digit(payload)


def is_valid_card_token(text: str) -> bool:
    """True for exactly 16 ASCII digits, not starting with 0, with a correct check digit."""
    if len(text) != CARD_TOKEN_LENGTH or not (text.isascii() and text.isdigit()):
        return False
    if text[0] == "0":
        return False
    return luhn_check_digit(text[:-1]) == text[-1]


def format_card_token(token: str) -> str:
    """Groups of four for printing under the QR code: "1234 5678 9012 3456"."""
    return " ".join(token[i : i + 4] for i in range(0, len(token), 4))
