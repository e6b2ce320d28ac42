"""A client that behaves as upstream's front-end hooks do, written from their description
(`upstream-clients.md`): what it sends, what it reads, and what it counts as success or failure.

- GraphQL as urql does it: a JSON POST with the bearer token; a body with `data` or `errors` is a
  result whatever the HTTP status, anything else a network error named after the status text. An
  error whose `extensions.code` is UNAUTHENTICATED (or UNAUTHORIZED) makes the auth exchange ask
  its provider for a token again and retry the operation once.
- Media URLs are parsed as `new URL(url)` parses them: without a base, so a relative URL throws.
  Tags load them with no header and no cookie.
- Uploads as `useMultiUpload`: multipart, only 200 is success; a failure shows the body's `detail`,
  else "Upload failed: <status text>".
- Progress as the SSE hook: bearer header, `Accept: text/event-stream`, `data:` frames of JSON.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

AUTH_CODES = frozenset({"UNAUTHENTICATED", "UNAUTHORIZED"})
TERMINAL = frozenset({"completed", "failed", "cancelled"})


class InvalidUrl(ValueError):
    """What `new URL(text)` throws (a TypeError in a browser) for a URL that is not absolute."""


def new_url(text: str) -> Any:
    """`new URL(text)` without a base: the URL's parts, or InvalidUrl when it is not absolute."""
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidUrl(f"Invalid URL: {text}")
    return parts


class UploadFailed(Exception):
    """The upload hook's error: its message is what the hook shows the user."""


@dataclass
class GraphQLResult:
    data: Any
    graphql_errors: list[dict[str, Any]] = field(default_factory=list)
    network_error: str | None = None

    @property
    def error_codes(self) -> list[str]:
        return [str((error.get("extensions") or {}).get("code")) for error in self.graphql_errors]


class UpstreamClient:
    """One page of upstream's web app talking to a Boards server at `api_url`."""

    def __init__(self, api_url: str, get_token: Callable[[], Awaitable[str | None]]) -> None:
        self.api_url = api_url.rstrip("/")
        self._get_token = get_token
        self._token: str | None = None
        self.refreshes = 0
        self.http = httpx.AsyncClient(timeout=30)
        # Tags (<img>, <video>, a download link) send no Authorization header and no cookie of ours.
        self.tags = httpx.AsyncClient(timeout=30)

    async def aclose(self) -> None:
        await self.http.aclose()
        await self.tags.aclose()

    async def _headers(self) -> dict[str, str]:
        if self._token is None:
            self._token = await self._get_token()
        return {"Authorization": f"Bearer {self._token}"} if self._token else {}

    # --- GraphQL (urql with the auth exchange) ----------------------------------------------

    async def execute(self, document: str, variables: dict[str, Any] | None = None) -> GraphQLResult:
        result = await self._fetch(document, variables)
        if any(code in AUTH_CODES for code in result.error_codes):
            # refreshAuth: ask the provider again, then the operation runs once more.
            self.refreshes += 1
            self._token = await self._get_token()
            result = await self._fetch(document, variables)
        return result

    async def data(self, document: str, variables: dict[str, Any] | None = None) -> Any:
        result = await self.execute(document, variables)
        assert result.network_error is None and not result.graphql_errors, result
        return result.data

    async def _fetch(self, document: str, variables: dict[str, Any] | None) -> GraphQLResult:
        body = {"query": document, "variables": variables or {}}
        response = await self.http.post(
            f"{self.api_url}/graphql", json=body, headers={**await self._headers(), "Accept": "application/json"}
        )
        if not response.headers.get("content-type", "").startswith("text/"):
            try:
                payload = response.json()
            except ValueError:
                payload = None
            if isinstance(payload, dict) and ("data" in payload or "errors" in payload):
                return GraphQLResult(payload.get("data"), list(payload.get("errors") or []))
        return GraphQLResult(None, network_error=response.reason_phrase or f"HTTP {response.status_code}")

    # --- uploads (useMultiUpload) -------------------------------------------------------------

    async def upload(
        self,
        board_id: str,
        artifact_type: str,
        filename: str,
        content: bytes,
        mime: str,
        *,
        user_description: str | None = None,
        parent_generation_id: str | None = None,
    ) -> dict[str, Any]:
        form = {"board_id": board_id, "artifact_type": artifact_type}
        if user_description is not None:
            form["user_description"] = user_description
        if parent_generation_id is not None:
            form["parent_generation_id"] = parent_generation_id
        response = await self.http.post(
            f"{self.api_url}/api/uploads/artifact",
            data=form,
            files={"file": (filename, content, mime)},
            headers=await self._headers(),
        )
        if response.status_code != 200:
            try:
                detail = response.json().get("detail")
            except ValueError:
                detail = None
            raise UploadFailed(detail or f"Upload failed: {response.reason_phrase}")
        answer = response.json()
        return {
            key: answer[key] for key in ("id", "storageUrl", "thumbnailUrl", "status", "artifactType", "generatorName")
        }

    # --- progress (SSE) --------------------------------------------------------------------------

    async def progress(self, generation_id: str) -> list[dict[str, Any]]:
        """Every frame of a generation's progress stream, until a terminal status."""
        frames: list[dict[str, Any]] = []
        headers = {**await self._headers(), "Accept": "text/event-stream"}
        url = f"{self.api_url}/api/sse/generations/{generation_id}/progress"
        async with self.http.stream("GET", url, headers=headers) as response:
            assert response.status_code == 200, await response.aread()
            async for line in response.aiter_lines():
                if line.startswith("data:"):
                    frame = json.loads(line[len("data:") :].strip())
                    frames.append(frame)
                    if frame["status"] in TERMINAL:
                        break
        return frames

    # --- media, as tags load it --------------------------------------------------------------------

    async def load_media(self, url: str, headers: dict[str, str] | None = None) -> httpx.Response:
        """What an <img>/<video> tag or a download link gets: the absolute URL, no token, no cookie."""
        new_url(url)
        return await self.tags.get(url, headers=headers or {})

    def download_url(self, storage_url: str, filename: str) -> str:
        """As the reference app builds a download link: `new URL(storageUrl)` plus its parameters."""
        parts = new_url(storage_url)
        query = f"{parts.query}&" if parts.query else ""
        return parts._replace(query=f"{query}download=true&filename={filename}").geturl()
