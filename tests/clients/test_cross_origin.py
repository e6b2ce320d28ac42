"""A separate web front end: origins listed in BOARDS_ALLOWED_ORIGINS call the API with CORS and the
token; every other origin is refused as before, and the Host check stays in front."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from boards_desktop.settings import SettingsError, load_settings
from tests.app_harness import AppClient, running_app
from tests.events.served import serving

WEB_APP = "http://localhost:3000"
QUERY = {"query": "{ me { id } }"}


@pytest.fixture
async def allowing(database_url: str, tmp_path: Path) -> AsyncIterator[tuple[AppClient, str]]:
    """The app with upstream's web app allowed (and a trailing slash in the setting), served on 127.0.0.1."""
    origins = f"{WEB_APP}/, https://Boards.Example.com"
    async with (
        running_app(database_url, tmp_path / "data", BOARDS_ALLOWED_ORIGINS=origins) as app,
        serving(app.app) as url,
    ):
        yield app, url


def _preflight(origin: str) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }


async def test_an_allowed_origin_gets_its_preflight_and_cors_with_the_token(allowing: tuple[AppClient, str]) -> None:
    app, url = allowing
    async with httpx.AsyncClient(base_url=url) as page:
        preflight = await page.options("/graphql", headers=_preflight(WEB_APP))
        assert preflight.status_code == 204, preflight.text
        assert preflight.headers["access-control-allow-origin"] == WEB_APP
        allowed_headers = preflight.headers["access-control-allow-headers"].lower()
        assert "authorization" in allowed_headers and "content-type" in allowed_headers
        assert "POST" in preflight.headers["access-control-allow-methods"]

        headers = {"Origin": WEB_APP, "Authorization": f"Bearer {app.token}", "Sec-Fetch-Site": "cross-site"}
        answer = await page.post("/graphql", json=QUERY, headers=headers)
        assert answer.status_code == 200 and answer.json()["data"]["me"]["id"]
        assert answer.headers["access-control-allow-origin"] == WEB_APP
        assert "origin" in answer.headers["vary"].lower()

        other = await page.post("/graphql", json=QUERY, headers={**headers, "Origin": "https://boards.example.com"})
        assert other.headers["access-control-allow-origin"] == "https://boards.example.com"


async def test_an_allowed_origin_still_needs_the_token_and_never_rides_on_the_windows_cookie(
    allowing: tuple[AppClient, str],
) -> None:
    app, url = allowing
    async with httpx.AsyncClient(base_url=url) as window:
        signed_in = await window.get(app.services.security.launch_url(url), follow_redirects=True)
        assert signed_in.status_code == 200 and window.cookies
        assert (await window.post("/graphql", json=QUERY)).status_code == 200  # the window itself is in
        refused = await window.post("/graphql", json=QUERY, headers={"Origin": WEB_APP})
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    # The page can read why (CORS headers on the refusal too), and its auth handling runs.
    assert refused.headers["access-control-allow-origin"] == WEB_APP


async def test_other_origins_and_foreign_hosts_are_refused_as_before(allowing: tuple[AppClient, str]) -> None:
    app, url = allowing
    token = {"Authorization": f"Bearer {app.token}"}
    async with httpx.AsyncClient(base_url=url) as page:
        for origin in ("http://localhost:3001", "https://evil.example", "null"):
            preflight = await page.options("/graphql", headers=_preflight(origin))
            assert preflight.status_code == 403 and "access-control-allow-origin" not in preflight.headers
            answer = await page.post("/graphql", json=QUERY, headers={**token, "Origin": origin})
            assert answer.status_code == 403 and answer.json()["code"] == "FORBIDDEN_ORIGIN"
            assert "access-control-allow-origin" not in answer.headers
        # DNS rebinding: an allowed Origin does not make a foreign Host acceptable.
        rebound = await page.post("/graphql", json=QUERY, headers={**token, "Origin": WEB_APP, "Host": "evil.example"})
        assert rebound.status_code == 421 and "access-control-allow-origin" not in rebound.headers


async def test_no_origin_is_allowed_by_default(client: AppClient, api_url: str) -> None:
    async with httpx.AsyncClient(base_url=api_url) as page:
        preflight = await page.options("/graphql", headers=_preflight(WEB_APP))
        assert preflight.status_code == 403 and "access-control-allow-origin" not in preflight.headers
        answer = await page.post(
            "/graphql", json=QUERY, headers={"Origin": WEB_APP, "Authorization": f"Bearer {client.token}"}
        )
        assert answer.status_code == 403 and "access-control-allow-origin" not in answer.headers


@pytest.mark.parametrize("setting", ["*", "localhost:3000", "http://localhost:3000/app", "ftp://files.example"])
def test_a_setting_that_is_not_a_list_of_origins_stops_start_up(setting: str, tmp_path: Path) -> None:
    environment = {"BOARDS_DATA_DIR": str(tmp_path), "BOARDS_CONFIG_FILE": str(tmp_path / "none.toml")}
    with pytest.raises(SettingsError, match="BOARDS_ALLOWED_ORIGINS"):
        load_settings({**environment, "BOARDS_ALLOWED_ORIGINS": setting})
    config = tmp_path / "config.toml"
    config.write_text('allowed_origins = ["http://localhost:3000", "HTTP://127.0.0.1:5173/"]\n')
    settings = load_settings({**environment, "BOARDS_CONFIG_FILE": str(config)})
    assert settings.allowed_origins == ("http://localhost:3000", "http://127.0.0.1:5173")
