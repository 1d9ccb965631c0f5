#!/usr/bin/env bash
# macOS: dist/Dangol.app from the same spec (BUNDLE section), then a disk image.
set -euo pipefail
cd "$(dirname "$0")/../.."
python3 -m venv .venv
.venv/bin/pip install -c packaging/lock.txt -e . "pyinstaller>=6.10"
.venv/bin/python packaging/make_icon.py
.venv/bin/python -m PyInstaller --noconfirm --clean --workpath build/pyinstaller --distpath dist packaging/dangol.spec
hdiutil create -volname Dangol -srcfolder dist/Dangol.app -ov -format UDZO dist/Dangol.dmg
