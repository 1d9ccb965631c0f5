"""Numbers are ASCII or full-width digits only: no Arabic-Indic, superscript or CJK numerals."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.errors import Refused
from app.domain.money import parse_won
from app.domain.numbers import parse_count, plain_digits_only
from app.domain.phone import parse_phone

FOREIGN = ["١٠٠٠", "²", "1²", "۱۲", "१२३", "½", "一", "①"]


@pytest.mark.parametrize("text", ["0", "1000", "１０００", "１2３"])
def test_ascii_and_full_width_digits_are_numbers(text: str) -> None:
    assert parse_count(text) == int(text.translate(str.maketrans("０１２３", "0123")))


@pytest.mark.parametrize("text", [*FOREIGN, "", "-5", "1.5", " 1"])
def test_anything_else_is_not(text: str) -> None:
    assert parse_count(text) is None


@given(st.text())
def test_parse_count_never_crashes_and_reads_only_plain_digits(text: str) -> None:
    number = parse_count(text)
    if number is not None:
        assert text and all(ch in "0123456789０１２３４５６７８９" for ch in text)
        assert plain_digits_only(text)


@pytest.mark.parametrize("text", ["٥٠٠٠", "5²000", "５000²"])
def test_an_amount_in_other_digits_is_refused(text: str) -> None:
    with pytest.raises(Refused) as caught:
        parse_won(text)
    assert caught.value.code == "amount.invalid"
    assert parse_won("５，０００원") == 5000


@pytest.mark.parametrize("text", ["010-1234-567⁸", "٠١٠١٢٣٤٥٦٧٨"])
def test_a_phone_in_other_digits_is_refused(text: str) -> None:
    with pytest.raises(Refused) as caught:
        parse_phone(text)
    assert caught.value.code == "phone.invalid_chars"
    assert parse_phone("０１０-１２３４-５６７８").national == "01012345678"
