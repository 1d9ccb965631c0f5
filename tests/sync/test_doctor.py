"""`dangol sync doctor`: connection, schema version, clock skew and lag, in words and --json,
exit 0 when all is well and 1 when a check finds a problem."""

from __future__ import annotations

import importlib
import json

import keyring
import pytest
from keyring.backend import KeyringBackend

from app.cli.main import main
from app.db.settings import set_setting
from app.services import customers, sync
from app.sync import server

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
    assert list(checks) == ["connection", "schema", "clock", "lag", "password"]
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
    assert [c["name"] for c in data["checks"]] == ["connection", "password"]
    assert data["checks"][0]["state"] == "unreachable"
    code, out = _doctor(capsys, b)
    assert "does not answer" in out


def test_doctor_without_sync_is_refused(sqlite_ctx, capsys) -> None:
    code = main(["--db", str(sqlite_ctx.db.engine.url.database), "sync", "doctor"])
    assert code == 2


class _MemoryKeyring(KeyringBackend):
    """An OS password store stand-in: the keyring package's own backend interface."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.kept: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.kept.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.kept[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.kept.pop((service, username), None)


@pytest.fixture
def os_keyring():
    before = keyring.get_keyring()
    ring = _MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(before)


def test_doctor_says_where_the_password_is_kept(
    registers, capsys, monkeypatch: pytest.MonkeyPatch, os_keyring
) -> None:
    b = registers("B")
    sync.sync_now(b)
    url = b.settings[sync.URL_KEY]
    monkeypatch.delenv(server.PASSWORD_ENV, raising=False)

    # nothing kept: said, and not a problem (this test server asks for no password)
    code, out = _doctor(capsys, b, "--json")
    password = json.loads(out)["checks"][-1]
    assert (password["name"], password["state"], password["ok"]) == ("password", "none", True)

    # kept in the OS's store by setup: the doctor names that store
    assert server.save_password(url, "s3cret")
    assert os_keyring.kept == {(server.KEYRING_SERVICE, server._account(url)): "s3cret"}
    code, out = _doctor(capsys, b)
    assert code == 0, out
    assert f"OK Password: kept in {os_keyring.name} (service name dangol-sync)." in out

    # from the environment
    monkeypatch.setenv(server.PASSWORD_ENV, "s3cret")
    code, out = _doctor(capsys, b)
    assert "OK Password: read from the environment variable DANGOL_SYNC_PASSWORD." in out
    monkeypatch.delenv(server.PASSWORD_ENV)

    # given to this process only (no store could take it): a problem, exit 1, in Korean too
    os_keyring.kept.clear()
    monkeypatch.setitem(server._passwords, url, "s3cret")
    code, out = _doctor(capsys, b, "--json")
    password = json.loads(out)["checks"][-1]
    assert code == 1 and (password["state"], password["ok"]) == ("session", False)
    code = main(["--db", str(b.db.engine.url.database), "--lang", "ko", "sync", "doctor"])
    out = capsys.readouterr().out
    assert code == 1 and "!! 비밀번호: 이 프로그램만 알고 있고" in out


@pytest.mark.parametrize(
    ("ring", "ko", "en"),
    [
        (
            "keyring.backends.Windows:WinVaultKeyring",
            "Windows 자격 증명 관리자",
            "the Windows Credential Manager",
        ),
        ("keyring.backends.macOS:Keyring", "macOS 키체인", "the macOS keychain"),
        ("keyring.backends.fail:Keyring", "없음", "none"),
    ],
)
def test_the_os_password_stores_are_named(registers, capsys, monkeypatch, ring, ko, en) -> None:
    """Windows' and macOS' stores by the names their owners know them by (the backend classes
    of the keyring package; on this Linux machine they cannot hold anything, so nothing is
    kept and the doctor says which store it would use)."""
    module, name = ring.split(":")
    backend = getattr(importlib.import_module(module), name)()
    before = keyring.get_keyring()
    keyring.set_keyring(backend)
    monkeypatch.delenv(server.PASSWORD_ENV, raising=False)
    try:
        b = registers("B")
        sync.sync_now(b)
        code, out = _doctor(capsys, b)
        assert code == 0, out
        assert f"OK Password: none is kept (password store: {en})." in out, out
        assert main(["--db", str(b.db.engine.url.database), "--lang", "ko", "sync", "doctor"]) == 0
        assert f"(비밀번호 보관소: {ko})" in capsys.readouterr().out
    finally:
        keyring.set_keyring(before)
