"""The real app in a real browser: `boards-desktop` started as an artist starts it (headless here,
so it prints a one-time launch URL), Debian's Chromium driven by Playwright, signed in through that
URL as the system browser would be.

Each test module gets an installation of its own (a fresh data folder); each test a fresh browser
context signed in with the installation's session cookie, its page already on the app's home.
`api` is a script's client of the same installation (its API token), for setting the scene.
A failing test saves a screenshot of its page in `test-results/<test name>.png`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.desktop.support import BOARDS_DESKTOP, ROOT, Launch, desktop_env, wait_for_instance

CHROMIUM = os.environ.get("BOARDS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
RESULTS = ROOT / "test-results"

# CI sets BOARDS_REQUIRE_BROWSER=1: there a missing browser fails the run instead of skipping it.
_REQUIRED = os.environ.get("BOARDS_REQUIRE_BROWSER") == "1"
if not Path(CHROMIUM).exists():
    if _REQUIRED:
        raise RuntimeError(f"the browser tests are required but there is no Chromium at {CHROMIUM}")
    pytest.skip(f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)", allow_module_level=True)
playwright_api = pytest.importorskip("playwright.sync_api", reason="the dev extra (playwright) is not installed")


@dataclass
class Installation:
    """One running app: its URL, data folder, session cookie, and a script's client."""

    url: str
    data_dir: Path
    cookies: list[dict[str, Any]]
    api: ApiClient
    launch: Launch


class ApiClient:
    """GraphQL and REST with the installation's API token, as a script would call them."""

    def __init__(self, url: str, token: str) -> None:
        self.http = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30)

    def gql(self, query: str, variables: dict | None = None) -> dict:
        body = self.http.post("/graphql", json={"query": query, "variables": variables or {}}).json()
        assert not body.get("errors"), body["errors"]
        return body["data"]

    def create_board(self, title: str, description: str | None = None) -> str:
        data = self.gql(
            "mutation($input: CreateBoardInput!) { createBoard(input: $input) { id } }",
            {"input": {"title": title, "description": description}},
        )
        return data["createBoard"]["id"]

    def generate(self, board_id: str, generator: str, artifact_type: str, params: dict) -> str:
        data = self.gql(
            "mutation($input: CreateGenerationInput!) { createGeneration(input: $input) { id } }",
            {
                "input": {
                    "boardId": board_id,
                    "generatorName": generator,
                    "artifactType": artifact_type,
                    "inputParams": params,
                }
            },
        )
        return data["createGeneration"]["id"]

    def generation(self, generation_id: str) -> dict:
        return self.gql(
            "query($id: UUID!) { generation(id: $id) { id status progress storageUrl inputParams isFavourite boardId"
            " tags { name } inputArtifacts { generationId role } } }",
            {"id": generation_id},
        )["generation"]

    def upload(self, board_id: str, name: str, content: bytes, content_type: str) -> dict:
        """Upload a file as an artifact of its content type's family (image/png -> image)."""
        form = {"board_id": board_id, "artifact_type": content_type.split("/")[0]}
        response = self.http.post("/api/uploads/artifact", data=form, files={"file": (name, content, content_type)})
        assert response.status_code == 200, response.text
        return response.json()


@contextmanager
def started_installation(folder: Path, data_dir: Path | None = None, **environment: str) -> Iterator[Installation]:
    """`boards-desktop` on a fresh data folder in `folder` (or on `data_dir`), signed in through its launch URL.

    Provider keys go to a file keyring in `folder` (never the machine's own keyring), and none comes
    from this machine's environment; `environment` adds or overrides settings.
    """
    data = data_dir or folder / "data"
    env = desktop_env(
        data,
        BOARDS_CONCURRENCY_LOCAL="2",
        PYTHON_KEYRING_BACKEND="keyrings.alt.file.PlaintextKeyring",
        KEYRING_PROPERTY_FILE_PATH=str(folder / "keyring.cfg"),
    )
    for name in ("OPENAI_API_KEY", "REPLICATE_API_TOKEN", "FAL_KEY"):
        env.pop(name, None)
    env.update(environment)
    launch = Launch(BOARDS_DESKTOP, env, folder)
    try:
        info = wait_for_instance(data, launch)
        launch.wait_for_output("Press Ctrl+C to stop.")
        launch_url = re.search(r"open (http://\S+/auth/launch\?code=\S+) within", launch.stdout).group(1)
        url = f"http://127.0.0.1:{info['port']}"
        with httpx.Client() as browser:
            assert browser.get(launch_url, follow_redirects=True).status_code == 200
            cookies = [
                {"name": cookie.name, "value": cookie.value, "url": url, "httpOnly": True, "sameSite": "Strict"}
                for cookie in browser.cookies.jar
            ]
        token = (data / "api-token").read_text().strip()
        yield Installation(url=url, data_dir=data, cookies=cookies, api=ApiClient(url, token), launch=launch)
    finally:
        launch.stop()


@pytest.fixture(scope="module")
def installation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installation]:
    with started_installation(tmp_path_factory.mktemp("browser-app")) as started:
        yield started


# Package scope, not session: while sync Playwright runs, its event loop is the thread's running
# loop, and the asyncio tests of other packages (asyncio.run, pytest-asyncio) cannot start one.
@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def api(installation: Installation) -> ApiClient:
    return installation.api


@pytest.fixture
def page(browser: Any, installation: Installation, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A signed-in page on the app's home; its console errors fail the test."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    context.add_cookies(installation.cookies)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(installation.url + "/")
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        RESULTS.mkdir(exist_ok=True)
        shot = RESULTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', request.node.name)}.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"screenshot of the failing page: {shot}")
    context.close()
    assert not errors, f"the page threw: {errors}"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
