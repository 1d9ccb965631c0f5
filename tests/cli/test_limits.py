"""A clock outside the sane range and a deeply nested program file are refusals in words."""

from __future__ import annotations

import pytest

from tests.cli.conftest import PHONE, assert_refused_in_both_languages, snapshot


@pytest.mark.parametrize(
    "moment", ["2126-01-10T12:00", "9999-12-31T23:59", "1999-12-31T23:00+00:00", "0001-01-01"]
)
def test_a_clock_outside_the_range_is_refused(cli, moment: str) -> None:
    cli.now = "2026-01-10T12:00"
    cli.ok("init")
    cli.ok("customer", "add", "--phone", PHONE)
    cli.ok("sale", PHONE, "--amount", "12000")
    cli.now = moment
    assert_refused_in_both_languages(cli, ["run-daily"], "2000-01-01", "2000-01-01")
    cli.now = "2026-01-11T12:00"
    assert cli.ok("customer", "show", PHONE)["points"] == 240  # nothing expired


def test_the_clock_keeps_its_contract_inside_the_range(cli) -> None:
    cli.now = "2099-12-31T12:00"
    cli.ok("init")
    cli.ok("customer", "add", "--phone", PHONE)
    assert cli.ok("sale", PHONE, "--amount", "12000")["points"] == 240
    ledger = cli.ok("ledger", PHONE)
    assert ledger["entries"][0]["at"].startswith("2099-12-31T12:00")


@pytest.mark.parametrize("depth", [20, 100_000])
def test_a_deeply_nested_program_file_is_refused(ctx, tmp_path, depth: int) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"points": ' + "[" * depth + "]" * depth + "}", encoding="utf-8")
    before = snapshot(ctx.db)
    assert_refused_in_both_languages(
        ctx, ["program", "load", str(path)], "너무 깊", "too deeply nested"
    )
    assert snapshot(ctx.db) == before
