"""An unexpected error in the desktop process: the traceback goes to the log, the artist gets one short
message that says where the log is (a dialog when the window is up, a line on stderr always).
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

log = logging.getLogger("boards")


def crash_message(exc: BaseException, log_path: Path) -> str:
    what = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
    return f"Boards hit an unexpected error ({what}). The details are in the log: {log_path}"


def report_crash(exc: BaseException, log_path: Path, window: Any = None) -> str:
    """Log `exc` with its traceback and tell the artist; returns the message shown."""
    log.critical("unexpected error in the desktop app", exc_info=(type(exc), exc, exc.__traceback__))
    message = crash_message(exc, log_path)
    print(f"boards-desktop: {message}", file=sys.stderr, flush=True)
    if window is not None:
        try:
            window.create_confirmation_dialog("Boards", message)
        except Exception:  # the window may be what broke; the line on stderr stands
            log.debug("could not show the crash dialog", exc_info=True)
    return message


def install_crash_hooks(log_path: Path, window_of: Callable[[], Any]) -> Callable[[], None]:
    """Route uncaught errors of every thread through `report_crash`; returns a function that undoes it."""
    previous_hook, previous_thread_hook = sys.excepthook, threading.excepthook

    def on_error(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            previous_hook(kind, exc, tb)
            return
        report_crash(exc.with_traceback(tb), log_path, window_of())

    def on_thread_error(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or issubclass(args.exc_type, SystemExit):
            return
        report_crash(args.exc_value, log_path, window_of())

    sys.excepthook, threading.excepthook = on_error, on_thread_error

    def undo() -> None:
        sys.excepthook, threading.excepthook = previous_hook, previous_thread_hook

    return undo
