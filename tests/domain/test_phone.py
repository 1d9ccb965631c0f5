"""Parsing, validating, displaying and masking Korean phone numbers."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.errors import Refused
from app.domain.phone import Phone, mask_name, parse_phone

FULL_WIDTH = str.maketrans("0123456789-+() .", "０１２３４５６７８９－＋（）　．")


@pytest.mark.parametrize(
    "text",
    [
        "010-1234-5678",
        "01012345678",
        "010 1234 5678",
        "010.1234.5678",
        "(010) 1234-5678",
        "+82 10-1234-5678",
        "+82-10-1234-5678",
        "+821012345678",
        "+82 010-1234-5678",
        "82 10 1234 5678",
        "821012345678",
        "０１０－１２３４－５６７８",
        "  010-1234-5678\t",
        "010–1234–5678",
    ],
)
def test_every_common_way_of_typing_a_mobile(text):
    assert parse_phone(text) == Phone("01012345678")


@pytest.mark.parametrize(
    ("text", "national", "display"),
    [
        ("02-123-4567", "021234567", "02-123-4567"),
        ("02-1234-5678", "0212345678", "02-1234-5678"),
        ("031-123-4567", "0311234567", "031-123-4567"),
        ("064-1234-5678", "06412345678", "064-1234-5678"),
        ("070-1234-5678", "07012345678", "070-1234-5678"),
        ("0505-123-4567", "05051234567", "0505-123-4567"),
        ("0505-1234-5678", "050512345678", "0505-1234-5678"),
        ("1588-1234", "15881234", "1588-1234"),
        ("+82 2-123-4567", "021234567", "02-123-4567"),
        ("+82 1588-1234", "15881234", "1588-1234"),
    ],
)
def test_landlines_and_business_numbers_when_allowed(text, national, display):
    phone = parse_phone(text, allow_landline=True)
    assert phone.national == national
    assert phone.display() == display
    assert not phone.is_mobile


@pytest.mark.parametrize(
    ("text", "national"), [("011-123-4567", "0111234567"), ("019-1234-5678", "01912345678")]
)
def test_retired_prefixes_when_allowed(text, national):
    assert parse_phone(text, allow_legacy=True).national == national


@pytest.mark.parametrize(
    ("text", "code", "params"),
    [
        ("", "phone.empty", {}),
        ("   ", "phone.empty", {}),
        ("010-1234-567o", "phone.invalid_chars", {"char": "o"}),
        ("김민준", "phone.invalid_chars", {"char": "김"}),
        ("010/1234/5678", "phone.invalid_chars", {"char": "/"}),
        ("010-1234+5678", "phone.invalid_chars", {"char": "+"}),
        ("5678", "phone.too_short", {"digits": 4}),
        ("010-1234-567", "phone.too_short", {"digits": 10}),
        ("010-1234-56789", "phone.too_long", {"digits": 12}),
        ("0101234567890", "phone.too_long", {"digits": 13}),
        ("+1 415 555 2671", "phone.not_korean", {}),
        ("+81 90-1234-5678", "phone.not_korean", {}),
        ("011-123-4567", "phone.retired_prefix", {"prefix": "011"}),
        ("016-1234-5678", "phone.retired_prefix", {"prefix": "016"}),
        ("02-123-4567", "phone.not_mobile", {}),
        ("070-1234-5678", "phone.not_mobile", {}),
        ("0505-123-4567", "phone.not_mobile", {}),
        ("1588-1234", "phone.not_mobile", {}),
        ("010-0123-4567", "phone.invalid", {}),
        ("1012345678", "phone.invalid", {}),
        ("012-3456-7890", "phone.invalid", {}),
        ("099-123-4567", "phone.invalid", {}),
    ],
)
def test_refusals(text, code, params):
    with pytest.raises(Refused) as caught:
        parse_phone(text)
    assert caught.value.code == code
    assert caught.value.params == params


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("02-012-3456", "phone.invalid"),
        ("02-12-3456", "phone.too_short"),
        ("031-12345-6789", "phone.too_long"),
        ("1588-12345", "phone.too_long"),
        ("0505-12-3456", "phone.too_short"),
    ],
)
def test_refusals_of_landlines(text, code):
    with pytest.raises(Refused) as caught:
        parse_phone(text, allow_landline=True, allow_legacy=True)
    assert caught.value.code == code


def test_e164_last4_and_mobile():
    phone = Phone("01012345678")
    assert phone.e164 == "+821012345678"
    assert phone.last4 == "5678"
    assert phone.is_mobile
    assert Phone("021234567").e164 == "+8221234567"
    assert Phone("15881234").e164 == "15881234"


@pytest.mark.parametrize(
    ("national", "middle", "last"),
    [
        ("01012345678", "010-****-5678", "010-1234-****"),
        ("021234567", "02-***-4567", "02-123-****"),
        ("050512345678", "0505-****-5678", "0505-1234-****"),
        ("15881234", "****-1234", "1588-****"),
    ],
)
def test_masking_never_shows_the_whole_number(national, middle, last):
    phone = Phone(national)
    assert phone.masked() == middle
    assert phone.masked("last") == last


def test_unknown_masking_style_is_a_programming_error():
    with pytest.raises(ValueError):
        Phone("01012345678").masked("sideways")


def test_phone_holds_digits_only():
    with pytest.raises(ValueError):
        Phone("010-1234-5678")


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("김민준", "김*준"),
        ("이준", "이*"),
        ("남궁민수", "남**수"),
        ("John Smith", "J********h"),
        ("김", "*"),
        ("", ""),
        ("  박서연 ", "박*연"),
    ],
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked


mobile_numbers = st.from_regex(r"010[1-9][0-9]{7}", fullmatch=True)


@st.composite
def typed_forms(draw, national: str) -> str:
    """The number as someone might type it: prefix, separators, full-width, stray spaces."""
    groups = [national[:3], national[3:7], national[7:]]
    sep = draw(st.sampled_from(["-", " ", ".", "", " - "]))
    prefix = draw(st.sampled_from(["", "+82", "+82 ", "+82-", "82 ", "+82 0", "(010)"]))
    if prefix == "(010)":
        text = "(010) " + sep.join(groups[1:])
    elif prefix:
        text = prefix + sep.join([groups[0][1:], *groups[1:]])
    else:
        text = sep.join(groups)
    if draw(st.booleans()):
        text = text.translate(FULL_WIDTH)
    padding = st.sampled_from(["", " ", "  ", "\t", "\u3000"])
    return draw(padding) + text + draw(padding)


@given(st.data(), mobile_numbers)
def test_any_typed_form_of_a_mobile_parses_to_the_same_number(data, national):
    text = data.draw(typed_forms(national))
    phone = parse_phone(text)
    assert phone.national == national
    assert parse_phone(phone.display()) == phone
    assert parse_phone(phone.e164) == phone


landline_numbers = st.one_of(
    st.from_regex(r"02[1-9][0-9]{6,7}", fullmatch=True),
    st.from_regex(r"0(3[1-3]|4[1-4]|5[1-5]|6[1-4])[1-9][0-9]{6,7}", fullmatch=True),
    st.from_regex(r"070[1-9][0-9]{7}", fullmatch=True),
    st.from_regex(r"050[2-8][1-9][0-9]{6,7}", fullmatch=True),
)


@given(st.one_of(mobile_numbers, landline_numbers))
def test_display_round_trips_and_phonenumbers_agrees(national):
    phone = parse_phone(national, allow_landline=True)
    assert phone.national == national
    assert parse_phone(phone.display(), allow_landline=True) == phone
    assert parse_phone(phone.masked().replace("*", "1"), allow_landline=True).last4 == phone.last4
    # phonenumbers' metadata leaves some 010 blocks out (010-5970-xxxx, found by hypothesis);
    # the explicit rules accept every 010 number, so only the shape is cross-checked here
    parsed = phonenumbers.parse(phone.e164)
    assert parsed.country_code == 82
    assert phonenumbers.is_possible_number(parsed)
