"""The composition root: `create_app(settings)` builds every service once, in the lifespan.

`uvicorn --factory boards_desktop.app:create_app` works too; settings then come from the
environment and the config file, and the lifespan takes the data folder's instance lock itself
(`serve` and the window take it before anything else and hand it in). A start-up refused for a
reason the artist can fix is said in one line on the `boards` logger, without a traceback.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from typing import TYPE_CHECKING, Any

from litestar import Litestar
from litestar.plugins import PluginProtocol
from litestar.plugins.core import MsgspecDIPlugin

from boards_desktop.api.errors import rest_error_handler
from boards_desktop.api.health import health
from boards_desktop.api.ui_files import ui_files
from boards_desktop.db.schema_files import SchemaFileError
from boards_desktop.db.schema_history import SchemaError
from boards_desktop.desktop.instance_lock import InstanceBusy, InstanceLock, take_instance_lock
from boards_desktop.engine_start import ENGINE_KEY, EngineStart, waiting_for_engine
from boards_desktop.identity import load_identity
from boards_desktop.logs import install_log_file, log_unexpected_error
from boards_desktop.memory_trim import BurstTrimmer
from boards_desktop.security import AppSecurity, TokenFileError, install_gate
from boards_desktop.settings import Settings, SettingsError, configure_logging, load_settings
from boards_desktop.shutdown import STATE_KEY as STOPPING_KEY
from boards_desktop.shutdown import Send, Stopping, begin_on_exit_signals, end_cancelled_request
from boards_desktop.writable import check_writable

if TYPE_CHECKING:
    from boards_desktop.db.engine import Database
    from boards_desktop.providers import BaseProvider
    from boards_desktop.services import Services

log = logging.getLogger("boards")

# Refusals the artist can act on: one line, never a traceback.
_REFUSALS = (SchemaError, SchemaFileError, SettingsError, TokenFileError, InstanceBusy)
_REFUSED_KEY = "startup_refused"


def create_app(
    settings: Settings | None = None,
    *,
    providers: Mapping[str, type[BaseProvider]] | None = None,
    instance: InstanceLock | None = None,
    security: AppSecurity | None = None,
) -> Litestar:
    """The app; `providers` replaces the provider classes of boards_desktop.providers.PROVIDERS.

    `instance` is the data folder's lock, taken by the caller before it touched the database; without
    it the lifespan takes it (and refuses to start when another app holds it). `security` is given by
    a launcher that issued a launch URL before the app was built (the browser opens at once).
    """
    settings = settings or _factory_settings()
    configure_logging(settings)
    install_log_file(settings)
    security = security or AppSecurity(settings.data_dir, allowed_origins=settings.allowed_origins)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        async with AsyncExitStack() as owned:
            try:
                if instance is None:
                    # Nobody took the lock for us (`uvicorn --factory`, tests): take it before the
                    # database, so that a second app on this data folder never touches its queue.
                    check_writable(settings)
                    owned.enter_context(take_instance_lock(settings.data_dir, mode="asgi"))
                    # Nor will that server say when it starts shutting down: its signals will.
                    owned.enter_context(begin_on_exit_signals(app.state[STOPPING_KEY]))
                settings.ensure_dirs()
                security.load()
                # serve and the window brought the schema up to date and checked it in
                # prepare_database, before handing the lock in: nothing can have changed it since,
                # and the engines (SQLAlchemy's import) are made beside the server (open_services).
                database: Database | None = None
                if instance is None:
                    database = await _upgraded_database(settings)
                    owned.push_async_callback(database.dispose)
                identity = load_identity(settings.data_dir)
            except _REFUSALS as exc:
                # Under `uvicorn --factory` no CLI prints these: say it in one line on our logger,
                # then fail start-up anyway, so that the server never runs on a refused database.
                log.error("cannot start: %s", exc)
                app.state[_REFUSED_KEY] = True
                raise

            async def open_services() -> Services:
                # The rest of the database's start, beside the server: the engines, and the first
                # use of the models (importing them, configuring their mappers), a few tenths of a
                # second /health needn't wait for. (Imported by then: boards_desktop.engine_start.)
                from boards_desktop.db.engine import Database
                from boards_desktop.db.queries.users import ensure_local_user
                from boards_desktop.db.search_refold import refold_search_text
                from boards_desktop.services import Services

                nonlocal database
                if database is None:
                    database = Database(settings.database_url)
                    stack.push_async_callback(database.dispose)  # after the engine has stopped

                await refold_search_text(database)  # rows from before schemas/011; none after that
                actor = await ensure_local_user(database, identity)
                services = Services(
                    settings=settings, database=database, identity=identity, actor=actor, security=security
                )
                app.state.services = services
                return services

            # The local user, the API's routes, then the media store, events, generators and job
            # runner (boards_desktop.engine_services) start beside the server: /health answers at
            # once, every other request waits for them (boards_desktop.engine_start).
            async with AsyncExitStack() as stack:
                starting = EngineStart(
                    open_services, stack, providers, register_routes=lambda: _register_api_routes(app)
                )
                app.state[ENGINE_KEY] = starting
                try:
                    yield
                finally:
                    await starting.stop()

    app = _BoardsApp(
        # The other routes are registered by the start in the background (boards_desktop.api_routes).
        route_handlers=[health, ui_files],
        lifespan=[lifespan],
        debug=False,
        logging_config=None,  # the `boards` logger is configured by settings.configure_logging
        after_exception=[log_unexpected_error],
        exception_handlers={Exception: rest_error_handler},  # {"error", "code", "detail"} on every route
    )
    app.state[STOPPING_KEY] = Stopping()  # set by the server when shutdown starts (boards_desktop.shutdown)
    install_gate(app, security)  # in front of routing: every route and WebSocket, present and future
    return app


async def _upgraded_database(settings: Settings) -> Database:
    """`uvicorn --factory` and tests: the lifespan brings the schema up to date itself."""
    from boards_desktop.db.connect_errors import refusing_unusable_database
    from boards_desktop.db.engine import Database
    from boards_desktop.db.schema_presence import check_schema_present
    from boards_desktop.db.schema_runner import upgrade

    database = Database(settings.database_url)
    try:
        with refusing_unusable_database(settings.database_url):
            result = await upgrade(database, keep_backups=settings.keep_backups)
            await check_schema_present(database)
    except BaseException:
        await database.dispose()
        raise
    if result.applied:
        log.info("database schema brought up to date: %s", ", ".join(result.applied))
    return database


def _register_api_routes(app: Litestar) -> None:
    """On the event loop, once boards_desktop.api_routes is imported (in a thread, beside the server)."""
    from boards_desktop.api_routes import api_route_handlers

    for handler in api_route_handlers():
        app.register(handler)


class _BoardsApp(Litestar):
    """Litestar, with two endings made quiet: a refused start-up, and a request cut short by shutdown;
    the heap given back after a burst of requests (boards_desktop.memory_trim); and no Pydantic plugins."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._bursts = BurstTrimmer()

    @staticmethod
    def _get_default_plugins(plugins: list[PluginProtocol]) -> list[PluginProtocol]:
        # Litestar adds its Pydantic (and attrs) plugins whenever the library is installed, and
        # imports most of Pydantic to do so: a tenth of a second of the start-up's CPU. No route of
        # ours takes or returns a Pydantic model or an attrs class (the generators' Pydantic inputs
        # are validated in the job code, not by Litestar). msgspec's is what Litestar always adds.
        plugins.append(MsgspecDIPlugin())
        return plugins

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await super().__call__(scope, receive, self._without_refusal_traceback(send))
        elif scope["type"] == "http":
            if not await waiting_for_engine(self.state, scope, send):
                return
            stopping: Stopping = self.state[STOPPING_KEY]
            self._bursts.started()
            try:
                await end_cancelled_request(
                    lambda watched: super(_BoardsApp, self).__call__(scope, receive, watched), send, stopping
                )
            finally:
                self._bursts.ended()
        else:
            if scope["type"] == "websocket" and not await waiting_for_engine(self.state, scope, None):
                return
            await super().__call__(scope, receive, send)

    def _without_refusal_traceback(self, send: Send) -> Send:
        async def quiet_send(message: dict[str, Any]) -> None:
            # Litestar reports a failed start-up with the traceback as its message, which the server
            # logs; a refusal was already said in one line by the lifespan.
            if message["type"] == "lifespan.startup.failed" and self.state.get(_REFUSED_KEY):
                message = {"type": message["type"], "message": ""}
            await send(message)

        return quiet_send


def _factory_settings() -> Settings:
    """The settings of `uvicorn --factory`, where no CLI is there to say what is wrong with them."""
    try:
        settings = load_settings()
        check_writable(settings)  # before the log file below is opened in a folder that may be read-only
        return settings
    except SettingsError as exc:
        print(f"boards-desktop: cannot start: {exc}", file=sys.stderr, flush=True)
        raise SystemExit(2) from None
