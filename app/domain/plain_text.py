"""One cleaner for names and reasons people type: visible text on one line.

Bidi embeddings, overrides and isolates (U+202A-202E, U+2066-2069), zero-width characters
(U+200B-200F), the BOM and every other format (Cf) or control (Cc) character are removed:
they can reverse or hide what the owner reads in a list or a spreadsheet. Runs of white
space become one space.
"""

from __future__ import annotations

import unicodedata

_INVISIBLE = ("Cf", "Cc")


def clean_line(text: str) -> str:
    """text without invisible characters, white space collapsed, ends stripped."""
    spaced = "".join(" " if ch.isspace() else ch for ch in text)
    visible = "".join(ch for ch in spaced if unicodedata.category(ch) not in _INVISIBLE)
    return " ".join(visible.split())
