"""Never two handles on the live file: only SQLite, through the engine, opens it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from app.services import backup_schedule

APP = Path(__file__).resolve().parents[2] / "app"


def _calls(name: str) -> list[str]:
    found = []
    for path in APP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and ast.unparse(node.func).endswith(name):
                found.append(f"{path.relative_to(APP)}:{node.lineno}")
    return found


def test_only_the_engine_module_connects_with_sqlite3() -> None:
    # a fresh connection beside the engine's (integrity checks, copies) goes through
    # app/db/engine.py, which refuses the live file; app/db/peek.py reads the shop read-only
    # (mode=ro) for the first screen, before any engine exists and without SQLAlchemy
    assert {c.split(":")[0] for c in _calls("sqlite3.connect")} == {"db/engine.py", "db/peek.py"}
    peek = (APP / "db/peek.py").read_text(encoding="utf-8")
    assert peek.count("sqlite3.connect(") == 1 and "?mode=ro" in peek


def test_nothing_in_the_app_copies_or_hashes_files() -> None:
    for path in APP.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {
            alias.name.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in (
                node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")]
            )
        }
        assert "shutil" not in imported, path
    assert _calls("file_digest") == []


def test_a_plain_open_of_the_live_file_is_refused(sqlite_ctx) -> None:
    live = sqlite_ctx.db.path
    for target in (live, live.with_name(live.name + "-wal"), live.with_name(live.name + "-shm")):
        with pytest.raises(PermissionError):
            open(target, "rb")  # noqa: SIM115 -- the guard must stop it before it opens
    with pytest.raises(PermissionError):
        live.read_bytes()


def test_a_backup_is_never_made_onto_or_read_from_the_live_file(sqlite_ctx) -> None:
    from app.domain.errors import Refused
    from app.services import backup

    with pytest.raises(Refused):
        backup.verify_backup(sqlite_ctx.db.path)
    assert backup_schedule.list_backups(sqlite_ctx) == []


def test_after_closing_the_file_is_an_ordinary_file_again(tmp_path) -> None:
    from app.services.context import open_shop

    path = tmp_path / "s.sqlite"
    open_shop(str(path)).close()
    assert path.read_bytes()[:16] == b"SQLite format 3\x00"
