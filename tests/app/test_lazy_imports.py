"""The server answers before it imports what its first answer does not need.

Start-up is mostly imports (tests/benchmarks/startup.py). Importing the server and building the app
must not import the provider clients, Pillow, PyAV, the keyring or the model catalogues: they come
with the generation engine, which starts beside the server (boards_desktop.engine_start). Nor the
GraphQL schema (Strawberry, graphql-core) and the API's other routes, registered once imported
beside the server (boards_desktop.api_routes); nor, on SQLite, SQLAlchemy (the engines are made
beside the server, and an up-to-date database is checked with sqlite3: boards_desktop.db.start_check);
nor Litestar's Pydantic plugin (no route of ours uses Pydantic models).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx

from boards_desktop.app import create_app
from boards_desktop.db.start_check import prepare_database
from boards_desktop.settings import load_settings
from tests.app_harness import app_environment, read_token, running_app

# Modules (and packages, with everything under them) that building the app must leave unimported.
NOT_BEFORE_FIRST_ANSWER = [
    "PIL",
    "av",
    "keyring",
    "httpx",
    "boards_desktop.engine_services",
    "boards_desktop.providers.base",
    "boards_desktop.providers.registry",
    "boards_desktop.generators.providers",
    "boards_desktop.generators.model_catalog",
    "boards_desktop.jobs.runner",
    "boards_desktop.media.ingest",
    "strawberry",
    "graphql",
    "boards_desktop.graphql",
    "boards_desktop.api_routes",
    "sqlalchemy",
    "boards_desktop.db.engine",
    "boards_desktop.db.models",
    "asyncpg",
    "litestar.plugins.pydantic",
    "pydantic.v1",
]

_PROBE = """
import json, sys
from boards_desktop.server import serve
from boards_desktop.app import create_app
from boards_desktop.db.start_check import prepare_database
from boards_desktop.settings import load_settings
settings = load_settings()
prepare_database(settings)  # up to date: the folder was made by an earlier start
create_app(settings)
names = json.loads(sys.argv[1])
print(json.dumps(sorted(m for m in sys.modules if any(m == n or m.startswith(n + ".") for n in names))))
"""


def test_building_the_app_on_sqlite_imports_none_of_the_engine_nor_the_graphql_schema(tmp_path: Path) -> None:
    env = {**os.environ, "BOARDS_DATA_DIR": str(tmp_path), "BOARDS_CONFIG_FILE": str(tmp_path / "none.toml")}
    env.pop("BOARDS_DATABASE_URL", None)
    env.pop("BOARDS_SCHEMAS_DIR", None)
    prepare_database(load_settings(env))  # the first start: the database made (with SQLAlchemy)
    probe = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(NOT_BEFORE_FIRST_ANSWER)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert json.loads(probe.stdout.strip().splitlines()[-1]) == []


class _BrokenProvider:
    def __init__(self, **_: object) -> None:
        raise RuntimeError("the provider could not be built")


async def test_an_engine_that_fails_to_start_is_said_on_every_request_but_health_and_the_page(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'boards.db'}"
    async with running_app(url, tmp_path / "data", providers={"openai": _BrokenProvider}) as client:
        health = await client.http.get("/health")
        assert health.status_code == 200
        # The page's own files never wait for the engine: the page loads while it starts.
        page, script = await client.http.get("/"), await client.http.get("/ui/js/app.js")
        assert page.status_code == 200 and "<title>Boards</title>" in page.text
        assert script.status_code == 200
        answer = await client.http.post("/graphql", json={"query": "{ myBoards { id } }"})
        assert answer.status_code == 503
        assert answer.json() == {
            "error": "the app could not start its generation engine",
            "code": "ENGINE_NOT_STARTED",
            "detail": "the provider could not be built; see the app's log, then restart the app",
        }


async def test_requests_sent_as_the_server_starts_wait_for_the_routes_registered_beside_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    app = create_app(load_settings(app_environment(f"sqlite+aiosqlite:///{data / 'boards.db'}", data)))
    inbox: asyncio.Queue = asyncio.Queue()
    outbox: asyncio.Queue = asyncio.Queue()
    lifespan = asyncio.create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, inbox.get, outbox.put)
    )
    await inbox.put({"type": "lifespan.startup"})
    assert (await outbox.get())["type"] == "lifespan.startup.complete"
    try:
        # Sent the moment the server answers, as a window does: while the API's routes are still
        # being imported (unless an earlier test imported them), GraphQL waits for them, no 404.
        headers = {"Authorization": f"Bearer {read_token(data)}"}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1", headers=headers) as http:
            graphql, health = await asyncio.gather(
                http.post("/graphql", json={"query": "{ myBoards { id } }"}),
                http.get("/health"),
            )
        assert graphql.status_code == 200 and graphql.json() == {"data": {"myBoards": []}}
        assert health.json()["status"] == "healthy"
    finally:
        await inbox.put({"type": "lifespan.shutdown"})
        await outbox.get()
        await lifespan
