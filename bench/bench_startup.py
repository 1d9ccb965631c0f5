"""Cold start to a usable first screen, next to a bare PySide6 window started the same way.

    .venv/bin/python bench/bench_startup.py [--db PATH] [--runs 10]

Each run is a new process (`python -m app --db PATH`, offscreen); the app writes the wall
clock time when its first screen takes input (DANGOL_READY_FILE), then, when the shop is open
behind it and the counter is whole (DANGOL_WHOLE_FILE), and quits. The bare window is a
QApplication with one QLineEdit, timed the same way. Runs alternate (app, bare, app, ...) so
both see the same load. Prints median and max of each.
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


def time_start(command: list[str], ready: Path) -> tuple[float, float | None]:
    """Seconds to the first screen, and to the whole counter (None when not written)."""
    whole = ready.with_name("whole")
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "DANGOL_READY_FILE": str(ready),
        "DANGOL_WHOLE_FILE": str(whole),
    }
    ready.unlink(missing_ok=True)
    whole.unlink(missing_ok=True)
    started = time.time()
    try:
        subprocess.run(command, env=env, check=True, capture_output=True, timeout=60)
    except subprocess.SubprocessError as error:  # say what the app said before it stopped
        said = getattr(error, "stderr", None) or b""
        sys.stderr.write(said.decode("utf-8", "replace")[-3000:])
        raise
    done = float(whole.read_text()) - started if whole.is_file() else None
    return float(ready.read_text()) - started, done


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
    app: list[float] = []
    whole: list[float] = []
    bare: list[float] = []
    for _ in range(args.runs):
        first, done = time_start([sys.executable, "-m", "app", "--db", db], ready)
        app.append(first)
        whole += [done] if done is not None else []
        bare.append(time_start([sys.executable, "-c", BARE], ready)[0])
    print(f"{'start to first screen':<28}{'median':>10}{'max':>10}   target")
    print(
        f"{'dangol (counter, sign-in)':<28}{statistics.median(app) * 1000:>8.0f}ms"
        f"{max(app) * 1000:>8.0f}ms   ≤ 500 ms median "
        f"{'PASS' if statistics.median(app) <= 0.5 else 'FAIL'}"
    )
    if whole:
        print(
            f"{'  … counter whole behind it':<28}{statistics.median(whole) * 1000:>8.0f}ms"
            f"{max(whole) * 1000:>8.0f}ms   (shop open, counter built; {len(whole)} runs)"
        )
    print(
        f"{'bare PySide6 window':<28}{statistics.median(bare) * 1000:>8.0f}ms"
        f"{max(bare) * 1000:>8.0f}ms"
    )
    print(f"ratio dangol / bare: {statistics.median(app) / statistics.median(bare):.2f}")


if __name__ == "__main__":
    main()
