"""Streamed chat completions (`POST <base>/chat/completions` with `"stream": true`), as OpenAI and
every OpenAI-compatible server (Ollama, LM Studio, LocalAI, llama.cpp's server, vLLM) send them.

The answer is server-sent events: `data: {chunk}` lines, each chunk's `choices[0].delta.content`
a piece of the text, the last chunk with a `finish_reason`, then `data: [DONE]`. `stream_chat`
yields the pieces as they come. Leaving the loop early (a cancelled job) closes the connection,
which is how these servers learn to stop generating.

Failures are raised as `GeneratorError` in words an artist can act on: the server not answering,
the model missing there, the key refused, the stream cut before its end.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx

from boards_desktop.generators.errors import GeneratorError

log = logging.getLogger("boards.providers")

# A local model may take a minute to load before its first token; then tokens come steadily.
STREAM_TIMEOUT = httpx.Timeout(connect=5.0, read=180.0, write=30.0, pool=10.0)


class StreamCut(GeneratorError):
    """The server closed the stream before its end."""


async def stream_chat(
    http: httpx.AsyncClient,
    base_url: str,
    body: dict[str, Any],
    *,
    label: str,
    key: str | None,
    where: str = "Settings",
) -> AsyncIterator[str]:
    """Yield the text of a streamed chat completion piece by piece. `label` names the server in
    messages ("Ollama"); `where` is where its address and key are set."""
    headers = {"Accept": "text/event-stream"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    model = str(body.get("model"))
    pieces = 0
    finished = False
    try:
        async with http.stream(
            "POST",
            f"{base_url.rstrip('/')}/chat/completions",
            json={**body, "stream": True},
            headers=headers,
            timeout=STREAM_TIMEOUT,
        ) as response:
            if response.status_code >= 400:
                await response.aread()
                raise GeneratorError(refusal(response, label=label, model=model, where=where))
            async for line in response.aiter_lines():
                if not line.startswith("data:"):
                    continue  # blank separators, `: keep-alive` comments, `event:` lines
                data = line[5:].strip()
                if data == "[DONE]":
                    finished = True
                    break
                chunk = _chunk(data)
                if "error" in chunk:
                    raise GeneratorError(f"{label} stopped with an error: {_message_of(chunk) or 'no reason given'}")
                for choice in chunk.get("choices") or []:
                    if not isinstance(choice, dict):
                        continue
                    delta = choice.get("delta") or {}
                    content = delta.get("content") if isinstance(delta, dict) else None
                    if isinstance(content, str) and content:
                        pieces += 1
                        yield content
                    if choice.get("finish_reason"):
                        finished = True
    except httpx.ConnectError:
        raise GeneratorError(
            f"{label} does not answer at {base_url}: start it, or check its address in {where}"
        ) from None
    except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
        if pieces:
            raise StreamCut(
                f"{label} stopped sending midway (after {pieces} pieces of text); the text is incomplete, "
                "so it was not kept: generate again"
            ) from None
        raise GeneratorError(
            f"{label} closed the connection before answering ({type(exc).__name__}); try again"
        ) from None
    except httpx.ReadTimeout:
        raise GeneratorError(
            f"{label} sent nothing for {STREAM_TIMEOUT.read:.0f} s; it may be overloaded: try again"
        ) from None
    if not finished:
        raise StreamCut(
            f"{label} stopped sending midway (after {pieces} pieces of text); the text is incomplete, "
            "so it was not kept: generate again"
        )


def refusal(response: httpx.Response, *, label: str, model: str | None, where: str) -> str:
    """The artist's words for an error answer of an OpenAI-compatible server."""
    message = _message_of(_body(response))
    status = response.status_code
    if status in (401, 403):
        return f"{label} refused the key: set this server's key in {where} (it answered {status})"
    if model and (status == 404 or "model" in (message or "").lower()) and _about_model(message, model):
        return (
            f"{label} has no model {model!r}: pull or load it there (e.g. `ollama pull {model}`), or pick another model"
        )
    if status == 404:
        return f"{label} has no such API at {response.request.url}: check its address in {where} (it should end in /v1)"
    detail = f": {message}" if message else ""
    return f"{label} refused the request ({status}){detail}"


def _about_model(message: str | None, model: str) -> bool:
    text = (message or "").lower()
    return not text or "model" in text or model.lower() in text


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return {"error": {"message": response.text[:300]}} if response.text else {}


def _message_of(body: Any) -> str | None:
    if not isinstance(body, dict):
        return None
    error = body.get("error")
    if isinstance(error, dict):
        error = error.get("message")
    if error is None:
        error = body.get("message") or body.get("detail")
    return " ".join(str(error).split())[:300] if error else None


def _chunk(data: str) -> dict[str, Any]:
    try:
        chunk = json.loads(data)
    except ValueError:
        log.debug("a chat stream line that is not JSON: %.200s", data)
        return {}
    return chunk if isinstance(chunk, dict) else {}
