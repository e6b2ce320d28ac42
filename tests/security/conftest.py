"""The app as an attacker meets it: in process over ASGI, without credentials unless a test adds them.

Security does not depend on the database engine, so these tests run on SQLite only.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.app_harness import AppClient, running_app


@pytest.fixture
async def app_client(tmp_path: Path) -> AsyncIterator[AppClient]:
    """The running app; its `http` sends the token, as the artist's own scripts do."""
    async with running_app(f"sqlite+aiosqlite:///{tmp_path / 'boards.db'}", tmp_path / "data") as client:
        yield client


@pytest.fixture
async def stranger(app_client: AppClient) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the same app that knows no secret."""
    transport = httpx.ASGITransport(app=app_client.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
        yield http


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


QUERY = {"query": "{ myBoards { id } }"}
