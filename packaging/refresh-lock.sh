#!/usr/bin/env bash
# Refreshes packaging/lock.txt, the versions every install uses (`pip install -c packaging/lock.txt`):
# the newest releases that pyproject.toml allows, runtime and test extra, plus PyInstaller for
# packaging/build.sh, for Python 3.11 on Linux x86_64. Review the diff, run the tests, commit.
#
#   packaging/refresh-lock.sh                  # everything pyproject.toml names
#   packaging/refresh-lock.sh 'Babel>=2.14'    # also lock a requirement a branch is adding
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-python3}"

# pip-compile resolves for the interpreter and platform it runs on: those CI and shops use.
"$PY" -c 'import platform, sys
assert sys.version_info[:2] == (3, 11), f"Python 3.11 needed, this is {platform.python_version()}"
assert (sys.platform, platform.machine()) == ("linux", "x86_64"), "Linux x86_64 needed"'

TOOLS="$(mktemp -d)"
trap 'rm -rf "$TOOLS"' EXIT
"$PY" -m venv "$TOOLS/venv"
"$TOOLS/venv/bin/pip" install -q "pip-tools>=7.4,<8"

# extra requirements arrive on standard input ("-"); the index address is never written down
printf '%s\n' "pyinstaller>=6.10" "$@" | CUSTOM_COMPILE_COMMAND="packaging/refresh-lock.sh" \
    "$TOOLS/venv/bin/pip-compile" --quiet --upgrade --extra test --strip-extras --allow-unsafe \
    --no-emit-index-url --no-emit-trusted-host --no-emit-find-links \
    --output-file packaging/lock.txt pyproject.toml -
echo "packaging/lock.txt: $(grep -c '==' packaging/lock.txt) pinned"
