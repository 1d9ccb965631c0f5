"""Issue 19: RFM scores of every member of a generated shop, and the reads of the page.

    .venv/bin/python bench/build_shop.py --customers 100000 --out bench/data/shop-100k.sqlite
    .venv/bin/python bench/bench_rfm.py --shop bench/data/shop-100k.sqlite

Prints the time of segments.compute_rfm (DELETE + one INSERT … SELECT with window functions +
a count, in one transaction), of rfm_overview (the grid and the segments) and of the KPI page.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from app.services import kpis, segments
from app.services.context import open_shop


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shop", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    ctx = open_shop(str(args.shop))
    try:
        for run in range(args.runs):
            start = time.perf_counter()
            with ctx.db.write() as session:
                scored = segments.compute_rfm(ctx, session, ctx.now())
            computed = time.perf_counter() - start
            start = time.perf_counter()
            overview = segments.rfm_overview(ctx)
            read = time.perf_counter() - start
            start = time.perf_counter()
            kpis.kpi_board(ctx)
            board = time.perf_counter() - start
            print(
                f"run {run + 1}: compute_rfm {computed:.2f} s for {scored:,} scored members"
                f" (of {overview.scored + overview.unscored:,} active);"
                f" overview {read * 1000:.0f} ms; KPI page {board * 1000:.0f} ms"
            )
        print("segments:", {s.code: s.members for s in overview.segments})
    finally:
        ctx.close()


if __name__ == "__main__":
    main()
