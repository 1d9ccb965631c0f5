"""Win-back coupons are issued once a member, however often the owner clicks or runs it."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from datetime import timedelta

from sqlalchemy import func, select

from app.db.models import AuditEntry, Coupon
from app.services import winback
from tests.services.helpers import snapshot
from tests.services.test_analytics import MAR, _history


def _coupons(ctx) -> int:
    with ctx.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(Coupon)) or 0)


def test_a_second_run_issues_nothing_and_says_who_was_skipped(ctx) -> None:
    _history(ctx)
    first = winback.issue_winback_coupons(ctx, 14, "amount", 3_000, 14)
    assert (first.issued, first.skipped) == (2, 0)
    before = snapshot(ctx)
    second = winback.issue_winback_coupons(ctx, 14, "amount", 3_000, 14)
    assert (second.issued, second.skipped) == (0, 2)
    assert snapshot(ctx) == before and _coupons(ctx) == 2  # not even an audit entry


def test_the_offer_counts_who_would_get_it_and_who_has_it(ctx) -> None:
    _history(ctx)
    offer = winback.winback_offer(ctx, 14, "amount", 3_000, 14)
    assert (offer.to_issue, offer.already, offer.value, offer.kind) == (2, 0, 3_000, "amount")
    assert _coupons(ctx) == 0  # asking writes nothing
    winback.issue_winback_coupons(ctx, 14, "amount", 3_000, 14)
    offer = winback.winback_offer(ctx, 14, "amount", 3_000, 14)
    assert (offer.to_issue, offer.already) == (0, 2)
    # a wider search finds nobody new here; a different offer is a different win-back
    assert winback.winback_offer(ctx, 14, "amount", 5_000, 14).to_issue == 2


def test_a_new_win_back_once_the_last_one_has_expired(ctx) -> None:
    _history(ctx)
    winback.issue_winback_coupons(ctx, 14, "amount", 3_000, 7)
    ctx.fixed_now = MAR + timedelta(days=7)  # 2026-03-19 14:00 KST: valid until the 19th 00:00
    again = winback.issue_winback_coupons(ctx, 14, "amount", 3_000, 7)
    assert (again.issued, again.skipped) == (2, 0)
    with ctx.db.read() as session:
        audits = session.scalars(select(AuditEntry).where(AuditEntry.action == "winback.coupons"))
        assert [json.loads(a.detail or "{}")["coupons"] for a in audits] == [2, 2]


WORKER = textwrap.dedent(
    """
    import json, sys
    from datetime import datetime
    from app.services import winback
    from app.services.context import open_shop

    url, now = sys.argv[1], datetime.fromisoformat(sys.argv[2])
    ctx = open_shop(url, create=False, now=now)
    sys.stdin.readline()  # start together
    done = winback.issue_winback_coupons(ctx, 14, "amount", 3_000, 14)
    ctx.close()
    print(json.dumps({"issued": done.issued, "skipped": done.skipped}))
    """
)


def test_two_runs_at_once_issue_one_coupon_each(ctx, db_url: str) -> None:
    _history(ctx)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, db_url, MAR.isoformat()],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = []
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    answers = [(proc.communicate(timeout=120), proc.returncode) for proc in procs]
    for (out, err), code in answers:
        assert code == 0, err
        results.append(json.loads(out))
    assert sorted(r["issued"] for r in results) == [0, 2]
    assert sorted(r["skipped"] for r in results) == [0, 2]
    assert _coupons(ctx) == 2
