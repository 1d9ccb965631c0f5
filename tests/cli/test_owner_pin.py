"""Once an owner PIN is set, the owner-only commands want it (DANGOL_PIN or a prompt)."""

from __future__ import annotations

import sqlite3

import pytest

from app.services import staff
from app.services.context import open_shop
from tests.cli.conftest import PHONE, Cli, snapshot

ADJUST = ["adjust", PHONE, "--points", "100", "--reason", "사과"]


@pytest.fixture
def locked_shop(funded: Cli) -> tuple[Cli, str]:
    """The funded shop with a second owner, 김사장, whose PIN is 2468; returns their id."""
    ctx = open_shop(str(funded.db), create=False)
    try:
        boss = staff.add_staff(ctx, "김사장", "owner", "2468")
    finally:
        ctx.close()
    return funded, str(boss.id)


def _adjust_staff(db) -> list[str]:
    con = sqlite3.connect(db)
    try:
        rows = con.execute("SELECT staff_id FROM audit_log WHERE action = 'ledger.adjust'")
        return [str(row[0]).replace("-", "") for row in rows]
    finally:
        con.close()


def test_without_the_pin_an_owner_command_is_refused_and_writes_nothing(locked_shop) -> None:
    cli, _ = locked_shop
    before = snapshot(cli.db)
    err = cli.refused(*ADJUST)
    assert "이 명령은 사장님 PIN이 필요합니다 (DANGOL_PIN)" in err
    assert "owner's PIN" in cli.refused(*ADJUST, "--lang", "en")
    for args in (
        ["customer", "erase", PHONE],
        ["coupon", "issue", PHONE, "--kind", "amount", "--value", "1000", "--days", "7"],
        ["program", "load", str(cli.db)],
        ["restore", str(cli.db)],
        ["export", "customers", str(cli.db.with_name("out.csv"))],
    ):
        assert "DANGOL_PIN" in cli.refused(*args), args
    assert snapshot(cli.db) == before
    # what a cashier may do needs no PIN
    cli.ok("sale", PHONE, "--amount", "5000")


def test_the_right_pin_acts_as_that_owner(locked_shop) -> None:
    cli, boss = locked_shop
    assert cli.ok(*ADJUST, env={"DANGOL_PIN": "2468"})["points_change"] == 100
    assert _adjust_staff(cli.db) == [boss.replace("-", "")]


def test_five_wrong_pins_lock_the_command_line_too(locked_shop) -> None:
    cli, _ = locked_shop
    for _ in range(4):
        assert "PIN" in cli.refused(*ADJUST, env={"DANGOL_PIN": "0000"})
    assert "잠겼습니다" in cli.refused(*ADJUST, env={"DANGOL_PIN": "0000"})
    before = snapshot(cli.db)
    assert "잠겼습니다" in cli.refused(*ADJUST, env={"DANGOL_PIN": "2468"})
    assert snapshot(cli.db) == before
    assert _adjust_staff(cli.db) == []
