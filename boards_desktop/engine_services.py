"""The generation engine's services, started after the database and stopped before it.

Order matters at both ends: the event broker must be listening before the runner publishes, and at
shutdown the runner stops (its jobs given a few seconds, the rest left resumable) before the
broker, the HTTP client and the database go away.
"""

from __future__ import annotations

from contextlib import AsyncExitStack

import httpx

from boards_desktop.generators.registry import load_registry
from boards_desktop.jobs.events import EventBroker
from boards_desktop.jobs.runner import JobRunner
from boards_desktop.media.store import MediaStore
from boards_desktop.services import Services

# Providers wait on slow services (a video takes minutes); each provider sets its own timeouts.
HTTP_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
HTTP_LIMITS = httpx.Limits(max_connections=400, max_keepalive_connections=50)


async def start_engine(services: Services, stack: AsyncExitStack) -> None:
    settings = services.settings
    services.media = MediaStore(settings.media_dir)
    services.events = EventBroker.for_database(services.database)
    await services.events.start()
    stack.push_async_callback(services.events.stop)
    services.http = await stack.enter_async_context(
        httpx.AsyncClient(timeout=HTTP_TIMEOUT, limits=HTTP_LIMITS, follow_redirects=True)
    )
    services.generators = load_registry(settings.generators, settings.generator_modules)
    services.jobs = JobRunner(
        settings=settings,
        database=services.database,
        registry=services.generators,
        media=services.media,
        events=services.events,
        http=services.http,
        installation=str(services.actor.user_id),  # one local user per installation (data folder)
    )
    await services.jobs.start()
    stack.push_async_callback(services.jobs.stop, settings.shutdown_grace_seconds)
