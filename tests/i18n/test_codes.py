"""Every code the services write where a person can read it has its words (app/i18n/codes.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.i18n import codes

APP = Path(__file__).resolve().parents[2] / "app"
SOURCES = {path: path.read_text(encoding="utf-8") for path in APP.rglob("*.py")}
# audit(ctx, session, "area.what", ...) and the sync engine's SYNC_RUN = "sync.run"
AUDITED = re.compile(r"\baudit\(\s*(?:self\.)?ctx,\s*\w+,\s*\"([a-z_.]+)\"")
REASONS = re.compile(r"\breason=\"([^\"]+)\"")
TIER_REASONS = re.compile(r"change_tier\(\s*ctx,\s*session,\s*\w+,\s*[\w.]+,\s*\"(\w+)\"")


def _all(pattern: re.Pattern[str]) -> set[str]:
    return {m.group(1) for text in SOURCES.values() for m in pattern.finditer(text)}


def test_the_scan_finds_the_codes():
    assert {"redeem.points", "customers.import", "staff.add"} <= _all(AUDITED)
    assert {"purchase", "expired"} <= _all(REASONS)
    assert {"sale", "evaluation", "import"} <= _all(TIER_REASONS)


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_every_audit_action_has_words(lang):
    actions = _all(AUDITED) | {"sync.run", "report.export_csv", "report.export_pdf"}
    missing = {a for a in actions if codes.audit_action(lang, a) == a}
    assert not missing
    areas = {a.split(".")[0] for a in actions}
    assert not {a for a in areas if codes.audit_area(lang, a) == a}


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_every_ledger_and_tier_reason_has_words(lang):
    for reason in _all(REASONS) | {"void sale 0190e6a4-0000-7000-8000-000000000001"}:
        assert codes.ledger_reason(lang, reason) != reason, reason
    for reason in _all(TIER_REASONS) | {"enroll", "merge"}:
        assert codes.tier_reason(lang, reason) != reason, reason


def test_words_of_the_examples_in_the_issue():
    assert codes.ledger_reason("ko", "purchase") == "구매 적립"
    assert (
        codes.ledger_reason("ko", "void sale 0190e6a4-0000-7000-8000-000000000001") == "구매 취소"
    )
    assert codes.ledger_reason("ko", "campaign: 해피아워") == "이벤트: 해피아워"
    assert codes.ledger_reason("ko", "아메리카노 1잔") == "아메리카노 1잔"  # the owner's text
    assert codes.audit_action("ko", "customers.import") == "회원 가져오기"
    assert codes.audit_action("ko", "redeem.points") == "포인트 사용"
    assert codes.audit_detail("ko", {"role": "cashier"}) == ["역할: 직원"]
    assert codes.audit_detail("ko", {"kind": "amount", "value": 3000}) == ["쿠폰: 3,000원 할인"]
    assert codes.coupon_text("ko", "amount", 3000) == "3,000원 할인"
    assert codes.coupon_text("en", "percent", 10) == "10% off"
    assert codes.encoding("ko", "utf-8-sig") == "UTF-8 (엑셀 저장)"
    assert codes.staff_name("en", "사장님") == "Owner"
    assert codes.staff_name("en", "이알바") == "이알바"


def test_an_import_refusal_names_the_field_in_words():
    from app.domain.errors import Refused
    from app.i18n import explain

    refused = Refused("import.count_invalid", column="points", value="abc")
    assert explain(refused, "ko").startswith("포인트 값은")
    assert explain(refused, "en").startswith("Points must be a whole number")


def test_audit_details_leave_out_ids_and_show_file_names():
    parts = codes.audit_detail(
        "ko",
        {
            "customer": "0190e6a4-0000-7000-8000-000000000001",
            "file": "/home/shop/backups/dangol-20260312.sqlite",
            "keys": ["idle_minutes", "printer"],
            "for": "cli adjust",
        },
    )
    assert parts == [
        "파일: dangol-20260312.sqlite",
        "항목: 자동 로그아웃, 프린터",
        "용도: 명령줄: adjust",
    ]


def test_every_attention_kind_of_the_sync_has_words_in_both_languages():
    from app.i18n import translate

    for kind in ("negative_balance", "duplicate", "duplicate_expiry"):
        for lang in ("ko", "en"):
            for key in (f"sync.kind.{kind}", f"cli.sync.{kind}"):
                words = translate(lang, key, who="김○○", points=10, stamps=0, table="t", row="r")
                assert words != key and "{" not in words, (lang, key)
