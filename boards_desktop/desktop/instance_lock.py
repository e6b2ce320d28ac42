"""One running app per data folder: an OS lock on `<data dir>/instance.lock`, and `instance.json` beside it.

Whatever starts the app takes it, before anything touches the database: the window, `--browser`,
`serve` and the ASGI factory under another server (in the app's lifespan). Two apps on one data
folder would share its queue: the second would take over, and run again, the jobs the first is
still running. The lock is per data folder, not per database: on a shared PostgreSQL database each
teammate's app has a data folder (and an installation id) of its own, and their jobs are told
apart by the leases in the queue.

The OS lock (flock on POSIX, msvcrt on Windows) is what says an instance is alive: the kernel drops
it when the process dies, however it dies, so a crashed instance never blocks the next launch. The
details a second launch needs to reach the first (pid, port, URL, whether it has a window) live in
a separate file, because Windows forbids reading a locked byte range, and are replaced atomically,
so a reader never sees half a file. Where the file system has no working locks (some network
shares), a recorded pid that is no longer alive is taken as a stale lock.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Self

LOCK_FILE_NAME = "instance.lock"
INFO_FILE_NAME = "instance.json"

log = logging.getLogger("boards.desktop")

# How long a refused start waits for a starting instance's address, to name it in the refusal.
_STARTING_SECONDS = 10.0


@dataclass(frozen=True)
class InstanceInfo:
    """What a running instance tells later launches about itself."""

    pid: int
    port: int | None = None  # None while its server is starting, and under another ASGI server
    # "starting", "window", "browser", "headless" (serve, or no display) or "asgi" (another ASGI
    # server runs the app: its address is that server's to know, never published here)
    mode: str = "starting"
    started_at: float = 0.0
    url: str | None = None  # where this computer reaches it, when not http://127.0.0.1:<port>

    @property
    def base_url(self) -> str | None:
        if self.url:
            return self.url
        return f"http://127.0.0.1:{self.port}" if self.port else None


class InstanceLock:
    """The lock of the instance that owns a data folder; `release()` (or process exit) frees it."""

    def __init__(self, data_dir: Path, handle: IO[bytes]) -> None:
        self.data_dir = data_dir
        self._handle: IO[bytes] | None = handle
        self.info = InstanceInfo(pid=os.getpid(), started_at=time.time())
        self.publish()

    def update(self, *, port: int | None = None, mode: str | None = None, url: str | None = None) -> None:
        self.info = InstanceInfo(
            pid=self.info.pid,
            port=self.info.port if port is None else port,
            mode=self.info.mode if mode is None else mode,
            started_at=self.info.started_at,
            url=self.info.url if url is None else url,
        )
        self.publish()

    def publish(self) -> None:
        path = self.data_dir / INFO_FILE_NAME
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(asdict(self.info)), encoding="utf-8")
        os.replace(temporary, path)

    def release(self) -> None:
        if self._handle is None:
            return
        (self.data_dir / INFO_FILE_NAME).unlink(missing_ok=True)
        _unlock(self._handle)
        self._handle.close()
        self._handle = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()


def acquire(data_dir: Path) -> InstanceLock | InstanceInfo:
    """Take the data folder's lock, or describe the live instance that holds it.

    A lock left by a dead process is taken over (logged). The returned InstanceInfo of a live
    instance may still be `starting` (no port yet): see `wait_for_port`.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    handle = open(data_dir / LOCK_FILE_NAME, "a+b")  # noqa: SIM115 - held for the life of the process
    previous = read_info(data_dir)
    locked = _try_lock(handle)
    if locked is False:
        handle.close()
        return previous or InstanceInfo(pid=0)
    if locked is None and previous is not None and _pid_alive(previous.pid) and previous.pid != os.getpid():
        # No OS locks on this file system: a live recorded pid is all we have to go by.
        handle.close()
        return previous
    if previous is not None and previous.pid != os.getpid():
        log.info("took over the lock of an instance that is no longer running (pid %s)", previous.pid)
    return InstanceLock(data_dir, handle)


class InstanceBusy(RuntimeError):
    """Another live app holds the data folder; the message names it and says what to do."""


def take_instance_lock(data_dir: Path, *, mode: str) -> InstanceLock:
    """The data folder's lock for an app that cannot hand over (a server); raises InstanceBusy when it is held."""
    taken = acquire(data_dir)
    if isinstance(taken, InstanceInfo):
        if taken.port is None and taken.mode == "starting":
            taken = wait_for_port(data_dir, taken, _STARTING_SECONDS)
        raise InstanceBusy(already_running(data_dir, taken))
    taken.update(mode=mode)
    return taken


def read_info(data_dir: Path) -> InstanceInfo | None:
    try:
        raw = json.loads((data_dir / INFO_FILE_NAME).read_text(encoding="utf-8"))
        return InstanceInfo(
            pid=int(raw["pid"]),
            port=raw.get("port"),
            mode=str(raw.get("mode", "starting")),
            started_at=float(raw.get("started_at", 0.0)),
            url=str(raw["url"]) if raw.get("url") else None,
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def wait_for_port(data_dir: Path, info: InstanceInfo, timeout: float) -> InstanceInfo:
    """The live instance's info once its server listens (or as it is when `timeout` runs out).

    An instance under another ASGI server never publishes a port: there is nothing to wait for.
    """
    deadline = time.monotonic() + timeout
    while info.port is None and info.mode == "starting" and time.monotonic() < deadline:
        time.sleep(0.1)
        info = read_info(data_dir) or info
    return info


def already_running(data_dir: Path, info: InstanceInfo) -> str:
    """One line for a start refused because `info` holds the data folder: who, where, what to do."""
    if info.base_url is not None:
        where = f"at {info.base_url}"
    elif info.mode == "asgi":
        where = "under another ASGI server"
    else:
        where = "and is still starting"
    return (
        f"Boards is already running with the data folder {data_dir} {where} (process {info.pid}); "
        "use that one, or stop it first (two servers on one data folder would run its jobs twice)"
    )


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if sys.platform == "win32":
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        ctypes.windll.kernel32.CloseHandle(handle)
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


def _try_lock(handle: IO[bytes]) -> bool | None:
    """True: locked; False: another process holds it; None: this file system cannot lock."""
    try:
        if sys.platform == "win32":
            import msvcrt

            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except (BlockingIOError, PermissionError):
        return False
    except OSError as exc:
        if sys.platform == "win32" and getattr(exc, "errno", None) in (13, 36):  # EACCES, EDEADLOCK: held
            return False
        log.warning("cannot lock %s (%s): relying on the recorded process id", handle.name, exc)
        return None


def _unlock(handle: IO[bytes]) -> None:
    try:
        if sys.platform == "win32":
            import msvcrt

            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    except OSError:
        pass  # closing the file releases it anyway
