"""The command line driven in-process on a real SQLite file: `run(...)` and a snapshot of it."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from app.cli.main import main

PHONE = "010-1234-5678"
MASKED = "010-****-5678"
# A Thursday afternoon in Seoul, outside any campaign.
NOW = "2026-03-12T14:00:00+09:00"

CLEAN_ENV = ("DANGOL_NOW", "DANGOL_DB", "DANGOL_LANG", "DANGOL_DEBUG", "DANGOL_PIN", "DANGOL_TOKEN")


class Result(NamedTuple):
    code: int
    out: str
    err: str

    @property
    def json(self) -> dict[str, Any]:
        """The one JSON object on stdout."""
        return json.loads(self.out)


class Cli:
    """`cli(*args)` runs `dangol --db <tmp file> *args`; `cli.ok(*args)` also wants exit 0
    and returns the parsed JSON (it adds --json)."""

    def __init__(self, db: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
        self.db = db
        self._monkeypatch = monkeypatch
        self._capsys = capsys
        self.now: str | None = None  # DANGOL_NOW for every call unless env overrides it

    def __call__(self, *args: str, env: dict[str, str] | None = None, db: bool = True) -> Result:
        env = {**({"DANGOL_NOW": self.now} if self.now else {}), **(env or {})}
        argv = [*(["--db", str(self.db)] if db else []), *args]
        self._capsys.readouterr()  # start from empty streams
        with self._monkeypatch.context() as m:
            for key, value in env.items():
                m.setenv(key, value)
            code = main(argv)
        out, err = self._capsys.readouterr()
        return Result(code, out, err)

    def ok(self, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
        result = self(*args, "--json", env=env)
        assert result.code == 0, result
        assert result.err == "", result
        return result.json

    def refused(self, *args: str, env: dict[str, str] | None = None) -> str:
        """Exit 2 with the reason on stderr; returns the reason."""
        result = self(*args, env=env)
        assert result.code == 2, result
        assert result.err.strip(), result
        assert "Traceback" not in result.err
        return result.err


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> Cli:
    for key in CLEAN_ENV:
        monkeypatch.delenv(key, raising=False)
    return Cli(tmp_path / "shop.sqlite", monkeypatch, capsys)


@pytest.fixture
def run(cli: Cli) -> Callable[..., Result]:
    """run(*args, env=...) -> (code, stdout, stderr), on the test's own database."""
    return cli


def _build(path: Path, commands: list[list[str]]) -> None:
    """Run commands on a new database outside any test (no capsys): for templates."""
    with pytest.MonkeyPatch.context() as m:
        for key in CLEAN_ENV:
            m.delenv(key, raising=False)
        m.setenv("DANGOL_NOW", NOW)
        for args in commands:
            with contextlib.redirect_stdout(io.StringIO()) as out:
                code = main(["--db", str(path), *args])
            assert code == 0, (args, out.getvalue())


MEMBER = [["init"], ["customer", "add", "--phone", PHONE, "--name", "김단골"]]
FUNDED = [*MEMBER, ["sale", PHONE, "--amount", "12000"], ["sale", PHONE, "--amount", "50000"]]


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Databases built once (migrations and fsyncs are the slow part) and copied per test."""
    folder = tmp_path_factory.mktemp("templates")
    built = {}
    for name, commands in {"member": MEMBER, "funded": FUNDED}.items():
        built[name] = folder / f"{name}.sqlite"
        _build(built[name], commands)
    return built


def _copy(template: Path, cli: Cli) -> Cli:
    for suffix in ("", "-wal", "-shm"):
        source = template.with_name(template.name + suffix)
        if source.exists():
            shutil.copyfile(source, cli.db.with_name(cli.db.name + suffix))
    return cli


@pytest.fixture
def ctx(cli: Cli, templates: dict[str, Path]) -> Cli:
    """A shop at NOW with one member, 김단골 010-1234-5678; every call acts at NOW."""
    cli.now = NOW
    return _copy(templates["member"], cli)


@pytest.fixture
def funded(cli: Cli, templates: dict[str, Path]) -> Cli:
    """Like shop, and the member has 1,240 points and 2 stamps (sales of 12,000 and 50,000)."""
    cli.now = NOW
    return _copy(templates["funded"], cli)


def snapshot(db: Path) -> dict[str, object]:
    """Row counts of every table plus the ledger and monthly sums: equal means nothing written.

    The audit rows of DANGOL_NOW itself ('clock.override', one per command) are left out."""
    con = sqlite3.connect(db)
    try:
        tables = [
            row[0]
            for row in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not row[0].startswith("sqlite_")
        ]
        counts: dict[str, object] = {
            t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables
        }
        counts["audit_log"] = con.execute(
            "SELECT count(*) FROM audit_log WHERE action != 'clock.override'"
        ).fetchone()[0]
        points, stamps = con.execute(
            "SELECT coalesce(sum(points), 0), coalesce(sum(stamps), 0) FROM ledger_entries"
        ).fetchone()
        counts["ledger.points"], counts["ledger.stamps"] = points, stamps
        counts["monthly_stats.value"] = con.execute(
            "SELECT coalesce(sum(value), 0) FROM monthly_stats"
        ).fetchone()[0]
        counts["program"] = con.execute(
            "SELECT document FROM program_versions ORDER BY created_at DESC, id DESC"
        ).fetchone()
    finally:
        con.close()
    return counts


def audit_actions(db: Path, action: str) -> list[str | None]:
    """The detail of every audit_log row with this action, oldest first."""
    con = sqlite3.connect(db)
    try:
        return [
            row[0]
            for row in con.execute(
                "SELECT detail FROM audit_log WHERE action = ? ORDER BY id", (action,)
            )
        ]
    finally:
        con.close()


def assert_refused_in_both_languages(
    cli: Cli, args: list[str], ko: str, en: str, env: dict[str, str] | None = None
) -> None:
    """Exit 2 with a one-line reason containing ko (default language) or en (--lang en),
    and not one row written."""
    before = snapshot(cli.db)
    korean = cli.refused(*args, env=env)
    english = cli.refused(*args, "--lang", "en", env=env)
    assert ko in korean, korean
    assert en in english, english
    assert len(korean.strip().splitlines()) == 1
    assert snapshot(cli.db) == before
