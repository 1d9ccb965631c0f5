"""The scale curve (issue 17): bench_core's cases on shops of several sizes, in one table.

    .venv/bin/python bench/bench_scale.py [SHOP ...]          # runs bench_core on each
    .venv/bin/python bench/bench_scale.py --from-json A.json B.json ...   # bench_core --json

Shops are made by build_shop.py, e.g. `--customers 5000 --entries 25000 --out
bench/data/shop-5k.sqlite`, `--customers 100000 --entries 500000 --out ...-100k.sqlite`
and the default 1M. Each cell is the service's p50 with the raw sqlite3 p50 beside it
(ms); an indexed path stays flat from 5k to 1M.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

CASES = (
    "lookup by phone",
    "lookup by last 4",
    "lookup by card",
    "counter list (last 4)",
    "status, ",
    "monthly_report",
    "sale (synchronous=FULL)",
)


def load(paths: list[Path], from_json: bool) -> list[dict[str, object]]:
    runs = []
    for path in paths:
        if from_json:
            runs.append(json.loads(path.read_text()))
            continue
        out = subprocess.run(
            [sys.executable, str(Path(__file__).with_name("bench_core.py")), str(path), "--json"],
            check=False,
            capture_output=True,
            text=True,
        )
        runs.append(json.loads(out.stdout))
    return runs


def customers_of(run: dict[str, object]) -> str:
    name = Path(str(run["file"])).stem  # shop-5k
    return name.removeprefix("shop-")


def table(runs: list[dict[str, object]]) -> str:
    header = ["case"] + [f"{customers_of(r)} p50 (raw)" for r in runs]
    rows = [header]
    for case in CASES:
        cells = [case.rstrip(", ")]
        for run in runs:
            found = [r for r in run["results"] if str(r["name"]).startswith(case)]  # type: ignore[attr-defined]
            if not found:
                cells.append("-")
                continue
            r = found[0]
            raw = "" if r["raw_p50_ms"] is None else f" ({r['raw_p50_ms']:.3f})"
            cells.append(f"{r['p50_ms']:.3f}{raw}")
        rows.append(cells)
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--from-json", action="store_true")
    args = parser.parse_args()
    print(table(load(args.paths, args.from_json)))


if __name__ == "__main__":
    main()
