"""Every refusal the services and the command line raise has a sentence in Korean and English."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from app.domain.errors import Refused
from app.i18n import explain, has_text

ROOT = Path(__file__).resolve().parents[2] / "app"


def _refusals() -> list[tuple[str, str, frozenset[str]]]:
    found = []
    for path in [*sorted((ROOT / "services").glob("*.py")), *sorted((ROOT / "cli").glob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "Refused"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                params = frozenset(k.arg for k in node.keywords if k.arg)
                found.append((path.name, node.args[0].value, params))
    return found


REFUSALS = _refusals()


def test_there_are_refusals_to_check() -> None:
    assert len(REFUSALS) > 40


@pytest.mark.parametrize(("where", "code", "params"), REFUSALS)
def test_refusal_has_both_languages(where: str, code: str, params: frozenset[str]) -> None:
    assert has_text(code), f"{where}: {code} has no message"
    refusal = Refused(code, **{p: 1234 for p in params})
    for lang in ("ko", "en"):
        text = explain(refusal, lang)
        assert text != str(refusal), f"{code} does not format in {lang} with {sorted(params)}"
