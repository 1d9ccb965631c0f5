"""The wheel works on its own: `pip wheel .`, installed in a clean venv, opens the counter and
prints a slip.

Slow (about a minute: build, a new venv, the dependencies from packaging/lock.txt), but part of
the normal suite: it is the one check that what pip installs has every file the app reads.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from app import __version__

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "packaging" / "lock.txt"
PHONE = "010-2345-6789"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The bin/ folder of a new venv (no system site-packages) with the wheel installed."""
    work = tmp_path_factory.mktemp("wheel")
    # a copy of the sources, so no build/ folder left by an earlier build leaks into the wheel
    source = work / "source"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", "*.sqlite"
        ),
    )
    wheels = work / "wheels"
    pip_run(sys.executable, "wheel", "--no-deps", "--wheel-dir", str(wheels), str(source))
    (wheel,) = wheels.glob("dangol-*.whl")
    env_dir = work / "venv"
    venv.EnvBuilder(system_site_packages=False, with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    pip_run(str(python), "install", "--constraint", str(LOCK), str(wheel))
    return env_dir / "bin"


def pip_run(python: str, *args: str) -> None:
    done = subprocess.run(
        [python, "-m", "pip", "--quiet", *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def run(bin_dir: Path, *args: str, cwd: Path, ready: Path | None = None):
    # nothing of the project's own venv or sources: only what the wheel installed
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "HOME": str(cwd),
        "QT_QPA_PLATFORM": "offscreen",
        "DANGOL_LOG_DIR": str(cwd / "logs"),
    }
    if ready is not None:
        env["DANGOL_READY_FILE"] = str(ready)
    return subprocess.run(
        [str(bin_dir / args[0]), *args[1:]],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_app_comes_from_the_wheel_with_its_files(installed, tmp_path) -> None:
    script = (
        "import json, app, app.resources as r; print(json.dumps([app.__file__, str(r.RESOURCES),"
        " (r.RESOURCES / 'styles' / 'counter.qss').is_file(), r.FONT_REGULAR.is_file(),"
        " r.ICON.is_file()]))"
    )
    done = run(installed, "python", "-c", script, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    app_file, resources, *present = json.loads(done.stdout)
    site = installed.parent / "lib"
    assert Path(app_file).is_relative_to(site) and Path(resources).is_relative_to(site)
    assert present == [True, True, True]
    done = run(installed, "dangol", "--version", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == f"dangol {__version__}"


def test_a_sale_and_its_slip(installed, tmp_path) -> None:
    db = str(tmp_path / "shop.sqlite")
    assert run(installed, "dangol", "--db", db, "init", cwd=tmp_path).returncode == 0
    added = run(installed, "dangol", "--db", db, "customer", "add", "--phone", PHONE, cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    sold = run(
        installed, "dangol", "--db", db, "--json", "sale", PHONE, "--amount", "12000", cwd=tmp_path
    )
    assert sold.returncode == 0, sold.stderr
    sale = json.loads(sold.stdout)
    assert (sale["points_earned"], sale["stamps_earned"]) == (240, 1)
    out = tmp_path / "x.pdf"
    printed = run(
        installed,
        "dangol",
        "--db",
        db,
        "print",
        "slip",
        sale["sale_id"],
        "--out",
        str(out),
        cwd=tmp_path,
    )
    assert printed.returncode == 0, printed.stderr
    from pypdf import PdfReader

    text = PdfReader(out).pages[0].extract_text()
    assert "240" in text and "6789" in text
    assert "2345" not in text  # the number stays masked on the slip


def test_the_counter_window_starts(installed, tmp_path) -> None:
    db = str(tmp_path / "shop.sqlite")
    run(installed, "dangol", "--db", db, "init", cwd=tmp_path)
    run(installed, "dangol", "--db", db, "customer", "add", "--phone", PHONE, cwd=tmp_path)
    ready = tmp_path / "ready"
    done = run(installed, "dangol", "--db", db, cwd=tmp_path, ready=ready)
    assert done.returncode == 0, done.stderr
    assert ready.is_file(), done.stderr  # written once the counter takes input
    assert float(ready.read_text()) > 0
    assert "Traceback" not in done.stderr
