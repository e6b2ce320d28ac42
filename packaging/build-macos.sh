#!/usr/bin/env bash
# Build the macOS app: dist/Boards.app (and the one-folder dist/boards-desktop/), then a zip of the app.
# Run on a Mac (Apple silicon builds an arm64 app, Intel an x86_64 one). DIST and WORK choose other
# output folders; BOARDS_SKIP_INSTALL=1 builds with what .venv already has.
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
# ditto keeps the bundle's symbolic links and extended attributes, which a plain zip would break.
ditto -c -k --sequesterRsrc --keepParent "$DIST/Boards.app" "$DIST/Boards-macos-$(uname -m).zip"
echo "built $DIST/Boards.app and $DIST/Boards-macos-$(uname -m).zip"
