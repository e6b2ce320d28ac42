"""The generation engine starts beside the server, not before it: `serve` → first answer sooner.

The engine (boards_desktop.engine_services: providers and their HTTP client, the generator registry,
the media store, the event broker, the job runner) brings in most of the app's code, a fifth of its
start-up. The lifespan starts it in a task and the server answers at once: /health without waiting,
every other request once the engine is running (a few hundred milliseconds at most, and only for
requests sent in that time). A start that fails is logged once, and the requests are answered 503
with what went wrong, instead of a half-started app answering as if all were well.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING, Any

import msgspec

from boards_desktop.security.launch import LAUNCH_PATH

if TYPE_CHECKING:
    from boards_desktop.providers import BaseProvider
    from boards_desktop.services import Services

log = logging.getLogger("boards")

ENGINE_KEY = "engine_start"
# Answered before the engine runs: what a launcher polls to know that the server is up, the
# window's launch link, and the page's own files (boards_desktop.api.ui_files), so that the page
# loads while the engine starts and only its API requests wait.
_NOT_WAITING = frozenset({"/health", LAUNCH_PATH, "/"})
_NOT_WAITING_UNDER = "/ui/"


class EngineStart:
    """The engine's start in the background, and what requests wait on."""

    def __init__(
        self,
        open_services: Callable[[], Awaitable[Services]],
        stack: AsyncExitStack,
        provider_classes: Mapping[str, type[BaseProvider]] | None,
        *,
        register_routes: Callable[[], None] | None = None,
    ) -> None:
        self.failure: BaseException | None = None
        self._task = asyncio.create_task(
            self._start(open_services, stack, provider_classes, register_routes), name="engine-start"
        )

    @property
    def running(self) -> bool:
        return self._task.done() and self.failure is None

    async def _start(
        self,
        open_services: Callable[[], Awaitable[Services]],
        stack: AsyncExitStack,
        provider_classes: Mapping[str, type[BaseProvider]] | None,
        register_routes: Callable[[], None] | None,
    ) -> None:
        try:
            # Imported in a thread: the API's routes with the GraphQL schema, the providers, the
            # generators, Pillow and httpx are most of a second of imports, which on the event loop
            # would hold /health until they are done (tests/app/test_lazy_imports.py). The thread
            # lets go of the GIL every few milliseconds. The database's modules (SQLAlchemy) come
            # first, for open_services.
            await asyncio.to_thread(_import_database)
            imported = asyncio.ensure_future(asyncio.to_thread(_import_engine))
            try:
                services = await open_services()  # on the loop, while the thread imports
            finally:
                await imported
            if register_routes is not None:
                register_routes()  # on the loop: no request is being routed while the routes change
            from boards_desktop.engine_services import start_engine

            await start_engine(services, stack, provider_classes)
        except Exception as exc:
            log.exception("the generation engine did not start")
            self.failure = exc

    async def wait(self) -> None:
        """Until the engine runs (or failed: see `failure`)."""
        await asyncio.shield(self._task)

    async def stop(self) -> None:
        """At shutdown: a start still going is cancelled; what it started is stopped by the stack."""
        if not self._task.done():
            self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)


def _import_database() -> None:
    importlib.import_module("boards_desktop.db.engine")
    importlib.import_module("boards_desktop.db.queries.users")
    importlib.import_module("boards_desktop.db.search_refold")
    importlib.import_module("boards_desktop.services")


def _import_engine() -> None:
    importlib.import_module("boards_desktop.api_routes")
    importlib.import_module("boards_desktop.engine_services")
    importlib.import_module("boards_desktop.generators.builtin")  # what the registry loads first


Send = Callable[[dict[str, Any]], Awaitable[None]]


async def waiting_for_engine(state: Any, scope: dict[str, Any], send: Send | None) -> bool:
    """Whether the request may go on: waits for the engine; answers 503 (or refuses a WebSocket) if it failed."""
    starting: EngineStart | None = state.get(ENGINE_KEY)
    path = scope.get("path", "")
    if starting is None or starting.running or path in _NOT_WAITING or path.startswith(_NOT_WAITING_UNDER):
        return True
    await starting.wait()
    if starting.failure is None:
        return True
    if send is not None:
        body = msgspec.json.encode(
            {
                "error": "the app could not start its generation engine",
                "code": "ENGINE_NOT_STARTED",
                "detail": f"{starting.failure}; see the app's log, then restart the app",
            }
        )
        await send(
            {
                "type": "http.response.start",
                "status": 503,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})
    return False
