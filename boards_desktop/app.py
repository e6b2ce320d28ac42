"""The composition root: `create_app(settings)` builds every service once, in the lifespan.

`uvicorn --factory boards_desktop.app:create_app` works too; settings then come from the
environment and the config file.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager

from litestar import Litestar

from boards_desktop.api.exports import export_zip
from boards_desktop.api.health import health
from boards_desktop.api.sse import sse_handlers
from boards_desktop.api.storage import serve_media
from boards_desktop.api.ui_files import ui_files
from boards_desktop.api.uploads import upload_artifact
from boards_desktop.db.engine import Database
from boards_desktop.db.queries.users import ensure_local_user
from boards_desktop.db.schema_files import SchemaFileError
from boards_desktop.db.schema_runner import SchemaError, upgrade
from boards_desktop.db.search_refold import refold_search_text
from boards_desktop.engine_services import start_engine
from boards_desktop.graphql import create_graphql_controller
from boards_desktop.identity import load_identity
from boards_desktop.logs import install_log_file, log_unexpected_error
from boards_desktop.providers import BaseProvider
from boards_desktop.security import AppSecurity, TokenFileError, install_gate
from boards_desktop.services import Services
from boards_desktop.settings import Settings, SettingsError, configure_logging, load_settings

log = logging.getLogger("boards")


def create_app(
    settings: Settings | None = None, *, providers: Mapping[str, type[BaseProvider]] | None = None
) -> Litestar:
    """The app; `providers` replaces the provider classes of boards_desktop.providers.PROVIDERS."""
    settings = settings or load_settings()
    configure_logging(settings)
    install_log_file(settings)
    security = AppSecurity(settings.data_dir)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        settings.ensure_dirs()
        # SQL echo goes through the logging set up by configure_logging, not the engines own handler.
        database = Database(settings.database_url)
        try:
            try:
                security.load()
                result = await upgrade(database)
                if result.applied:
                    log.info("database schema brought up to date: %s", ", ".join(result.applied))
                await refold_search_text(database)  # rows from before schemas/009; none after that
                identity = load_identity(settings.data_dir)
                actor = await ensure_local_user(database, identity)
            except (SchemaError, SchemaFileError, SettingsError, TokenFileError) as exc:
                # Under `uvicorn --factory` no CLI prints these: say it in one line on our logger,
                # then fail start-up anyway, so that the server never runs on a refused database.
                log.error("cannot start: %s", exc)
                raise
            services = Services(settings=settings, database=database, identity=identity, actor=actor, security=security)
            app.state.services = services
            # The media store, events, generators and job runner: see boards_desktop.engine_services.
            async with AsyncExitStack() as stack:
                await start_engine(services, stack, providers)
                yield
        finally:
            await database.dispose()

    app = Litestar(
        route_handlers=[
            health,
            ui_files,
            serve_media,
            upload_artifact,
            export_zip,
            *sse_handlers,
            create_graphql_controller(),
        ],
        lifespan=[lifespan],
        debug=False,
        logging_config=None,  # the `boards` logger is configured by settings.configure_logging
        after_exception=[log_unexpected_error],
    )
    install_gate(app, security)  # in front of routing: every route and WebSocket, present and future
    return app
