"""`dangol sync doctor`: connection, schema version, clock skew and lag, in words and --json,
exit 0 when all is well and 1 when a check finds a problem."""

from __future__ import annotations

import json

import pytest

from app.cli.main import main
from app.db.settings import set_setting
from app.services import customers, sync

PHONE = "01044440001"


def _doctor(capsys, ctx, *extra: str) -> tuple[int, str]:
    code = main(["--db", str(ctx.db.engine.url.database), "--lang", "en", *extra, "sync", "doctor"])
    return code, capsys.readouterr().out


def test_doctor_in_words_and_json(registers, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = registers("A"), registers("B")
    sync.sync_now(a)
    sync.sync_now(b)
    code, out = _doctor(capsys, b)
    assert code == 0, out
    assert "answers in" in out and "the same as this register's" in out
    assert "Every check passed." in out
    code, out = _doctor(capsys, b, "--json")
    data = json.loads(out)
    checks = {c["name"]: c for c in data["checks"]}
    assert list(checks) == ["connection", "schema", "clock", "lag"]
    assert all(c["ok"] for c in checks.values())
    assert abs(checks["clock"]["figures"]["seconds"]) < 30  # the same machine's clock
    assert checks["lag"]["figures"]["behind"] == 0

    # A's new member is on the server, B has not pulled it: B is behind by those rows
    customers.enroll(a, PHONE)
    sync.sync_now(a)
    monkeypatch.setattr(sync, "LAG_OK_ROWS", 0)
    code, out = _doctor(capsys, b)
    assert code == 1 and "this register is behind" in out and "!! Lag" in out
    monkeypatch.setattr(sync, "LAG_OK_ROWS", 50_000)

    # a server that does not answer: said in words, exit 1, the other checks not tried
    with b.db.write() as session:
        set_setting(session, sync.URL_KEY, "postgresql://postgres@127.0.0.1:1/test")
    code, out = _doctor(capsys, b, "--json")
    data = json.loads(out)
    assert code == 1
    assert [(c["name"], c["state"]) for c in data["checks"]] == [("connection", "unreachable")]
    code, out = _doctor(capsys, b)
    assert "does not answer" in out


def test_doctor_without_sync_is_refused(sqlite_ctx, capsys) -> None:
    code = main(["--db", str(sqlite_ctx.db.engine.url.database), "sync", "doctor"])
    assert code == 2
