"""An import in one process while another records sales: every sale's time, printed as JSON.

Run as `python -m tests.services.import_during_sales DB ROWS` (the test) or from bench/.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

IMPORTER = """
import sys
from pathlib import Path
from app.services import transfer
from app.services.context import open_shop
ctx = open_shop(sys.argv[1])
try:
    print(transfer.import_customers(ctx, Path(sys.argv[2])).imported)
finally:
    Path(sys.argv[3]).write_text("done")
    ctx.close()
"""

SELLER = """
import json, sys, time
from pathlib import Path
from app.services import customers, sales
from app.services.context import open_shop
ctx = open_shop(sys.argv[1])
member = customers.resolve_customer(ctx, "010-9999-0000")
waits, failures = [], []
while not Path(sys.argv[2]).exists():
    started = time.monotonic()
    try:
        sales.record_sale(ctx, member, 10_000)
    except Exception as exc:  # every failure is counted and shown, whatever it is
        failures.append(repr(exc))
    waits.append(time.monotonic() - started)
    time.sleep(0.05)
ctx.close()
print(json.dumps({"waits": waits, "failures": failures}))
"""


def run(db: str, rows: int, folder: Path) -> dict[str, object]:
    from app.services import customers
    from app.services.context import open_shop

    ctx = open_shop(db)
    customers.enroll(ctx, "010-9999-0000")
    ctx.close()
    members = folder / "members.csv"
    members.write_text(
        "phone,points,stamps\n"
        + "".join(
            f"010-{1000 + i // 10_000:04d}-{i % 10_000:04d},{i % 900},1\n" for i in range(rows)
        ),
        encoding="utf-8",
    )
    done = folder / "import.done"
    seller = subprocess.Popen(
        [sys.executable, "-c", SELLER, db, str(done)], stdout=subprocess.PIPE, text=True
    )
    started = time.monotonic()
    imported = subprocess.run(
        [sys.executable, "-c", IMPORTER, db, str(members), str(done)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    seconds = time.monotonic() - started
    out, _ = seller.communicate(timeout=120)
    report = json.loads(out)
    waits = report["waits"]
    return {
        "rows": rows,
        "imported": int(imported),
        "import_seconds": round(seconds, 1),
        "sales": len(waits),
        "max_wait": round(max(waits), 3) if waits else None,
        "failures": report["failures"],
    }


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] != "-" else f"{tmp}/shop.sqlite"
        rows = int(sys.argv[2]) if len(sys.argv) > 2 else 25_000
        print(json.dumps(run(path, rows, Path(tmp))))
