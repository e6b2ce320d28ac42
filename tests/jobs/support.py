"""Helpers for tests of the job queue: queue a generation, wait for a status, read the SSE stream."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from tests.app_harness import AppClient

TERMINAL = {"COMPLETED", "FAILED", "CANCELLED"}

FIELDS = """id status progress errorMessage storageUrl thumbnailUrl externalJobId outputMetadata generatorName
inputArtifacts { generationId role artifactType } startedAt completedAt"""


async def new_board(client: AppClient, title: str = "Queue") -> str:
    data = await client.data("mutation($t: String!) { createBoard(input: {title: $t}) { id } }", {"t": title})
    return data["createBoard"]["id"]


async def queue(
    client: AppClient, board_id: str, generator: str, params: dict[str, Any] | None = None, artifact_type: str = "IMAGE"
) -> dict[str, Any]:
    data = await client.data(
        f"mutation($i: CreateGenerationInput!) {{ createGeneration(input: $i) {{ {FIELDS} }} }}",
        {
            "i": {
                "boardId": board_id,
                "generatorName": generator,
                "artifactType": artifact_type,
                "inputParams": params or {},
            }
        },
    )
    return data["createGeneration"]


async def try_queue(
    client: AppClient, board_id: str, generator: str, params: dict[str, Any] | None = None, artifact_type: str = "IMAGE"
) -> dict[str, Any]:
    """The whole response, for requests that are meant to be refused."""
    return await client.graphql(
        "mutation($i: CreateGenerationInput!) { createGeneration(input: $i) { id } }",
        {
            "i": {
                "boardId": board_id,
                "generatorName": generator,
                "artifactType": artifact_type,
                "inputParams": params or {},
            }
        },
    )


async def generation(client: AppClient, generation_id: str) -> dict[str, Any]:
    data = await client.data(f"query($id: UUID!) {{ generation(id: $id) {{ {FIELDS} }} }}", {"id": generation_id})
    return data["generation"]


async def wait_for(
    client: AppClient, generation_id: str, statuses: set[str] = TERMINAL, timeout: float = 20.0
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        current = await generation(client, generation_id)
        if current["status"] in statuses:
            return current
        if time.monotonic() > deadline:
            raise AssertionError(
                f"generation {generation_id} is still {current['status']} after {timeout} s: {current}"
            )
        await asyncio.sleep(0.02)


async def wait_until(predicate, timeout: float = 20.0, interval: float = 0.02) -> None:
    deadline = time.monotonic() + timeout
    while not await predicate():
        if time.monotonic() > deadline:
            raise AssertionError("the condition did not come true in time")
        await asyncio.sleep(interval)


async def board_statuses(client: AppClient, board_id: str, limit: int = 500) -> list[dict[str, Any]]:
    data = await client.data(
        "query($b: UUID!, $l: Int!) { board(id: $b) { generations(limit: $l) { id status generatorName "
        "outputMetadata errorMessage inputArtifacts { generationId role } } } }",
        {"b": board_id, "l": limit},
    )
    return data["board"]["generations"]


async def sse_events(client: AppClient, path: str, *, until_terminal: bool = True, timeout: float = 20.0) -> list[dict]:
    """The JSON payloads of an SSE stream, read until the server ends it (or a terminal status)."""
    events: list[dict] = []

    async def read() -> None:
        async with client.http.stream("GET", path, headers={"Accept": "text/event-stream"}) as response:
            assert response.status_code == 200, await response.aread()
            async for line in response.aiter_lines():
                if line.startswith("data:"):
                    events.append(json.loads(line[5:].strip()))
                    if until_terminal and events[-1].get("status") in ("completed", "failed", "cancelled"):
                        return

    await asyncio.wait_for(read(), timeout)
    return events
