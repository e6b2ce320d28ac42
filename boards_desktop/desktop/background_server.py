"""The app's server in a background thread, so that the main thread is free for the window's GUI loop.

uvicorn runs on an event loop of its own in that thread; the app's lifespan (database, job
workers) runs there too. uvicorn installs signal handlers only in the main thread, so here it
installs none: the launcher owns the signals and calls `stop()`.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from collections.abc import Callable

import uvicorn
from litestar import Litestar

from boards_desktop.app import create_app
from boards_desktop.collector import settle_once_running
from boards_desktop.desktop.instance_lock import InstanceLock
from boards_desktop.listen_socket import bind_socket
from boards_desktop.security import AppSecurity, set_listen_address
from boards_desktop.server import GRACEFUL_SHUTDOWN_SECONDS, server_config
from boards_desktop.settings import Settings
from boards_desktop.shutdown import STATE_KEY as STOPPING_KEY
from boards_desktop.shutdown import GracefulServer

log = logging.getLogger("boards.desktop")

GRACEFUL_SECONDS = GRACEFUL_SHUTDOWN_SECONDS  # running requests and jobs get this long once the window closes


class ServerDidNotStart(RuntimeError):
    """The app refused to start (the reason is already logged on the `boards` logger)."""


class BackgroundServer:
    """`sock` and `security`, when given, were made by the launcher before the server (so that the
    window and the browser knew the address and the launch URL at once); else they are made here."""

    def __init__(
        self,
        settings: Settings,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        instance: InstanceLock | None = None,
        sock: socket.socket | None = None,
        security: AppSecurity | None = None,
    ) -> None:
        self._sock = sock or bind_socket(host, port)
        self.host, self.port = self._sock.getsockname()[:2]
        self.app: Litestar = create_app(settings, instance=instance, security=security)
        set_listen_address(self.app, self.host, self.port)
        self._server: uvicorn.Server = GracefulServer(server_config(self.app), self.app.state[STOPPING_KEY])
        self._thread = threading.Thread(target=self._run, name="boards-server", daemon=True)
        self._crashed: BaseException | None = None
        self.on_crash: Callable[[BaseException], None] | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 60.0) -> None:
        """Start serving; returns once the app's lifespan has started and the socket accepts requests."""
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise ServerDidNotStart(str(self._crashed) if self._crashed else "the server did not start")
            time.sleep(0.005)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def request_stop(self) -> None:
        """Ask for a graceful shutdown without waiting (safe from any thread or a signal watcher)."""
        self._server.should_exit = True

    def stop(self, timeout: float = GRACEFUL_SECONDS + 5) -> bool:
        """Graceful shutdown (the lifespan stops the workers and closes the database), bounded by `timeout`.

        True when the server finished in time; otherwise the daemon thread is abandoned with the process.
        """
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout)
        if self._thread.is_alive():
            log.warning("the server did not stop within %.0f s; exiting without waiting for it", timeout)
            return False
        self._sock.close()
        return True

    def wait(self, interval: float = 0.5) -> None:
        """Block until the server stops (by `stop()` from another thread or a crash)."""
        while self._thread.is_alive():
            self._thread.join(interval)

    async def _serve(self) -> None:
        settling = asyncio.ensure_future(self._settle_once_started())
        try:
            await self._server.serve(sockets=[self._sock])
        finally:
            settling.cancel()

    async def _settle_once_started(self) -> None:
        """The garbage collector's settings for a long-running process (boards_desktop.collector), as `serve` has."""
        while not self._server.started:
            await asyncio.sleep(0.01)
        await settle_once_running(self.app)

    def _run(self) -> None:
        # uvloop where installed (uvicorn's "auto" loop), as `serve` runs.
        loop = (self._server.config.get_loop_factory() or asyncio.new_event_loop)()
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._serve())
        except BaseException as exc:  # noqa: BLE001 - reported to the launcher, which tells the artist
            self._crashed = exc
            if self._server.started and self.on_crash is not None:
                self.on_crash(exc)
        finally:
            loop.close()
