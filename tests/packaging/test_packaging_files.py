"""The packaging files agree with the project: version, icon, desktop entry, installer script."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
DESKTOP = PACKAGING / "linux" / "kr.dangol.Dangol.desktop"


def _version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def test_the_desktop_entry_is_complete() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(DESKTOP, encoding="utf-8")
    section = entry["Desktop Entry"]
    assert section["Type"] == "Application"
    assert section["Exec"].split()[0] == "dangol"
    assert section["Name[ko]"] == "단골"
    assert section["Icon"] == DESKTOP.stem
    assert section["Categories"].endswith(";")


@pytest.mark.skipif(not shutil.which("desktop-file-validate"), reason="desktop-file-utils absent")
def test_the_desktop_entry_validates() -> None:
    done = subprocess.run(["desktop-file-validate", str(DESKTOP)], capture_output=True, text=True)
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


def test_the_icon_is_a_square_orange_picture() -> None:
    with Image.open(PACKAGING / "icons" / "dangol.png") as image:
        assert image.size == (512, 512)
        assert image.convert("RGBA").getpixel((256, 40))[:3] == (242, 125, 38)
    assert (PACKAGING / "icons" / "dangol.ico").stat().st_size > 1000
    assert "단" in (PACKAGING / "icons" / "dangol.svg").read_text(encoding="utf-8")


def test_the_spec_reads_the_version_and_ships_the_migrations() -> None:
    spec = (PACKAGING / "dangol.spec").read_text(encoding="utf-8")
    assert 'tomllib.loads((ROOT / "pyproject.toml")' in spec
    for needed in ("app/db/migrations/versions", "script.py.mako", "app/resources/fonts"):
        assert needed in spec
    assert "PySide6.QtWebEngineCore" in spec  # excluded
    assert "BUNDLE(" in spec and "NSCameraUsageDescription" in spec


def test_the_installer_script_names_the_program_and_version_source() -> None:
    script = (PACKAGING / "windows" / "dangol.iss").read_text(encoding="utf-8")
    assert "dangolw.exe" in script  # the windowless program
    assert "dist\\dangol\\*" in script
    assert "#define AppVersion" in script
    assert f'"{_version()}"' in script
