"""Run the app under uvicorn on a socket we bind ourselves, so that port 0 gives a known free port.

`serve` takes the data folder's instance lock before anything else, as the window does: a second
server on the same folder refuses in one line naming the first.
"""

from __future__ import annotations

import asyncio
import logging
import sys

import uvicorn
from litestar import Litestar

from boards_desktop.app import create_app
from boards_desktop.collector import settle_once_running
from boards_desktop.db.schema_history import SchemaError
from boards_desktop.db.start_check import prepare_database
from boards_desktop.desktop.activation import install_activation
from boards_desktop.desktop.instance_lock import InstanceBusy, InstanceLock, take_instance_lock
from boards_desktop.http_protocol import http_protocol
from boards_desktop.listen_socket import bind_socket
from boards_desktop.security import is_loopback, set_listen_address, token_path
from boards_desktop.settings import Settings
from boards_desktop.shutdown import STATE_KEY as STOPPING_KEY
from boards_desktop.shutdown import GracefulServer
from boards_desktop.writable import check_writable

# The largest request line and headers accepted (see server_config).
MAX_REQUEST_HEAD_BYTES = 128 * 1024
# Running requests get this long once shutdown starts; open streams end at once (boards_desktop.shutdown).
GRACEFUL_SHUTDOWN_SECONDS = 5


def serve(settings: Settings, *, host: str, port: int) -> int:
    """`boards-desktop serve`: the exit status (2 for a refusal, said in one line on stderr)."""
    check_writable(settings)  # a read-only folder would fail the lock below with a traceback
    # The data folder's lock first: a second server must refuse before it touches the database.
    try:
        lock = take_instance_lock(settings.data_dir, mode="starting")
    except InstanceBusy as exc:
        print(f"boards-desktop: {exc}", file=sys.stderr)
        return 2
    with lock:
        return _serve_locked(settings, lock, host=host, port=port)


def _serve_locked(settings: Settings, lock: InstanceLock, *, host: str, port: int) -> int:
    # Bring the schema up to date first, so that a refusal is one clear line, not a traceback.
    try:
        prepare_database(settings)
    except SchemaError as exc:
        print(f"boards-desktop: {exc}", file=sys.stderr)
        return 2
    try:
        sock = bind_socket(host, port)
    except OSError as exc:
        print(f"boards-desktop: cannot listen on {host}:{port}: {exc.strerror}; choose another --port", file=sys.stderr)
        return 2
    bound_host, bound_port = sock.getsockname()[:2]
    shown_host = f"[{bound_host}]" if ":" in bound_host else bound_host
    app = create_app(settings, instance=lock)
    install_activation(app)  # a later `boards-desktop` on this data folder is answered with a launch URL
    for name in {host, bound_host}:  # Host headers must name this port (DNS rebinding)
        set_listen_address(app, name, bound_port)
    if not is_loopback(bound_host):
        logging.getLogger("boards").warning(
            "listening on %s: the server is reachable from the network; every request needs the API token kept in %s",
            host,
            token_path(settings.data_dir),
        )
    config = server_config(app)
    server = GracefulServer(config, app.state[STOPPING_KEY])

    async def run() -> None:
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started and not task.done():
            await asyncio.sleep(0.01)
        settling = None
        if server.started:
            settling = asyncio.create_task(settle_once_running(app))  # the collector (boards_desktop.collector)
            lock.update(port=bound_port, mode="headless", url=f"http://{_local_host(bound_host)}:{bound_port}")
            print(f"Boards Desktop is running at http://{shown_host}:{bound_port}", flush=True)
            for line in _client_lines(settings):
                print(line, flush=True)
        await task
        if settling is not None:
            settling.cancel()

    # uvloop where installed (uvicorn's "auto" loop), as `uvicorn.run` would choose.
    with asyncio.Runner(loop_factory=config.get_loop_factory()) as runner:
        runner.run(run())
    return 0 if server.started else 1


def _client_lines(settings: Settings) -> list[str]:
    """What `serve` says about other clients: the web pages allowed to call the API, the public URL."""
    lines = []
    if settings.allowed_origins:
        lines.append(
            "Web pages allowed to call the API (with the token in 'Authorization: Bearer'): "
            + ", ".join(settings.allowed_origins)
        )
    if settings.public_url:
        lines.append(f"Media URLs are given on {settings.public_url}")
    return lines


def server_config(app: Litestar) -> uvicorn.Config:
    """How uvicorn runs the app, for `serve` and the window alike."""
    return uvicorn.Config(
        app,
        log_level="warning",
        lifespan="on",
        access_log=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        # httptools when installed, else h11 (boards_desktop.http_protocol); uvloop when installed
        # (uvicorn's "auto" loop): both in C, cheaper per request (tests/benchmarks/board_page.py).
        http=http_protocol(MAX_REQUEST_HEAD_BYTES),
        # A zip export's URL names up to 1,000 generations (37 KB); h11 refuses a request head over 16 KB.
        h11_max_incomplete_event_size=MAX_REQUEST_HEAD_BYTES,
    )


def _local_host(bound_host: str) -> str:
    """How this computer reaches a server bound to `bound_host` (a wildcard address is reached on loopback)."""
    if bound_host in ("0.0.0.0", ""):
        return "127.0.0.1"
    if bound_host == "::":
        return "[::1]"
    return f"[{bound_host}]" if ":" in bound_host else bound_host
