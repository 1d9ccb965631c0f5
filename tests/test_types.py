"""mypy over app/ with the configuration in pyproject.toml (strict for domain, db and services)."""

from __future__ import annotations

from pathlib import Path

import pytest

mypy_api = pytest.importorskip("mypy.api")

ROOT = Path(__file__).resolve().parents[1]


def test_app_type_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    # from the project root, so mypy finds pyproject.toml and keeps its cache in .mypy_cache
    monkeypatch.chdir(ROOT)
    out, err, status = mypy_api.run(["--config-file", "pyproject.toml", "app"])
    assert status == 0, out + err
