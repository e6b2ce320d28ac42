"""A faithful fake of Replicate's HTTP API, as `providers.md` describes the real one.

- `POST /v1/predictions` (`{"version", "input"}`) and `POST /v1/models/{owner}/{name}/predictions`
  (`{"input"}`, official models only): 201 and the prediction object (`id, model, version, input,
  logs, output, error, status, created_at, started_at, completed_at, data_removed, metrics, urls
  {get, cancel, stream (language models), web}`). `Prefer: wait` (60 s) or `Prefer: wait=N` holds
  the answer until the prediction ends or N seconds pass (on the fake's clock, and never longer
  than N real seconds: a test that does not move the clock is not held longer than Replicate
  would hold it), then answers with the prediction as it stands;
- `GET /v1/predictions/{id}`; `POST /v1/predictions/{id}/cancel`: a prediction still starting or
  processing becomes `canceled`, a finished one stays as it is (both answer with the prediction);
- the state machine runs on the harness's clock: `starting` for `boot_seconds` (a cold boot),
  `processing` for `run_seconds` with tqdm lines in `logs` (`  50%|█████     | 2/4 [...]`) and, for
  a language model, its tokens arriving in `output`, then `succeeded` with the output (`failed`
  with `error` when `fail_with` is set). An hour after it ends, `data_removed` is true: input,
  logs and output are gone and the output files answer 404;
- inputs are checked against the model's schema (422 "Input validation failed" with
  `invalid_fields: [{"type", "field": "input.<name>", "description"}]` and a `detail` listing them);
  file inputs are read like Cog does (a `data:` URL, or a file uploaded here): one that cannot be
  read fails the prediction;
- `POST /v1/files` (multipart `content`) and `GET /v1/files/{id}`: uploads for large inputs;
- `GET /v1/models/{owner}/{name}`: the model's document with its `openapi_schema` (see
  tests/fakes/replicate_models.py), 404 for others;
- output files at `/delivery/<id>/<name>` (or under `delivery_url`, another server), which check a
  given `Authorization` header and, with `outputs_need_token`, want one (as `api.replicate.com/v1/
  files` URLs do); with `data_url_outputs` outputs are `data:` URLs instead;
- `Authorization: Bearer <token>` (or `Token <token>`) on every API call: 401 problem details.
Errors are problem details (`{"title", "detail", "status"}`). Faults (429 with `Retry-After`, 500,
drops, slow answers) come from the harness (`server.faults`).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import json
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from litestar import Litestar, Request, Response, get, post

from tests.fakes.harness import FakeClock
from tests.fakes.replicate_models import FakeModel, OutputFile, data_url_of, default_models

DATA_KEPT_SECONDS = 3600.0  # inputs, logs and outputs are removed an hour after a prediction ends
FILE_KEPT_SECONDS = 24 * 3600.0
_BAR_WIDTH = 10


class _Problem(Exception):
    def __init__(self, status: int, title: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.extra = status, title, detail, extra

    def response(self) -> Response:
        body = {"title": self.title, "detail": self.detail, "status": self.status, **self.extra}
        return Response(body, status_code=self.status, media_type="application/problem+json")


@dataclass
class Prediction:
    id: str
    model: FakeModel
    input: dict[str, Any]  # as sent
    params: dict[str, Any]  # as the model sees it: the schema's defaults filled in
    files: dict[str, bytes]  # the file inputs, as the model read them
    created_at: float
    boot_seconds: float
    run_seconds: float
    steps: int
    fail_with: str | None = None
    canceled_at: float | None = None
    outputs: list[OutputFile] | None = None
    value: Any = None  # a plain output (text tokens)
    output_urls: list[str] | None = None

    @property
    def started_at(self) -> float:
        return self.created_at + self.boot_seconds

    @property
    def ends_at(self) -> float:
        return self.started_at + self.run_seconds

    def status(self, now: float) -> str:
        if self.canceled_at is not None and now >= self.canceled_at:
            return "canceled"
        if now < self.started_at:
            return "starting"
        if now < self.ends_at:
            return "processing"
        return "failed" if self.fail_with else "succeeded"

    def completed_at(self, now: float) -> float | None:
        status = self.status(now)
        if status == "canceled":
            return self.canceled_at
        return self.ends_at if status in ("succeeded", "failed") else None

    def steps_done(self, now: float) -> int:
        if now < self.started_at:
            return -1
        until = min(now, self.canceled_at if self.canceled_at is not None else now, self.ends_at)
        return min(self.steps, int(self.steps * (until - self.started_at) / self.run_seconds))

    def logs(self, now: float) -> str:
        done = self.steps_done(now)
        if done < 0:
            return ""
        if self.model.streams:  # a language model logs its prompt, then its speed; no bar
            lines = [
                f"Random seed used: `{self.params.get('seed', 1234)}`",
                f"Formatted prompt: `{self.params.get('prompt')}`",
            ]
            if done == self.steps:
                lines.append(f"Generated {len(self.value or [])} tokens in {self.run_seconds:.1f} seconds")
            return "\n".join(lines) + "\n"
        lines = [f"Using seed: {self.params.get('seed', 1234)}"]
        for step in range(done + 1):
            percent = 100 * step // self.steps
            bar = ("█" * (_BAR_WIDTH * step // self.steps)).ljust(_BAR_WIDTH)
            lines.append(f"{percent:3d}%|{bar}| {step}/{self.steps} [00:0{step}<00:0{self.steps - step}, 1.00it/s]")
        return "\n".join(lines) + "\n"


@dataclass
class FakeReplicate:
    token: str = "r8_FakeReplicateToken0123456789abcdWXYZ"
    clock: FakeClock = field(default_factory=FakeClock)
    boot_seconds: float = 2.0
    run_seconds: float = 8.0
    steps: int = 4
    fail_with: str | None = None  # every new prediction fails with this `error`
    outputs_need_token: bool = True
    data_url_outputs: bool = False
    delivery_url: str | None = None  # where output files are served (default: this server)
    models: dict[str, FakeModel] = field(default_factory=default_models)
    predictions: dict[str, Prediction] = field(default_factory=dict)
    created: list[Prediction] = field(default_factory=list)  # every prediction made, in order
    cancels: list[str] = field(default_factory=list)  # every cancel asked for, by prediction id
    uploads: dict[str, tuple[bytes, dict[str, Any]]] = field(default_factory=dict)
    _delivered: dict[str, tuple[OutputFile, float]] = field(default_factory=dict)  # key -> (file, ended at)

    @property
    def app(self) -> Litestar:
        fake = self

        @post("/v1/predictions")
        async def create(request: Request) -> Response:
            return await fake._answer(request, fake._create, None)

        @post("/v1/models/{owner:str}/{name:str}/predictions")
        async def create_for_model(request: Request, owner: str, name: str) -> Response:
            return await fake._answer(request, fake._create, f"{owner}/{name}")

        @get("/v1/predictions/{prediction_id:str}")
        async def read(request: Request, prediction_id: str) -> Response:
            return await fake._answer(request, fake._read, prediction_id)

        @post("/v1/predictions/{prediction_id:str}/cancel")
        async def cancel(request: Request, prediction_id: str) -> Response:
            return await fake._answer(request, fake._cancel, prediction_id)

        @get("/v1/models/{owner:str}/{name:str}")
        async def model(request: Request, owner: str, name: str) -> Response:
            return await fake._answer(request, fake._model, f"{owner}/{name}")

        @post("/v1/files")
        async def upload(request: Request) -> Response:
            return await fake._answer(request, fake._upload, None)

        @get("/v1/files/{file_id:str}")
        async def uploaded(request: Request, file_id: str) -> Response:
            return await fake._answer(request, fake._uploaded, file_id)

        @get("/delivery/{key:path}")
        async def delivery(request: Request, key: str) -> Response:
            return fake._deliver(request, key.lstrip("/"))

        return Litestar(
            [create, create_for_model, read, cancel, model, upload, uploaded, delivery],
            request_max_body_size=None,
            debug=False,
        )

    # -- the endpoints ---------------------------------------------------------------------------

    async def _answer(self, request: Request, handler, argument) -> Response:
        try:
            self._check_token(request.headers.get("authorization"))
            return await handler(request, argument)
        except _Problem as problem:
            return problem.response()

    async def _create(self, request: Request, model_id: str | None) -> Response:
        try:
            body = json.loads(await request.body())
        except ValueError:
            raise _Problem(400, "Invalid JSON", "The request body is not valid JSON.") from None
        if not isinstance(body, dict) or not isinstance(body.get("input"), dict):
            raise _Problem(422, "Input validation failed", "- (root): input is required\n",
                           invalid_fields=[{"type": "required", "field": "(root)", "description": "input is required"}])  # fmt: skip
        if model_id is not None:
            model = self.models.get(model_id)
            if model is None or not model.official:
                raise _Problem(404, "Not found", "The requested resource could not be found.")
        else:
            model = next((m for m in self.models.values() if m.version == body.get("version")), None)
            if model is None or not model.versions_open:
                raise _Problem(
                    422,
                    "Invalid version or not permitted",
                    "The specified version does not exist (or perhaps you don't have permission to use it?)",
                )
        params = _validated(model, body["input"])
        files, unreadable = self._read_files(model, params)
        now = self.clock.now()
        prediction = Prediction(
            id=_prediction_id(),
            model=model,
            input=body["input"],
            params=params,
            files=files,
            created_at=now,
            boot_seconds=self.boot_seconds,
            run_seconds=self.run_seconds,
            steps=self.steps,
            fail_with=unreadable or self.fail_with,
        )
        self.predictions[prediction.id] = prediction
        self.created.append(prediction)
        wait = _wait_of(request.headers.get("prefer"))
        if wait:
            held_since = time.monotonic()
            while (
                prediction.status(self.clock.now()) in ("starting", "processing")
                and self.clock.now() < now + wait
                and time.monotonic() - held_since < wait
            ):
                await asyncio.sleep(0.05)  # held answers look again 20 times a second
        return Response(await self._shown(request, prediction), status_code=201)

    async def _read(self, request: Request, prediction_id: str) -> Response:
        return Response(await self._shown(request, self._prediction(prediction_id)), status_code=200)

    async def _cancel(self, request: Request, prediction_id: str) -> Response:
        prediction = self._prediction(prediction_id)
        self.cancels.append(prediction_id)
        now = self.clock.now()
        if prediction.status(now) in ("starting", "processing"):
            prediction.canceled_at = now
        return Response(await self._shown(request, prediction), status_code=200)

    async def _model(self, request: Request, model_id: str) -> Response:
        model = self.models.get(model_id)
        if model is None:
            raise _Problem(404, "Not found", "The requested resource could not be found.")
        return Response(model.document(), status_code=200)

    async def _upload(self, request: Request, _argument) -> Response:
        form = await request.form()
        content = form.get("content")
        if content is None or isinstance(content, str):
            raise _Problem(400, "Bad request", "The request must include content")
        data = await content.read()
        file_id = secrets.token_hex(12)
        now = self.clock.now()
        record = {
            "id": file_id,
            "name": content.filename or "file",
            "content_type": content.content_type or "application/octet-stream",
            "size": len(data),
            "etag": f'"{hashlib.md5(data).hexdigest()}"',
            "checksums": {"sha256": hashlib.sha256(data).hexdigest(), "md5": hashlib.md5(data).hexdigest()},
            "metadata": {},
            "created_at": _iso(now),
            "expires_at": _iso(now + FILE_KEPT_SECONDS),
            "urls": {"get": f"{_base(request)}/v1/files/{file_id}"},
        }
        self.uploads[file_id] = (data, record)
        return Response(record, status_code=201)

    async def _uploaded(self, request: Request, file_id: str) -> Response:
        if file_id not in self.uploads:
            raise _Problem(404, "Not found", "The requested resource could not be found.")
        return Response(self.uploads[file_id][1], status_code=200)

    def _deliver(self, request: Request, key: str) -> Response:
        given = request.headers.get("authorization")
        if given is not None or self.outputs_need_token:
            try:
                self._check_token(given)
            except _Problem as problem:
                return problem.response()
        stored = self._delivered.get(key)
        if stored is None or self.clock.now() >= stored[1] + DATA_KEPT_SECONDS:
            return Response({"detail": "Not found"}, status_code=404)
        return Response(stored[0].data, status_code=200, media_type=stored[0].content_type)

    # -- helpers ---------------------------------------------------------------------------------

    def expire_outputs(self) -> None:
        """Every output file answers 404 from now on (as an hour after its prediction)."""
        for key, (stored, _ended) in list(self._delivered.items()):
            self._delivered[key] = (stored, self.clock.now() - DATA_KEPT_SECONDS - 1)

    def _check_token(self, header: str | None) -> None:
        scheme, _, given = (header or "").partition(" ")
        if scheme not in ("Bearer", "Token") or given != self.token:
            raise _Problem(401, "Unauthenticated", "You did not pass a valid authentication token")

    def _prediction(self, prediction_id: str) -> Prediction:
        prediction = self.predictions.get(prediction_id)
        if prediction is None:
            raise _Problem(404, "Not found", "The requested resource could not be found.")
        return prediction

    def _read_files(self, model: FakeModel, params: dict[str, Any]) -> tuple[dict[str, bytes], str | None]:
        """The file inputs as Cog would download them; the error of the first that cannot be read."""
        files: dict[str, bytes] = {}
        for name, spec in model.input_schema.get("properties", {}).items():
            if spec.get("format") != "uri" or name not in params:
                continue
            data = self._fetch(str(params[name]))
            if data is None:
                return files, f"Failed to download {name}: the URL {str(params[name])[:60]}... could not be read"
            files[name] = data
        return files, None

    def _fetch(self, url: str) -> bytes | None:
        if url.startswith("data:"):
            try:
                return base64.b64decode(url.split(",", 1)[1], validate=True)
            except (IndexError, binascii.Error, ValueError):
                return None
        file_id = url.rstrip("/").rsplit("/", 1)[-1]
        if "/v1/files/" in url and file_id in self.uploads:
            return self.uploads[file_id][0]
        return None

    async def _shown(self, request: Request, prediction: Prediction) -> dict[str, Any]:
        now = self.clock.now()
        completed = prediction.completed_at(now)
        removed = completed is not None and now >= completed + DATA_KEPT_SECONDS
        output = None if removed else await self._output(request, prediction, prediction.status(now), now)
        status = prediction.status(now)  # the model may have failed making its output
        base = _base(request)
        urls = {
            "get": f"{base}/v1/predictions/{prediction.id}",
            "cancel": f"{base}/v1/predictions/{prediction.id}/cancel",
            "web": f"https://replicate.com/p/{prediction.id}",
        }
        if prediction.model.streams:
            urls["stream"] = f"https://stream.replicate.com/v1/files/{prediction.id}"
        return {
            "id": prediction.id,
            "model": prediction.model.model_id,
            "version": prediction.model.version,
            "input": {} if removed else prediction.input,
            "logs": "" if removed else prediction.logs(now),
            "output": output,
            "data_removed": removed,
            "error": prediction.fail_with if status == "failed" else None,
            "status": status,
            "source": "api",
            "created_at": _iso(prediction.created_at),
            "started_at": _iso(prediction.started_at) if now >= prediction.started_at else None,
            "completed_at": _iso(completed) if completed is not None else None,
            "metrics": {"predict_time": round(prediction.run_seconds, 3)} if status == "succeeded" else {},
            "urls": urls,
        }

    async def _output(self, request: Request, prediction: Prediction, status: str, now: float) -> Any:
        if prediction.model.streams:
            if prediction.value is None:
                prediction.value = prediction.model.make(prediction.params, prediction.files)
            tokens = list(prediction.value)
            if status == "succeeded":
                return tokens
            done = max(prediction.steps_done(now), 0)
            return tokens[: len(tokens) * done // prediction.steps] if status == "processing" else None
        if status != "succeeded":
            return None
        if prediction.outputs is None:
            # Rendered off the loop: a held request or a video must not stop the fake answering others.
            try:
                prediction.outputs = await asyncio.to_thread(prediction.model.make, prediction.params, prediction.files)
            except Exception as exc:  # noqa: BLE001 - the model's own failure, reported as Cog reports it
                prediction.fail_with = f"{type(exc).__name__}: {exc}"
                return None
        if prediction.output_urls is None:
            prediction.output_urls = [self._url_of(request, prediction, item) for item in prediction.outputs]
        urls = prediction.output_urls
        return urls[0] if prediction.model.single_file else urls

    def _url_of(self, request: Request, prediction: Prediction, item: OutputFile) -> str:
        if self.data_url_outputs:
            return data_url_of(item)
        key = f"{prediction.id}-{secrets.token_hex(4)}/{item.name}"
        self._delivered[key] = (item, prediction.ends_at)
        return f"{(self.delivery_url or _base(request)).rstrip('/')}/delivery/{key}"


def _validated(model: FakeModel, given: dict[str, Any]) -> dict[str, Any]:
    """The input with the schema's defaults, or a 422 naming every refused field (as Replicate does)."""
    schema = model.input_schema
    schemas = model.schemas
    problems: list[dict[str, str]] = []
    params: dict[str, Any] = {}
    for name in schema.get("required", []):
        if name not in given:
            problems.append({"type": "required", "field": "input", "description": f"{name} is required"})
    for name, raw in schema.get("properties", {}).items():
        spec = _resolved(raw, schemas)
        if name not in given:
            if "default" in spec:
                params[name] = spec["default"]
            continue
        value = given[name]
        params[name] = value
        problem = _problem_of(f"input.{name}", value, spec)
        if problem is not None:
            problems.append(problem)
    for name, value in given.items():
        if name not in params and name not in schema.get("properties", {}):
            params[name] = value  # Cog leaves unknown inputs alone
    if problems:
        detail = "".join(f"- {item['field']}: {item['description']}\n" for item in problems)
        raise _Problem(422, "Input validation failed", detail, invalid_fields=problems)
    return params


def _problem_of(field_name: str, value: Any, spec: dict[str, Any]) -> dict[str, str] | None:
    kinds = {"string": str, "integer": int, "number": (int, float), "boolean": bool, "array": list}
    kind = spec.get("type")
    expected = kinds.get(kind)
    wrong_bool = isinstance(value, bool) and kind in ("integer", "number")
    if expected is not None and (not isinstance(value, expected) or wrong_bool):
        given = {str: "string", bool: "boolean", int: "integer", float: "number", list: "array"}.get(
            type(value), "object"
        )
        return {"type": "invalid_type", "field": field_name,
                "description": f"Invalid type. Expected: {kind}, given: {given}"}  # fmt: skip
    if "enum" in spec and value not in spec["enum"]:
        allowed = ", ".join(json.dumps(item) for item in spec["enum"])
        return {"type": "enum", "field": field_name,
                "description": f"{field_name} must be one of the following: {allowed}"}  # fmt: skip
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "maximum" in spec and value > spec["maximum"]:
            return {"type": "number_lte", "field": field_name,
                    "description": f"Must be less than or equal to {spec['maximum']}"}  # fmt: skip
        if "minimum" in spec and value < spec["minimum"]:
            return {"type": "number_gte", "field": field_name,
                    "description": f"Must be greater than or equal to {spec['minimum']}"}  # fmt: skip
    return None


def _resolved(spec: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    for part in spec.get("allOf") or []:
        ref = part.get("$ref", "")
        if ref.startswith("#/components/schemas/"):
            spec = {**schemas[ref.rsplit("/", 1)[1]], **{k: v for k, v in spec.items() if k != "allOf"}}
    return spec


def _wait_of(header: str | None) -> float:
    """`Prefer: wait` -> 60; `Prefer: wait=N` -> N (1..60); anything else -> 0 (answer at once)."""
    for preference in (header or "").split(","):
        name, _, value = preference.strip().partition("=")
        if name.strip() == "wait":
            try:
                return float(min(max(int(value), 1), 60)) if value else 60.0
            except ValueError:
                return 0.0
    return 0.0


def _prediction_id() -> str:
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii").lower()[:26]


def _iso(when: float) -> str:
    return datetime.fromtimestamp(when, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _base(request: Request) -> str:
    return f"http://{request.headers.get('host', '127.0.0.1')}"
