"""What the cashier typed in the one search field: a phone, the last 4 digits, a card, or a name.

A USB scanner in keyboard mode types through the Korean IME, so a card with letters arrives as
Hangul; `jamo_to_qwerty` maps it back to the keys. Case cannot be recovered (Shift+R gives ㄲ but
Shift+A still gives ㅁ), so the mapping is lowercase and legacy letter cards must be matched
case-insensitively.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from app.domain.card import is_valid_card_token, normalize_card_token
from app.domain.errors import Refused
from app.domain.phone import Phone, parse_phone

# The 2-beolsik keyboard: each jamo and the QWERTY key it sits on (shifted ones are upper case).
_KEYBOARD = {
    **dict(
        zip(
            "ㅂㅈㄷㄱㅅㅛㅕㅑㅐㅔㅁㄴㅇㄹㅎㅗㅓㅏㅣㅋㅌㅊㅍㅠㅜㅡ",
            "qwertyuiopasdfghjklzxcvbnm",
            strict=True,
        )
    ),
    **dict(zip("ㅃㅉㄸㄲㅆㅒㅖ", "qwertop", strict=True)),
}
# Compound vowels and final consonant clusters are typed as two keys.
_COMPOUNDS = {
    **{
        "ㅘ": "ㅗㅏ",
        "ㅙ": "ㅗㅐ",
        "ㅚ": "ㅗㅣ",
        "ㅝ": "ㅜㅓ",
        "ㅞ": "ㅜㅔ",
        "ㅟ": "ㅜㅣ",
        "ㅢ": "ㅡㅣ",
    },
    **{"ㄳ": "ㄱㅅ", "ㄵ": "ㄴㅈ", "ㄶ": "ㄴㅎ", "ㄺ": "ㄹㄱ", "ㄻ": "ㄹㅁ", "ㄼ": "ㄹㅂ"},
    **{"ㄽ": "ㄹㅅ", "ㄾ": "ㄹㅌ", "ㄿ": "ㄹㅍ", "ㅀ": "ㄹㅎ", "ㅄ": "ㅂㅅ"},
}
# Conjoining jamo (what NFKD gives for syllables and compatibility jamo), in Unicode order.
_INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"  # U+1100..
_MEDIALS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"  # U+1161..
_FINALS = "ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"  # U+11A8..


def _keys_of(jamo: str) -> str:
    return "".join(_KEYBOARD[part] for part in _COMPOUNDS.get(jamo, jamo))


_JAMO_KEYS: dict[str, str] = {
    chr(base + i): _keys_of(jamo)
    for base, table in ((0x1100, _INITIALS), (0x1161, _MEDIALS), (0x11A8, _FINALS))
    for i, jamo in enumerate(table)
}

# A card with letters from before the numeric cards: letters and digits, no spaces.
_LEGACY_CARD = re.compile(r"(?=.*[a-z])(?=.*\d)[a-z\d]{6,32}")
_LAST4 = re.compile(r"\d{4}")
_WHITESPACE = re.compile(r"\s+")

KINDS = ("phone", "last4", "card", "name", "invalid")


@dataclass(frozen=True)
class Query:
    """The classified search text; value is normalized for lookup."""

    kind: str  # "phone" | "last4" | "card" | "name" | "invalid"
    value: str
    phone: Phone | None = None


def jamo_to_qwerty(text: str) -> str:
    """Map Hangul typed by the 2-beolsik IME back to its QWERTY keys, lowercase ("ㄲ" -> "r")."""
    keys = []
    for ch in unicodedata.normalize("NFKD", text):
        keys.append(_JAMO_KEYS.get(ch, ch.lower()))
    return "".join(keys)


def _has_hangul(text: str) -> bool:
    if text.isascii():  # a phone, a card, a name in Latin letters: the usual case, at once
        return False
    return any(_is_hangul(ch) for ch in text)


def _is_hangul(ch: str) -> bool:
    code = ord(ch)
    return (
        0xAC00 <= code <= 0xD7A3  # syllables
        or 0x1100 <= code <= 0x11FF  # conjoining jamo
        or 0x3131 <= code <= 0x318E  # compatibility jamo
    )


def _card_from_scan(text: str) -> str | None:
    """The card a scan spelled, if Hangul text maps back to digits or a letters-and-digits code."""
    keys = jamo_to_qwerty(text)
    if is_valid_card_token(keys) or (keys.isascii() and _LEGACY_CARD.fullmatch(keys)):
        return keys
    return None


def classify_query(text: str) -> Query:
    """Decide what the search text is; never raises."""
    cleaned = unicodedata.normalize("NFKC", text).strip()
    if not cleaned:
        return Query("invalid", "")
    if _has_hangul(cleaned):
        card = _card_from_scan(cleaned)
        if card is not None:
            return Query("card", card)
    compact = normalize_card_token(cleaned)
    if is_valid_card_token(compact):
        return Query("card", compact)
    # an older card printed with letters, scanned with the input method off (as the search
    # field has it): the letters arrive as typed; case is not kept, as with the IME
    if compact.isascii() and _LEGACY_CARD.fullmatch(compact.lower()):
        return Query("card", compact.lower())
    if _LAST4.fullmatch(cleaned):
        return Query("last4", cleaned)
    try:
        phone = parse_phone(cleaned, allow_landline=True, allow_legacy=True)
    except Refused:
        pass
    else:
        return Query("phone", phone.national, phone)
    has_letters = any(ch.isalpha() for ch in cleaned)
    has_digits = any(ch.isdigit() for ch in cleaned)
    if has_letters and not has_digits:
        return Query("name", _WHITESPACE.sub(" ", cleaned))
    return Query("invalid", cleaned)
