"""`dangol wallet-card apple pass WHO --email ADDRESS` and `wallet-card mail setup`: the pass
sent through a small SMTP server on 127.0.0.1; refusals in words with exit code 2."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import PHONE
from tests.messaging.smtp_standin import SmtpStandIn
from tests.printing.pass_chain import PASS_TYPE_ID, pass_chain

ADDRESS = "minjun.kim@example.test"


@pytest.fixture
def cli_ctx_with_apple(ctx: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    chain = pass_chain()
    for name, data in chain.items():
        (tmp_path / f"{name}.pem").write_bytes(data)
    ctx.ok(
        "wallet-card", "apple", "setup", "--pass-type-id", PASS_TYPE_ID, "--team-id", "AB12CD34EF",
        "--cert", str(tmp_path / "cert.pem"), "--key", str(tmp_path / "key.pem"),
        "--wwdr", str(tmp_path / "wwdr.pem"),
    )  # fmt: skip
    server = SmtpStandIn(password="s3cret-pw").start()
    yield ctx, server, tmp_path
    server.stop()


def test_the_cli_mails_the_pass(cli_ctx_with_apple):  # the door: `wallet-card apple pass --email`
    cli, server, tmp_path = cli_ctx_with_apple
    said = cli.refused("wallet-card", "apple", "pass", PHONE)
    assert "--email" in said
    assert "SMTP" in cli.refused("wallet-card", "apple", "pass", PHONE, "--email", ADDRESS)
    env = {"DANGOL_SMTP_PASSWORD": server.password}
    done = cli.ok(
        "wallet-card", "mail", "setup", "--host", "127.0.0.1", "--port", str(server.port),
        "--from", "shop@example.test", "--user", server.user, "--no-starttls", env=env,
    )  # fmt: skip
    assert done["host"] == "127.0.0.1" and done["starttls"] is False
    assert "비번" not in json.dumps(done) and server.password not in json.dumps(done)
    assert "이메일 주소가 아닙니다" in cli.refused(
        "wallet-card", "apple", "pass", PHONE, "--email", "kim@"
    )
    out = tmp_path / "card.pkpass"
    made = cli.ok("wallet-card", "apple", "pass", PHONE, "--email", ADDRESS, "--out", str(out))
    assert made["email"] == ADDRESS and made["file"] == str(out) and out.is_file()
    assert made["message_id"] and len(server.messages) == 1
    text = cli("wallet-card", "apple", "pass", PHONE, "--email", ADDRESS).out
    assert f"{ADDRESS}로 보냈습니다" in text and len(server.messages) == 2
