"""Every command on a happy path, with --json: the contract's keys and the right figures."""

from __future__ import annotations

import csv
import re
import sqlite3
import uuid
from datetime import date, timedelta

from tests.cli.conftest import MASKED, PHONE, snapshot

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def test_init_creates_the_database_and_is_repeatable(cli):
    first = cli.ok("init")
    assert first["database"] == str(cli.db.resolve())
    assert cli.db.is_file()
    before = snapshot(cli.db)
    assert cli.ok("init")["upgraded_from"] is None
    assert snapshot(cli.db) == before
    assert before["customers"] == 0
    assert before["program_versions"] == 1


def test_no_command_prints_help(cli):
    code, out, _ = cli(db=False)
    assert code == 0
    assert "customer" in out and "sale" in out


def test_demo_builds_a_shop_once(cli):
    demo = cli.ok("demo", "--customers", "5", "--days", "10")
    assert demo["created"] is True
    assert demo["customers"] == 5
    assert demo["sales"] > 0
    assert snapshot(cli.db)["customers"] == 5
    again = cli("demo", "--customers", "5", "--json")  # a second demo is refused, on stderr
    assert (again.code, again.out) == (2, "") and "이미 회원이 5명" in again.err
    assert snapshot(cli.db)["customers"] == 5
    found = cli.ok("customer", "find", demo["showcase_phone"][-4:])["customers"]
    assert [c["name"] for c in found] == ["김단골"]


def test_customer_add_then_show(ctx):
    added = ctx.ok(
        "customer",
        "add",
        "--phone",
        "010 2222 3333",
        "--name",
        "이손님",
        "--birthday",
        "1990-05-01",
        "--marketing-consent",
    )
    assert UUID.match(added["id"])
    assert re.fullmatch(r"\d{12,20}", added["card"])
    assert added["phone_masked"] == "010-****-3333"

    shown = ctx.ok("customer", "show", "01022223333")
    assert shown["id"] == added["id"]
    assert shown["name"] == "이손님"
    assert shown["phone_masked"] == "010-****-3333"
    assert shown["tier"] == "BASIC"
    assert (shown["points"], shown["stamps"], shown["points_expiring_30d"]) == (0, 0, 0)
    assert shown["coupons"] == []
    assert shown["marketing_consent"] is True
    # the scanned card finds the same member
    assert ctx.ok("customer", "show", added["card"])["id"] == added["id"]


def test_customer_add_with_referrer(ctx):
    referrer = ctx.ok("customer", "show", PHONE)
    added = ctx.ok("customer", "add", "--phone", "010-2222-3333", "--referrer", PHONE)
    con = sqlite3.connect(ctx.db)
    try:
        (referrer_id,) = con.execute(
            "SELECT referrer_id FROM customers WHERE id = ?", (uuid.UUID(added["id"]).hex,)
        ).fetchone()
    finally:
        con.close()
    assert uuid.UUID(referrer_id) == uuid.UUID(referrer["id"])


def test_customer_find_by_last4_name_phone_and_card(ctx):
    me = ctx.ok("customer", "show", PHONE)
    ctx.ok("customer", "add", "--phone", "010-9999-5678", "--name", "박손님")
    by_last4 = ctx.ok("customer", "find", "5678")["customers"]
    assert sorted(c["name"] for c in by_last4) == ["김단골", "박손님"]
    for c in by_last4:
        assert {"id", "name", "phone_masked", "tier", "points", "stamps"} <= c.keys()
        assert {"points_expiring_30d", "coupons"} <= c.keys()
    assert [c["id"] for c in ctx.ok("customer", "find", "김")["customers"]] == [me["id"]]
    assert [c["id"] for c in ctx.ok("customer", "find", PHONE)["customers"]] == [me["id"]]
    assert [c["id"] for c in ctx.ok("customer", "find", me["card"])["customers"]] == [me["id"]]
    assert ctx.ok("customer", "find", "4321")["customers"] == []


def test_sale_redeem_void_keep_the_balance_right(ctx):
    sale = ctx.ok("sale", PHONE, "--amount", "12,000원")
    assert UUID.match(sale["sale_id"])
    assert sale["points_earned"] == 240  # 12,000 won at BASIC 2 %
    assert sale["stamps_earned"] == 1
    assert (sale["points"], sale["stamps"], sale["tier"]) == (240, 1, "BASIC")

    big = ctx.ok("sale", "+82 10-1234-5678", "--amount", "50000", "--items", "3")
    assert (big["points_earned"], big["stamps_earned"]) == (1000, 1)  # stamps are per visit
    assert (big["points"], big["stamps"]) == (1240, 2)

    redeemed = ctx.ok("redeem", PHONE, "--points", "1000")
    assert UUID.match(redeemed["redemption_id"])
    assert (redeemed["points"], redeemed["stamps"]) == (240, 2)
    assert ctx.ok("customer", "show", PHONE)["points"] == 240

    voided = ctx.ok("void", redeemed["redemption_id"])
    assert (voided["points"], voided["stamps"]) == (1240, 2)
    voided = ctx.ok("void", big["sale_id"])
    assert (voided["points"], voided["stamps"]) == (240, 1)
    shown = ctx.ok("customer", "show", PHONE)
    assert (shown["points"], shown["stamps"]) == (240, 1)


def test_a_sale_over_the_threshold_promotes_at_once(ctx):
    sale = ctx.ok("sale", PHONE, "--amount", "600000")
    assert sale["points_earned"] == 12_000  # earned at the tier held when paying
    assert (sale["tier"], sale["promoted_from"]) == ("SILVER", "BASIC")
    assert ctx.ok("customer", "show", PHONE)["tier"] == "SILVER"
    assert ctx.ok("void", sale["sale_id"])["tier"] == "BASIC"


def test_stamp_reward(ctx):
    for _ in range(10):
        last = ctx.ok("sale", PHONE, "--amount", "5000")
    assert last["stamps"] == 10
    reward = ctx.ok("redeem", PHONE, "--stamps")
    assert UUID.match(reward["redemption_id"])
    assert reward["reward"] == "아메리카노 1잔"
    assert (reward["points"], reward["stamps"]) == (1000, 0)


def test_coupon_issue_show_and_use(ctx):
    issued = ctx.ok("coupon", "issue", PHONE, "--kind", "amount", "--value", "3000", "--days", "30")
    assert re.fullmatch(r"[A-Z2-9]{8}", issued["code"])
    (coupon,) = ctx.ok("customer", "show", PHONE)["coupons"]
    assert (coupon["code"], coupon["kind"], coupon["value"]) == (issued["code"], "amount", 3000)
    assert coupon["valid_until"] == issued["valid_until"]
    used = ctx.ok("redeem", PHONE, "--coupon", issued["code"].lower())
    assert UUID.match(used["redemption_id"])
    assert used["coupon"]["code"] == issued["code"]
    assert ctx.ok("customer", "show", PHONE)["coupons"] == []
    ctx.ok("void", used["redemption_id"])
    assert [c["code"] for c in ctx.ok("customer", "show", PHONE)["coupons"]] == [issued["code"]]


def test_percent_and_item_coupons(ctx):
    assert ctx.ok("coupon", "issue", PHONE, "--kind", "percent", "--value", "10", "--days", "7")
    assert ctx.ok("coupon", "issue", PHONE, "--kind", "item", "--value", "0", "--days", "1")
    kinds = sorted(c["kind"] for c in ctx.ok("customer", "show", PHONE)["coupons"])
    assert kinds == ["item", "percent"]


def test_adjust_and_ledger_running_balance(ctx):
    ctx.ok("sale", PHONE, "--amount", "12000")
    adjusted = ctx.ok("adjust", PHONE, "--points", "500", "--reason", "종이 카드 이관")
    assert adjusted["points"] == 740
    adjusted = ctx.ok("adjust", PHONE, "--points", "-40", "--reason", "잘못 적립")
    assert adjusted["points"] == 700

    ledger = ctx.ok("ledger", PHONE)
    kinds = [(e["kind"], e["points"], e["points_balance"]) for e in ledger["entries"]]
    assert kinds[:3] == [("earn", 240, 240), ("adjust", 500, 740), ("adjust", -40, 700)]
    assert [e["reason"] for e in ledger["entries"]][1:3] == ["종이 카드 이관", "잘못 적립"]
    shown = ctx.ok("customer", "show", PHONE)
    assert ledger["entries"][-1]["points_balance"] == ledger["points"] == shown["points"]
    assert ledger["stamps"] == shown["stamps"] == 1


def test_customer_erase(ctx):
    ctx.ok("sale", PHONE, "--amount", "12000")
    me = ctx.ok("customer", "show", PHONE)
    erased = ctx.ok("customer", "erase", PHONE)
    assert erased["id"] == me["id"]
    assert ctx.ok("customer", "find", "5678")["customers"] == []
    assert ctx.refused("customer", "show", PHONE)
    # personal data gone, the ledger stays
    after = snapshot(ctx.db)
    assert after["ledger.points"] == 240
    # the number can enroll again as a new member
    assert ctx.ok("customer", "add", "--phone", PHONE)["id"] != me["id"]


def test_run_daily_is_repeatable(ctx):
    first = ctx.ok("run-daily")
    assert first["day"] == "2026-03-12"
    assert first["expired_points"] == 0
    second = ctx.ok("run-daily")
    assert second["day"] == "2026-03-12"
    assert snapshot(ctx.db)["daily_runs"] == 1


def test_report_monthly(ctx):
    ctx.ok("customer", "add", "--phone", "010-2222-3333")
    ctx.ok("sale", PHONE, "--amount", "12000")
    ctx.ok("sale", PHONE, "--amount", "50000")
    ctx.ok("redeem", PHONE, "--points", "1000")

    march = ctx.ok("report", "monthly", "2026-03")
    assert march["month"] == "2026-03"
    assert (march["members"], march["new_members"], march["active_members"]) == (2, 2, 1)
    assert (march["points_issued"], march["points_redeemed"]) == (1240, 1000)
    assert (march["points_expired"], march["points_outstanding"]) == (0, 240)
    assert march["redemption_rate"] == 0.8065  # 1,000 / 1,240
    assert march["tier_counts"] == {"BASIC": 2, "SILVER": 0, "GOLD": 0, "PLATINUM": 0}

    ctx.ok("sale", "010-2222-3333", "--amount", "10000", env={"DANGOL_NOW": "2026-04-02T10:00"})
    april = ctx.ok("report", "monthly", "2026-04")
    assert (april["members"], april["new_members"], april["active_members"]) == (2, 0, 1)
    assert (april["points_issued"], april["points_outstanding"]) == (200, 440)
    assert april["redemption_rate"] == 0
    assert ctx.ok("report", "monthly", "2026-03") == march
    months = ctx.ok("report", "range", "2026-03", "2026-04")["months"]
    assert [m["month"] for m in months] == ["2026-03", "2026-04"]


def test_export_customers(ctx, tmp_path):
    ctx.ok("sale", PHONE, "--amount", "12000")
    target = tmp_path / "out.csv"
    exported = ctx.ok("export", "customers", str(target))
    assert exported["rows"] == 1
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["phone"] == PHONE
    assert rows[0]["name"] == "김단골"
    assert (rows[0]["points"], rows[0]["stamps"], rows[0]["tier"]) == ("240", "1", "BASIC")
    # never overwrites a file
    assert "이미 있는 파일" in ctx.refused("export", "customers", str(target))


def test_exported_file_imports_into_a_new_shop(ctx, tmp_path):
    ctx.ok("sale", PHONE, "--amount", "12000")
    target = tmp_path / "out.csv"
    ctx.ok("export", "customers", str(target))
    other = tmp_path / "other.sqlite"
    ctx.ok("--db", str(other), "init")
    imported = ctx.ok("--db", str(other), "import", "customers", str(target))
    assert (imported["rows"], imported["imported"], imported["bad_rows"]) == (1, 1, [])
    assert imported["ignored_columns"] == []  # every exported column moves, the tier too
    moved = ctx.ok("--db", str(other), "customer", "show", PHONE)
    assert (moved["name"], moved["points"], moved["stamps"]) == ("김단골", 240, 1)
    assert moved["tier"] == "BASIC"


def test_global_options_before_or_after_the_command(ctx):
    after = ctx("customer", "show", PHONE, "--db", str(ctx.db), "--json", "--lang", "en", db=False)
    before = ctx("--db", str(ctx.db), "--json", "--lang", "en", "customer", "show", PHONE, db=False)
    middle = ctx("customer", "--json", "show", PHONE, db=True)
    assert after.code == before.code == middle.code == 0
    assert after.json["id"] == before.json["id"] == middle.json["id"]
    assert after.json["phone_masked"] == MASKED
    # --lang after the command changes the refusal's language
    en = ctx("sale", "5678", "--amount", "1000", "--lang", "en")
    ko = ctx("--lang", "ko", "sale", "5678", "--amount", "1000")
    assert "does not pick out one customer" in en.err
    assert "특정할 수 없습니다" in ko.err
    assert ctx("sale", PHONE, "--amount", "1000", "--lang=en").out.startswith("김단골")


def test_dangol_db_environment_variable_picks_the_database(cli, tmp_path):
    chosen = tmp_path / "from-env.sqlite"
    assert cli("init", env={"DANGOL_DB": str(chosen)}, db=False).code == 0
    assert chosen.is_file()
    assert not cli.db.exists()
    # --db wins over DANGOL_DB
    assert cli("init", env={"DANGOL_DB": str(chosen)}).code == 0
    assert cli.db.is_file()


def test_coupon_valid_until_is_the_last_day_it_can_be_used(ctx):
    issued = ctx.ok("coupon", "issue", PHONE, "--kind", "item", "--value", "1", "--days", "30")
    code = issued["code"]
    (shown,) = ctx.ok("customer", "show", PHONE)["coupons"]
    last_day = date.fromisoformat(shown["valid_until"])
    too_late = f"{last_day + timedelta(days=1)}T00:30"
    assert "유효기간이 지난" in ctx.refused(
        "redeem", PHONE, "--coupon", code, env={"DANGOL_NOW": too_late}
    )
    assert ctx.ok("redeem", PHONE, "--coupon", code, env={"DANGOL_NOW": f"{last_day}T23:30"})
