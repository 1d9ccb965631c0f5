"""Cold start to a usable first screen, next to a bare PySide6 window started the same way.

    .venv/bin/python bench/bench_startup.py [--db PATH] [--runs 10]

Each run is a new process (`python -m app --db PATH`, offscreen); the app writes the wall
clock time when its first screen takes input (DANGOL_READY_FILE) and quits. The bare window
is a QApplication with one QLineEdit, timed the same way. Prints median and max of each.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE = """
import os, sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLineEdit
app = QApplication(sys.argv[:1])
w = QLineEdit(); w.show(); w.setFocus()
def ready():
    open(os.environ["DANGOL_READY_FILE"], "w").write(repr(time.time()))
    app.quit()
QTimer.singleShot(0, ready)
app.exec()
"""


def time_start(command: list[str], ready: Path) -> float:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "DANGOL_READY_FILE": str(ready)}
    ready.unlink(missing_ok=True)
    started = time.time()
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=60)
    return float(ready.read_text()) - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database to open (default: a fresh demo shop)")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dangol-start-"))
    db = args.db
    if db is None:
        db = str(work / "shop.sqlite")
        subprocess.run(
            [sys.executable, "-m", "app", "--db", db, "demo", "--customers", "50"],
            check=True,
            capture_output=True,
        )
    ready = work / "ready"
    app = [time_start([sys.executable, "-m", "app", "--db", db], ready) for _ in range(args.runs)]
    bare = [time_start([sys.executable, "-c", BARE], ready) for _ in range(args.runs)]
    print(f"{'start to first screen':<28}{'median':>10}{'max':>10}   target")
    print(
        f"{'dangol (counter, sign-in)':<28}{statistics.median(app) * 1000:>8.0f}ms"
        f"{max(app) * 1000:>8.0f}ms   ≤ 1000 ms median "
        f"{'PASS' if statistics.median(app) <= 1.0 else 'FAIL'}"
    )
    print(
        f"{'bare PySide6 window':<28}{statistics.median(bare) * 1000:>8.0f}ms"
        f"{max(bare) * 1000:>8.0f}ms"
    )
    print(f"ratio dangol / bare: {statistics.median(app) / statistics.median(bare):.2f}")


if __name__ == "__main__":
    main()
