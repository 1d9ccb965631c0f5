"""A year's dashboard on the 1,000,000-customer shop: time to the painted figures and charts.

    .venv/bin/python bench/bench_dashboard.py [bench/data/shop-1m.sqlite]

Offscreen. Opens the back office's Reports page for the last 12 months and prints the time
from asking for the page until the main figures and charts are painted (target <= 1 s), then
when each heavier analysis (cohorts, top customers, campaigns) arrives. Figures, not a test.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

from app.services.context import open_shop
from app.services.program import program_in_force
from app.ui.app import prepare_application
from app.ui.main_window import MainWindow

TARGET_S = 1.0


class PaintWatch(QObject):
    """Notes the first paint of a widget after it was armed."""

    def __init__(self) -> None:
        super().__init__()
        self.painted_at: float | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self.painted_at is None:
            self.painted_at = time.perf_counter()
        return False


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", nargs="?", default="bench/data/shop-1m.sqlite")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    prepare_application()
    ctx = open_shop(args.path, create=False)
    window = MainWindow(ctx, "bench", program_in_force(ctx), require_sign_in=False)
    window.show()
    app.processEvents()
    window.backoffice_action.trigger()
    office = window.backoffice
    office.resize(1280, 900)
    arrived: dict[str, float] = {}
    start = time.perf_counter()
    page = office.page("page.reports")
    watch = PaintWatch()
    page.charts["chartMembers"].viewport().installEventFilter(watch)
    while "board" not in page.arrived:
        app.processEvents()
    board_at = time.perf_counter()
    watch.painted_at = None  # the empty charts painted before the figures do not count
    while watch.painted_at is None and time.perf_counter() - board_at < 5:
        app.processEvents()
    painted = (watch.painted_at or time.perf_counter()) - start
    print(f"figures arrived      {board_at - start:7.3f} s")
    print(f"charts painted       {painted:7.3f} s   (target <= {TARGET_S:.1f} s)")
    while len(page.arrived) < 4 and time.perf_counter() - start < 300:
        app.processEvents()
        for key in page.arrived - set(arrived):
            arrived[key] = time.perf_counter() - start
        time.sleep(0.001)
    for key in ("cohorts", "top", "campaigns"):
        print(f"{key:<20} {arrived.get(key, float('nan')):7.3f} s after opening")
    print(f"period               {page.period()[0]} .. {page.period()[1]}")
    window.close()
    ctx.close()


if __name__ == "__main__":
    main()
