"""A shop's long days: a long back-office read while sales go on, and a month of daily
backups (some cut short) that keeps the kept number of good backups and nothing else."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from app.domain.errors import Refused
from app.domain.member_file import parse_lots
from app.services import backup_schedule, customers, daily, sales, transfer
from app.services.context import open_shop
from tests.conftest import START

MEMBERS = 3000

# sells to the first 200 members again and again until told to stop: every sale's wait
SELLER = """
import json, random, sys, time
from pathlib import Path
from app.services import sales
from app.services.context import open_shop
from app.services.customers import resolve_customer
ctx = open_shop(sys.argv[1])
members = [resolve_customer(ctx, f"010-4{i // 1000:03d}-{i % 1000:04d}") for i in range(200)]
Path(sys.argv[2]).touch()
waits, failures = [], []
while not Path(sys.argv[3]).exists():
    started = time.monotonic()
    try:
        sales.record_sale(ctx, random.choice(members), 10_000)
    except Exception as exc:  # every failure is counted and shown, whatever it is
        failures.append(repr(exc))
    waits.append(time.monotonic() - started)
    time.sleep(0.01)
ctx.close()
print(json.dumps({"waits": waits, "failures": failures}))
"""


def test_a_long_back_office_read_during_sales_sees_one_snapshot(tmp_path: Path) -> None:
    db = str(tmp_path / "shop.sqlite")
    ctx = open_shop(db)
    members = tmp_path / "members.csv"
    members.write_text(
        "phone,points\n"
        + "".join(f"010-4{i // 1000:03d}-{i % 1000:04d},{1000 + i}\n" for i in range(MEMBERS)),
        encoding="utf-8",
    )
    assert transfer.import_customers(ctx, members).imported == MEMBERS
    ready, stop = tmp_path / "ready", tmp_path / "stop"
    seller = subprocess.Popen(
        [sys.executable, "-c", SELLER, db, str(ready), str(stop)], stdout=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 30
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # sales under way
        reads = []
        for n in range(3):
            out = tmp_path / f"export-{n}.csv"
            started = time.monotonic()
            assert transfer.export_customers(ctx, out) == MEMBERS
            reads.append(time.monotonic() - started)
            rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
            # the balances and the lots come from one snapshot: for every member they agree,
            # though sales to 200 of them land while the read goes on
            for row in rows:
                lots = parse_lots(row["point_lots"], 10**9) if row["point_lots"] else []
                assert int(row["points"]) == sum(n for _, n in lots), row
    finally:
        stop.touch()
        report = json.loads(seller.communicate(timeout=60)[0])
        ctx.close()
    waits = report["waits"]
    assert report["failures"] == []
    assert len(waits) >= 20, f"only {len(waits)} sales during the reads {reads}"
    # a read never holds the write lock: a sale waits no longer than during an ordinary day
    assert max(waits) < 1.0, f"a sale waited {max(waits):.2f} s during reads of {reads}"
    from sqlalchemy import func, select

    from app.db.models import Sale

    after = open_shop(db)
    try:
        with after.db.read() as session:  # every sale made is there
            assert session.scalar(select(func.count()).select_from(Sale)) == len(waits)
    finally:
        after.close()


LEFTOVERS = ("-journal", "-wal", "-shm", ".partial")


def test_a_month_of_daily_backups_keeps_the_kept_number_and_no_leftovers(sqlite_ctx) -> None:
    ctx = sqlite_ctx
    keep = int(ctx.settings.get("backup_keep", 14))
    assert keep == 14
    phone = "010-5555-0000"
    customers.enroll(ctx, phone)
    who = customers.resolve_customer(ctx, phone)
    folder = backup_schedule.backup_folder(ctx)
    for day in range(30):
        ctx.fixed_now = START + timedelta(days=day)
        sales.record_sale(ctx, who, 10_000 + day)
        daily.run_daily(ctx)
        if day % 7 == 3:
            # the app was closed in the middle of a copy, twice: an abandoned step, and a
            # process killed outright that left its half file and journal behind
            try:
                backup_schedule.daily_backup(ctx, stop=lambda: True)
            except Refused as refused:
                assert refused.code == "backup.interrupted"
            killed = folder / f"dangol-{day:04d}0101-000000-auto.sqlite.partial"
            killed.write_bytes(b"SQLite format 3\x00" + bytes(2000))
            Path(str(killed) + "-journal").write_bytes(bytes(512))
            Path(str(folder / "dangol-x.sqlite.partial") + "-wal").write_bytes(bytes(64))
        assert backup_schedule.daily_backup(ctx) is not None  # one whole copy that day
        assert backup_schedule.daily_backup(ctx) is None  # and only one
        if day % 5 == 0:
            ctx.fixed_now += timedelta(minutes=5)
            backup_schedule.backup_now(ctx, "manual")
        listed = backup_schedule.list_backups(ctx)
        assert len(listed) <= keep
        names = [p.name for p in folder.iterdir()]
        assert not [n for n in names if n.endswith(LEFTOVERS)], (day, names)
    listed = backup_schedule.list_backups(ctx)
    assert len(listed) == keep
    # every kept one is a whole backup of the newest days, readable alone
    assert all(b.customers == 1 and b.ledger_entries for b in listed)
    assert sorted(p.name for p in folder.iterdir()) == sorted(b.path.name for b in listed)
    newest = max(listed, key=lambda b: b.made_at)
    assert newest.made_at.date() == ctx.local_date(START + timedelta(days=29))
