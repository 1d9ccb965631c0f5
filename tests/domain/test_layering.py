"""app/domain stays pure: standard library, phonenumbers and itself; no I/O, no Qt, no SQL."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

DOMAIN_DIR = Path(__file__).resolve().parents[2] / "app" / "domain"
ALLOWED_THIRD_PARTY = {
    "phonenumbers",
    "korean_lunar_calendar",
    "holidays",
}  # see tests/test_layering.py
FORBIDDEN_STDLIB = {"sqlite3", "socket", "subprocess", "shutil", "urllib", "http", "os", "io"}
SOURCES = sorted(DOMAIN_DIR.glob("*.py"))


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_imports_are_pure(path: Path):
    for module in imported_modules(path):
        top = module.split(".")[0]
        if module.startswith("app."):
            # app.i18n (the catalogues) sits below every layer, the domain's refusals included
            assert module.startswith(("app.domain", "app.i18n")), module
        else:
            assert top in sys.stdlib_module_names or top in ALLOWED_THIRD_PARTY, module
            assert top not in FORBIDDEN_STDLIB, module


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_every_module_starts_with_a_docstring(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    if path.name == "__init__.py" and not tree.body:
        return
    assert ast.get_docstring(tree), path.name


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_no_float_arithmetic(path: Path):
    source = path.read_text(encoding="utf-8")
    float_calls = source.count("float(")
    # The only floats are rates written as JSON numbers (program.to_json, MonthlyReport.to_json,
    # the cashback percent's to_json) and the p-values of the experiments' exact test, computed
    # as exact fractions and given out as probabilities (stats.py): never money.
    allowed = {"program.py": 1, "dashboard.py": 1, "wallet.py": 1, "stats.py": 2}
    assert float_calls == allowed.get(path.name, 0), path.name
