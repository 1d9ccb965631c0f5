"""`dangol consent show|set|due`: text and --json, refusals with exit 2, nothing written."""

from __future__ import annotations

from tests.cli.conftest import MASKED, PHONE, snapshot

CONSENT_KEYS = {"channel", "purpose", "granted", "granted_at", "withdrawn_at", "source", "by"}


def test_show_lists_every_channel_and_purpose_and_night(ctx) -> None:
    data = ctx.ok("consent", "show", PHONE)
    assert set(data) == {
        "member_id",
        "phone_masked",
        "status",
        "program_consent_at",
        "consents",
        "night",
        "last_notice_at",
        "notice_due_on",
        "partner",  # the 골목 제휴's consent: null for a shop in none
    }
    assert data["partner"] is None
    assert [(c["channel"], c["purpose"]) for c in data["consents"]] == [
        ("sms", "info"),
        ("sms", "ad"),
        ("alimtalk", "info"),
        ("alimtalk", "ad"),
        ("friendtalk", "info"),
        ("friendtalk", "ad"),
    ]
    assert all(set(c) == CONSENT_KEYS for c in data["consents"])
    assert [n["channel"] for n in data["night"]] == ["sms", "alimtalk", "friendtalk"]
    assert not any(c["granted"] for c in data["consents"] + data["night"])
    assert data["phone_masked"] == MASKED and data["notice_due_on"] is None
    text = ctx("consent", "show", PHONE).out
    assert "수신 동의 · 010-****-5678" in text and "카카오 알림톡 광고성: 없음" in text
    assert "문자(SMS/LMS) 정보성: 멤버십 동의로 받음" in text


def test_set_grants_and_withdraws_and_says_when_how_and_who(ctx) -> None:
    data = ctx.ok("consent", "set", PHONE, "--channel", "sms", "--purpose", "ad", "--grant")
    sms_ad = data["consents"][1]
    assert sms_ad["granted"] and sms_ad["granted_at"] == "2026-03-12T14:00:00+09:00"
    assert sms_ad["source"] == "cli" and sms_ad["by"]["staff_id"] and sms_ad["by"]["token"] is None
    assert data["notice_due_on"] == "2028-03-12"
    # the old JSON key follows SMS advertising
    assert ctx.ok("customer", "show", PHONE)["marketing_consent"] is True
    night = ctx.ok(
        "consent",
        "set",
        PHONE,
        "--channel",
        "sms",
        "--purpose",
        "ad",
        "--grant",
        "--night",
        "--source",
        "counter",
    )
    assert night["night"][0]["granted"] and night["night"][0]["source"] == "counter"
    out = ctx(
        "consent",
        "set",
        PHONE,
        "--channel",
        "sms",
        "--purpose",
        "ad",
        "--withdraw",
        "--source",
        "reply",
    ).out
    assert "문자(SMS/LMS) 광고성: 철회 2026-03-12 14:00 (고객 회신, 사장님)" in out, out
    assert "문자(SMS/LMS) 야간 광고(21시~다음 날 8시): 철회" in out
    assert ctx.ok("customer", "show", PHONE)["marketing_consent"] is False
    english = ctx("--lang", "en", "consent", "show", PHONE).out
    assert "Text message (SMS/LMS) advertising: withdrawn 2026-03-12 14:00" in english


def test_refusals_exit_2_and_write_nothing(ctx) -> None:
    before = snapshot(ctx.db)
    night = ctx.refused(
        "consent", "set", PHONE, "--channel", "sms", "--purpose", "ad", "--grant", "--night"
    )
    assert "광고 수신 동의를 먼저" in night
    info_night = ctx.refused(
        "consent", "set", PHONE, "--channel", "sms", "--purpose", "info", "--grant", "--night"
    )
    assert "광고성 메시지에만" in info_night
    assert "invalid" not in ctx.refused(
        "consent", "set", PHONE, "--channel", "fax", "--purpose", "ad", "--grant"
    )
    ctx.refused("consent", "set", PHONE, "--channel", "sms", "--purpose", "ad")  # grant or not?
    ctx.refused("consent", "show", "010-9999-0000")
    assert snapshot(ctx.db) == before


def test_due_lists_members_two_years_on(ctx) -> None:
    ctx.ok("consent", "set", PHONE, "--channel", "alimtalk", "--purpose", "ad", "--grant")
    assert ctx.ok("consent", "due", "--on", "2028-03-11") == {"on": "2028-03-11", "items": []}
    data = ctx.ok("consent", "due", "--on", "2028-03-12")
    (item,) = data["items"]
    assert set(item) == {
        "member_id",
        "phone_masked",
        "due_on",
        "consented_at",
        "last_notice_at",
        "channels",
        "night",
    }
    assert (item["phone_masked"], item["due_on"], item["channels"]) == (
        MASKED,
        "2028-03-12",
        ["alimtalk"],
    )
    out = ctx("consent", "due", "--on", "2028-03-12").out
    assert "2028-03-12 기준 동의 확인 안내 대상 1명" in out and "카카오 알림톡" in out
    assert "1 member due" in ctx("--lang", "en", "consent", "due", "--on", "2028-03-12").out
    assert "없습니다" in ctx("consent", "due").out  # today: nobody yet


def test_a_consent_change_is_in_the_audit_log_in_words(ctx) -> None:
    from app.i18n import codes

    ctx.ok("consent", "set", PHONE, "--channel", "alimtalk", "--purpose", "ad", "--grant")
    import json
    import sqlite3

    with sqlite3.connect(ctx.db) as con:
        (detail,) = con.execute(
            "SELECT detail FROM audit_log WHERE action = 'consent.set'"
        ).fetchone()
    words = codes.audit_detail("ko", json.loads(detail))
    assert "채널: 카카오 알림톡" in words and "목적: 광고성" in words
    assert codes.audit_action("ko", "consent.set") == "수신 동의 변경"
