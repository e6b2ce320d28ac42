"""Fixtures of the GraphQL tests: a third installation on the same database, for role tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.app_harness import AppClient, running_app


@pytest.fixture
async def third_client(database_url: str, tmp_path: Path, client: AppClient) -> AsyncIterator[AppClient]:
    """A third artist on the same database as `client` (and `other_client`)."""
    async with running_app(database_url, tmp_path / "data-third") as app_client:
        yield app_client
