"""The bundle's entry point: the `boards-desktop` command, or the GUI probe when the app asks for one.

A bundle cannot run `python -m boards_desktop.desktop.gui_check`; the app starts its own executable
with BOARDS_DESKTOP_GUI_PROBE=1 instead (see boards_desktop/desktop/gui_check.py).
"""

import os
import sys

if os.environ.get("BOARDS_DESKTOP_GUI_PROBE") == "1":
    from boards_desktop.desktop.gui_check import run_probe

    sys.exit(run_probe())

from boards_desktop.cli import run

run()
