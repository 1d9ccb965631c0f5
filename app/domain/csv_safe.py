"""CSV cells a spreadsheet cannot run, and the import that reads them back exactly.

Decisions:

* A text cell starting with a character a spreadsheet reads as a formula (=, +, -, @, tab,
  carriage return) gets a leading apostrophe, the spreadsheet's own "this is text" mark.
  A text cell already starting with an apostrophe gets one too, so that `restore` can take
  exactly one off any cell that `neutralise` marked: restore(neutralise(s)) == s for every s.
* Numbers (int, Decimal, float) are written as they are: a numeric cell is never a formula.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MARK = "'"


def neutralise(value: object) -> object:
    """The cell as it is safe to write: marked text, or the number itself."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | Decimal | float):
        return value
    text = str(value)
    if text.startswith(FORMULA_START) or text.startswith(MARK):
        return MARK + text
    return text


def restore(text: str) -> str:
    """What neutralise() was given: one mark off a cell it marked; any other cell as is."""
    if len(text) > 1 and text[0] == MARK and text[1:].startswith((*FORMULA_START, MARK)):
        return text[1:]
    return text


def safe_row(values: Iterable[object]) -> list[object]:
    """One CSV row with every cell neutralised; every CSV writer of the app goes through this."""
    return [neutralise(value) for value in values]
