"""Korean phone numbers as people type them: parsing, validation, display and masking.

Rules (explicit, never phonenumbers' is_possible_number, which accepts "5678"):

* 010 mobile: 010 + 8 digits whose first digit is not 0. phonenumbers' metadata accepts
  any 8 digits after 010, but the 010-0xxx block is not issued; 010-1xxx is (and is common
  in test data), so it is accepted.
* Retired 011/016/017/018/019 mobiles: prefix + 7 or 8 digits, only with allow_legacy.
* Landlines 02 (+7 or 8 digits) and 031-033, 041-044, 051-055, 061-064 (+7 or 8 digits);
  070 internet phones (+8 digits); 050x virtual numbers (+7 or 8 digits); 15xx/16xx/18xx
  business numbers (8 digits in all). All only with allow_landline. The first digit of a
  local number is never 0.
* Country code: "+82 ..." and "82 ..." (digits starting with 82 and no "+") are read as
  Korean; no national number starts with 8, so "82 10 1234 5678" is unambiguous. A
  leading 0 after the country code ("+82 010-...") is tolerated. Any other "+" code is
  refused as foreign. A number missing its leading 0 ("1012345678") is refused.
* Separators: spaces, dashes (any Unicode dash), dots, parentheses; full-width digits are
  NFKC-normalized.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from app.domain.errors import Refused
from app.domain.numbers import plain_digits_only

MIN_DIGITS = 8
MAX_DIGITS = 12

_DASHES = "‐‑‒–—―−﹣"
_SEPARATORS = frozenset(" -.()")
_LEGACY_MOBILE = ("011", "016", "017", "018", "019")
_AREA_CODE = re.compile(r"0(?:2|3[1-3]|4[1-4]|5[1-5]|6[1-4])")
_MASK = "*"


@dataclass(frozen=True)
class _Plan:
    """What a prefix means: its kind, the prefix length and the allowed national lengths."""

    kind: str  # "mobile" | "legacy" | "landline" | "internet" | "virtual" | "business"
    prefix: str
    lengths: tuple[int, ...]


def _plan_for(national: str) -> _Plan | None:
    if national.startswith("010"):
        return _Plan("mobile", "010", (11,))
    if national[:3] in _LEGACY_MOBILE:
        return _Plan("legacy", national[:3], (10, 11))
    if national.startswith("070"):
        return _Plan("internet", "070", (11,))
    if national.startswith("050") and len(national) >= 4:
        return _Plan("virtual", national[:4], (11, 12))
    area = _AREA_CODE.match(national)
    if area:
        prefix = area.group(0)
        return _Plan("landline", prefix, (len(prefix) + 7, len(prefix) + 8))
    if national[:2] in ("15", "16", "18"):
        return _Plan("business", national[:4], (8,))
    return None


@dataclass(frozen=True)
class Phone:
    """A Korean phone number in national form, digits only (e.g. "01012345678")."""

    national: str

    def __post_init__(self) -> None:
        if not (self.national.isascii() and self.national.isdigit()):
            raise ValueError(f"Phone.national must be ASCII digits, got {self.national!r}")

    @property
    def is_business(self) -> bool:
        """15xx/16xx/18xx numbers: national only, they have no international form."""
        return len(self.national) == 8 and self.national[:2] in ("15", "16", "18")

    @property
    def e164(self) -> str:
        if self.is_business or not self.national.startswith("0"):
            return self.national
        return "+82" + self.national[1:]

    @property
    def last4(self) -> str:
        return self.national[-4:]

    @property
    def is_mobile(self) -> bool:
        return self.national.startswith("010")

    def groups(self) -> tuple[str, ...]:
        """The number split the way Koreans write it, e.g. ("010", "1234", "5678")."""
        n = self.national
        if self.is_business:
            return (n[:4], n[4:])
        if n.startswith("02") and len(n) in (9, 10):
            return (n[:2], n[2:-4], n[-4:])
        if n.startswith("050") and len(n) in (11, 12):
            return (n[:4], n[4:-4], n[-4:])
        if n.startswith("0") and len(n) in (10, 11):
            return (n[:3], n[3:-4], n[-4:])
        return (n,)

    def display(self) -> str:
        return "-".join(self.groups())

    def masked(self, style: str = "middle") -> str:
        """Mask for screens and slips: "middle" keeps the last 4 visible, "last" hides them."""
        groups = list(self.groups())
        if len(groups) == 1:
            groups = [self.national[:-4], self.last4]
        if style == "middle":
            hidden = 1 if len(groups) == 3 else 0
        elif style == "last":
            hidden = len(groups) - 1
        else:
            raise ValueError(f"unknown masking style {style!r}")
        groups[hidden] = _MASK * len(groups[hidden])
        return "-".join(groups)


# ASCII whitespace as str.isspace() has it (with the information separators 0x1c..0x1f)
_ASCII_SPACES = {code: " " for code in range(128) if chr(code).isspace()}


def _normalize(text: str) -> str:
    if text.isascii():  # what a keyboard or a scanner types: NFKC and the dashes change nothing
        return text.translate(_ASCII_SPACES).strip()
    for ch in text:
        if ch.isnumeric() and not plain_digits_only(ch):  # NFKC would read "⁸" as 8
            raise Refused("phone.invalid_chars", char=ch)
    text = unicodedata.normalize("NFKC", text)
    for dash in _DASHES:
        text = text.replace(dash, "-")
    return "".join(" " if ch.isspace() else ch for ch in text).strip()


_PLAIN_NUMBER = re.compile(r"\+?[0-9 \-.()]*")
_NOT_DIGITS = {ord(ch): None for ch in "+" + "".join(_SEPARATORS)}


def _national_digits(text: str) -> str:
    """Digits of the national number, after checking characters and the country code."""
    # every character allowed at a glance; else the loop says which one is not
    plain = _PLAIN_NUMBER.fullmatch(text)
    digits = text.translate(_NOT_DIGITS) if plain else _checked_digits(text)
    if text.startswith("+"):
        if not digits.startswith("82"):
            raise Refused("phone.not_korean")
        return _after_country_code(digits[2:])
    if digits.startswith("82"):
        return _after_country_code(digits[2:])
    return digits


def _checked_digits(text: str) -> str:
    for i, ch in enumerate(text):
        if ch.isascii() and ch.isdigit():
            continue
        if ch in _SEPARATORS or (ch == "+" and i == 0):
            continue
        raise Refused("phone.invalid_chars", char=ch)
    return "".join(ch for ch in text if ch.isdigit())


def _after_country_code(rest: str) -> str:
    if rest.startswith("0"):
        return rest
    if len(rest) == 8 and rest[:2] in ("15", "16", "18"):
        return rest
    return "0" + rest


def parse_phone(text: str, *, allow_landline: bool = False, allow_legacy: bool = False) -> Phone:
    """Read a phone number typed any common way; refuse with a specific code otherwise."""
    cleaned = _normalize(text)
    if not cleaned:
        raise Refused("phone.empty")
    national = _national_digits(cleaned)
    if len(national) < MIN_DIGITS:
        raise Refused("phone.too_short", digits=len(national))
    if len(national) > MAX_DIGITS:
        raise Refused("phone.too_long", digits=len(national))
    plan = _plan_for(national)
    if plan is None:
        raise Refused("phone.invalid")
    if plan.kind == "legacy" and not allow_legacy:
        raise Refused("phone.retired_prefix", prefix=plan.prefix)
    if plan.kind not in ("mobile", "legacy") and not allow_landline:
        raise Refused("phone.not_mobile")
    if len(national) < min(plan.lengths):
        raise Refused("phone.too_short", digits=len(national))
    if len(national) > max(plan.lengths):
        raise Refused("phone.too_long", digits=len(national))
    if len(national) not in plan.lengths or _local_starts_with_zero(national, plan):
        raise Refused("phone.invalid")
    return Phone(national)


def _local_starts_with_zero(national: str, plan: _Plan) -> bool:
    if plan.kind == "business":
        return False
    return national[len(plan.prefix)] == "0"


def mask_name(name: str) -> str:
    """Hide the middle of a name: "김민준" -> "김*준", "이준" -> "이*", "남궁민수" -> "남**수"."""
    name = unicodedata.normalize("NFC", name).strip()
    if len(name) <= 1:
        return _MASK * len(name)
    if len(name) == 2:
        return name[0] + _MASK
    return name[0] + _MASK * (len(name) - 2) + name[-1]
