"""A pull of thousands of members: the feed is read in chunks, so a member's tier change can
arrive in an earlier chunk than the member record itself; the tier counts must not care.

The suite runs 800 members with 1,000-row chunks (the same split, in CI time);
DANGOL_BIG_PULL=3000 runs 3,000 members with the real chunk size (about two minutes)."""

from __future__ import annotations

import os
import time

import pytest
from sqlalchemy import func, select

from app.db.models import Customer
from app.services import reports, sync, transfer
from app.sync import engine as sync_engine

FULL = int(os.environ.get("DANGOL_BIG_PULL", "0"))
MEMBERS = FULL or 800


def _name(i: int) -> str:
    syllables = "가나다라마바사아자차카타파하"
    return "손" + syllables[i % 14] + syllables[i // 14 % 14] + syllables[i // 196 % 14]


def _live_tiers(ctx) -> dict[str, int]:
    with ctx.db.read() as session:
        rows = session.execute(
            select(Customer.tier_code, func.count())
            .where(Customer.status == "active")
            .group_by(Customer.tier_code)
        ).all()
    return {code: int(n) for code, n in rows}


def _report_tiers(ctx) -> dict[str, int]:
    month = ctx.now().astimezone(ctx.zone).strftime("%Y-%m")
    return {k: v for k, v in reports.monthly_report(ctx, month).tier_counts.items() if v}


def test_both_registers_count_the_same_tiers_after_a_pull_of_thousands(
    registers, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not FULL:
        monkeypatch.setattr(sync_engine, "FEED_CHUNK", 1_000)
    a, b = registers("A"), registers("B")
    csv = tmp_path / "members.csv"
    csv.write_text(
        "phone,name\n" + "".join(f"0109{i:07d},{_name(i)}\n" for i in range(MEMBERS)),
        encoding="utf-8",
    )
    started = time.perf_counter()
    assert transfer.import_customers(a, csv).imported == MEMBERS
    sync.sync_now(a)
    pulled = sync.sync_now(b)
    took = time.perf_counter() - started
    chunks = pulled.pulled / sync_engine.FEED_CHUNK
    assert chunks > 2, f"{pulled.pulled} rows pulled: not split into chunks"
    live_a, live_b = _live_tiers(a), _live_tiers(b)
    assert live_a == live_b and sum(live_a.values()) == MEMBERS, (live_a, live_b)
    shown_a, shown_b = _report_tiers(a), _report_tiers(b)
    seen = f"{MEMBERS} members, {pulled.pulled} rows in {chunks:.1f} chunks, {took:.1f} s"
    assert shown_a == live_a, f"register A reports {shown_a}, its members {live_a} ({seen})"
    assert shown_b == live_b, f"register B reports {shown_b}, its members {live_b} ({seen})"
