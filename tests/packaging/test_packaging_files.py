"""The packaging files agree with the project: version, icon, desktop entry, installer script."""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
RESOURCES = ROOT / "resources"
DESKTOP = PACKAGING / "linux" / "kr.dangol.Dangol.desktop"


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _version() -> str:
    return _pyproject()["project"]["version"]


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


def test_the_desktop_entry_validates() -> None:
    if not shutil.which("desktop-file-validate"):
        if os.environ.get("CI"):  # .ci/run installs it: a CI that lacks it must not pass
            pytest.fail("desktop-file-validate (desktop-file-utils) is required in CI")
        pytest.skip("desktop-file-utils absent")
    done = subprocess.run(["desktop-file-validate", str(DESKTOP)], capture_output=True, text=True)
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


def test_the_icon_is_a_square_orange_picture() -> None:
    from app.resources import ICON

    assert ICON == RESOURCES / "icons" / "dangol.png"
    with Image.open(ICON) as image:
        assert image.size == (512, 512)
        assert image.convert("RGBA").getpixel((256, 40))[:3] == (242, 125, 38)
    assert "단" in (RESOURCES / "icons" / "dangol.svg").read_text(encoding="utf-8")
    # the installers' own icons stay with the installers
    assert (PACKAGING / "icons" / "dangol.ico").stat().st_size > 1000
    assert (PACKAGING / "icons" / "dangol.icns").stat().st_size > 1000


def test_every_package_under_app_is_listed_for_the_wheel() -> None:
    # pyproject.toml lists the packages (app.resources comes from resources/), so a new one
    # must be added there or the wheel goes without it
    found = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for path in (ROOT / "app").rglob("*.py")
        if "__pycache__" not in path.parts
    }
    setuptools = _pyproject()["tool"]["setuptools"]
    assert set(setuptools["packages"]) == found | {"app.resources"}
    assert setuptools["package-dir"] == {"app.resources": "resources"}
    assert not (ROOT / "app" / "resources").exists()


def test_the_resources_are_package_data() -> None:
    globs = _pyproject()["tool"]["setuptools"]["package-data"]["app.resources"]
    shipped = {path.relative_to(RESOURCES) for pattern in globs for path in RESOURCES.glob(pattern)}
    needed = {
        path.relative_to(RESOURCES)
        for path in RESOURCES.rglob("*")
        if path.suffix in {".ttf", ".qss", ".po", ".mo", ".png", ".svg", ".ico", ".json"}
    }
    assert needed <= shipped
    assert {"translations/*.po", "translations/**/*.po", "translations/**/*.mo"} <= set(globs)


def test_the_spec_reads_the_version_and_ships_the_migrations() -> None:
    spec = (PACKAGING / "dangol.spec").read_text(encoding="utf-8")
    assert 'tomllib.loads((ROOT / "pyproject.toml")' in spec
    for needed in ("app/db/migrations/versions", "script.py.mako", '"resources/fonts"'):
        assert needed in spec
    for folder in ("fonts", "styles", "icons"):
        assert f'(str(ROOT / "resources/{folder}"), "app/resources/{folder}")' in spec
    assert "PySide6.QtWebEngineCore" in spec  # excluded
    assert "BUNDLE(" in spec and "NSCameraUsageDescription" in spec


def test_the_installer_script_names_the_program_and_version_source() -> None:
    script = (PACKAGING / "windows" / "dangol.iss").read_text(encoding="utf-8")
    assert "dangolw.exe" in script  # the windowless program
    assert "dist\\dangol\\*" in script
    assert "#define AppVersion" in script
    assert f'"{_version()}"' in script


def _sh_blocks(text: str) -> list[str]:
    return [block.split("```", 1)[0].strip() for block in text.split("```sh\n")[1:]]


def test_ci_runs_the_readme_test_command_with_the_lock() -> None:
    install_and_run, install_and_test = _sh_blocks((ROOT / "README.md").read_text("utf-8"))[:2]
    for command in (install_and_run, install_and_test):
        assert "pip install -q -c packaging/lock.txt -e " in command
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    assert ci[-1] == install_and_test


def test_the_lock_pins_every_dependency_for_linux() -> None:
    lines = (PACKAGING / "lock.txt").read_text(encoding="utf-8").splitlines()
    pins = dict(line.split("==") for line in lines if "==" in line and not line.startswith("#"))
    assert pins["pyside6-essentials"] == pins["pyside6-addons"] == pins["shiboken6"]
    assert pins["pyside6-essentials"] != "6.12.0"  # the broken release pyproject.toml excludes
    assert {"babel", "mypy", "pyinstaller"} <= set(pins)
    project = _pyproject()["project"]
    named = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    # a dependency added to pyproject.toml without packaging/refresh-lock.sh fails here
    for requirement in named:
        name = re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0]
        assert re.sub(r"[._-]+", "-", name).lower() in pins, requirement
    assert not [line for line in lines if line.startswith("-") or "://" in line]


def _library_check() -> str:
    """The part of .ci/run that decides which system libraries are missing."""
    lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    reads = [i for i, line in enumerate(lines) if "ldconfig" in line and "#" not in line]
    first = min(lines.index("missing=()"), reads[0])
    last = next(i for i in range(first, len(lines)) if lines[i].strip() == "done")
    return "\n".join(lines[first : last + 1])


def test_ci_finds_present_libraries_every_time(tmp_path: Path) -> None:
    # an ldconfig whose listing names every library first and then goes on long after
    # (as the real one does): a reader that stops early must not make a library "missing"
    check = _library_check()
    libraries = re.findall(r"(lib[\w.+-]+\.so\.\d+):", check)
    assert len(libraries) >= 5
    listing = [f"\t{name} (libc6,x86-64) => /usr/lib/{name}" for name in libraries]
    listing += [f"\tlibpadding{i}.so.0 (libc6,x86-64) => /usr/lib/x" for i in range(20_000)]
    (tmp_path / "listing.txt").write_text("\n".join(listing) + "\n", encoding="utf-8")
    stub = tmp_path / "ldconfig"
    stub.write_text(f'#!/bin/sh\ncat "{tmp_path / "listing.txt"}"\n', encoding="utf-8")
    stub.chmod(0o755)
    script = f'set -euo pipefail\nPATH="{tmp_path}:$PATH"\n{check}\necho "[${{missing[*]}}]"\n'
    for _ in range(20):
        done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True)
        assert done.stdout.strip() == "[]", done.stdout
    # and one absent library is still reported
    (tmp_path / "listing.txt").write_text("\n".join(listing[1:]) + "\n", encoding="utf-8")
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() != "[]"


def test_ci_has_no_early_exit_reader_under_pipefail() -> None:
    text = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pipefail" in text
    code = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    early = [line for line in code if re.search(r"\|\s*(grep\s+(-\w*q|--quiet)|head\b)", line)]
    assert not early, "a reader that stops early fails the pipe under pipefail"
