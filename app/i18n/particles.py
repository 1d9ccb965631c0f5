"""Korean particles after a value (은/는, 이/가, 을/를, 과/와, 으로/로), chosen by how it is read.

A template writes `{query:은}` (or `{query:'은}` when a closing quote sits between the value
and the particle); the formatter puts the value, then the quote, then 은 or 는.
"""

from __future__ import annotations

import re
import string
from functools import cache
from typing import Any

# particle name -> (after a final consonant, after a vowel); either spelling names the pair
_PAIRS = {
    "은": ("은", "는"),
    "이": ("이", "가"),
    "을": ("을", "를"),
    "과": ("과", "와"),
    "으로": ("으로", "로"),
}
PARTICLES = {name: pair for pair in _PAIRS.values() for name in pair}

_RIEUL = 8  # the final consonant ㄹ, after which 으로 becomes 로
_NO_FINAL = 0
_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
# the final consonant of a digit's Korean reading: 영 일 이 삼 사 오 육 칠 팔 구
_DIGIT_FINAL = (21, 8, 0, 16, 0, 0, 1, 8, 8, 0)
# 십 백 천, then 만 억 조 경 for each further group of four zeros
_TENS_FINAL = (17, 1, 4)
_GROUPS_FINAL = (4, 1, 0, 21)
# Latin letters said by name: only L(엘) M(엠) N(엔) R(알) end in a consonant
_LETTER_FINAL = {"L": _RIEUL, "M": 16, "N": 4, "R": _RIEUL}
_SPEC = re.compile(r"(?P<between>[^\w\s]*)(?P<particle>" + "|".join(PARTICLES) + r")")
# a replacement field whose spec is a particle, after any quote or bracket (`{v:’은}`)
_USES = re.compile(r":[^\w\s{}]*(?:" + "|".join(PARTICLES) + r")\}")
_TRAILING_NUMBER = re.compile(r"[0-9][0-9,]*$")
_TRAILING_LATIN = re.compile(r"[A-Za-z]+$")


def final_consonant(word: str) -> int:
    """The final consonant (jongseong index, 0 for none) of how `word` ends when read aloud.

    Hangul by its syllable, digits as a Korean number, Latin letters by a simple rule;
    punctuation and spaces at the end are skipped; nothing readable counts as a consonant.
    """
    word = word.rstrip()
    while word and not _readable(word[-1]):
        word = word[:-1].rstrip()
    if not word:
        return 1
    last = word[-1]
    if _HANGUL_FIRST <= ord(last) <= _HANGUL_LAST:
        return (ord(last) - _HANGUL_FIRST) % 28
    number = _TRAILING_NUMBER.search(word)
    if number:
        return _number_final(number.group().replace(",", ""))
    return _latin_final(_TRAILING_LATIN.search(word).group())  # type: ignore[union-attr]


def _readable(char: str) -> bool:
    return _HANGUL_FIRST <= ord(char) <= _HANGUL_LAST or char in string.ascii_letters + "0123456789"


def _number_final(digits: str) -> int:
    stripped = digits.rstrip("0")
    if not stripped:
        return _DIGIT_FINAL[0]
    zeros = len(digits) - len(stripped)
    if zeros == 0:
        return _DIGIT_FINAL[int(stripped[-1])]
    if zeros % 4:
        return _TENS_FINAL[zeros % 4 - 1]
    return _GROUPS_FINAL[min(zeros // 4, len(_GROUPS_FINAL)) - 1]


def _latin_final(letters: str) -> int:
    if len(letters) == 1 or letters.isupper():
        return _LETTER_FINAL.get(letters[-1].upper(), _NO_FINAL)
    lower = letters.lower()
    if lower.endswith("l"):
        return _RIEUL
    if lower.endswith(("m", "n", "ng")):
        return 4
    return _NO_FINAL


def particle(word: str, name: str) -> str:
    """The form of particle `name` (either spelling) that follows `word`."""
    after_consonant, after_vowel = PARTICLES[name]
    final = final_consonant(word)
    if after_consonant == "으로":
        return after_vowel if final in (_NO_FINAL, _RIEUL) else after_consonant
    return after_vowel if final == _NO_FINAL else after_consonant


class ParticleFormatter(string.Formatter):
    """str.format, plus a format spec naming a particle: `{tier:이}` gives 골드가 or 실버가."""

    def format_field(self, value: Any, format_spec: str) -> str:
        spec = _SPEC.fullmatch(format_spec)
        if spec is None:
            return super().format_field(value, format_spec)
        word = str(value)
        return word + spec["between"] + particle(word, spec["particle"])


@cache
def uses_particles(template: str) -> bool:
    """Whether a template has a particle spec (plain str.format is faster for the rest)."""
    return _USES.search(template) is not None
