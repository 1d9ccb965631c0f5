"""`dangol partner ...` for two shops on their own files, meeting in a real PostgreSQL database:
words, --json keys, exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import Cli
from tests.conftest import _fresh_copy
from tests.services.test_partners import coalition_url  # noqa: F401  (the fixture)

pytestmark = pytest.mark.postgres


def test_two_shops_from_the_command_line(
    coalition_url: str,  # noqa: F811
    tmp_path: Path,
    migrated_sqlite: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    a, b = (
        Cli(Path(_fresh_copy(migrated_sqlite, tmp_path / f"{n}.sqlite")), monkeypatch, capsys)
        for n in "ab"
    )
    for cli in (a, b):
        cli.now = "2026-03-12T14:00:00+09:00"
    made = a.ok(
        "partner",
        "create",
        "망원동 골목",
        "--value",
        "1",
        "--earn-rate",
        "0.01",
        "--shop",
        "망원빵집",
        "--url",
        coalition_url,
    )
    assert made["name"] == "망원동 골목" and made["point_value"] == "1"
    joined = b("partner", "join", made["join_code"], "--shop", "망원꽃집", "--url", coalition_url)
    assert joined.code == 0 and "망원꽃집" in joined.out and "망원빵집" in joined.out
    bad = b("partner", "join", "nonsense", "--shop", "x", "--url", coalition_url)
    assert bad.code == 2 and "참여 코드" in bad.err
    a.ok("customer", "add", "--phone", "010-2222-3333")
    missing = b("partner", "find", "010-2222-3333")
    assert missing.code == 2 and "동의" in missing.err
    consent = a("partner", "consent", "010-2222-3333", "--grant")
    assert consent.code == 0 and "망원꽃집" in consent.out and "개인정보" in consent.out
    assert a.ok("partner", "sale", "010-2222-3333", "30000")["earned"] == 300
    found = b.ok("partner", "find", "010-2222-3333")
    assert (found["home_shop"], found["balance"], found["own"]) == ("망원빵집", 300, False)
    assert "phone" not in str(found) and "010" not in str(found)
    sale = b("partner", "sale", "010-2222-3333", "5000", "--spend", "200")
    assert sale.code == 0 and "200" in sale.out
    over = b("--lang", "en", "partner", "sale", "010-2222-3333", "5000", "--spend", "999")
    assert over.code == 2 and "Not enough partner points" in over.err
    for cli in (a, b):
        cli.now = "2026-04-02T10:00:00+09:00"
    waiting = a("partner", "settle", "--month", "2026-03")
    assert waiting.code == 2 and "망원빵집" in waiting.err
    for cli in (a, b):
        assert cli("partner", "close", "--month", "2026-03").code == 0
    settled = a.ok("partner", "settle", "--month", "2026-03")
    (mine,) = settled["statements"]
    assert (mine["other_shop"], mine["net"], settled["made"]) == ("망원꽃집", -200, 1)
    pdf, csv = tmp_path / "s.pdf", tmp_path / "s.csv"
    shown = b("partner", "statement", "--month", "2026-03", "--pdf", str(pdf), "--csv", str(csv))
    assert shown.code == 0 and "망원빵집에서 200원을 받습니다" in shown.out
    assert pdf.read_bytes().startswith(b"%PDF") and "망원빵집" in csv.read_text("utf-8-sig")
    assert a("partner", "ack", "--month", "2026-03").code == 0
    acked = b.ok("partner", "ack", "--month", "2026-03", "--with", "망원빵집")
    assert acked["statements"][0]["acked_by_us"] and acked["statements"][0]["acked_by_them"]
    listed = b.ok("partner", "list")
    assert [s["closed_through"] for s in listed["shops"]] == ["2026-03", "2026-03"]
    assert b("partner", "close", "--month", "2026-3").code == 2


def test_the_counter_sale_with_partner_points_from_the_command_line(
    coalition_url: str,  # noqa: F811
    tmp_path: Path,
    migrated_sqlite: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    a = Cli(Path(_fresh_copy(migrated_sqlite, tmp_path / "a.sqlite")), monkeypatch, capsys)
    a.now = "2026-03-12T14:00:00+09:00"
    a.ok("partner", "create", "망원동 골목", "--value", "1", "--earn-rate", "0.01",
         "--shop", "망원빵집", "--url", coalition_url)  # fmt: skip
    a.ok("customer", "add", "--phone", "010-2222-3333")
    shown = a("consent", "show", "010-2222-3333")
    assert shown.code == 0 and "골목 제휴(망원동 골목) 동의: 없음" in shown.out
    # no consent yet: the sale goes through without partner points, a spend is refused
    plain = a.ok("sale", "010-2222-3333", "--amount", "10000")
    assert "partner_earned" not in plain
    refused = a("sale", "010-2222-3333", "--amount", "10000", "--partner-spend", "10")
    assert refused.code == 2 and "제휴에 동의하지 않았습니다" in refused.err
    a("partner", "consent", "010-2222-3333", "--grant")
    data = a.ok("consent", "show", "010-2222-3333")["partner"]
    assert (data["coalition"], data["granted"], data["source"]) == ("망원동 골목", True, "cli")

    a.now = "2026-03-12T14:05:00+09:00"
    sold = a.ok("sale", "010-2222-3333", "--amount", "30000")
    assert (sold["partner_earned"], sold["partner_spent"], sold["partner_balance"]) == (300, 0, 300)
    a.now = "2026-03-12T14:10:00+09:00"
    text = a("sale", "010-2222-3333", "--amount", "5000", "--partner-spend", "200")
    assert text.code == 0
    assert "제휴(망원동 골목): 200포인트 사용(200원), 48포인트 적립, 잔액 148포인트" in text.out
    over = a("--lang", "en", "sale", "010-2222-3333", "--amount", "5000", "--partner-spend", "999")
    assert over.code == 2 and "Not enough partner points" in over.err
    sale_id = text.out.split("sale_id: ")[1].split()[0]
    a.now = "2026-03-12T14:12:00+09:00"
    voided = a.ok("void", sale_id)
    assert (voided["partner_earned_back"], voided["partner_spent_back"]) == (48, 200)
    assert a.ok("partner", "find", "010-2222-3333")["balance"] == 300
    # the POS's sale by its ref takes the same flag
    posted = a.ok("sale", "010-2222-3333", "--amount", "10000", "--ref", "R-9",
                  "--partner-spend", "100")  # fmt: skip
    assert (posted["partner_spent"], posted["partner_earned"]) == (100, 99)

    # a partner token: the partner commands, not the rest
    token = a.ok("token", "create", "--name", "제휴 단말", "--scope", "partner")["token"]
    env = {"DANGOL_TOKEN": token}
    assert a("partner", "find", "010-2222-3333", env=env).code == 0
    denied = a("sale", "010-2222-3333", "--amount", "1000", env=env)
    assert denied.code == 2 and "제휴 단말" in denied.err
    assert a("partner", "settle", "--month", "2026-02", env=env).code == 2
