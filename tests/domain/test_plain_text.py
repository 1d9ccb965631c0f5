"""Names and reasons lose the invisible characters that reorder or hide what a person reads."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.plain_text import clean_line

HIDDEN = [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), *range(0x200B, 0x2010))]


@pytest.mark.parametrize("mark", [*HIDDEN, "\ufeff", "\u061c", "\u2060", "\x00", "\x1b"])
def test_an_invisible_control_character_is_removed(mark: str) -> None:
    assert clean_line(f"김{mark}민준") == "김민준"


def test_a_right_to_left_override_cannot_reverse_a_name() -> None:
    assert clean_line("\u202eCBA\u202c 영수") == "CBA 영수"


def test_spaces_are_collapsed_and_korean_kept() -> None:
    assert clean_line("  김\t민준 \n 님 ") == "김 민준 님"


@given(st.text())
def test_nothing_invisible_survives(text: str) -> None:
    cleaned = clean_line(text)
    assert all(unicodedata.category(ch) not in ("Cf", "Cc") for ch in cleaned)
    assert cleaned == cleaned.strip()
