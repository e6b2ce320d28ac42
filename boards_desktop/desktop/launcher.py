"""`boards-desktop` with no command: one instance per data folder, the server in the background, then
the window (or the browser with `--browser`, or nothing but the URL when no window can be shown).

Order matters: the instance lock comes first, so that a second launch never touches the database;
the window's modules are imported (while Qt's GUI probe runs; GTK is asked in this process once
imported, see gui_check); the server then starts in a thread
(boards_desktop.desktop.server_start) while the window opens at once on the app's start-up shell
(boards_desktop.desktop.shell); once the server answers, the window goes to a one-time launch URL
that gives it its session cookie. With `--browser` the browser is opened at once on that URL, and
its request waits for the server. If the server cannot start, the shell says why. Closing the window (or Ctrl+C, SIGTERM) stops the server
gracefully within a bounded time, and the process exits with status 0.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from boards_desktop.desktop.crash import install_crash_hooks, report_crash
from boards_desktop.desktop.external import OpenFailed, open_url
from boards_desktop.desktop.gui_check import missing_backend, missing_display, probe_result, start_probe
from boards_desktop.desktop.instance_lock import InstanceInfo, InstanceLock, acquire, already_running, wait_for_port
from boards_desktop.desktop.server_start import ServerStart, StartFailure
from boards_desktop.desktop.stop_signals import stop_on_signals
from boards_desktop.logs import install_log_file, log_file_path
from boards_desktop.security import token_path
from boards_desktop.settings import Settings, configure_logging
from boards_desktop.writable import check_writable

if TYPE_CHECKING:
    from boards_desktop.desktop.background_server import BackgroundServer
    from boards_desktop.desktop.window import AppWindow

log = logging.getLogger("boards.desktop")

_FIRST_INSTANCE_START_SECONDS = 60.0  # a first launch may be backing up and upgrading a large database


def run_app(
    settings: Settings,
    *,
    browser: bool = False,
    when_window_started: Callable[[AppWindow], None] | None = None,
) -> int:
    """Run the desktop app; returns the exit status.

    `when_window_started(window)` is called in a thread of its own once the GUI loop runs (scripts
    and tests use it to look at the page through `window.window.evaluate_js`).
    """
    launched_at = time.monotonic()
    check_writable(settings)  # a read-only folder is one line (SettingsError), not a traceback from the log
    configure_logging(settings)
    install_log_file(settings)
    lock = acquire(settings.data_dir)
    if isinstance(lock, InstanceInfo):
        return _hand_over(settings, lock)
    with lock:
        return _run_first_instance(settings, lock, browser, when_window_started, launched_at)


def _run_first_instance(
    settings: Settings,
    lock: InstanceLock,
    browser: bool,
    when_window_started: Callable[[AppWindow], None] | None,
    launched_at: float,
) -> int:
    no_backend = None if browser else missing_backend()
    no_display = None if browser else missing_display()
    no_window = "--browser was given" if browser else (no_backend or no_display)
    # Without a window backend, on a desktop, the browser stands in for the window (as with --browser).
    open_browser = browser or (no_backend is not None and no_display is None)
    probe = start_probe() if no_window is None else None
    starting = ServerStart(settings, lock)
    opened_browser = browser and _open_browser_at_once(starting)
    if no_window is None:
        from boards_desktop.desktop.window import preload_gui_modules

        # While Qt's probe runs, and before the server's start: imports hold Python's lock, so the
        # two would take turns and both finish late; the GUI's come first, the window needs only them.
        preload_gui_modules()
    starting.begin()
    if no_window is None:
        no_window = probe_result(probe)
    if no_window is None:
        return _with_window(settings, lock, starting, when_window_started, launched_at)
    outcome = starting.wait()
    if isinstance(outcome, StartFailure):
        print(f"boards-desktop: {outcome.line}", file=sys.stderr)
        return outcome.status
    log.info("server ready at %s, %.2f s after launch", outcome.base_url, time.monotonic() - launched_at)
    if not browser:
        instead = "opening it in the browser instead" if open_browser else "serving without one"
        print(f"boards-desktop: cannot open a window: {no_window}; {instead}", file=sys.stderr, flush=True)
    return _without_window(settings, lock, outcome, open_browser=open_browser, opened=opened_browser)


def _open_browser_at_once(starting: ServerStart) -> bool:
    """`--browser`: the browser starts while the server does; its request waits for the first answer."""
    starting.listen_now()
    try:
        open_url(starting.launch_url())
    except OpenFailed as exc:
        print(f"boards-desktop: cannot open the browser ({exc})", file=sys.stderr)
        return False
    return True


def _with_window(
    settings: Settings,
    lock: InstanceLock,
    starting: ServerStart,
    when_started: Callable[[AppWindow], None] | None,
    launched_at: float,
) -> int:
    from boards_desktop.desktop.bridge import DesktopBridge
    from boards_desktop.desktop.window import AppWindow, prepare_qt_environment

    log_path = log_file_path(settings)
    prepare_qt_environment()
    # Open on the shell at once: the app follows once the server answers (when_gui_runs).
    window = AppWindow(None, DesktopBridge(settings, starting.base_url), launched_at=launched_at)
    status = 0

    def on_server_crash(exc: BaseException) -> None:
        report_crash(exc, log_path, window.window)
        window.close()

    def when_gui_runs(app_window: AppWindow) -> None:
        nonlocal status
        if when_started is not None:
            threading.Thread(target=when_started, args=(app_window,), name="window-started", daemon=True).start()
        outcome = starting.wait()
        if isinstance(outcome, StartFailure):
            print(f"boards-desktop: {outcome.line}", file=sys.stderr, flush=True)
            status = outcome.status
            window.show_failure(outcome.reason, outcome.what_to_do)
            return
        log.info("server ready at %s, %.2f s after launch", outcome.base_url, time.monotonic() - launched_at)
        from boards_desktop.desktop.activation import set_bring_forward  # Litestar: not before the window

        set_bring_forward(outcome.app, window.bring_forward)
        lock.update(port=outcome.port, mode="window")
        outcome.on_crash = on_server_crash
        window.show_app(starting.launch_url())

    undo_hooks = install_crash_hooks(log_path, lambda: window.window)
    try:
        with stop_on_signals(window.close):
            window.run(when_gui_runs)
    except Exception as exc:  # noqa: BLE001 - the artist gets one message and the log gets the traceback
        report_crash(exc, log_path)
        status = 1
    finally:
        undo_hooks()
        outcome = starting.wait()
        if not isinstance(outcome, StartFailure):
            from boards_desktop.desktop.activation import set_bring_forward

            set_bring_forward(outcome.app, None)
            log.info("window closed: stopping the server")
            outcome.stop()
    return status


def _without_window(
    settings: Settings, lock: InstanceLock, server: BackgroundServer, *, open_browser: bool, opened: bool
) -> int:
    """`open_browser`: the browser stands for the window (`--browser`, or no window backend on a desktop);
    `opened`: it was opened on a launch URL already, while the server started (`--browser`)."""
    launch_url = server.app.state.security.launch_url(server.base_url) if not opened else None
    lock.update(port=server.port, mode="browser" if open_browser else "headless")
    print(f"Boards Desktop is running at {server.base_url}", flush=True)
    if launch_url is not None and open_browser:
        try:
            open_url(launch_url)
            opened = True
        except OpenFailed as exc:
            print(f"boards-desktop: cannot open the browser ({exc})", file=sys.stderr)
    if not opened:
        print(
            f"To use it in a browser, open {launch_url} within two minutes (it works once), or send the API "
            f"token kept in {token_path(settings.data_dir)} as 'Authorization: Bearer <token>'.",
            flush=True,
        )
    print("Press Ctrl+C to stop.", flush=True)
    with stop_on_signals(server.request_stop):
        server.wait()
    server.stop()
    return 0


def _hand_over(settings: Settings, info: InstanceInfo) -> int:
    """Another instance owns this data folder: bring it forward instead of starting a second server."""
    info = wait_for_port(settings.data_dir, info, _FIRST_INSTANCE_START_SECONDS)
    where = f"the data folder {settings.data_dir}"
    if info.base_url is None and info.mode == "asgi":
        # Run by another ASGI server, which alone knows its address: nothing to bring forward.
        print(f"boards-desktop: {already_running(settings.data_dir, info)}", file=sys.stderr)
        return 2
    if info.base_url is None:
        print(
            f"boards-desktop: Boards is starting with {where} (process {info.pid}) but is not ready yet; "
            "try again in a moment",
            file=sys.stderr,
        )
        return 1
    from boards_desktop.desktop.activation import InstanceUnreachable, ask_to_come_forward

    try:
        answer = ask_to_come_forward(info.base_url, settings.data_dir)
    except InstanceUnreachable as exc:
        print(
            f"boards-desktop: Boards is already running with {where} (process {info.pid}), but {exc}; "
            f"close it (or end process {info.pid}) and start again",
            file=sys.stderr,
        )
        return 1
    if answer.get("window"):
        print(f"Boards is already running (process {info.pid}): brought its window to the front")
        return 0
    launch_url = str(answer.get("launch_url", info.base_url))
    if missing_display() is None:
        try:
            open_url(launch_url)
            print(f"Boards is already running at {info.base_url} (process {info.pid}): opened it in your browser")
            return 0
        except OpenFailed:
            pass
    print(f"Boards is already running at {info.base_url} (process {info.pid}); open {launch_url} to use it")
    return 0
