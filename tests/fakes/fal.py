"""A faithful fake of fal.ai's queue, as `providers.md` describes the real one.

- `POST /{owner}/{app}[/{path}]` (`Authorization: Key <key>`, 401 otherwise) takes the model's input
  and answers at once `{"status": "IN_QUEUE", "request_id", "response_url", "status_url",
  "cancel_url", "queue_position"}`, the URLs naming `owner/app` only: a status or result asked for
  under the full path (`fal-ai/flux/dev/requests/...`) is a 404, as a client that builds its URLs
  would find out;
- `GET .../requests/{id}/status[?logs=1]`: 202 `IN_QUEUE` with a `queue_position` that goes down as
  the clock moves (`queue_ahead` requests ahead of each new one, one place every `seconds_per_place`),
  202 `IN_PROGRESS` with the runner's `logs` (tqdm lines, percentages, or none, as the model logs),
  then 200 `COMPLETED` with `metrics`;
- `GET .../requests/{id}`: the model's own status code and body: its files (real images, videos and
  WAV files) as URLs served by the harness, which expire as fal's do (an hour; six minutes from
  10 KB), or inline `data:` URLs with `sync_mode`; a 422 `{"detail": [{"loc", "msg", "type"}]}`
  when the input does not fit the endpoint's schema or the prompt says FORBIDDEN (the content
  checker); `fail_next(status, detail, error_type)` makes the next request fail at fal;
- `PUT .../requests/{id}/cancel`: 202 `CANCELLATION_REQUESTED` (the request stops), 400
  `ALREADY_COMPLETED`, 404 `NOT_FOUND`; every cancel is recorded in `cancels`;
- `GET /api/openapi/queue/openapi.json?endpoint_id=<id>`: each endpoint's OpenAPI document
  (tests/fakes/fal_endpoints.py), 404 for an endpoint it does not serve.
`submissions` records every request fal accepted. Faults (401, 429 with `Retry-After`, 500, drops,
slow answers, expired files) come from the harness (`server.faults`, `server.files.expire_all()`).

A plain ASGI app, and every answer computed from the clock when asked: 200 requests in flight cost
a dict entry each.
"""

from __future__ import annotations

import asyncio
import base64
import json
import math
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from tests.fakes.fal_endpoints import ENDPOINTS, Endpoint
from tests.fakes.harness import FakeClock, OutputFiles

OPENAPI_PATH = "/api/openapi/queue/openapi.json"
LONG_LIVED_BYTES = 10 * 1024  # fal keeps files under this for an hour, larger ones six minutes


@dataclass
class Submission:
    endpoint_id: str
    arguments: dict[str, Any]
    request_id: str


@dataclass
class _Request:
    id: str
    endpoint: Endpoint
    app: str  # owner/app: where its status, result and cancel live
    arguments: dict[str, Any]
    submitted_at: float
    ahead: int
    run_seconds: float
    base: str
    failure: tuple[int, Any] | None = None  # (status, body) the result answers with
    cancelled_at: float | None = None
    result: tuple[int, dict[str, Any]] | None = None  # made once, when first asked for after completion

    @property
    def urls(self) -> dict[str, str]:
        response_url = f"{self.base}/{self.app}/requests/{self.id}"
        return {"response_url": response_url, "status_url": f"{response_url}/status",
                "cancel_url": f"{response_url}/cancel"}  # fmt: skip


@dataclass
class FakeFal:
    api_key: str = "5c0ffee0-0000-4000-8000-00000000fa1c:0123456789abcdef0123456789abcdef"
    clock: FakeClock = field(default_factory=FakeClock)
    files: OutputFiles | None = None  # the harness's, set by `bind`
    queue_ahead: int = 2
    seconds_per_place: float = 1.0
    run_seconds: float | None = None  # None: each endpoint's own
    exhausted_balance: bool = False
    submissions: list[Submission] = field(default_factory=list)
    cancels: list[str] = field(default_factory=list)
    openapi_requests: list[str] = field(default_factory=list)
    _requests: dict[str, _Request] = field(default_factory=dict)
    _next_failure: tuple[int, Any] | None = None

    def bind(self, server) -> FakeFal:
        """Use the harness server's clock and output files (call once `serve_fake` has started)."""
        self.clock = server.clock
        self.files = server.files
        return self

    def fail_next(self, status: int = 504, detail: str = "Request timed out", error_type: str = "request_timeout"):
        """The next request accepted fails at fal once it runs, as fal reports a request's failure."""
        self._next_failure = (status, {"detail": detail, "error_type": error_type})

    def state_of(self, request_id: str) -> str:
        return self._state(self._requests[request_id])[0]

    # -- ASGI ----------------------------------------------------------------------------------------

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":  # the harness answers the lifespan itself
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {name.decode().lower(): value.decode() for name, value in scope["headers"]}
        base = f"http://{headers.get('host', '127.0.0.1')}"
        query = parse_qs(scope.get("query_string", b"").decode())
        status, answer = await self._answer(scope["method"], scope["path"], query, headers, body, base)
        payload = json.dumps(answer).encode()
        await send({"type": "http.response.start", "status": status, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()),
            (b"x-fal-request-id", str(uuid.uuid4()).encode())]})  # fmt: skip
        await send({"type": "http.response.body", "body": payload})

    async def _answer(self, method, path, query, headers, body, base) -> tuple[int, Any]:
        if method == "GET" and path == OPENAPI_PATH:
            endpoint_id = (query.get("endpoint_id") or [""])[0]
            self.openapi_requests.append(endpoint_id)
            endpoint = ENDPOINTS.get(endpoint_id)
            return (200, endpoint.document) if endpoint else (404, {"detail": f"Endpoint {endpoint_id} not found"})
        refusal = self._check_key(headers.get("authorization"))
        if refusal:
            return refusal
        parts = path.strip("/").split("/")
        if method == "POST":
            return self._submit("/".join(parts), body, base)
        if len(parts) >= 4 and parts[2] == "requests":
            request = self._requests.get(parts[3])
            rest = parts[4:]
            if request is None or request.app != "/".join(parts[:2]):
                if method == "PUT" and rest == ["cancel"]:
                    self.cancels.append(parts[3])
                    return 404, {"status": "NOT_FOUND"}
                return 404, {"detail": "Request not found"}
            if method == "GET" and rest == ["status"]:
                return self._status(request, (query.get("logs") or ["0"])[0] in ("1", "true"))
            if method == "GET" and not rest:
                return await self._result(request)
            if method == "PUT" and rest == ["cancel"]:
                return self._cancel(request)
        return 404, {"detail": "Not Found"}

    def _check_key(self, header: str | None) -> tuple[int, Any] | None:
        if not header:
            return 401, {"detail": "Missing Authorization header"}
        if not header.startswith("Key ") or header[4:] != self.api_key:
            return 401, {"detail": "No user found for Key ID and Secret"}
        if self.exhausted_balance:
            return 403, {
                "detail": "User is locked. Reason: Exhausted balance. Top up your balance at fal.ai/dashboard/billing."
            }
        return None

    # -- the queue -----------------------------------------------------------------------------------

    def _submit(self, endpoint_id: str, body: bytes, base: str) -> tuple[int, Any]:
        endpoint = ENDPOINTS.get(endpoint_id)
        if endpoint is None:
            return 404, {
                "detail": f"Application '{endpoint_id.split('/')[1] if '/' in endpoint_id else endpoint_id}' not found"
            }
        try:
            arguments = json.loads(body or b"{}")
        except ValueError:
            return 422, {"detail": [{"loc": ["body"], "msg": "JSON decode error", "type": "json_invalid"}]}
        if not isinstance(arguments, dict):
            return 422, {
                "detail": [{"loc": ["body"], "msg": "Input should be a valid dictionary", "type": "dict_type"}]
            }
        request = _Request(
            id=str(uuid.uuid4()), endpoint=endpoint, app="/".join(endpoint_id.split("/")[:2]), arguments=arguments,
            submitted_at=self.clock.now(), ahead=self.queue_ahead,
            run_seconds=self.run_seconds if self.run_seconds is not None else endpoint.run_seconds, base=base,
        )  # fmt: skip
        errors = validate(endpoint.document, endpoint.input_schema, arguments)
        if errors:
            request.failure = (422, {"detail": errors})
        elif self._next_failure is not None:
            request.failure, self._next_failure = self._next_failure, None
        self._requests[request.id] = request
        self.submissions.append(Submission(endpoint_id, arguments, request.id))
        return 200, {"status": "IN_QUEUE", "request_id": request.id, **request.urls,
                     "queue_position": request.ahead, "logs": None, "metrics": {}}  # fmt: skip

    def _state(self, request: _Request) -> tuple[str, float]:
        """(IN_QUEUE | IN_PROGRESS | COMPLETED, seconds into that state)."""
        now = self.clock.now() if request.cancelled_at is None else request.cancelled_at
        elapsed = now - request.submitted_at
        queued_for = (request.ahead + 1) * self.seconds_per_place
        if request.cancelled_at is not None:
            return "COMPLETED", 0.0
        if elapsed < queued_for:
            return "IN_QUEUE", elapsed
        if elapsed < queued_for + request.run_seconds:
            return "IN_PROGRESS", elapsed - queued_for
        return "COMPLETED", elapsed - queued_for - request.run_seconds

    def _status(self, request: _Request, with_logs: bool) -> tuple[int, Any]:
        state, into = self._state(request)
        answer: dict[str, Any] = {"status": state, "request_id": request.id, **request.urls, "logs": None}
        if state == "IN_QUEUE":
            answer["queue_position"] = max(0, request.ahead - int(into // self.seconds_per_place))
            return 202, answer
        if with_logs:
            done = 1.0 if state == "COMPLETED" else into / request.run_seconds
            answer["logs"] = _logs(request, done)
        if state == "IN_PROGRESS":
            return 202, answer
        answer["metrics"] = {"inference_time": request.run_seconds}
        if request.failure is not None and request.failure[0] >= 500:
            answer["error"] = request.failure[1].get("detail")
            answer["error_type"] = request.failure[1].get("error_type")
        return 200, answer

    async def _result(self, request: _Request) -> tuple[int, Any]:
        state, into = self._state(request)
        if state != "COMPLETED":
            return 400, {"detail": "Request is still in progress"}
        if request.cancelled_at is not None:
            return 400, {"detail": "Request was cancelled"}
        if request.failure is not None:
            return request.failure
        if request.result is None:
            body = await self._made(request, completed_ago=into)
            request.result = request.failure or (200, body)
        return request.result

    async def _made(self, request: _Request, completed_ago: float) -> dict[str, Any]:
        arguments = request.arguments
        if "FORBIDDEN" in str(arguments.get("prompt", "")):
            request.failure = (422, {"detail": [{"loc": ["body", "prompt"], "msg": "The content was flagged by a content checker.",
                                                 "type": "content_policy_violation", "input": arguments["prompt"],
                                                 "url": "https://docs.fal.ai/errors#content_policy_violation",
                                                 "categories": ["violence"]}]})  # fmt: skip
            return request.failure[1]
        # Rendered off the loop: the fake shares it with the app in the tests.
        made = await asyncio.to_thread(request.endpoint.make, arguments)
        inline = bool(arguments.get("sync_mode"))
        files = []
        for index, (_field, data, content_type, facts) in enumerate(made):
            name = f"{request.id[:8]}-{index}.{content_type.split('/')[1].replace('jpeg', 'jpg')}"
            if inline:
                url = f"data:{content_type};base64,{base64.b64encode(data).decode()}"
            else:
                ttl = (3600.0 if len(data) < LONG_LIVED_BYTES else 360.0) - completed_ago
                url = self.files.add(data, content_type, name=name, ttl=ttl)
            files.append({"url": url, "content_type": content_type, "file_name": name, "file_size": len(data), **facts})
        return request.endpoint.shape(arguments, files)

    def _cancel(self, request: _Request) -> tuple[int, Any]:
        self.cancels.append(request.id)
        state, _ = self._state(request)
        if state == "COMPLETED":
            return 400, {"status": "ALREADY_COMPLETED"}
        request.cancelled_at = self.clock.now()
        return 202, {"status": "CANCELLATION_REQUESTED"}


def _logs(request: _Request, done: float) -> list[dict[str, Any]]:
    """What the runner has logged by `done` (0..1) of the run, in the model's own style."""
    stamp = datetime.fromtimestamp(request.submitted_at, UTC).isoformat()
    lines = [f"Running {request.endpoint.endpoint_id}"]
    style = request.endpoint.logs
    quarters = min(4, math.floor(done * 4 + 1e-9))
    if style == "steps":
        total = int(request.arguments.get("num_inference_steps", 28))
        lines += [
            f"{q * 25:3d}%|{'#' * (q * 2):<8}| {total * q // 4}/{total} [00:0{q}<00:0{4 - q}]"
            for q in range(1, quarters + 1)
        ]
    elif style == "percent":
        lines += [f"Generating video: {q * 25}%" for q in range(1, quarters + 1)]
    else:
        lines += ["Generating audio"] if done > 0 else []
    return [{"message": line, "level": "INFO", "source": "user", "timestamp": stamp} for line in lines]


# -- input validation, as the endpoint's pydantic model would refuse it ---------------------------------


def validate(document: dict[str, Any], schema: dict[str, Any], arguments: dict[str, Any]) -> list[dict[str, Any]]:
    schema = _resolve(document, schema)
    errors: list[dict[str, Any]] = []
    for name in schema.get("required", []):
        if name not in arguments:
            errors.append({"loc": ["body", name], "msg": "Field required", "type": "missing"})
    for name, value in arguments.items():
        rule = (schema.get("properties") or {}).get(name)
        if rule is not None:  # fal's models ignore fields they do not know
            problem = _problem(document, _resolve(document, rule), value, name)
            if problem:
                errors.append({"loc": ["body", name], "input": _short(value), **problem})
    return errors


def _problem(document: dict[str, Any], rule: dict[str, Any], value: Any, name: str) -> dict[str, Any] | None:
    if "anyOf" in rule:
        members = [_resolve(document, member) for member in rule["anyOf"]]
        problems = [_problem(document, member, value, name) for member in members]
        if any(problem is None for problem in problems):
            return None
        return next((p for m, p in zip(members, problems, strict=True) if "enum" in m), problems[-1])
    kind = rule.get("type")
    if kind == "null":
        return None if value is None else {"msg": "Input should be None", "type": "none_required"}
    if "enum" in rule:
        if value in rule["enum"]:
            return None
        listed = [f"'{item}'" for item in rule["enum"]]
        words = ", ".join(listed[:-1]) + f" or {listed[-1]}" if len(listed) > 1 else listed[0]
        return {"msg": f"Input should be {words}", "type": "literal_error", "ctx": {"expected": words}}
    if kind == "integer" and (not isinstance(value, int) or isinstance(value, bool)):
        return {"msg": "Input should be a valid integer", "type": "int_type"}
    if kind == "number" and (not isinstance(value, (int, float)) or isinstance(value, bool)):
        return {"msg": "Input should be a valid number", "type": "float_type"}
    if kind == "boolean" and not isinstance(value, bool):
        return {"msg": "Input should be a valid boolean", "type": "bool_type"}
    if kind == "string":
        if not isinstance(value, str):
            return {"msg": "Input should be a valid string", "type": "string_type"}
        if "maxLength" in rule and len(value) > rule["maxLength"]:
            return {"msg": f"String should have at most {rule['maxLength']} characters", "type": "string_too_long"}
        if "minLength" in rule and len(value) < rule["minLength"]:
            return {"msg": f"String should have at least {rule['minLength']} characters", "type": "string_too_short"}
        if name.endswith("_url") and not value.startswith(("http://", "https://", "data:")):
            return {
                "msg": "Failed to download the file. Please check if the URL is accessible",
                "type": "file_download_error",
            }
    if kind == "object" and isinstance(rule.get("properties"), dict):
        if not isinstance(value, dict):
            return {"msg": f"Input should be a valid dictionary or instance of {rule.get('title', 'the object')}",
                    "type": "model_type"}  # fmt: skip
        inner = validate(document, rule, value)
        return {"msg": f"{inner[0]['loc'][-1]}: {inner[0]['msg']}", "type": inner[0]["type"]} if inner else None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        for bound, test, words, kind_name in (
            ("minimum", lambda v, b: v >= b, "greater than or equal to", "greater_than_equal"),
            ("maximum", lambda v, b: v <= b, "less than or equal to", "less_than_equal"),
            ("exclusiveMinimum", lambda v, b: v > b, "greater than", "greater_than"),
        ):
            if isinstance(rule.get(bound), (int, float)) and not test(value, rule[bound]):
                return {
                    "msg": f"Input should be {words} {rule[bound]:g}",
                    "type": kind_name,
                    "ctx": {"limit": rule[bound]},
                }
    return None


def _resolve(document: dict[str, Any], rule: dict[str, Any]) -> dict[str, Any]:
    ref = rule.get("$ref")
    if not ref:
        return rule
    node: Any = document
    for part in ref[2:].split("/"):
        node = node[part]
    return {**_resolve(document, node), **{k: v for k, v in rule.items() if k != "$ref"}}


def _short(value: Any) -> Any:
    return value[:60] + "..." if isinstance(value, str) and len(value) > 60 else value
