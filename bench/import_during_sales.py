"""A 25,000-row import while a second process records sales: prints the slowest sale's wait."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.services.import_during_sales import run

if __name__ == "__main__":
    import json
    import tempfile

    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 25_000
    with tempfile.TemporaryDirectory() as tmp:
        print(json.dumps(run(f"{tmp}/shop.sqlite", rows, Path(tmp))))
