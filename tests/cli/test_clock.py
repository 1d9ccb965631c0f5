"""DANGOL_NOW moves the clock of a command, and every use of it is in the audit log."""

from __future__ import annotations

import json

from tests.cli.conftest import PHONE, audit_actions, snapshot


def test_points_expire_twelve_months_after_they_were_earned(cli):
    cli.now = "2026-01-10T12:00"
    cli.ok("init")
    cli.ok("customer", "add", "--phone", PHONE)
    assert cli.ok("sale", PHONE, "--amount", "12000")["points"] == 240

    cli.now = "2027-01-10T21:00"  # the last day they can be used
    last_day = cli.ok("customer", "show", PHONE)
    assert (last_day["points"], last_day["points_expiring_30d"]) == (240, 240)
    assert cli.ok("run-daily")["expired_points"] == 0

    cli.now = "2027-01-12T09:00"
    daily = cli.ok("run-daily")
    assert (daily["day"], daily["expired_points"], daily["expired_customers"]) == (
        "2027-01-12",
        240,
        1,
    )
    assert cli.ok("run-daily")["expired_points"] == 0  # twice is harmless

    ledger = cli.ok("ledger", PHONE)
    assert [(e["kind"], e["points"], e["points_balance"]) for e in ledger["entries"]] == [
        ("earn", 240, 240),
        ("expire", -240, 0),
    ]
    assert ledger["entries"][0]["at"].startswith("2026-01-10T12:00")
    assert ledger["entries"][0]["expires_at"].startswith("2027-01-11T00:00:00+09:00")
    assert ledger["entries"][1]["at"].startswith("2027-01-12T09:00")
    shown = cli.ok("customer", "show", PHONE)
    assert ledger["points"] == shown["points"] == 0
    assert shown["stamps"] == ledger["stamps"] == 1  # stamps do not expire

    report = cli.ok("report", "monthly", "2027-01")
    assert (report["points_expired"], report["points_outstanding"]) == (240, 0)

    code, out, _ = cli("ledger", PHONE)
    assert code == 0
    assert "소멸" in out and "유효기간 만료" in out and "-240P" in out  # kind, reason in words


def test_the_counter_settles_expiry_without_the_daily_run(cli):
    cli.now = "2026-01-10T12:00"
    cli.ok("init")
    cli.ok("customer", "add", "--phone", PHONE)
    cli.ok("sale", PHONE, "--amount", "50000")  # 1,000 points
    cli.now = "2027-01-11T10:00"
    sale = cli.ok("sale", PHONE, "--amount", "12000")
    assert sale["points"] == 240
    ledger = cli.ok("ledger", PHONE)
    assert [e["kind"] for e in ledger["entries"]] == ["earn", "expire", "earn"]
    assert ledger["points"] == cli.ok("customer", "show", PHONE)["points"] == 240


def test_every_use_of_dangol_now_is_audited(cli):
    assert cli("init").code == 0  # the real clock: no override
    assert audit_actions(cli.db, "clock.override") == []
    moments = ["2026-03-12T14:00", "2026-03-13T09:30+09:00", "2026-03-14T00:00:00Z"]
    for moment in moments:
        assert cli("report", "monthly", "2026-03", env={"DANGOL_NOW": moment}).code == 0
    details = [json.loads(d) for d in audit_actions(cli.db, "clock.override")]
    assert [d["now"] for d in details] == [
        "2026-03-12T05:00:00+00:00",  # no offset: the shop's local time (Seoul)
        "2026-03-13T00:30:00+00:00",
        "2026-03-14T00:00:00+00:00",
    ]
    before = snapshot(cli.db)
    cli("report", "monthly", "2026-03")
    assert audit_actions(cli.db, "clock.override") == [json.dumps(d) for d in details]
    assert snapshot(cli.db) == before


def test_dangol_now_sets_the_moment_of_what_is_written(ctx):
    sale = ctx.ok("sale", PHONE, "--amount", "12000", env={"DANGOL_NOW": "2026-03-01T08:15"})
    (entry,) = [e for e in ctx.ok("ledger", PHONE)["entries"] if e["sale_id"] == sale["sale_id"]]
    assert entry["at"].startswith("2026-03-01T08:15:00")
    assert entry["at"].endswith("+09:00")


def test_ledger_says_what_has_expired_but_is_not_written_yet(cli):
    """Between the expiry moment and the next write, show and ledger must still agree."""
    cli.now = "2026-01-10T12:00"
    cli.ok("init")
    cli.ok("customer", "add", "--phone", "010-1234-5678")
    cli.ok("sale", "010-1234-5678", "--amount", "12000")
    cli.now = "2027-01-12T12:00"
    ledger = cli.ok("ledger", "010-1234-5678")
    shown = cli.ok("customer", "show", "010-1234-5678")
    assert (ledger["points"], ledger["points_due_to_expire"]) == (240, 240)
    assert ledger["points_usable"] == shown["points"] == 0
