"""The back office's Customers page on a million members: first rows, then scrolling, painted.

    .venv/bin/python bench/bench_customers_view.py [bench/data/shop-1m.sqlite] [--steps 300]

Offscreen. Opens the page, times until the first page of rows is painted, then presses
Page Down on the table `--steps` times; each step is timed from the key press to the
viewport's next paint (the pages fetched on the way, on the database thread, included when a
step has to wait for one). Prints p50/p99/max against the one-frame target.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.services.context import open_shop
from app.ui.app import prepare_application
from app.ui.backoffice.customers_page import CustomersPage
from app.ui.tasks import ServiceRunner

TARGET_MS = 16.0


class PaintWatch(QObject):
    """Notes the time of the viewport's first paint after it was armed."""

    def __init__(self) -> None:
        super().__init__()
        self.painted_at: float | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self.painted_at is None:
            self.painted_at = time.perf_counter()
        return False


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def wait_paint(watch: PaintWatch, until: float = 10.0) -> float:
    deadline = time.perf_counter() + until
    while watch.painted_at is None and time.perf_counter() < deadline:
        QApplication.processEvents()
    return watch.painted_at or time.perf_counter()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", nargs="?", default="bench/data/shop-1m.sqlite")
    parser.add_argument("--steps", type=int, default=300)
    args = parser.parse_args()

    app = prepare_application()
    ctx = open_shop(args.db, create=False)
    runner = ServiceRunner()
    watch = PaintWatch()
    started = time.perf_counter()
    page = CustomersPage(ctx, runner)
    page.resize(1200, 800)
    page.show()
    page.table.viewport().installEventFilter(watch)
    while page.model.rowCount() == 0:
        QApplication.processEvents()
    watch.painted_at = None
    first = (wait_paint(watch) - started) * 1000

    table = page.table
    table.setFocus()
    table.setCurrentIndex(page.model.index(0, 0))
    QApplication.processEvents()
    steps, waited = [], 0
    for _ in range(args.steps):
        rows_before = page.model.rowCount()
        watch.painted_at = None
        pressed = time.perf_counter()
        QTest.keyClick(table, Qt.Key.Key_PageDown)
        steps.append((wait_paint(watch) - pressed) * 1000)
        # at the end of what is held, the model asks for the next page: let it arrive
        while page.model.loading:
            QApplication.processEvents()
        waited += page.model.rowCount() > rows_before
    rows = page.model.rowCount()
    runner.stop()
    ctx.close()
    p50, p99 = percentile(steps, 50), percentile(steps, 99)
    print(f"Customers page on {args.db}")
    print(f"  first rows painted {first:.1f} ms")
    print(
        f"  {len(steps)} Page Down steps, {rows:,} rows held, {waited} steps fetched a page: "
        f"p50 {p50:.2f} ms   p99 {p99:.2f} ms   max {max(steps):.2f} ms   "
        f"target ≤ {TARGET_MS:.0f} ms  {'PASS' if p99 <= TARGET_MS else 'FAIL'}"
    )
    app.quit()


if __name__ == "__main__":
    main()
