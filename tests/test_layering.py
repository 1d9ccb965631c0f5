"""The core knows nothing of Qt: domain, db, services and cli load without PySide6."""

import subprocess
import sys

CHECK = """
import importlib, pkgutil, sys
import app
for info in pkgutil.walk_packages(app.__path__, "app."):
    if info.name.startswith(("app.ui", "app.db.migrations", "app.__main__")):
        continue
    importlib.import_module(info.name)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6"))
assert not loaded, loaded
print("ok")
"""


def test_core_modules_never_load_qt() -> None:
    result = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
