"""`dangol sync ...` in separate processes: each register is its own program run."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def dangol(db, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DANGOL_LANG": "en"}
    env.pop("DANGOL_NOW", None)
    return subprocess.run(
        [sys.executable, "-m", "app.cli.main", "--db", str(db), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_two_registers_sync_from_the_command_line(tmp_path, pg_url: str) -> None:
    a, b = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    for db in (a, b):
        assert dangol(db, "init").returncode == 0
    off = dangol(a, "sync", "status")
    assert off.returncode == 0 and "off" in off.stdout
    assert dangol(a, "customer", "add", "--phone", "01055556666").returncode == 0
    setup = dangol(a, "sync", "setup", pg_url, "--store", "본점", "--register", "A")
    assert setup.returncode == 0, setup.stderr
    assert "본점" in setup.stdout
    assert dangol(b, "sync", "setup", pg_url, "--store", "본점").returncode == 0
    assert dangol(b, "sale", "01055556666", "--amount", "50000").returncode == 0
    synced = dangol(b, "--json", "sync")
    assert json.loads(synced.stdout)["pushed"] >= 2
    assert dangol(a, "sync").returncode == 0
    shown = json.loads(dangol(a, "--json", "customer", "show", "01055556666").stdout)
    assert shown["points"] == 1000
    status = json.loads(dangol(a, "--json", "sync", "status").stdout)
    assert status["configured"]
    bad = dangol(a, "sync", "setup", "mysql://nope")
    assert bad.returncode == 2 and "PostgreSQL" in bad.stderr
    attention = dangol(a, "sync", "attention")
    assert attention.returncode == 0 and "Nothing" in attention.stdout
