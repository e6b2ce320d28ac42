#!/usr/bin/env bash
# Build the Linux bundle: dist/boards-desktop/ (one folder) and dist/boards-desktop-linux-<arch>.tar.gz.
# The window uses the system's WebKitGTK (a runtime dependency: see packaging/README.md).
# `--qt` builds the Qt WebEngine bundle instead (no system web engine needed, about 3.5 times larger):
# dist/boards-desktop-linux-qt-<arch>.tar.gz.
# DIST and WORK choose other output folders; BOARDS_SKIP_INSTALL=1 builds with what .venv already has.
set -euo pipefail
cd "$(dirname "$0")/.."
backend=gtk
for argument in "$@"; do
    case "$argument" in
        --qt) backend=qt ;;
        --gtk) backend=gtk ;;
        *) echo "build-linux.sh: unknown option $argument (use --qt for the Qt bundle)" >&2; exit 2 ;;
    esac
done
PYTHON=${PYTHON:-.venv/bin/python}
DIST=${DIST:-dist}
WORK=${WORK:-build}
if [ "$backend" = gtk ]; then extra=gtk; archive="boards-desktop-linux-$(uname -m).tar.gz"
else extra=desktop; archive="boards-desktop-linux-qt-$(uname -m).tar.gz"; fi
if [ "${BOARDS_SKIP_INSTALL:-0}" != "1" ]; then
    [ -x "$PYTHON" ] || python3 -m venv .venv
    # PyGObject (the gtk extra) builds from source: libgirepository1.0-dev libcairo2-dev pkg-config.
    "$PYTHON" -m pip install -q -e ".[$extra,packaging]"
fi
BOARDS_BUNDLE_BACKEND=$backend "$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$DIST" --workpath "$WORK" packaging/boards-desktop.spec
tar -C "$DIST" -czf "$DIST/$archive" boards-desktop
echo "built $DIST/boards-desktop/ ($backend) and $DIST/$archive"
