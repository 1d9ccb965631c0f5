#!/usr/bin/env bash
# Builds with each trimming step (DANGOL_TRIM=0..4, see dangol.spec) and prints folder sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
for level in ${LEVELS:-0 1 2 3 4}; do
    DANGOL_TRIM=$level "$PY" -m PyInstaller --noconfirm --log-level ERROR \
        --workpath "build/trim-$level/work" --distpath "build/trim-$level/dist" \
        packaging/dangol.spec >/dev/null
    printf 'DANGOL_TRIM=%s  %s\n' "$level" "$(du -sh "build/trim-$level/dist/dangol" | cut -f1)"
done
