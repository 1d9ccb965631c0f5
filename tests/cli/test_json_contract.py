"""Every command's output on a fixed shop, with --json and without, against the stored contract.

To regenerate on purpose: DANGOL_WRITE_CONTRACT=1 pytest tests/cli/test_json_contract.py
"""

from __future__ import annotations

import json
import os
import random
import re
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import NOW, PHONE

CONTRACT = Path(__file__).with_name("json_contract.json")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# values drawn at random or sized by the file system: only their shape is the contract
RANDOM_KEYS = {"bytes", "size"}
TEXT_IDS = {
    "sale_id": re.compile(r"sale_id: (\S+)"),
    "redemption_id": re.compile(r"redemption_id: (\S+)"),
    "code": re.compile(r"쿠폰 발급: (\w+)"),
}


def _shape(value: Any) -> str:
    if isinstance(value, str):
        return "<digits>" if value.isdigit() else f"<text:{len(value)}>"
    return f"<{type(value).__name__}>"


def _normalize(value: Any, tmp: str, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _normalize(v, tmp, k) for k, v in value.items()}
    if isinstance(value, list):
        if key in RANDOM_KEYS:
            return [_shape(v) for v in value]
        return [_normalize(v, tmp, key) for v in value]
    if key in RANDOM_KEYS and value is not None:
        return _shape(value)
    if isinstance(value, str):
        value = UUID.sub("<uuid>", value.replace(tmp, "<tmp>"))
        # the wall clock in a restore's safety copy, the test's own PostgreSQL schema
        return re.sub(r"\d{8}T\d{6}Z", "<stamp>", re.sub(r"t_[0-9a-f]{12}", "<schema>", value))
    return value


def _normalize_text(text: str, tmp: str) -> str:
    text = UUID.sub("<uuid>", text.replace(tmp, "<tmp>"))
    text = re.sub(r"\d{8}T\d{6}Z", "<stamp>", re.sub(r"t_[0-9a-f]{12}", "<schema>", text))
    return re.sub(r"\(\d[\d,]*(바이트| bytes)\)", r"(<n>\1)", text)


def _run(
    cli: Any, outputs: dict[str, Any], name: str, *args: str, code: int = 0, now: str = ""
) -> Any:
    as_json = cli.json_mode
    env = {"DANGOL_NOW": now} if now else None
    result = cli(*args, *(["--json"] if as_json else []), env=env)
    assert result.code == code, (name, result)
    tmp = str(cli.db.parent)
    if as_json and not result.out:  # a refusal: its sentence on stderr, nothing on stdout
        outputs[name] = {"stderr": _normalize_text(result.err, tmp)}
        return {}
    if as_json:
        data = json.loads(result.out)
        outputs[name] = _normalize(data, tmp)
        return data
    outputs[name] = [_normalize_text(result.out, tmp), _normalize_text(result.err, tmp)]
    found = {key: pattern.search(result.out) for key, pattern in TEXT_IDS.items()}
    return {key: match.group(1) for key, match in found.items() if match}


@pytest.fixture(params=["json", "text"])
def mode_cli(request: pytest.FixtureRequest, cli: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The cli with one seeded random source, so card tokens and coupon codes repeat."""
    import secrets

    seeded = random.Random(10)
    monkeypatch.setattr(secrets, "SystemRandom", lambda: seeded)
    cli.json_mode = request.param == "json"
    cli.now = NOW
    return cli


def _check(outputs: dict[str, Any], section: str) -> None:
    stored = json.loads(CONTRACT.read_text(encoding="utf-8")) if CONTRACT.exists() else {}
    if os.environ.get("DANGOL_WRITE_CONTRACT"):
        stored[section] = outputs
        CONTRACT.write_text(
            json.dumps(stored, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
            encoding="utf-8",
        )
    assert outputs == stored[section]


def test_every_command_is_the_contract(mode_cli: Any, tmp_path: Path) -> None:
    cli = mode_cli
    out: dict[str, Any] = {}
    _run(cli, out, "init", "init")
    _run(cli, out, "demo", "demo", "--customers", "3", "--days", "5")
    _run(cli, out, "demo again", "demo", "--customers", "3", code=2)
    _run(cli, out, "program show", "program", "show")
    program = tmp_path / "program.json"
    program.write_text(cli("program", "show").out, encoding="utf-8")
    _run(cli, out, "program load", "program", "load", str(program))
    _run(
        cli, out, "customer add", "customer", "add", "--phone", "010-2222-3333",
        "--name", "이손님", "--birthday", "1990-03-01", "--marketing-consent",
    )  # fmt: skip
    _run(cli, out, "customer find", "customer", "find", "3333")
    _run(cli, out, "customer find none", "customer", "find", "9999")
    sale = _run(cli, out, "sale", "sale", "010-2222-3333", "--amount", "120000")
    _run(cli, out, "sale 2", "sale", "010-2222-3333", "--amount", "50000")
    for _ in range(8):
        cli("sale", "010-2222-3333", "--amount", "5000")
    _run(cli, out, "redeem stamps", "redeem", "010-2222-3333", "--stamps")
    redeemed = _run(cli, out, "redeem points", "redeem", "010-2222-3333", "--points", "1000")
    coupon = _run(
        cli, out, "coupon issue", "coupon", "issue", "010-2222-3333",
        "--kind", "amount", "--value", "1000", "--days", "30",
    )  # fmt: skip
    _run(cli, out, "customer show", "customer", "show", "010-2222-3333")
    _run(cli, out, "redeem coupon", "redeem", "010-2222-3333", "--coupon", coupon["code"])
    _run(cli, out, "void redemption", "void", redeemed["redemption_id"])
    late = _run(cli, out, "sale 3", "sale", "010-2222-3333", "--amount", "9000")
    _run(cli, out, "void sale", "void", late["sale_id"])
    _run(cli, out, "adjust", "adjust", "010-2222-3333", "--points", "-100", "--reason", "정정")
    _run(cli, out, "ledger", "ledger", "010-2222-3333")
    _run(cli, out, "ledger due", "ledger", PHONE, now="2027-06-01T10:00:00+09:00")
    _run(cli, out, "run-daily", "run-daily")
    # issue 19: segments, KPIs, experiments
    _run(cli, out, "segment list", "segment", "list")
    _run(cli, out, "kpi", "kpi", "--month", "2026-03")
    # a campaign, no coupon: the groups hang on the new experiment's random id, so the
    # contract holds no count of them (tests/services/test_insight.py checks the report)
    _run(
        cli, out, "experiment create", "experiment", "create", "3월 이벤트", "--kind", "campaign",
        "--start", "2026-03-12", "--end", "2026-03-31",
    )  # fmt: skip
    _run(cli, out, "experiment list", "experiment", "list")
    _run(cli, out, "experiment unknown", "experiment", "report", "없는 실험", code=2)
    _run(cli, out, "report monthly", "report", "monthly", "2026-03")
    _run(cli, out, "report range", "report", "range", "2026-02", "2026-03")
    _run(cli, out, "export customers", "export", "customers", str(tmp_path / "out.csv"))
    good = tmp_path / "good.csv"
    good.write_text("phone,name,points\n010-4444-5555,박손님,300\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("phone,name,extra\n010-4444-6666,최손님,x\nnope,,y\n", encoding="utf-8")
    _run(cli, out, "import dry", "import", "customers", str(bad), "--dry-run", code=2)
    _run(cli, out, "import refused", "import", "customers", str(bad), code=2)
    _run(cli, out, "import skip-bad", "import", "customers", str(bad), "--skip-bad")
    _run(cli, out, "import", "import", "customers", str(good))
    _run(cli, out, "backup", "backup", str(tmp_path / "copy.sqlite"))
    _run(cli, out, "restore", "restore", str(tmp_path / "copy.sqlite"))
    slip = sale["sale_id"]
    _run(cli, out, "print slip", "print", "slip", slip, "--out", str(tmp_path / "s.pdf"))
    _run(
        cli, out, "print slip both", "print", "slip", slip, "--out", str(tmp_path / "s2.pdf"),
        "--escpos", str(tmp_path / "s.bin"), "--width", "58",
    )  # fmt: skip
    _run(cli, out, "print slip escpos", "print", "slip", slip, "--escpos", str(tmp_path / "t.bin"))
    _run(cli, out, "print card", "print", "card", PHONE, "--out", str(tmp_path / "c.pdf"))
    _run(cli, out, "print cards", "print", "cards", "--all", "--out", str(tmp_path / "a.pdf"))
    _run(
        cli, out, "print cards blank", "print", "cards", "--blank", "2",
        "--out", str(tmp_path / "b.pdf"), "--backs",
    )  # fmt: skip
    _run(cli, out, "print test-sheet", "print", "test-sheet", "--out", str(tmp_path / "ts.pdf"),
         "--x", "1.5")  # fmt: skip
    _run(cli, out, "print calibrate", "print", "calibrate", "L7414", "--x", "0.5", "--y", "-1")
    _run(cli, out, "sync status off", "sync", "status")
    _check(out, "sqlite " + ("json" if cli.json_mode else "text"))


@pytest.mark.postgres
def test_sync_is_the_contract(mode_cli: Any, pg_url: str) -> None:
    cli = mode_cli
    out: dict[str, Any] = {}
    cli("init")
    cli("customer", "add", "--phone", PHONE)
    _run(cli, out, "sync setup", "sync", "setup", pg_url, "--store", "본점", "--register", "A")
    _run(cli, out, "sync status", "sync", "status")
    _run(cli, out, "sync", "sync")
    _run(cli, out, "sync status after", "sync", "status")
    _run(cli, out, "sync attention", "sync", "attention")
    _check(out, "sync " + ("json" if cli.json_mode else "text"))
