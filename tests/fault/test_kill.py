"""kill -9 in the middle of sales, redemptions and imports, again and again, on a real SQLite
file: after each kill every action is whole or absent, the books reconcile and the file is
sound. The worker is a separate process (this file run as a script); the parent kills it at
random moments and checks the file before starting the next one."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing, suppress
from pathlib import Path

KILLS = 12
SEED = int(os.environ.get("DANGOL_FAULT_SEED", "11"))
PHONES = [f"0107777{i:04d}" for i in range(8)]


def _work(db: str, run: int) -> None:
    """The child: sales, redemptions and a small import, forever, each its own transaction."""
    from app.domain.errors import Refused
    from app.services import customers, redemptions, sales, transfer
    from app.services.context import open_shop
    from app.services.customers import resolve_customer

    ctx = open_shop(db)
    for phone in PHONES:
        with suppress(Refused):
            customers.enroll(ctx, phone)
    ids = [resolve_customer(ctx, phone) for phone in PHONES]
    csv = Path(db).with_name(f"import-{run}.csv")
    names = "가나다라마바사아자차카타파하"
    csv.write_text(
        "phone,name\n"
        + "".join(
            f"0108{run:03d}{i:04d},손{names[i % 14]}{names[i // 14 % 14]}\n" for i in range(60)
        ),
        encoding="utf-8",
    )
    print("ready", flush=True)
    step = 0
    while True:
        step += 1
        who = ids[step % len(ids)]
        try:
            if step % 23 == 0:
                transfer.import_customers(ctx, csv)
            elif step % 3 == 0:
                redemptions.redeem_points(ctx, who, 1000)
            else:
                sales.record_sale(ctx, who, 30_000 + step)
        except Refused:
            pass  # too few points, already imported: refused, nothing written


def _books(db: Path) -> list[str]:
    """Every way the file can be wrong after a kill (empty when it is right)."""
    wrong: list[str] = []
    with closing(sqlite3.connect(db)) as c:
        integrity = c.execute("PRAGMA integrity_check").fetchone()[0]
        if integrity != "ok":
            wrong.append(f"integrity_check: {integrity}")
        bare = c.execute(
            "SELECT count(*) FROM sales s WHERE s.amount > 0 AND NOT EXISTS "
            "(SELECT 1 FROM ledger_entries e WHERE e.sale_id = s.id)"
        ).fetchone()[0]
        if bare:
            wrong.append(f"{bare} sales without their ledger entry")
        unbooked = c.execute(
            "SELECT count(*) FROM redemptions r WHERE NOT EXISTS "
            "(SELECT 1 FROM ledger_entries e WHERE e.redemption_id = r.id)"
        ).fetchone()[0]
        if unbooked:
            wrong.append(f"{unbooked} redemptions without their ledger entry")
        negative = c.execute(
            "SELECT count(*) FROM (SELECT customer_id FROM ledger_entries GROUP BY customer_id "
            "HAVING sum(points) < 0)"
        ).fetchone()[0]
        if negative:
            wrong.append(f"{negative} balances below zero")
        cardless = c.execute(
            "SELECT count(*) FROM customers u WHERE NOT EXISTS "
            "(SELECT 1 FROM tier_changes t WHERE t.customer_id = u.id)"
        ).fetchone()[0]
        if cardless:
            wrong.append(f"{cardless} members without their enrolment tier")
        for metric, sql in (
            ("points_net", "SELECT coalesce(sum(points), 0) FROM ledger_entries"),
            ("stamps_net", "SELECT coalesce(sum(stamps), 0) FROM ledger_entries"),
            ("visits", "SELECT count(*) FROM sales WHERE amount > 0"),
            ("sales_amount", "SELECT coalesce(sum(amount), 0) FROM sales"),
            ("new_members", "SELECT count(*) FROM customers"),
        ):
            figure = c.execute(
                "SELECT coalesce(sum(value), 0) FROM monthly_stats WHERE metric = ?", (metric,)
            ).fetchone()[0]
            truth = c.execute(sql).fetchone()[0]
            if figure != truth:
                wrong.append(f"monthly {metric} {figure} but the rows say {truth}")
    return wrong


def test_kill_9_during_sales_redemptions_and_imports(tmp_path) -> None:
    db = tmp_path / "shop.sqlite"
    rng = random.Random(SEED)
    env = {**os.environ}
    env.pop("DANGOL_NOW", None)
    started = time.monotonic()
    seen: list[str] = []
    for run in range(KILLS):
        errors = tmp_path / f"child-{run}.err"
        with errors.open("w") as err:
            child = subprocess.Popen(
                [sys.executable, __file__, str(db), str(run)],
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
                env=env,
            )
        assert child.stdout is not None
        with child.stdout:
            ready = child.stdout.readline()
            assert ready.strip() == "ready", errors.read_text()
            time.sleep(rng.uniform(0.05, 0.8))
            child.send_signal(signal.SIGKILL)
            child.wait(10)
        assert child.returncode == -signal.SIGKILL, (child.returncode, errors.read_text())
        wrong = _books(db)
        with closing(sqlite3.connect(db)) as c:
            counts = c.execute(
                "SELECT (SELECT count(*) FROM sales), (SELECT count(*) FROM redemptions), "
                "(SELECT count(*) FROM customers)"
            ).fetchone()
        seen.append(f"kill {run + 1}: sales/redemptions/members {counts}")
        assert not wrong, f"after kill {run + 1}: {wrong}\n" + "\n".join(seen)
    took = time.monotonic() - started
    assert counts[0] > KILLS and counts[1] > 0, "\n".join(seen)
    assert took < 60, f"{KILLS} kills took {took:.1f} s\n" + "\n".join(seen)


if __name__ == "__main__":
    _work(sys.argv[1], int(sys.argv[2]))
