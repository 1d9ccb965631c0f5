"""Classifying what the cashier typed or scanned into the search field."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.card import format_card_token, new_card_token
from app.domain.phone import Phone
from app.domain.query import Query, classify_query, jamo_to_qwerty

# What a scanner typing these QWERTY keys produces through the 2-beolsik IME.
QWERTY_TO_JAMO = dict(
    zip(
        "qwertyuiopasdfghjklzxcvbnm",
        "ㅂㅈㄷㄱㅅㅛㅕㅑㅐㅔㅁㄴㅇㄹㅎㅗㅓㅏㅣㅋㅌㅊㅍㅠㅜㅡ",
        strict=True,
    )
)


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("ㅁㅠㅊ", "abc"),
        ("각", "rkr"),
        ("ㄲ", "r"),
        ("ㅃㅉㄸㅆㅒㅖ", "qwetop"),
        ("뷁", "qnpfr"),
        ("ㅘㅙㅚㅝㅞㅟㅢ", "hkhohlnjnpnlml"),
        ("닭값", "ekfrrkqt"),
        ("ab12", "ab12"),
        ("AB", "ab"),
        ("", ""),
    ],
)
def test_jamo_to_qwerty(text, keys):
    assert jamo_to_qwerty(text) == keys


@given(st.text(alphabet="qwertyuiopasdfghjklzxcvbnm", max_size=20))
def test_jamo_to_qwerty_undoes_the_ime_for_separate_jamo(keys):
    typed = "".join(QWERTY_TO_JAMO[k] for k in keys)
    assert jamo_to_qwerty(typed) == keys


def test_composed_syllables_map_back_like_their_jamo():
    assert jamo_to_qwerty("한글") == jamo_to_qwerty("ㅎㅏㄴㄱㅡㄹ") == "gksrmf"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5678", Query("last4", "5678")),
        (" ５６７８ ", Query("last4", "5678")),
        ("010-1234-5678", Query("phone", "01012345678", Phone("01012345678"))),
        ("+82 10 1234 5678", Query("phone", "01012345678", Phone("01012345678"))),
        ("02-123-4567", Query("phone", "021234567", Phone("021234567"))),
        ("011-123-4567", Query("phone", "0111234567", Phone("0111234567"))),
        ("김민준", Query("name", "김민준")),
        ("  John   Smith ", Query("name", "John Smith")),
        ("", Query("invalid", "")),
        ("123", Query("invalid", "123")),
        ("12345", Query("invalid", "12345")),
        ("김민준 5678", Query("invalid", "김민준 5678")),
        ("010-0123-4567", Query("invalid", "010-0123-4567")),
        ("!!", Query("invalid", "!!")),
    ],
)
def test_classify_query(text, expected):
    assert classify_query(text) == expected


def test_card_token_is_a_card_even_with_spaces_or_full_width():
    token = new_card_token()
    assert classify_query(token) == Query("card", token)
    assert classify_query(format_card_token(token)) == Query("card", token)
    full_width = token.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert classify_query(full_width) == Query("card", token)


def test_sixteen_digits_with_a_wrong_check_digit_are_not_a_card():
    token = new_card_token()
    wrong = token[:-1] + str((int(token[-1]) + 1) % 10)
    assert classify_query(wrong).kind == "invalid"


def test_a_legacy_letter_card_scanned_through_the_ime_is_a_card():
    assert classify_query("ㅁ1ㅠ2ㅊ3ㄹ4") == Query("card", "a1b2c3f4")


def test_a_hangul_name_is_not_mistaken_for_a_scan():
    assert classify_query("박서연").kind == "name"


@given(st.integers(0, 9999))
def test_any_four_digits_are_last4(n):
    assert classify_query(f"{n:04d}") == Query("last4", f"{n:04d}")


@given(st.text(max_size=30))
def test_classify_never_raises(text):
    assert classify_query(text).kind in ("phone", "last4", "card", "name", "invalid")


def test_a_letter_card_scanned_with_the_input_method_off_is_a_card() -> None:
    assert classify_query("ABC12345xyz") == Query("card", "abc12345xyz")
    assert classify_query("ㅁㅠㅊ12345ㅌㅛㅋ") == Query("card", "abc12345xyz")
    assert classify_query("abc").kind == "name"
