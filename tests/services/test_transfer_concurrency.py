"""A long import never fails a sale: it writes in short transactions and sales get in between."""

from __future__ import annotations

import os
from pathlib import Path

from tests.services.import_during_sales import run

# The normal suite imports fewer rows than a shop's 25,000 (bench/import_during_sales.py).
ROWS = int(os.environ.get("DANGOL_IMPORT_ROWS", "3000"))


def test_sales_during_a_long_import_wait_briefly_and_never_fail(sqlite_ctx, tmp_path: Path):
    db = str(sqlite_ctx.db.path)
    sqlite_ctx.close()
    report = run(db, ROWS, tmp_path)
    print(report)
    assert report["imported"] == ROWS
    assert report["failures"] == []
    assert report["sales"] >= 5, report
    assert report["max_wait"] < 1.0, report
