"""Scoped tokens: `token create/list/revoke` (owner only), kept hashed, and DANGOL_TOKEN makes a
command act for the token: a pos token records sales, refunds and redemptions, nothing else."""

from __future__ import annotations

import hashlib
import json

import pytest

from app.services import staff, tokens
from app.services.context import open_shop
from tests.cli.conftest import PHONE, Cli, audit_actions, snapshot


def _make(cli: Cli, name: str = "포스 1") -> str:
    result = cli("token", "create", "--name", name, "--scope", "pos")
    assert result.code == 0, result
    lines = result.out.strip().splitlines()
    assert "토큰을 만들었습니다" in lines[0] and "한 번만" in lines[2]
    token = lines[1].strip()
    assert token.startswith("dgl_pos_") and len(token) > 40
    return token


def test_a_token_is_shown_once_and_kept_only_as_its_hash(funded: Cli) -> None:
    token = _make(funded)
    listed = funded.ok("token", "list")
    assert [(t["name"], t["scope"], t["revoked_at"]) for t in listed["tokens"]] == [
        ("포스 1", "pos", None)
    ]
    assert token not in json.dumps(listed) and token not in funded("token", "list").out
    data = b"".join(
        p.read_bytes() for p in funded.db.parent.iterdir() if p.name.startswith("shop.sqlite")
    )
    assert token.encode() not in data
    assert hashlib.sha256(token.encode()).hexdigest()[:48].encode() in data
    made = json.loads(audit_actions(funded.db, "token.create")[0] or "{}")
    assert made == {"name": "포스 1", "scope": "pos"}


def test_a_pos_token_sells_refunds_and_redeems_and_the_audit_names_it(funded: Cli) -> None:
    env = {"DANGOL_TOKEN": _make(funded)}
    sale = funded.ok("sale", PHONE, "--amount", "9000", env=env)
    funded.ok("void", sale["sale_id"], env=env)  # a refund
    funded.ok("redeem", PHONE, "--points", "1000", env=env)
    named = "포스 1 ("
    for action in ("sale.record", "sale.void", "redeem.points"):
        details = [json.loads(d or "{}") for d in audit_actions(funded.db, action)]
        assert details and details[-1]["token"].startswith(named), (action, details)


def test_a_pos_token_may_do_nothing_else(funded: Cli) -> None:
    env = {"DANGOL_TOKEN": _make(funded)}
    redeemed = funded.ok("redeem", PHONE, "--points", "1000", env=env)
    before = snapshot(funded.db)
    for args in (
        ["void", redeemed["redemption_id"]],  # the void of a redemption is no refund
        ["customer", "show", PHONE],
        ["customer", "add", "--phone", "010-9999-8888"],
        ["adjust", PHONE, "--points", "100", "--reason", "x"],
        ["export", "customers", str(funded.db.with_name("out.csv"))],
        ["token", "create", "--name", "또 하나", "--scope", "pos"],
        ["token", "list"],
        ["backup", str(funded.db.with_name("copy.sqlite"))],
        ["run-daily"],
    ):
        err = funded.refused(*args, env=env)
        assert "POS 토큰은 판매, 환불" in err, (args, err)
    english = funded.refused("customer", "show", PHONE, "--lang", "en", env=env)
    assert "a POS token records sales, refunds" in english
    assert snapshot(funded.db) == before


def test_a_revoked_or_unknown_token_does_nothing(funded: Cli) -> None:
    token = _make(funded)
    listed = funded.ok("token", "list")["tokens"]
    revoked = funded("token", "revoke", listed[0]["id"])
    assert revoked.code == 0 and "폐기" in revoked.out
    before = snapshot(funded.db)
    for bad in (token, "dgl_pos_made-up", "1234"):
        err = funded.refused("sale", PHONE, "--amount", "5000", env={"DANGOL_TOKEN": bad})
        assert "DANGOL_TOKEN의 토큰을 알 수 없습니다" in err
    assert snapshot(funded.db) == before
    assert funded.ok("token", "list")["tokens"][0]["revoked_at"] is not None
    assert "ID나 이름이 없는토큰인 것이 없습니다" in funded.refused("token", "revoke", "없는토큰")


def test_tokens_are_owner_work_once_an_owner_pin_is_set(funded: Cli) -> None:
    ctx = open_shop(str(funded.db), create=False)
    try:
        staff.add_staff(ctx, "김사장", "owner", "2468")
    finally:
        ctx.close()
    for args in (["token", "create", "--name", "a", "--scope", "pos"], ["token", "list"]):
        assert "DANGOL_PIN" in funded.refused(*args)
    assert funded("token", "list", env={"DANGOL_PIN": "2468"}).code == 0
    # a token is not an owner's PIN
    token = _make_with_pin(funded)
    assert "DANGOL_PIN" in funded.refused("token", "list", env={"DANGOL_PIN": token})


def _make_with_pin(cli: Cli) -> str:
    result = cli("token", "create", "--name", "포스", "--scope", "pos", env={"DANGOL_PIN": "2468"})
    assert result.code == 0, result
    return result.out.strip().splitlines()[1]


def test_the_services_check_is_the_one_a_pos_bridge_calls(sqlite_ctx) -> None:
    made = tokens.create_token(sqlite_ctx, "브리지", "pos")
    other = open_shop(str(sqlite_ctx.db.path), create=False, now=sqlite_ctx.now())
    try:
        staff.authorize(other, made.token, "sale", door="pos")
        assert other.token == f"브리지 ({made.id})" and other.staff_role == "pos"
        other.require("refund")
        with pytest.raises(Exception) as refused:
            other.require("void_redemption")
        assert getattr(refused.value, "code", None) == "token.not_allowed"
        with pytest.raises(Exception) as refused:
            staff.authorize(other, made.token, "adjust", door="pos")
        assert getattr(refused.value, "code", None) == "token.not_allowed"
    finally:
        other.close()
    with pytest.raises(Exception) as refused:
        tokens.create_token(sqlite_ctx, "브리지", "pos")
    assert getattr(refused.value, "code", None) == "token.name_taken"
