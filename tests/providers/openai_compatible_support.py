"""Helpers of the OpenAI-compatible tests: the fake server, the app pointed at it, a job's live text."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from tests.app_harness import AppClient, running_app
from tests.fakes.harness import FakeServer, serve_fake
from tests.fakes.openai_compatible import FakeOpenAICompatible
from tests.jobs.support import wait_until

ENDPOINTS = (
    "{ openaiEndpoints { name url auto keySet keyLastFour checked unavailableReason models offersImages generators } }"
)
SAVE = (
    "mutation($i: OpenaiEndpointInput!) { saveOpenaiEndpoint(input: $i) { name url auto keySet keyLastFour checked "
    "unavailableReason models offersImages generators } }"
)
NO_OLLAMA = {"BOARDS_OLLAMA_URL": ""}


@asynccontextmanager
async def compatible_fake(**options: Any) -> AsyncIterator[tuple[FakeOpenAICompatible, FakeServer]]:
    fake = FakeOpenAICompatible(**options)
    async with serve_fake(fake) as server:
        yield fake.bind(server), server


@asynccontextmanager
async def app_with_ollama(database_url: str, data_dir: Path, url: str, **environment: str) -> AsyncIterator[AppClient]:
    """The app with Ollama's address (offered on its own when it answers) at `url`."""
    async with running_app(database_url, data_dir, BOARDS_OLLAMA_URL=url, **environment) as client:
        yield client


async def generators(client: AppClient) -> dict[str, dict[str, Any]]:
    data = await client.data("{ generators { name displayName artifactType available unavailableReason inputSchema } }")
    return {g["name"]: g for g in data["generators"]}


async def offered(client: AppClient, name: str, available: bool = True) -> dict[str, Any]:
    """The generator, once it is listed (and available, unless told otherwise)."""

    async def there() -> bool:
        found = (await generators(client)).get(name)
        return found is not None and found["available"] == available

    await wait_until(there)
    return (await generators(client))[name]


class LiveText:
    """The text-so-far of a job's progress events, as the app publishes them (what the tile shows)."""

    def __init__(self, client: AppClient, generation_id: str) -> None:
        self.texts: list[str] = []
        self.statuses: list[str] = []
        self._subscription = client.services.events.subscribe(generation_id=generation_id)
        self._task = asyncio.create_task(self._listen())

    @classmethod
    async def start(cls, client: AppClient, generation_id: str) -> LiveText:
        broker = client.services.events
        before = broker.subscriber_count
        live = cls(client, generation_id)
        await wait_until(lambda: _true(broker.subscriber_count > before))
        return live

    async def _listen(self) -> None:
        async with self._subscription as events:
            async for event in events:
                self.statuses.append(event.status)
                if event.text:
                    self.texts.append(event.text)
                if event.is_terminal:
                    return

    async def shows(self, text: str) -> None:
        await wait_until(lambda: _true(any(text in t for t in self.texts)))

    async def ended(self) -> None:
        await asyncio.wait_for(self._task, 20)


async def _true(value: bool) -> bool:
    return value
