"""The counter process's cyclic garbage collector, settled once its shop is open.

By the time the counter takes its first customer the process holds a few hundred thousand
long-lived objects (SQLAlchemy's models and compiled statements, the Qt wrappers, the
translations, the program). Python's cyclic collector, left as it is, walks the young ones
every 700 net allocations and all of them at every full collection -- a pause in the middle
of whatever call happens to be running, a lookup's tail (bench/bench_lookup_tail.py).

`settle()` collects once, then moves every object alive to the permanent generation
(gc.freeze: never walked again) and raises the youngest generation's threshold, so a
collection is rarer and walks only what the counter made since. Cycles are still
collected; what the app leaks is not hidden, only found later. Called once the shop is
open (app.ui.app) and by the benches that stand for the counter's process.
"""

from __future__ import annotations

import gc

STOCK_THRESHOLDS = (700, 10, 10)  # Python's own (3.11)
THRESHOLDS = (10_000, 10, 10)


def settle() -> None:
    """Collect what start-up left, freeze what is alive, collect the young less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
