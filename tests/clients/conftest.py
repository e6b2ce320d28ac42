"""Fixtures of the client compatibility suite: the real app on each engine, served on 127.0.0.1, and
a client that behaves as upstream's front-end hooks do (tests/clients/upstream_client.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.app_harness import AppClient
from tests.clients.upstream_client import UpstreamClient
from tests.events.served import serving


@pytest.fixture
async def api_url(client: AppClient) -> AsyncIterator[str]:
    """The app of `client` on a real socket: upstream's web app calls it over HTTP."""
    async with serving(client.app) as url:
        yield url


@pytest.fixture
async def upstream(client: AppClient, api_url: str) -> AsyncIterator[UpstreamClient]:
    """Upstream's hooks with a token provider that hands out the installation's API token."""

    async def get_token() -> str:
        return client.token

    hooks = UpstreamClient(api_url, get_token)
    try:
        yield hooks
    finally:
        await hooks.aclose()
