"""Every refusal the rules can raise has a Korean and an English message that formats."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from app.domain.errors import Refused
from app.i18n import catalogue, fill, has_text

DOMAIN_DIR = Path(__file__).resolve().parents[2] / "app" / "domain"
HANGUL = re.compile(r"[가-힣]")


def refusals_in_source() -> dict[str, set[frozenset[str]]]:
    """code -> the keyword sets used with it, from every Refused("...") call in app/domain."""
    found: dict[str, set[frozenset[str]]] = {}
    for path in DOMAIN_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Refused"):
                continue
            first = node.args[0]
            assert isinstance(first, ast.Constant), f"{path.name}: Refused code must be a literal"
            params = frozenset(k.arg for k in node.keywords if k.arg is not None)
            found.setdefault(first.value, set()).add(params)
    return found


REFUSALS = refusals_in_source()


def test_the_scan_finds_the_refusals():
    assert len(REFUSALS) > 30
    assert "phone.too_short" in REFUSALS


def test_the_regex_scan_agrees_with_the_ast_scan():
    pattern = re.compile(r'Refused\(\s*"([a-z_.]+)"')
    codes = {m for path in DOMAIN_DIR.glob("*.py") for m in pattern.findall(path.read_text())}
    assert codes == set(REFUSALS)


@pytest.mark.parametrize("code", sorted(REFUSALS))
def test_every_refusal_has_both_messages_that_format(code: str):
    assert has_text(code), code
    texts = {lang: catalogue(lang).gettext(code) for lang in ("ko", "en")}
    assert HANGUL.search(texts["ko"]), code
    assert texts["en"].isascii() or "₩" in texts["en"], code
    for params in REFUSALS[code]:
        for template in texts.values():
            used = {name for _, name, _, _ in string.Formatter().parse(template) if name}
            assert used <= params, (code, used - params)
            fill(template, dict.fromkeys(params, 1234))


def test_refused_keeps_code_and_params():
    error = Refused("phone.too_short", digits=5)
    assert error.code == "phone.too_short"
    assert error.params == {"digits": 5}
    assert str(error) == "phone.too_short {'digits': 5}"
    assert str(Refused("phone.empty")) == "phone.empty"


def test_refused_message_in_both_languages():
    error = Refused("amount.too_large", max=100_000_000)
    assert error.message() == "금액이 너무 큽니다 (최대 100,000,000원)."
    assert error.message("en") == "The amount is too large (at most ₩100,000,000)."
    assert (
        Refused("phone.too_short", digits=5).message()
        == "휴대폰 번호가 너무 짧습니다 (숫자 5자리)."
    )


def test_refused_message_falls_back_to_the_code():
    assert Refused("nobody.knows", x=1).message() == "nobody.knows {'x': 1}"
