"""Refused input: exit 2, the reason on stderr in Korean (default) or English, nothing written."""

from __future__ import annotations

import pytest

from tests.cli.conftest import PHONE, assert_refused_in_both_languages

REFUSALS = {
    # phone numbers and who
    "phone too short": (["customer", "add", "--phone", "010-123"], "너무 짧습니다", "too short"),
    "phone with a letter": (
        ["customer", "add", "--phone", "010-12a4-5678"],
        "쓸 수 없는 문자",
        "not allowed: a",
    ),
    "phone already a member": (
        ["customer", "add", "--phone", "01012345678"],
        "이미 가입된 번호",
        "already a member",
    ),
    "birthday not a date": (
        ["customer", "add", "--phone", "010-2222-3333", "--birthday", "1990-13-01"],
        "YYYY-MM-DD",
        "YYYY-MM-DD",
    ),
    "name with digits": (
        ["customer", "add", "--phone", "010-2222-3333", "--name", "김1"],
        "숫자를 넣을 수 없습니다",
        "cannot contain digits",
    ),
    "unknown referrer": (
        ["customer", "add", "--phone", "010-2222-3333", "--referrer", "010-9999-0000"],
        "해당하는 회원이 없습니다",
        "No member matches",
    ),
    "malformed phone as who": (
        ["sale", "010-12", "--amount", "1000"],
        "너무 짧습니다",
        "too short",
    ),
    "unknown customer for sale": (
        ["sale", "010-9999-0000", "--amount", "1000"],
        "해당하는 회원이 없습니다",
        "No member matches '010-9999-0000'",
    ),
    "unknown customer for show": (
        ["customer", "show", "010-9999-0000"],
        "해당하는 회원이 없습니다",
        "No member matches",
    ),
    "unknown customer for ledger": (
        ["ledger", "010-9999-0000"],
        "해당하는 회원이 없습니다",
        "No member matches",
    ),
    "last 4 digits are ambiguous": (
        ["sale", "5678", "--amount", "1000"],
        "한 사람을 특정할 수 없습니다",
        "does not pick out one customer",
    ),
    "a name is ambiguous": (
        ["redeem", "김단골", "--points", "1000"],
        "한 사람을 특정할 수 없습니다",
        "does not pick out one customer",
    ),
    "erase by last 4": (
        ["customer", "erase", "5678"],
        "한 사람을 특정할 수 없습니다",
        "does not pick out one customer",
    ),
    # amounts
    "negative amount": (["sale", PHONE, "--amount", "-5000"], "0원보다 커야", "more than 0 won"),
    "zero amount": (["sale", PHONE, "--amount", "0"], "0원보다 커야", "more than 0 won"),
    "amount not a number": (
        ["sale", PHONE, "--amount", "abc"],
        "금액을 숫자로 입력하세요",
        "you typed: abc",
    ),
    "amount too large": (
        ["sale", PHONE, "--amount", "100000001"],
        "금액이 너무 큽니다",
        "too large",
    ),
    "no items": (["sale", PHONE, "--amount", "1000", "--items", "0"], "1개 이상", "at least 1"),
    "amount missing": (["sale", PHONE], "명령을 이해하지 못했습니다", "--amount"),
    # redemptions
    "more points than the balance": (
        ["redeem", PHONE, "--points", "2000"],
        "포인트가 부족합니다 (보유 1,240점",
        "Not enough points (balance 1,240",
    ),
    "below the minimum": (
        ["redeem", PHONE, "--points", "500"],
        "1,000점 이상",
        "At least 1,000 points",
    ),
    "not a multiple of the unit": (
        ["redeem", PHONE, "--points", "1050"],
        "100점 단위",
        "steps of 100",
    ),
    "stamps not yet full": (
        ["redeem", PHONE, "--stamps"],
        "스탬프가 부족합니다 (2/10개)",
        "Not enough stamps (2 of 10)",
    ),
    "two ways to redeem at once": (
        ["redeem", PHONE, "--stamps", "--points", "1000"],
        "명령을 이해하지 못했습니다",
        "not allowed with argument",
    ),
    "malformed coupon code": (
        ["redeem", PHONE, "--coupon", "ABCD"],
        "쿠폰 번호가 올바르지 않습니다",
        "not valid: ABCD",
    ),
    "unknown coupon": (
        ["redeem", PHONE, "--coupon", "ABCD-EFGH"],
        "찾을 수 없습니다",
        "No coupon",
    ),
    # voids
    "void of a malformed id": (["void", "xyz"], "올바르지 않습니다", "Not a valid id"),
    "void of an unknown id": (
        ["void", "01a213b8-56b1-7f0a-94a7-e9dcd6f9cda1"],
        "찾을 수 없습니다",
        "No sale or redemption",
    ),
    # adjustments
    "adjust with a blank reason": (
        ["adjust", PHONE, "--points", "100", "--reason", "  "],
        "사유가 필요합니다",
        "needs a reason",
    ),
    "adjust without a reason": (
        ["adjust", PHONE, "--points", "100"],
        "명령을 이해하지 못했습니다",
        "--reason",
    ),
    "adjust below zero": (
        ["adjust", PHONE, "--points", "-5000", "--reason", "정정"],
        "잔액 1240P보다 많이 차감할 수 없습니다",
        "Cannot take -5000 from a balance of 1240",
    ),
    "adjust by zero": (
        ["adjust", PHONE, "--points", "0", "--reason", "정정"],
        "0이 아닌 정수",
        "other than zero",
    ),
    "adjust by a fraction": (
        ["adjust", PHONE, "--points", "1.5", "--reason", "정정"],
        "명령을 이해하지 못했습니다",
        "not a whole number: 1.5",
    ),
    # coupons
    "coupon of an unknown kind": (
        ["coupon", "issue", PHONE, "--kind", "gift", "--value", "1", "--days", "1"],
        "명령을 이해하지 못했습니다",
        "invalid choice: 'gift'",
    ),
    "percent coupon over 100": (
        ["coupon", "issue", PHONE, "--kind", "percent", "--value", "150", "--days", "7"],
        "1%에서 100% 사이",
        "between 1% and 100%",
    ),
    "amount coupon of 0 won": (
        ["coupon", "issue", PHONE, "--kind", "amount", "--value", "0", "--days", "7"],
        "쿠폰 금액이 올바르지 않습니다",
        "coupon value is not valid",
    ),
    "coupon valid for 0 days": (
        ["coupon", "issue", PHONE, "--kind", "amount", "--value", "1000", "--days", "0"],
        "유효기간은 1일에서",
        "Validity must be between 1 and",
    ),
    # reports, files, the command itself
    "month 13": (["report", "monthly", "2026-13"], "YYYY-MM 형식", "as YYYY-MM (got 2026-13)"),
    "month with a slash": (["report", "monthly", "2026/03"], "YYYY-MM 형식", "as YYYY-MM"),
    "range backwards": (
        ["report", "range", "2026-05", "2026-03"],
        "시작 월(2026-05)이 끝 월(2026-03)보다 늦습니다",
        "is after the last",
    ),
    "program file missing": (["program", "load", "nope.json"], "파일이 없습니다", "No such file"),
    "import file missing": (
        ["import", "customers", "nope.csv"],
        "파일이 없습니다",
        "No such file",
    ),
    "unknown command": (["frobnicate"], "명령을 이해하지 못했습니다", "invalid choice"),
}


@pytest.mark.parametrize(("args", "ko", "en"), REFUSALS.values(), ids=REFUSALS.keys())
def test_refused_input_changes_nothing(funded, args, ko, en):
    assert_refused_in_both_languages(funded, args, ko, en)


def test_invalid_dangol_now_is_refused(funded):
    assert_refused_in_both_languages(
        funded,
        ["customer", "show", PHONE],
        "DANGOL_NOW 값이 올바른 날짜·시각이 아닙니다: yesterday",
        "DANGOL_NOW is not a valid",
        env={"DANGOL_NOW": "yesterday"},
    )


def test_dangol_lang_sets_the_default_language(funded):
    err = funded.refused("sale", "5678", "--amount", "1000", env={"DANGOL_LANG": "en"})
    assert "does not pick out one customer" in err


def test_void_twice(funded):
    sale = funded.ok("sale", PHONE, "--amount", "10000")
    redemption = funded.ok("redeem", PHONE, "--points", "1000")
    funded.ok("void", sale["sale_id"])
    funded.ok("void", redemption["redemption_id"])
    for action in (sale["sale_id"], redemption["redemption_id"]):
        assert_refused_in_both_languages(
            funded, ["void", action], "이미 취소된 거래입니다", "already been voided"
        )


def test_void_of_a_sale_whose_points_were_spent(funded):
    sale = funded.ok("sale", PHONE, "--amount", "100000")  # 2,000 points, 3,240 in all
    funded.ok("redeem", PHONE, "--points", "3000")
    assert_refused_in_both_languages(
        funded, ["void", sale["sale_id"]], "이미 사용되었습니다", "Void the redemption first"
    )


def test_used_coupon_cannot_be_used_again(funded):
    code = funded.ok("coupon", "issue", PHONE, "--kind", "item", "--value", "1", "--days", "3")[
        "code"
    ]
    funded.ok("redeem", PHONE, "--coupon", code)
    assert_refused_in_both_languages(
        funded, ["redeem", PHONE, "--coupon", code], "이미 사용한 쿠폰", "already used"
    )


def test_coupon_of_another_member(funded):
    funded.ok("customer", "add", "--phone", "010-2222-3333")
    code = funded.ok(
        "coupon", "issue", "01022223333", "--kind", "item", "--value", "1", "--days", "3"
    )["code"]
    assert_refused_in_both_languages(
        funded, ["redeem", PHONE, "--coupon", code], "다른 회원의 쿠폰", "another member"
    )


def test_an_erased_member_cannot_be_used_by_id(funded):
    me = funded.ok("customer", "erase", PHONE)
    assert_refused_in_both_languages(
        funded, ["sale", me["id"], "--amount", "1000"], "삭제된 회원", "been erased"
    )


@pytest.mark.parametrize(
    "args",
    [
        ["customer", "show", PHONE],
        ["customer", "add", "--phone", PHONE],
        ["sale", PHONE, "--amount", "1000"],
        ["program", "show"],
        ["report", "monthly", "2026-03"],
        ["run-daily"],
    ],
    ids=lambda args: " ".join(args[:2]),
)
def test_a_missing_database_is_not_created(cli, args):
    code, out, err = cli(*args)
    assert (code, out) == (2, "")
    assert "데이터베이스가 없습니다" in err and "dangol init" in err
    assert "There is no database" in cli(*args, "--lang", "en").err
    assert not cli.db.exists()


# --- files, folders, a second demo, a card as printed, impossible dates (issue 11) -------


def test_export_into_a_missing_folder_is_refused(funded, tmp_path):
    target = tmp_path / "missing" / "x.csv"
    assert_refused_in_both_languages(
        funded, ["export", "customers", str(target)], "폴더가 없습니다", "folder does not exist"
    )
    assert not target.parent.exists()


def test_export_onto_a_folder_is_refused(funded, tmp_path):
    assert_refused_in_both_languages(
        funded, ["export", "customers", str(tmp_path)], "폴더입니다", "is a folder"
    )


@pytest.mark.parametrize(
    "args",
    [
        ["import", "customers", "{dir}"],
        ["program", "load", "{dir}"],
        ["restore", "{dir}"],
    ],
    ids=lambda args: " ".join(args[:2]),
)
def test_a_folder_where_a_file_is_expected(funded, tmp_path, args):
    args = [a.format(dir=tmp_path) for a in args]
    assert_refused_in_both_languages(funded, args, "폴더입니다", "is a folder")


def test_an_unreadable_or_undecodable_input_is_refused(funded, tmp_path):
    binary = tmp_path / "program.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    assert_refused_in_both_languages(
        funded, ["program", "load", str(binary)], "올바른 JSON이 아닙니다", "not valid JSON"
    )


def test_a_write_the_system_refuses_is_a_refusal(funded, tmp_path):
    # a path through a file (not a folder): the system refuses it whoever runs the tests
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    assert_refused_in_both_languages(
        funded, ["export", "customers", str(blocker / "x.csv")], "폴더가 없습니다", "folder"
    )


def test_a_second_demo_is_refused_on_stderr(cli):
    assert cli.ok("demo", "--customers", "3", "--days", "5")["created"] is True
    assert_refused_in_both_languages(
        cli, ["demo", "--customers", "3"], "이미 회원이 3명 있어", "already has 3 members"
    )
    assert cli("demo", "--json").out == ""


@pytest.mark.parametrize("typed", ["{spaced}", "{dashed}", " {plain} "])
def test_a_blank_card_is_accepted_as_printed(cli, typed):
    cli.ok("init")
    token = cli.ok("print", "cards", "--blank", "1", "--out", str(cli.db.parent / "c.pdf"))[
        "tokens"
    ][0]
    spaced = " ".join(token[i : i + 4] for i in range(0, 16, 4))
    text = typed.format(spaced=spaced, dashed=spaced.replace(" ", "-"), plain=token)
    member = cli.ok("customer", "add", "--phone", "010-4444-5555", "--card", text)
    assert member["card"] == token
    assert cli.ok("customer", "find", spaced)["customers"][0]["id"] == member["id"]


def test_an_impossible_date_says_it_does_not_exist(funded):
    assert_refused_in_both_languages(
        funded,
        ["customer", "add", "--phone", "010-2222-3333", "--birthday", "2001-02-30"],
        "2001-02-30은 없는 날짜입니다",
        "2001-02-30 does not exist",
    )


# --- a print the system refuses, impossible dates in files and the clock (issue 11) ---------


@pytest.mark.parametrize(
    ("target", "ko", "en"),
    [
        ("/dev/full", "디스크 공간이 부족해", "not enough disk space"),  # ENOSPC, no file name
        ("/proc/version", "응답하지 않아", "did not respond"),  # EIO
    ],
)
def test_a_print_the_system_refuses_says_why_in_words(funded, target, ko, en):
    before = funded("print", "test-sheet", "--out", target, "--lang", "en").err
    assert "No space left" not in before and "Input/output error" not in before
    assert_refused_in_both_languages(funded, ["print", "test-sheet", "--out", target], ko, en)


def test_a_program_file_with_an_impossible_date_says_it_does_not_exist(funded, tmp_path):
    import copy
    import json

    from app.domain.program import DEFAULT_PROGRAM_JSON

    data = copy.deepcopy(DEFAULT_PROGRAM_JSON)
    campaign = {
        "name": "봄",
        "multiplier": 2,
        "bonus": 0,
        "start": "2027-02-29",
        "end": "2027-03-31",
    }
    data["campaigns"] = [campaign]
    path = tmp_path / "program.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert_refused_in_both_languages(
        funded,
        ["program", "load", str(path)],
        "2027-02-29는 없는 날짜입니다",
        "2027-02-29 does not exist",
    )


def test_an_impossible_day_in_the_clock_or_an_imported_moment_does_not_exist(funded, tmp_path):
    assert_refused_in_both_languages(
        funded,
        ["customer", "find", "010"],
        "2026-04-31은 없는 날짜입니다",
        "2026-04-31 does not exist",
        env={"DANGOL_NOW": "2026-04-31T10:00:00+09:00"},
    )
    path = tmp_path / "m.csv"
    path.write_text("phone,enrolled_at\n010-2222-3333,2025-02-29T10:00:00+09:00\n", "utf-8")
    # an import names each bad row on its own line, then says nothing was imported
    korean = funded.refused("import", "customers", str(path))
    english = funded.refused("import", "customers", str(path), "--lang", "en")
    assert "2번째 줄: 2025-02-29는 없는 날짜입니다" in korean, korean
    assert "2025-02-29 does not exist" in english, english
