"""32 clients mixing reads and writes for a while: no 5xx, no "database is locked", every write kept.

The real `boards-desktop serve` on a fresh data folder, spoken to over HTTP on loopback by 32
clients (tests/reliability/load.py): board pages, my boards, generations queued, uploads, stars,
tags, and SSE listeners, with `/health` polled throughout. 10 s at `BOARDS_DRILL_SCALE=1`, 20 s at
2, the full 30 s from 3. Speed is not asserted here: `python -m tests.benchmarks.mixed_load` prints
`/health`'s p50/p95/max under the same load.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx

from tests.reliability.drill_settings import drill_random, drill_scale
from tests.reliability.load import run_mixed_load
from tests.reliability.serve_process import ServeProcess, installation_environment

GENERATIONS = """query($b: UUID!, $o: Int!) { board(id: $b) { generations(limit: 500, offset: $o) {
  id status isFavourite tags { id } } } }"""


async def test_32_clients_mixing_reads_and_writes_get_no_server_error_and_keep_every_write(
    tmp_path: Path, database_url: str
) -> None:
    seconds = min(30, 10 * drill_scale())
    _rng, seed = drill_random("mixed load")
    where = f"seed {seed}, {database_url.split(':', 1)[0]}"
    data_dir = tmp_path / "data"
    stderr = tmp_path / "serve.stderr"
    server = await asyncio.to_thread(ServeProcess, installation_environment(data_dir, database_url), stderr)
    try:
        result = await run_mixed_load(server.url, server.headers, clients=32, seconds=seconds, seed=seed)
        async with server.async_client(timeout=60) as client:
            seen = await _wait_until_settled(client, result.board_id, set(result.created))
    finally:
        stopped = await asyncio.to_thread(server.stop)
    figures = result.health_figures()
    print(
        f"mixed load ({where}): 32 clients for {seconds} s: {sum(result.operations.values())} operations "
        f"{dict(result.operations)}, {result.sse_events} SSE events, {len(result.errors)} errors; /health "
        + ", ".join(f"{name} {value:.1f}" for name, value in figures.items())
    )

    assert result.errors == [], f"{where}: {result.errors[:10]}"
    assert result.health_failures == [], f"{where}: {result.health_failures[:10]}"
    assert all(result.operations[name] for name in ("board page", "create generation", "upload", "favourite", "tag"))
    assert result.sse_events > 0, where
    missing = (set(result.created) | set(result.uploaded)) - seen.keys()
    assert not missing, f"writes not visible afterwards ({where}): {sorted(missing)[:10]}"
    unfinished = {i: seen[i]["status"] for i in result.created if seen[i]["status"] != "COMPLETED"}
    assert not unfinished, f"{where}: {unfinished}"
    assert all(seen[i]["isFavourite"] for i in result.favourited), where
    assert all({"id": result.tag_id} in seen[i]["tags"] for i in result.tagged), where
    log = (data_dir / "logs" / "boards.log").read_text() + stderr.read_text()
    assert "database is locked" not in log, where
    assert "Traceback" not in log, f"{where}: {log[log.find('Traceback') - 500 :][:3000]}"
    assert stopped, where


async def _wait_until_settled(
    client: httpx.AsyncClient, board_id: str, created: set[str], timeout: float = 120
) -> dict[str, dict[str, Any]]:
    """The board's generations by id, once every queued one has finished."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        seen = await _board_generations(client, board_id)
        if all(seen.get(i, {}).get("status") in ("COMPLETED", "FAILED", "CANCELLED") for i in created):
            return seen
        if asyncio.get_running_loop().time() > deadline:
            return seen  # the assertions say what did not finish
        await asyncio.sleep(0.2)


async def _board_generations(client: httpx.AsyncClient, board_id: str) -> dict[str, dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    while True:
        response = await client.post(
            "/graphql", json={"query": GENERATIONS, "variables": {"b": board_id, "o": len(seen)}}
        )
        page = response.json()["data"]["board"]["generations"]
        seen.update({row["id"]: row for row in page})
        if len(page) < 500:
            return seen
