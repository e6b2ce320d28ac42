#!/usr/bin/env bash
# Build the Linux bundle: dist/boards-desktop/ (one folder) and dist/boards-desktop-linux-<arch>.tar.gz.
# DIST and WORK choose other output folders; BOARDS_SKIP_INSTALL=1 builds with what .venv already has.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
DIST=${DIST:-dist}
WORK=${WORK:-build}
if [ "${BOARDS_SKIP_INSTALL:-0}" != "1" ]; then
    [ -x "$PYTHON" ] || python3 -m venv .venv
    "$PYTHON" -m pip install -q -e ".[desktop,packaging]"
fi
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN --distpath "$DIST" --workpath "$WORK" \
    packaging/boards-desktop.spec
tar -C "$DIST" -czf "$DIST/boards-desktop-linux-$(uname -m).tar.gz" boards-desktop
echo "built $DIST/boards-desktop/ and $DIST/boards-desktop-linux-$(uname -m).tar.gz"
