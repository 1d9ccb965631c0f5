"""Korean particles after a value: chosen by the value's last sound, never written as 은(는)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.i18n import fill
from app.i18n.particles import final_consonant, particle

syllables = st.integers(0xAC00, 0xD7A3).map(chr)
words = st.text(syllables, min_size=1, max_size=6)


@given(words)
def test_a_hangul_word_takes_the_form_of_its_last_syllable(word: str):
    final = (ord(word[-1]) - 0xAC00) % 28
    assert particle(word, "은") == ("는" if final == 0 else "은")
    assert particle(word, "이") == ("가" if final == 0 else "이")
    assert particle(word, "를") == ("를" if final == 0 else "을")
    assert particle(word, "와") == ("와" if final == 0 else "과")
    assert particle(word, "으로") == ("로" if final in (0, 8) else "으로")


@given(words, st.sampled_from(["은", "는", "이", "가", "을", "를", "과", "와", "으로", "로"]))
def test_either_spelling_names_the_same_pair(word: str, name: str):
    pairs = {"은": "는", "이": "가", "을": "를", "과": "와", "으로": "로"}
    other = pairs.get(name) or next(k for k, v in pairs.items() if v == name)
    assert particle(word, name) == particle(word, other)


@given(words, st.text(" '\")]}.", max_size=3))
def test_punctuation_after_the_word_does_not_change_the_choice(word: str, tail: str):
    assert particle(word + tail, "은") == particle(word, "은")


@given(st.integers(1, 10**15))
def test_a_number_is_read_as_a_korean_number(number: int):
    digits = str(number)
    last = digits.rstrip("0")[-1]
    zeros = len(digits) - len(digits.rstrip("0"))
    # 일 삼 육 칠 팔 end in a consonant; so do 십 백 천 만 억, but not 조 (twelve zeros)
    consonant = last in "13678" if zeros == 0 else zeros != 12
    expected = "이" if consonant else "가"
    assert particle(digits, "이") == expected
    assert particle(f"{number:,}", "이") == expected


@pytest.mark.parametrize(
    ("word", "eun", "euro"),
    [
        ("골드", "는", "로"),
        ("실버", "는", "로"),
        ("김철", "은", "로"),
        ("이름", "은", "으로"),
        ("1234", "는", "로"),
        ("5670", "은", "으로"),
        ("010-1111-2227", "은", "로"),
        ("VIP", "는", "로"),
        ("L", "은", "로"),
        ("M", "은", "으로"),
        ("Gold", "는", "로"),
        ("earn_percent", "는", "로"),
        ("stamps.goal", "은", "로"),
        ("Sean", "은", "으로"),
        ("'abc'", "는", "로"),
    ],
)
def test_examples(word: str, eun: str, euro: str):
    assert particle(word, "은") == eun
    assert particle(word, "으로") == euro


@given(words)
def test_a_template_puts_the_particle_after_the_value_and_its_quote(word: str):
    topic = particle(word, "은")
    assert fill("'{q:'은} 아닙니다", {"q": word}) == f"'{word}'{topic} 아닙니다"
    assert fill("{q:은} {n:,}원", {"q": word, "n": 1000}) == f"{word}{topic} 1,000원"


def test_nothing_readable_counts_as_a_consonant():
    assert final_consonant("") != 0
    assert particle("…", "은") == "은"


def test_no_korean_sentence_prints_a_value_twice_before_its_particle():
    """`‘{v}’{v:은}` reads ‘12’12는: the particle's spec already prints the value (`‘{v:’은}`)."""
    import re
    from pathlib import Path

    po = Path(__file__).parents[2] / "resources/translations/ko/LC_MESSAGES/dangol.po"
    doubled = re.findall(r"\{(\w+)\}\W{0,2}\{\1:[^}]*\}", po.read_text(encoding="utf-8"))
    assert doubled == []


@given(words)
def test_a_curly_quote_between_the_value_and_its_particle(word: str):
    topic = particle(word, "은")
    assert fill("‘{q:’은} 아닙니다", {"q": word}) == f"‘{word}’{topic} 아닙니다"
