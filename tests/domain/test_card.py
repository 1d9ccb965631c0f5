"""Membership card tokens and their Luhn check digit."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.card import (
    CARD_TOKEN_LENGTH,
    format_card_token,
    is_valid_card_token,
    luhn_check_digit,
    new_card_token,
)


@pytest.mark.parametrize(
    ("payload", "digit"),
    [("7992739871", "3"), ("411111111111111", "1"), ("0", "0"), ("1", "8")],
)
def test_luhn_check_digit_known_values(payload, digit):
    assert luhn_check_digit(payload) == digit


def test_luhn_refuses_non_digits():
    with pytest.raises(ValueError):
        luhn_check_digit("12a4")


def test_known_valid_token():
    assert is_valid_card_token("4111111111111111")
    assert not is_valid_card_token("4111111111111112")


@pytest.mark.parametrize(
    "text",
    ["", "411111111111111", "41111111111111111", "0111111111111117", "4111 1111 1111 1111", "４１"],
)
def test_invalid_shapes(text):
    assert not is_valid_card_token(text)


def test_format_card_token():
    assert format_card_token("1234567890123456") == "1234 5678 9012 3456"


def test_new_card_token_with_a_seeded_rng_is_reproducible():
    assert new_card_token(random.Random(7)) == new_card_token(random.Random(7))


@given(st.randoms(use_true_random=False))
def test_every_generated_token_is_valid_and_never_starts_with_0(rng):
    token = new_card_token(rng)
    assert len(token) == CARD_TOKEN_LENGTH
    assert token[0] != "0"
    assert is_valid_card_token(token)


@given(st.randoms(use_true_random=False), st.integers(0, 15), st.integers(1, 9))
def test_any_single_digit_change_is_detected(rng, position, delta):
    token = new_card_token(rng)
    changed_digit = str((int(token[position]) + delta) % 10)
    changed = token[:position] + changed_digit + token[position + 1 :]
    assert not is_valid_card_token(changed)
