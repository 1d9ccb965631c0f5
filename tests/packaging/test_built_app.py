"""The standalone build (dist/dangol/) runs without the project's Python: CLI, slip PDF, windows.

Slow and skipped unless the build exists or DANGOL_BUILD=1 (which builds it first with
packaging/build.sh, about a minute).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import __version__

ROOT = Path(__file__).resolve().parents[2]
BUILT = ROOT / "dist" / "dangol"
PROGRAM = BUILT / ("dangol.exe" if sys.platform == "win32" else "dangol")
PHONE = "010-2345-6789"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def program() -> Path:
    if os.environ.get("DANGOL_BUILD") == "1":
        subprocess.run(["bash", str(ROOT / "packaging" / "build.sh")], check=True, timeout=900)
    if not PROGRAM.is_file():
        pytest.skip(f"no build at {BUILT}: run packaging/build.sh or set DANGOL_BUILD=1")
    return PROGRAM


def run(program: Path, *args: str, ready: Path | None = None) -> subprocess.CompletedProcess[str]:
    # a clean environment: no virtualenv, no PYTHONPATH, so only the build's own files are used
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": os.environ.get("HOME", "/tmp"),
        "QT_QPA_PLATFORM": "offscreen",
        "DANGOL_LOG_DIR": str(Path(args[1]).parent / "logs") if args[:1] == ("--db",) else "",
    }
    if ready is not None:
        env["DANGOL_READY_FILE"] = str(ready)
    return subprocess.run(
        [str(program), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_build_carries_its_migrations_fonts_and_licences(program) -> None:
    internal = BUILT / "_internal"
    versions = sorted(p.name for p in (internal / "app/db/migrations/versions").glob("*.py"))
    sources = sorted(p.name for p in (ROOT / "app/db/migrations/versions").glob("0*.py"))
    assert versions == sources
    assert (internal / "app/db/migrations/script.py.mako").is_file()
    assert (internal / "app/resources/fonts/NanumGothic.ttf").is_file()
    assert (internal / "app/resources/fonts/OFL.txt").is_file()
    assert (internal / "app/resources/styles/counter.qss").is_file()
    assert (internal / "app/resources/icons/dangol.png").is_file()
    assert (internal / "app/resources/translations/ko/LC_MESSAGES/dangol.mo").is_file()
    assert not list(internal.rglob("*WebEngine*"))
    assert not list(internal.rglob("libQt6Quick*"))


def test_the_build_finds_the_os_password_stores(program) -> None:
    """The sync's password goes to the OS keyring: keyring finds its backends by the entry
    points in its metadata and imports them by name, so the build must carry both (the
    Windows Credential Manager's and the macOS keychain's modules too, whichever OS built it)."""
    readers = pytest.importorskip("PyInstaller.archive.readers")  # build.sh installs it
    CArchiveReader = readers.CArchiveReader

    modules = set(CArchiveReader(str(program)).open_embedded_archive("PYZ.pyz").toc)
    assert {
        "keyring.backends.Windows",
        "keyring.backends.macOS",
        "keyring.backends.SecretService",
    } <= modules
    points = list((BUILT / "_internal").glob("keyring-*.dist-info/entry_points.txt"))
    assert points, "keyring's metadata is missing: no backend would be found"
    text = points[0].read_text(encoding="utf-8")
    assert "Windows = keyring.backends.Windows" in text and "macOS = keyring.backends.macOS" in text


def test_version_database_and_licences(program, tmp_path) -> None:
    done = run(program, "--db", str(tmp_path / "shop.sqlite"), "--version")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"dangol {__version__}"
    assert f"database: {tmp_path / 'shop.sqlite'}" in lines
    assert any("PySide6" in line and "LGPL-3.0" in line for line in lines)
    assert any("NanumGothic" in line and "OFL-1.1" in line for line in lines)


def test_init_a_sale_and_a_slip_pdf(program, tmp_path) -> None:
    db = str(tmp_path / "new folder" / "shop.sqlite")
    assert run(program, "--db", db, "init").returncode == 0
    added = run(program, "--db", db, "customer", "add", "--phone", PHONE, "--name", "김단골")
    assert added.returncode == 0, added.stderr
    sold = run(program, "--db", db, "--json", "sale", PHONE, "--amount", "12000")
    assert sold.returncode == 0, sold.stderr
    sale = json.loads(sold.stdout)
    assert (sale["points_earned"], sale["stamps_earned"]) == (240, 1)
    out = tmp_path / "slip.pdf"
    printed = run(program, "--db", db, "print", "slip", sale["sale_id"], "--out", str(out))
    assert printed.returncode == 0, printed.stderr
    from pypdf import PdfReader

    text = PdfReader(out).pages[0].extract_text()
    assert "240" in text and "6789" in text
    assert "2345" not in text  # the number stays masked on the slip


def test_the_counter_window_opens_and_closes(program, tmp_path) -> None:
    db = str(tmp_path / "shop.sqlite")
    run(program, "--db", db, "init")
    run(program, "--db", db, "customer", "add", "--phone", PHONE)
    ready = tmp_path / "ready"
    done = run(program, "--db", db, ready=ready)
    assert done.returncode == 0, done.stderr
    assert float(ready.read_text()) > 0


def test_a_new_shop_opens_on_the_setup_wizard(program, tmp_path) -> None:
    db = tmp_path / "fresh" / "shop.sqlite"
    ready = tmp_path / "ready"
    done = run(program, "--db", str(db), ready=ready)
    assert done.returncode == 0, done.stderr
    assert ready.is_file()  # the wizard was the first screen, then closed ("later")
    assert db.is_file()
