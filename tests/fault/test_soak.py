"""Soak: the app sells and backs up for a while, other processes read and write the same file."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_soak.py"


def _bench():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_soak", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_day_in_twenty_seconds_loses_nothing(tmp_path) -> None:
    figures = _bench().soak(20, tmp_path)
    assert figures["errors"] == []
    assert figures["rows_written"] > 50 and figures["rows_lost"] == 0
    assert figures["wal_lost"] == 0  # never deleted while the app had it open
    assert figures["backups"] >= 3 and figures["integrity"] == "ok"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX lock semantics")
def test_the_soak_sees_a_second_handle(tmp_path) -> None:
    # a raw open()/close() beside SQLite (what the guard refuses): the WAL goes, rows vanish
    figures = _bench().soak(6, tmp_path, sabotage=True)
    damage = [
        figures["wal_lost"] > 0,
        figures["rows_lost"] > 0,
        figures["integrity"] != "ok",  # or the file no longer reads back at all
        "the process died" in figures["errors"],  # the app itself fell over on it
    ]
    assert any(damage), figures
