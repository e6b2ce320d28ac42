"""Ctrl+C and SIGTERM close the app cleanly, even while the main thread sits in Qt's event loop.

Python runs signal handlers only when the main thread runs Python code, which it does not while
Qt's C++ loop waits for events: a signal would wait for the next mouse move. The C-level handler
does write the signal number to the wakeup fd at once, so a watcher thread reading that fd calls
`on_stop` (which closes the window through pywebview, safe from any thread).

PyGObject's main loop (the GTK window) puts its own wakeup fd in place of ours while it runs, and
runs the Python handlers at once; so the handler pokes the watcher too (a second poke is ignored).
"""

from __future__ import annotations

import signal
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_SIGNALS = tuple(s for s in (getattr(signal, "SIGINT", None), getattr(signal, "SIGTERM", None)) if s is not None)


@contextmanager
def stop_on_signals(on_stop: Callable[[], None]) -> Iterator[threading.Event]:
    """While inside, SIGINT/SIGTERM call `on_stop()` once; the yielded event is set when they do."""
    stopped = threading.Event()
    reader, writer = socket.socketpair()
    writer.setblocking(False)
    previous_fd = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)

    def poke(*_: object) -> None:
        try:
            writer.send(b"\0")
        except OSError:
            pass  # full (the watcher already has a byte to read) or closed (we are leaving)

    previous = {sig: signal.signal(sig, poke) for sig in _SIGNALS}

    def watch() -> None:
        try:
            while reader.recv(1):
                if not stopped.is_set():
                    stopped.set()
                    on_stop()
        except OSError:
            pass  # the pair was closed: we are leaving

    watcher = threading.Thread(target=watch, name="boards-signals", daemon=True)
    watcher.start()
    try:
        yield stopped
    finally:
        signal.set_wakeup_fd(previous_fd)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        writer.close()
        reader.close()
