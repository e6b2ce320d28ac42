"""The server's start in a thread of its own, so that the window opens at once beside it.

The address (a socket bound here, port 0 → a free one) and the security of the app (which issues
the one-time launch URL) are made first, in a few milliseconds and without the server's imports:
the window gets its JavaScript bridge and the browser its launch URL before the server exists.
The thread then brings the database up to date, builds the app and starts serving; `wait()`
answers the running server, or why it did not start, in words for the artist.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from boards_desktop.desktop.instance_lock import InstanceLock
from boards_desktop.listen_socket import bind_socket
from boards_desktop.logs import log_file_path
from boards_desktop.security import AppSecurity
from boards_desktop.settings import Settings

if TYPE_CHECKING:
    from boards_desktop.desktop.background_server import BackgroundServer

log = logging.getLogger("boards.desktop")

HOST = "127.0.0.1"


@dataclass(frozen=True)
class StartFailure:
    """Why the server did not start, and the exit status (2: a refusal the artist can act on)."""

    reason: str
    status: int
    log_path: Path

    @property
    def line(self) -> str:
        """What stderr says (a refusal says what to do itself; anything else points at the log)."""
        return self.reason if self.status == 2 else f"{self.reason}; the details are in {self.log_path}"

    @property
    def what_to_do(self) -> str:
        """What the window says under the reason."""
        return f"The details are in {self.log_path}. Close this window, and start Boards again once that is fixed."


class ServerStart:
    def __init__(self, settings: Settings, lock: InstanceLock) -> None:
        self._settings = settings
        self._lock = lock
        self.sock = bind_socket(HOST, 0)
        self.port: int = self.sock.getsockname()[1]
        self.base_url = f"http://{HOST}:{self.port}"
        self.security = AppSecurity(settings.data_dir, allowed_origins=settings.allowed_origins)
        self._thread = threading.Thread(target=self._run, name="boards-server-start", daemon=True)
        self._server: BackgroundServer | None = None
        self._failure: StartFailure | None = None
        self._errors = _FirstError()
        self._log_path = log_file_path(settings)

    def launch_url(self) -> str:
        return self.security.launch_url(self.base_url)

    def listen_now(self) -> None:
        """Accept connections now: they wait in the socket's backlog until the server takes them, so
        that a browser opened on the launch URL before the server answers simply waits for the page."""
        self.sock.listen()

    def begin(self) -> None:
        self._thread.start()

    def wait(self) -> BackgroundServer | StartFailure:
        """The running server, or why it did not start (the socket is closed then)."""
        self._thread.join()
        if self._server is not None:
            return self._server
        assert self._failure is not None
        return self._failure

    def stop(self) -> None:
        """Stop the server, once its start has ended (used when the window closed, whatever the start did)."""
        outcome = self.wait()
        if not isinstance(outcome, StartFailure):
            outcome.stop()

    def _run(self) -> None:
        boards_log = logging.getLogger("boards")
        boards_log.addHandler(self._errors)  # the lifespan says a refusal there, in one line
        try:
            self._server = self._start()
        except _Failed as failed:
            self._failure = failed.failure
        except Exception as exc:  # the artist gets one message, the log the traceback
            log.exception("the server did not start")
            self._failure = StartFailure(self._reason(exc), 1, self._log_path)
        finally:
            boards_log.removeHandler(self._errors)
            if self._server is None:
                self.sock.close()

    def _start(self) -> BackgroundServer:
        # Imported here, in this thread: the database, the app and its server are most of the
        # start-up's imports, which the window's GUI does not wait for.
        from boards_desktop.db.schema_history import SchemaError
        from boards_desktop.db.start_check import prepare_database

        try:
            prepare_database(self._settings)
        except SchemaError as exc:
            raise _Failed(StartFailure(str(exc), 2, self._log_path)) from None
        from boards_desktop.desktop.activation import install_activation
        from boards_desktop.desktop.background_server import BackgroundServer, ServerDidNotStart

        server = BackgroundServer(self._settings, instance=self._lock, sock=self.sock, security=self.security)
        install_activation(server.app)
        try:
            server.start()
        except ServerDidNotStart as exc:
            raise _Failed(StartFailure(self._reason(exc), 1, self._log_path)) from None
        return server

    def _reason(self, exc: BaseException) -> str:
        said = (self._errors.message or str(exc) or type(exc).__name__).removeprefix("cannot start: ")
        return said if said.startswith("the server did not start") else f"the server did not start: {said}"


class _Failed(Exception):
    def __init__(self, failure: StartFailure) -> None:
        super().__init__(failure.reason)
        self.failure = failure


class _FirstError(logging.Handler):
    """The first error the `boards` logger says during the start."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.message: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self.message is None:
            self.message = record.getMessage()
