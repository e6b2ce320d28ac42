"""A faithful fake of an OpenAI-compatible server (Ollama's /v1, LM Studio, LocalAI, llama.cpp, vLLM).

What those servers have in common, and what the app relies on:
- `GET /v1/models`: `{"object": "list", "data": [{"id", "object": "model", "created", "owned_by"}]}`;
- `POST /v1/chat/completions` with `"stream": true`: `text/event-stream`, one `data: {chunk}` line
  (and a blank line) per token, each chunk `{"id", "object": "chat.completion.chunk", "created",
  "model", "choices": [{"index": 0, "delta": {"content"}, "finish_reason"}]}`, the first delta with
  `"role": "assistant"`, the last with `finish_reason: "stop"` (or "length" at `max_tokens`), then
  `data: [DONE]`. Without `stream` the whole `chat.completion` at once;
- `POST /v1/images/generations` (only when `images` is on, as LocalAI has it; Ollama and LM Studio
  answer 404): `{"created", "data": [{"b64_json"}]}` of real PNGs of the size asked;
- an unknown model: 404 `{"error": {"message": "model \"x\" not found, try pulling it first",
  "type": "api_error", "code": "model_not_found"}}` (Ollama's words);
- a key (`api_key` set): `Authorization: Bearer <key>` checked, else 401 `invalid_api_key`.

The answer is made of `reply` (or, by default, the prompt's words answered back), split into
tokens (words). Timing: `first_token_delay` before the first token, `token_delay` between tokens
(real seconds), or `hold_tokens()` / `release_tokens(n)` to let tokens out one by one from a test.
Faults: `cut_after` tokens (the connection is closed midway, no `[DONE]`), `remove_model(id)`,
down (stop serving; the harness's `free_port` brings it back on the same port), a wrong key (401).

`streams` records each chat stream: its model, messages, the tokens sent, and `closed_by_client`
(the app closed the connection before the end: a cancel reached the server). `open_streams` is how
many streams are under way now, `most_at_once` the most there ever were (the app's concurrency, as
the server sees it).
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import time
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from tests.fakes.harness import FakeServer


@dataclass
class ChatStream:
    model: str
    messages: list[dict[str, Any]]
    body: dict[str, Any]
    tokens_sent: list[str] = field(default_factory=list)
    started_at: float = field(default_factory=time.perf_counter)  # the request arrived
    first_token_at: float | None = None  # time.perf_counter() when the first token was written
    finished_at: float | None = None  # [DONE] written
    finished: bool = False  # [DONE] sent
    closed_by_client: bool = False
    client: tuple = ()  # the app's (host, port) for this stream's connection
    ended: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class FakeOpenAICompatible:
    models: list[str] = field(default_factory=lambda: ["llama3.2:3b", "llava:7b"])
    api_key: str | None = None
    images: bool = False
    reply: str | None = None
    first_token_delay: float = 0.0
    token_delay: float = 0.0
    cut_after: int | None = None
    streams: list[ChatStream] = field(default_factory=list)
    image_calls: list[dict[str, Any]] = field(default_factory=list)
    server: FakeServer | None = None
    open_streams: int = 0
    most_at_once: int = 0
    _held: asyncio.Semaphore | None = None

    def bind(self, server: FakeServer) -> FakeOpenAICompatible:
        self.server = server
        return self

    # -- switches ------------------------------------------------------------------------------------

    def remove_model(self, model: str) -> None:
        self.models.remove(model)

    def hold_tokens(self) -> None:
        """Tokens wait for `release_tokens` from now on (the test decides when each goes out)."""
        self._held = asyncio.Semaphore(0)

    def release_tokens(self, count: int = 1_000_000) -> None:
        assert self._held is not None, "hold_tokens() first"
        for _ in range(count):
            self._held.release()

    # -- ASGI ----------------------------------------------------------------------------------------

    async def __call__(self, scope: dict, receive, send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        method, path = scope["method"], scope["path"].rstrip("/")
        if self.api_key is not None:
            sent = dict(scope["headers"]).get(b"authorization", b"").decode()
            if sent != f"Bearer {self.api_key}":
                shown = sent.removeprefix("Bearer ")
                masked = f"{shown[:3]}***{shown[-4:]}" if len(shown) > 8 else "***"
                await _json(
                    send,
                    401,
                    _error(f"Incorrect API key provided: {masked}.", "invalid_api_key", "invalid_request_error"),
                )
                return
        if method == "GET" and path == "/v1/models":
            created = 1_700_000_000
            data = [{"id": m, "object": "model", "created": created, "owned_by": "library"} for m in self.models]
            await _json(send, 200, {"object": "list", "data": data})
        elif method == "POST" and path == "/v1/chat/completions":
            await self._chat(scope, _parse(body), send)
        elif method == "POST" and path == "/v1/images/generations" and self.images:
            await self._image(_parse(body), send)
        else:
            await _json(send, 404, {"error": {"message": f"{method} {path} not found", "type": "not_found"}})

    async def _chat(self, scope: dict, body: dict[str, Any] | None, send) -> None:
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list) or not body["messages"]:
            await _json(
                send, 400, _error("'messages' is required and must be a non-empty array", None, "invalid_request_error")
            )
            return
        model = str(body.get("model") or "")
        if model not in self.models:
            message = f'model "{model}" not found, try pulling it first'
            await _json(send, 404, _error(message, "model_not_found", "api_error"))
            return
        tokens = self._tokens_for(body["messages"])
        limit = body.get("max_tokens")
        finish = "stop"
        if isinstance(limit, int) and limit < len(tokens):
            tokens, finish = tokens[:limit], "length"
        if not body.get("stream"):
            text = "".join(tokens)
            answer = {"id": "chatcmpl-1", "object": "chat.completion", "created": int(time.time()), "model": model,
                      "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish}],
                      "usage": {"prompt_tokens": 10, "completion_tokens": len(tokens), "total_tokens": 10 + len(tokens)}}  # fmt: skip
            await _json(send, 200, answer)
            return
        stream = ChatStream(model, body["messages"], body)
        self.streams.append(stream)
        self.open_streams += 1
        self.most_at_once = max(self.most_at_once, self.open_streams)
        client = stream.client = tuple(scope.get("client") or ())
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/event-stream"), (b"cache-control", b"no-cache")]})  # fmt: skip
        try:
            if self.first_token_delay:
                await asyncio.sleep(self.first_token_delay)
            for index, token in enumerate(tokens):
                if index and self.token_delay:
                    await asyncio.sleep(self.token_delay)
                if self._held is not None:
                    await self._held.acquire()
                if self._gone(client):
                    stream.closed_by_client = True
                    return
                if self.cut_after is not None and index >= self.cut_after:
                    self._abort(client)
                    return
                delta: dict[str, Any] = {"content": token}
                if index == 0:
                    delta["role"] = "assistant"
                await _event(send, _chunk(model, delta, None))
                if stream.first_token_at is None:
                    stream.first_token_at = time.perf_counter()
                stream.tokens_sent.append(token)
                await asyncio.sleep(0)  # let the socket carry it before the next one
            await _event(send, _chunk(model, {}, finish))
            await send({"type": "http.response.body", "body": b"data: [DONE]\n\n", "more_body": False})
            stream.finished = True
            stream.finished_at = time.perf_counter()
        finally:
            self.open_streams -= 1
            stream.ended.set()

    async def wait_closed(self, stream: ChatStream) -> None:
        """Until the app has closed `stream`'s connection (a cancel), as the server sees it."""
        while not self._gone(stream.client) and not stream.ended.is_set():
            await asyncio.sleep(0.01)
        if self._held is not None:
            self._held.release()  # a held stream looks at its connection once more, and stops
        await stream.ended.wait()

    def _tokens_for(self, messages: list[dict[str, Any]]) -> list[str]:
        if self.reply is not None:
            text = self.reply
        else:
            last = messages[-1].get("content")
            if isinstance(last, list):  # the vision form: [{"type": "text"}, {"type": "image_url"}]
                words = " ".join(str(part.get("text", "")) for part in last if part.get("type") == "text")
                images = sum(1 for part in last if part.get("type") == "image_url")
                text = f"I see {images} image(s). {words}".strip()
            else:
                text = f"Improved: {last}"
        parts = text.split(" ")
        return [part if index == 0 else f" {part}" for index, part in enumerate(parts)]

    def _gone(self, client: tuple) -> bool:
        return self.server is not None and bool(client) and client not in self.server._transports

    def _abort(self, client: tuple) -> None:
        if self.server is not None:
            transport = self.server._transports.get(client)
            if transport is not None:
                transport.abort()

    async def _image(self, body: dict[str, Any] | None, send) -> None:
        if not isinstance(body, dict) or not body.get("prompt"):
            await _json(send, 400, _error("prompt is required", None, "invalid_request_error"))
            return
        model = body.get("model")
        if model is not None and model not in self.models:
            await _json(send, 404, _error(f'model "{model}" not found', "model_not_found", "api_error"))
            return
        self.image_calls.append(body)
        try:
            width, height = (int(side) for side in str(body.get("size") or "256x256").split("x"))
        except ValueError:
            await _json(send, 400, _error("size must be WIDTHxHEIGHT", None, "invalid_request_error"))
            return
        images = []
        for index in range(int(body.get("n") or 1)):
            buffer = io.BytesIO()
            Image.new("RGB", (width, height), (40 * index % 255, 120, 200)).save(buffer, "PNG")
            images.append({"b64_json": base64.b64encode(buffer.getvalue()).decode()})
        await _json(send, 200, {"created": int(time.time()), "data": images})


def _parse(body: bytes) -> Any:
    try:
        return json.loads(body or b"null")
    except ValueError:
        return None


def _error(message: str, code: str | None, kind: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


def _chunk(model: str, delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
    return {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}  # fmt: skip


async def _event(send, chunk: dict[str, Any]) -> None:
    data = f"data: {json.dumps(chunk)}\n\n".encode()
    await send({"type": "http.response.body", "body": data, "more_body": True})


async def _json(send, status: int, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})
