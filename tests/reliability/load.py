"""32 clients mixing reads and writes against a running server, with `/health` timed throughout.

Shared by the drill (tests/reliability/test_mixed_load.py, which asserts on what went wrong) and
the benchmark (tests/benchmarks/mixed_load.py, which prints the figures). The clients speak HTTP
to a real server on loopback, as the app's page and scripts do: the board page's query, queuing a
generation of a fast generator, uploads, stars, tags, and board event streams (SSE) held open.
`/health` is polled from a thread of its own with a plain client, so that its latency is the
server's answer time rather than this process's own event loop.
"""

from __future__ import annotations

import asyncio
import io
import json
import random
import statistics
import threading
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from PIL import Image

# The board page's own query (ui/js/grid/data.js, with ui/js/api.js's fields), 50 at a time.
BOARD_PAGE = """query($b: UUID!) { board(id: $b) { generationTotal generations(limit: 50) {
  id boardId generatorName artifactType status progress errorMessage storageUrl thumbnailUrl prompt isFavourite
  inputParams outputMetadata createdAt startedAt completedAt updatedAt tags { id name slug }
  inputArtifacts { generationId role artifactType } } } }"""
CREATE = """mutation($b: UUID!, $c: String!) { createGeneration(input: {boardId: $b, generatorName: "test-fast",
  artifactType: IMAGE, inputParams: {colour: $c}}) { id } }"""
FAVOURITE = "mutation($ids: [UUID!]!) { setFavourite(generationIds: $ids, favourite: true) { id } }"
TAG = "mutation($g: UUID!, $t: UUID!) { addTagToGeneration(generationId: $g, tagId: $t) { id } }"
MY_BOARDS = "{ myBoards(limit: 50) { id title generationCount coverThumbnails(limit: 4) } }"
# How often each client does what (reads outnumber writes, as on a real board).
MIX = {"board page": 40, "my boards": 10, "create generation": 20, "upload": 10, "favourite": 10, "tag": 10}
SSE_CLIENTS = 4


@dataclass
class LoadResult:
    seconds: float
    health_ms: list[float] = field(default_factory=list)
    health_failures: list[str] = field(default_factory=list)
    operations: Counter[str] = field(default_factory=Counter)
    operation_ms: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)  # 5xx, GraphQL errors, failed connections
    sse_events: int = 0
    created: list[str] = field(default_factory=list)
    uploaded: list[str] = field(default_factory=list)
    favourited: set[str] = field(default_factory=set)
    tagged: set[str] = field(default_factory=set)
    board_id: str = ""
    tag_id: str = ""

    def health_figures(self) -> dict[str, float]:
        return percentiles(self.health_ms)


def percentiles(samples: list[float]) -> dict[str, float]:
    """count, p50, p95 and max of samples (milliseconds)."""
    ordered = sorted(samples)
    if not ordered:
        return {}
    return {
        "count": len(ordered),
        "p50": statistics.median(ordered),
        "p95": ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))],
        "max": ordered[-1],
    }


async def run_mixed_load(
    url: str, headers: Mapping[str, str], *, clients: int = 32, seconds: float = 10.0, seed: int = 1
) -> LoadResult:
    """`clients` clients (SSE listeners among them) for `seconds`; what each did and what went wrong."""
    result = LoadResult(seconds=seconds)
    rng = random.Random(seed)
    async with httpx.AsyncClient(base_url=url, headers=dict(headers), timeout=60) as setup:
        result.board_id = (await _data(setup, 'mutation { createBoard(input: {title: "load"}) { id } }', {}))[
            "createBoard"
        ]["id"]
        result.tag_id = (await _data(setup, 'mutation { createTag(input: {name: "load"}) { id } }', {}))["createTag"][
            "id"
        ]
        for _ in range(5):  # something to star and tag from the first second
            created = await _data(setup, CREATE, {"b": result.board_id, "c": "#336699"})
            result.created.append(created["createGeneration"]["id"])
    images = [_png(rng, size) for size in (64, 128, 256, 320)]
    stop = threading.Event()
    poller = threading.Thread(target=_poll_health, args=(url, stop, result), daemon=True)
    poller.start()
    deadline = time.monotonic() + seconds
    tasks = [asyncio.create_task(_listen(url, headers, result, deadline)) for _ in range(min(SSE_CLIENTS, clients))] + [
        asyncio.create_task(_work(url, headers, result, deadline, random.Random(rng.random()), images))
        for _ in range(clients - min(SSE_CLIENTS, clients))
    ]
    await asyncio.gather(*tasks)
    stop.set()
    poller.join()
    return result


async def _work(
    url: str,
    headers: Mapping[str, str],
    result: LoadResult,
    deadline: float,
    rng: random.Random,
    images: list[bytes],
) -> None:
    names, weights = list(MIX), list(MIX.values())
    async with httpx.AsyncClient(base_url=url, headers=dict(headers), timeout=60) as client:
        while time.monotonic() < deadline:
            operation = rng.choices(names, weights)[0]
            started = time.perf_counter()
            try:
                await _do(client, operation, result, rng, images)
                result.operations[operation] += 1
                result.operation_ms.setdefault(operation, []).append((time.perf_counter() - started) * 1000)
            except _Failed as failure:
                result.errors.append(f"{operation}: {failure}")
            except httpx.HTTPError as exc:
                result.errors.append(f"{operation}: {type(exc).__name__}: {exc}")


async def _do(
    client: httpx.AsyncClient, operation: str, result: LoadResult, rng: random.Random, images: list[bytes]
) -> None:
    board = result.board_id
    if operation == "board page":
        await _data(client, BOARD_PAGE, {"b": board})
    elif operation == "my boards":
        await _data(client, MY_BOARDS, {})
    elif operation == "create generation":
        data = await _data(client, CREATE, {"b": board, "c": f"#{rng.randrange(0x1000000):06x}"})
        result.created.append(data["createGeneration"]["id"])
    elif operation == "upload":
        response = await client.post(
            "/api/uploads/artifact",
            data={"board_id": board, "artifact_type": "image"},
            files={"file": ("load.png", rng.choice(images), "image/png")},
        )
        if response.status_code != 200:
            raise _Failed(f"{response.status_code}: {response.text[:300]}")
        result.uploaded.append(response.json()["id"])
    elif operation == "favourite":
        chosen = rng.choice(result.created)
        await _data(client, FAVOURITE, {"ids": [chosen]})
        result.favourited.add(chosen)
    elif operation == "tag":
        chosen = rng.choice(result.created)
        await _data(client, TAG, {"g": chosen, "t": result.tag_id})
        result.tagged.add(chosen)


async def _listen(url: str, headers: Mapping[str, str], result: LoadResult, deadline: float) -> None:
    """A board page's event stream, held open to the end."""
    async with httpx.AsyncClient(base_url=url, headers=dict(headers), timeout=60) as client:
        try:
            async with asyncio.timeout(max(0.0, deadline - time.monotonic())):
                async with client.stream("GET", f"/api/sse/boards/{result.board_id}") as response:
                    if response.status_code != 200:
                        result.errors.append(f"sse: {response.status_code}")
                        return
                    async for line in response.aiter_lines():
                        if line.startswith("data:"):
                            result.sse_events += 1
        except TimeoutError:
            pass
        except httpx.HTTPError as exc:
            result.errors.append(f"sse: {type(exc).__name__}: {exc}")


def _poll_health(url: str, stop: threading.Event, result: LoadResult) -> None:
    with httpx.Client(base_url=url, timeout=30) as client:
        while not stop.is_set():
            started = time.perf_counter()
            try:
                response = client.get("/health")
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code == 200:
                    result.health_ms.append(elapsed)
                else:
                    result.health_failures.append(f"{response.status_code}: {response.text[:200]}")
            except httpx.HTTPError as exc:
                result.health_failures.append(f"{type(exc).__name__}: {exc}")
            stop.wait(0.05)


class _Failed(Exception):
    """An answer that is not what a working server gives."""


async def _data(client: httpx.AsyncClient, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    if response.status_code != 200:
        raise _Failed(f"{response.status_code}: {response.text[:300]}")
    body = response.json()
    if body.get("errors"):
        raise _Failed(json.dumps(body["errors"])[:500])
    return dict(body["data"])


def _png(rng: random.Random, size: int) -> bytes:
    buffer = io.BytesIO()
    Image.frombytes("RGB", (size, size), rng.randbytes(size * size * 3)).save(buffer, "PNG")
    return buffer.getvalue()
