"""Spreadsheet formula cells are neutralised, and the import reads them back exactly."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.csv_safe import FORMULA_START, neutralise, restore, safe_row


@pytest.mark.parametrize(
    "cell", ["=1+1", "+82", "-5+cmd|' /C calc'!A0", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("x")']
)
def test_a_formula_cell_is_marked_as_text(cell: str) -> None:
    out = neutralise(cell)
    assert isinstance(out, str)
    assert out == "'" + cell
    assert not out.startswith(FORMULA_START)


def test_plain_text_and_numbers_are_written_as_they_are() -> None:
    assert neutralise("김민지") == "김민지"
    assert neutralise("010-1234-5678") == "010-1234-5678"
    assert neutralise(-5) == -5
    assert neutralise(Decimal("2.5")) == Decimal("2.5")
    assert neutralise(None) == ""


def test_a_cell_starting_with_the_mark_is_marked_again() -> None:
    assert neutralise("'=x") == "''=x"
    assert restore("''=x") == "'=x"


def test_restore_leaves_a_users_own_apostrophe() -> None:
    assert restore("'abc") == "'abc"
    assert restore("'") == "'"


@given(st.text())
def test_round_trip_is_exact(text: str) -> None:
    assert restore(str(neutralise(text))) == text


@given(st.lists(st.text(), min_size=1, max_size=6))
def test_no_written_cell_starts_a_formula_and_csv_reads_them_back(cells: list[str]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(safe_row(cells))
    (read,) = list(csv.reader(io.StringIO(buffer.getvalue(), newline="")))
    assert all(not cell.startswith(FORMULA_START) for cell in read)
    assert [restore(cell) for cell in read] == cells
