"""`dangol wallet ...` and `dangol report wallet`: words, --json keys and exit codes."""

from __future__ import annotations

import json

from tests.cli.conftest import PHONE


def test_wallet_commands(ctx, tmp_path) -> None:
    cli = ctx  # one member at NOW (tests/cli/conftest.py)
    off = cli("wallet", PHONE)
    assert off.code == 2 and "적립금" in off.err
    shape = cli.ok("program", "show")
    shape["cashback"] = {"percent": {"BASIC": 5}, "prepaid_limit": 30000, "expiry_months": 12}
    path = tmp_path / "program.json"
    path.write_text(json.dumps(shape, ensure_ascii=False), encoding="utf-8")
    cli.ok("program", "load", str(path))
    sold = cli.ok("sale", PHONE, "--amount", "20,000")
    assert sold["cashback_earned"] == 1000 and sold["wallet"]["cashback"] == 1000
    top = cli.ok("wallet", "topup", PHONE, "--won", "10,000", "--ref", "30012398")
    assert top["kind"] == "topup" and top["wallet"]["prepaid"] == 10_000
    words = cli("wallet", "spend", PHONE, "--won", "1500")
    assert words.code == 0
    assert "1,500원 사용 (적립금 1,000원, 선불 500원)" in words.out
    shown = cli.ok("wallet", PHONE)
    assert {k: shown[k] for k in ("cashback", "prepaid", "total")} == {
        "cashback": 0,
        "prepaid": 9_500,
        "total": 9_500,
    }
    for args, words_ko in (
        (("wallet", "topup", PHONE, "--won", "1000"), "결제 번호"),
        (("wallet", "topup", PHONE, "--won", "1", "--ref", "X", "--paid-with", "wallet"), "지갑"),
        (("wallet", "topup", PHONE, "--won", "30000", "--ref", "X"), "한도"),
        (("wallet", "spend", PHONE, "--won", "9501"), "모자랍니다"),
        (("wallet", "spend", PHONE), "--won"),
        (("wallet", "give", PHONE), "spend|topup"),
    ):
        refused = cli(*args)
        assert refused.code == 2 and words_ko in refused.err, (args, refused)
    english = cli("--lang", "en", "wallet", "spend", PHONE, "--won", "9501")
    assert english.code == 2 and "Not enough" in english.err
    paid = cli.ok("sale", PHONE, "--amount", "10000", "--wallet", "500")
    assert (paid["wallet_spent"], paid["cashback_earned"]) == (500, 475)  # 5 % of 9,500
    assert paid["wallet"]["prepaid"] == 9_000 and paid["wallet"]["cashback"] == 475
    report = cli.ok("report", "wallet")
    assert report["cashback"] == {
        "issued": 1475,
        "spent": 1000,
        "expired": 0,
        "returned": 0,
        "outstanding": 475,
    }
    assert report["prepaid"]["outstanding"] == 9_000 and report["liability_won"] == 9_475
    text = cli("report", "wallet", "2026-03").out
    assert "적립금 (매장 부담)" in text and "선불 (고객 예치금)" in text and "9,475원" in text
