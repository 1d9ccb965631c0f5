"""app.i18n sits below every layer: it imports the standard library and app.resources only."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

SOURCES = sorted((Path(__file__).resolve().parents[2] / "app" / "i18n").glob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_i18n_needs_only_the_standard_library_and_resources(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        for name in names:
            if name.startswith("app."):
                assert name.startswith(("app.i18n", "app.resources")), (path.name, name)
            else:
                assert name.split(".")[0] in sys.stdlib_module_names, (path.name, name)
