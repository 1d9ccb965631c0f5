#!/usr/bin/env bash
# Builds the standalone Linux app in one step: dist/dangol/ (one folder, no Python needed).
#
#   packaging/build.sh            # trimmed build (what ships)
#   DANGOL_TRIM=0 packaging/build.sh   # untrimmed, to compare sizes (see README.md)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-$ROOT/.venv/bin/python}"

"$PY" -m PyInstaller --version >/dev/null 2>&1 || \
    "$PY" -m pip install --quiet -c packaging/lock.txt "pyinstaller>=6.10"
[ -f resources/icons/dangol.png ] || "$PY" packaging/make_icon.py

"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
    --workpath build/pyinstaller --distpath dist packaging/dangol.spec

# The .desktop file and icon go beside the program (an installer or the user copies them).
install -m 644 packaging/linux/kr.dangol.Dangol.desktop dist/dangol/
install -m 644 resources/icons/dangol.png dist/dangol/kr.dangol.Dangol.png
if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate packaging/linux/kr.dangol.Dangol.desktop
fi
echo "built: $ROOT/dist/dangol ($(du -sh dist/dangol | cut -f1))"
