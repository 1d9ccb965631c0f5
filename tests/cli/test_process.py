"""The real programs (`python -m app`, the `dangol` script), human output, unexpected errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import __version__
from tests.cli.conftest import CLEAN_ENV, MASKED, PHONE

DANGOL = Path(sys.executable).with_name("dangol")
UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/x"
FULL_NUMBER = ("01012345678", "010-1234-5678", "1234-5678", "010 1234 5678")


def spawn(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in CLEAN_ENV}
    return subprocess.run(
        args, env={**clean, **(env or {})}, capture_output=True, text=True, timeout=60, check=False
    )


def test_python_m_app_version():
    done = spawn(sys.executable, "-m", "app", "--version")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"dangol {__version__}"
    # then where the data is and the licences of what is bundled
    text = done.stdout
    assert "OFL" in text and "LGPL" in text


def test_the_dangol_script_at_the_counter(tmp_path):
    assert DANGOL.is_file(), f"the console script is not installed next to {sys.executable}"
    db = str(tmp_path / "shop.sqlite")
    steps = [
        ["--db", db, "init"],
        ["customer", "add", "--phone", PHONE, "--name", "김단골", "--db", db],
        ["--db", db, "--json", "sale", PHONE, "--amount", "12000"],
        ["--db", db, "customer", "show", PHONE, "--json"],
    ]
    done = [spawn(str(DANGOL), *step) for step in steps]
    for step, result in zip(steps, done, strict=True):
        assert result.returncode == 0, (step, result.stderr)
        assert result.stderr == ""
    sale, shown = json.loads(done[2].stdout), json.loads(done[3].stdout)
    assert (sale["points_earned"], sale["stamps_earned"]) == (240, 1)
    assert (shown["name"], shown["phone_masked"], shown["points"]) == ("김단골", MASKED, 240)


def test_dangol_db_selects_the_database(tmp_path):
    chosen = tmp_path / "chosen.sqlite"
    env = {"DANGOL_DB": str(chosen), "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path)}
    assert spawn(str(DANGOL), "init", env=env).returncode == 0
    assert spawn(str(DANGOL), "customer", "add", "--phone", PHONE, env=env).returncode == 0
    shown = spawn(str(DANGOL), "--json", "customer", "find", "5678", env=env)
    assert shown.returncode == 0, shown.stderr
    assert [c["phone_masked"] for c in json.loads(shown.stdout)["customers"]] == [MASKED]
    assert chosen.is_file()
    # nothing went to the default location
    assert not list(tmp_path.rglob("dangol.sqlite"))


def test_an_unreachable_database_is_exit_1_in_one_sentence():
    done = spawn(sys.executable, "-m", "app", "--db", UNREACHABLE, "customer", "show", PHONE)
    assert done.returncode == 1
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "데이터베이스를 사용할 수 없습니다" in done.stderr
    assert len(done.stderr) < 300


def test_unexpected_errors_in_process(run):
    code, out, err = run(
        "--db", UNREACHABLE, "--lang", "en", "sale", PHONE, "--amount", "1000", db=False
    )
    assert (code, out) == (1, "")
    assert err.startswith("The database cannot be used (") and err.count("\n") == 1
    assert "Nothing was saved." in err and "Traceback" not in err


def test_a_bug_is_exit_1_and_its_traceback_only_with_dangol_debug(ctx, monkeypatch):
    from app.services import sales

    def broken(*args, **kwargs):
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(sales, "record_sale", broken)
    code, out, err = ctx("sale", PHONE, "--amount", "1000")
    assert (code, out) == (1, "")
    assert (
        err
        == "예기치 않은 오류가 발생했습니다 (RuntimeError: boom). 아무것도 저장되지 않았습니다.\n"
    )
    code, _, err = ctx("sale", PHONE, "--amount", "1000", env={"DANGOL_DEBUG": "1"})
    assert code == 1 and "Traceback" in err and "RuntimeError: boom" in err


def no_full_number(text: str) -> None:
    for form in FULL_NUMBER:
        assert form not in text, text


def test_korean_human_output_shows_the_masked_phone_only(ctx):
    code, out, err = ctx("sale", PHONE, "--amount", "12000")
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == f"김단골 {MASKED}"
    assert "구매 12,000원 → +240P · 스탬프 +1" in out
    assert "현재 240P · 스탬프 1/10" in out
    no_full_number(out)

    code, out, _ = ctx("customer", "show", "010.1234.5678")
    assert code == 0
    assert out.splitlines()[0].startswith(f"김단골 {MASKED}")
    assert "포인트: 240P" in out and "스탬프: 1/10" in out
    no_full_number(out)

    code, out, _ = ctx("customer", "find", "5678")
    assert code == 0 and MASKED in out and "1명 찾음" in out
    no_full_number(out)

    code, out, _ = ctx("customer", "add", "--phone", "010-2222-3333")
    assert code == 0 and "가입 완료: 010-****-3333" in out
    assert "2222" not in out.replace(" ", "").split("카드")[0]


def test_english_human_output(ctx):
    code, out, _ = ctx("sale", PHONE, "--amount", "12000", "--lang", "en")
    assert code == 0
    assert "Purchase ₩12,000 → +240P · stamps +1" in out
    assert MASKED in out
    no_full_number(out)


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_human_output_of_every_other_command_is_clean(ctx, tmp_path, lang):
    """No command prints a Python repr or a leftover placeholder to a person."""
    ctx.ok("sale", PHONE, "--amount", "60000")
    sale = ctx.ok("sale", PHONE, "--amount", "12000")
    code = ctx.ok("coupon", "issue", PHONE, "--kind", "amount", "--value", "1000", "--days", "3")[
        "code"
    ]
    commands = [
        ["redeem", PHONE, "--points", "1000"],
        ["redeem", PHONE, "--coupon", code],
        ["adjust", PHONE, "--points", "10", "--reason", "정정"],
        ["ledger", PHONE],
        ["run-daily"],
        ["report", "monthly", "2026-03"],
        ["void", sale["sale_id"]],
        ["export", "customers", str(tmp_path / f"out-{lang}.csv")],
        ["backup", str(tmp_path / f"backup-{lang}.sqlite")],
    ]
    for args in commands:
        result = ctx(*args, "--lang", lang)
        assert (result.code, result.err) == (0, ""), (args, result)
        assert result.out.strip(), args
        for leftover in ("{", "}", "None", "object at 0x", "Result("):
            assert leftover not in result.out, (args, result.out)
