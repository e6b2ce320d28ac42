"""fal.ai's queue: submit a request, follow it to the end, fetch its result, cancel it.

`POST {base}/{owner}/{app}[/{path}]` with the model's input as the body answers at once with a
`request_id` and three URLs: `status_url`, `response_url` and `cancel_url`. Those URLs name
`owner/app` only (the path is dropped), so they are used exactly as fal returned them, never built.
They are saved with the request id (`FalRequest.job_id()`) before anything waits on them: after a
restart the app follows the same request again instead of paying for a second one.

Following a request is polling its status with `?logs=1`, with backoff (`POLL_FIRST` seconds,
growing to `POLL_MAX`): 202 while `IN_QUEUE` (with `queue_position`, the requests ahead) or
`IN_PROGRESS` (with the runner's `logs`), 200 once `COMPLETED`. Polling rather than the SSE
`status/stream`: a poll that fails is simply sent again (it changes nothing at fal), 200 requests in
flight hold no connections open, and every answer is the whole state, so a dropped poll loses
nothing. Progress comes from fal's own signals: the queue position ("12th in fal's queue"), then
percentages or `step/total` counts in the log lines, and the time passing where the logs have none.

The result (`GET response_url`) is the model's own answer with the model's own status code: its
files (`images`, `image`, `video`, `audio`, `audio_file`) are URLs on fal's CDN, or `data:` URLs
with `sync_mode`, and fal keeps them an hour (six minutes for larger ones), so the generator stores
them at once. Errors come as `{"detail": [{"loc", "msg", "type", ...}]}` (the model refused the
input: 422) or `{"detail": "...", "error_type": "..."}` (the request failed at fal, after fal's own
retries); `read_fal_error` turns both into words an artist can act on.

`PUT cancel_url` answers 202 (`CANCELLATION_REQUESTED`), 400 (`ALREADY_COMPLETED`) or 404
(`NOT_FOUND`); the last two mean there is nothing left to stop.

Any endpoint by id: `describe_model` reads the endpoint's OpenAPI document
(`BOARDS_FAL_OPENAPI_URL?endpoint_id=<id>`, see boards_desktop.providers.fal_openapi).
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import httpx

from boards_desktop.generators.errors import GeneratorError
from boards_desktop.providers.base import BaseProvider, Status, completed, processing, queued, submitted
from boards_desktop.providers.calls import ErrorReader, Retry, ServiceError, read_error_generically
from boards_desktop.settings import DEFAULT_FAL_OPENAPI_URL

if TYPE_CHECKING:
    from boards_desktop.generators.model_catalog import ModelDescription
    from boards_desktop.generators.providers.model import ModelGenerator

log = logging.getLogger("boards.providers")

SUBMIT_TIMEOUT = httpx.Timeout(60.0, connect=10.0, write=120.0)  # a body may carry megabytes of data: URLs
POLL_TIMEOUT = httpx.Timeout(20.0, connect=10.0)
RESULT_TIMEOUT = httpx.Timeout(120.0, connect=10.0)  # `sync_mode` results carry their files inline
MAX_JOB_ID_LENGTH = 255  # generations.external_job_id
_ENDPOINT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*){1,5}")
_PERCENT = re.compile(r"(\d{1,3}(?:\.\d+)?)\s?%")
_STEPS = re.compile(r"(?:\bstep\s*|\|\s*)(\d+)\s*/\s*(\d+)", re.IGNORECASE)
_TERMINAL_FAILURES = {"FAILED", "ERROR"}
_CANCELLED = {"CANCELLED", "CANCELED"}


@dataclass(frozen=True)
class FalRequest:
    """A request in fal's queue: its id and the three URLs fal gave for it."""

    request_id: str
    response_url: str
    status_url: str
    cancel_url: str

    @classmethod
    def from_submission(cls, body: Any) -> FalRequest:
        try:
            request = cls(
                str(body["request_id"]), str(body["response_url"]), str(body["status_url"]), str(body["cancel_url"])
            )
        except (KeyError, TypeError):
            raise GeneratorError(
                "fal.ai took the request but did not say where to follow it; check your fal.ai dashboard "
                "before you regenerate (it may be running, and charged)"
            ) from None
        for url in (request.response_url, request.status_url, request.cancel_url):
            if not url.startswith(("https://", "http://")):
                raise GeneratorError(f"fal.ai answered with an address that is not a URL ({url[:60]!r})")
        return request

    def job_id(self) -> str:
        """What the generation keeps as its external job id (at most 255 characters).

        The status and cancel URLs are kept as what they add to the response URL when they extend
        it (as fal's do: `.../requests/<id>/status`), so the three URLs fit with room to spare.
        """
        saved: dict[str, str] = {"request_id": self.request_id, "response_url": self.response_url}
        for key, url in (("status_url", self.status_url), ("cancel_url", self.cancel_url)):
            saved[key] = url[len(self.response_url) :] if url.startswith(self.response_url + "/") else url
        text = json.dumps(saved, separators=(",", ":"))
        if len(text) > MAX_JOB_ID_LENGTH:
            raise GeneratorError(
                "fal.ai's addresses for this request are too long to keep for a restart; the request may be "
                "running (and charged): check your fal.ai dashboard"
            )
        return text

    @classmethod
    def from_job_id(cls, text: str) -> FalRequest:
        try:
            saved = json.loads(text)
            response_url = saved["response_url"]

            def url_of(key: str) -> str:
                value: str = saved[key]
                return response_url + value if value.startswith("/") else value

            return cls(saved["request_id"], response_url, url_of("status_url"), url_of("cancel_url"))
        except (ValueError, KeyError, TypeError, AttributeError):
            raise GeneratorError(
                "this generation's fal.ai request was not saved in a form the app can follow; regenerate it"
            ) from None


def read_fal_error(response: httpx.Response) -> ServiceError:
    """fal's two error shapes: a model's `detail` list, or a request's `detail` text with `error_type`."""
    try:
        body = response.json()
    except ValueError:
        return read_error_generically(response)
    if response.status_code == 401:
        return ServiceError()  # "fal.ai rejected the key: set it in Settings" says it all
    detail = body.get("detail") if isinstance(body, dict) else body
    if isinstance(detail, list) and detail:
        return _model_errors([item for item in detail if isinstance(item, dict)])
    if isinstance(detail, str):
        error_type = body.get("error_type") if isinstance(body, dict) else None
        if error_type:
            # The request itself failed at fal (a timeout, a runner lost), after fal's own retries:
            # fetching its result again gives the same answer.
            return ServiceError(f"{_clean(detail)} ({error_type}); regenerate to try again", permanent=True)
        return ServiceError(_clean(detail))
    return read_error_generically(response)


def _model_errors(errors: list[dict[str, Any]]) -> ServiceError:
    parts: list[str] = []
    fields: list[str] = []
    for error in errors[:5]:
        location = [str(part) for part in error.get("loc") or [] if part != "body"]
        field = ".".join(location) or None
        message = _clean(error.get("msg")) or "not accepted"
        if error.get("type") == "content_policy_violation":
            categories = ", ".join(str(c) for c in error.get("categories") or [])
            message = f"fal.ai's content checker flagged it{f' ({categories})' if categories else ''}; change it"
        fields.append(field or "")
        parts.append(f"{field}: {message}" if field and len(errors) > 1 else message)
    single = fields[0] if len(errors) == 1 and fields[0] else None
    return ServiceError("; ".join(parts), field=single)


def _clean(value: Any) -> str:
    return " ".join(str(value).split())[:500] if value not in (None, "") else ""


def ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


class FalProvider(BaseProvider):
    name = "fal"
    label = "fal.ai"
    read_error: ClassVar[ErrorReader] = staticmethod(read_fal_error)
    # Its requests are short (a submission, a status, a result): 200 jobs share 16 connections to
    # fal's queue, waiting their turn, instead of a pool of 200 (see BaseProvider.requests_at_once).
    requests_at_once = 16
    # Seconds between status polls: quick at first (short jobs), then backing off (videos take minutes).
    POLL_FIRST: ClassVar[float] = 0.5
    POLL_FACTOR: ClassVar[float] = 1.5
    POLL_MAX: ClassVar[float] = 2.0

    def auth_headers(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Key {key}"}

    @property
    def openapi_url(self) -> str:
        return self.settings.fal_openapi_url if self.settings is not None else DEFAULT_FAL_OPENAPI_URL

    # -- a request, from submission to result ------------------------------------------------------

    async def run(
        self, endpoint_id: str, arguments: dict[str, Any], *, typical_seconds: float
    ) -> AsyncIterator[Status]:
        """Submit, then follow: `submitted` (the job id to save), queue and progress, `completed`."""
        yield processing(None, "sending the request to fal.ai", phase="initializing")
        request = await self.submit(endpoint_id, arguments)
        yield submitted(request.job_id(), "fal.ai took the request")
        async for status in self.follow(request, typical_seconds=typical_seconds):
            yield status

    async def submit(self, endpoint_id: str, arguments: dict[str, Any]) -> FalRequest:
        check_endpoint_id(endpoint_id)
        # A paid request: sent again only when fal surely did not take it (see calls.Retry.SUBMIT).
        response = await self.request(
            "POST", f"/{endpoint_id}", json=arguments, retry=Retry.SUBMIT, timeout=SUBMIT_TIMEOUT
        )
        try:
            body = response.json()
        except ValueError:
            body = None
        request = FalRequest.from_submission(body)
        log.info("fal.ai request %s submitted to %s", request.request_id, endpoint_id)
        return request

    async def follow(self, request: FalRequest, *, typical_seconds: float = 30.0) -> AsyncIterator[Status]:
        """The request's progress until it is done, then `completed({"result": <fal's answer>, ...})`."""
        tracker = _Progress(typical_seconds)
        interval = self.POLL_FIRST
        last: tuple[Any, ...] | None = None
        while True:
            state = await self._status(request)
            kind = str(state.get("status") or "").upper()
            if kind == "COMPLETED" or kind in _TERMINAL_FAILURES:
                yield processing(max(tracker.best, 0.9), "fal.ai finished; fetching the result", phase="finalizing")
                result = await self.result(request)
                yield completed({"result": result, "request_id": request.request_id, "metrics": state.get("metrics")})
                return
            if kind in _CANCELLED:
                raise GeneratorError("the request was cancelled at fal.ai; regenerate to run it again")
            status = tracker.update(kind, state)
            signature = (status["phase"], status.get("progress"), status.get("message"))
            if signature != last:
                last = signature
                yield status
            if tracker.phase_changed:
                interval = self.POLL_FIRST
            await asyncio.sleep(interval)
            interval = min(interval * self.POLL_FACTOR, self.POLL_MAX)

    async def _status(self, request: FalRequest) -> dict[str, Any]:
        response = await self.request(
            "GET", request.status_url, params={"logs": "1"}, timeout=POLL_TIMEOUT, accept={404}
        )
        if response.status_code == 404:
            raise GeneratorError(
                "fal.ai no longer knows this request (it keeps requests for a limited time); regenerate it"
            )
        try:
            state = response.json()
        except ValueError:
            state = None
        if not isinstance(state, dict):
            raise GeneratorError("fal.ai answered the status of the request with something unreadable; try again")
        return state

    async def result(self, request: FalRequest) -> dict[str, Any]:
        response = await self.request("GET", request.response_url, timeout=RESULT_TIMEOUT, accept={404, 410})
        if response.status_code in (404, 410):
            raise GeneratorError(
                "fal.ai no longer has the result of this request (it keeps results for an hour, six minutes "
                "for larger ones); regenerate it"
            )
        try:
            # A `sync_mode` result carries its files inline: megabytes, parsed off the event loop.
            content = response.content
            body = await asyncio.to_thread(json.loads, content) if len(content) > 1 << 20 else json.loads(content)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise GeneratorError("fal.ai's result is not readable; regenerate to try again")
        return body

    async def cancel(self, request: FalRequest) -> None:
        """Stop the request at fal; one that finished or is gone needs nothing more."""
        response = await self.request("PUT", request.cancel_url, timeout=POLL_TIMEOUT, accept={400, 404})
        log.info("fal.ai request %s: cancel answered %s", request.request_id, response.status_code)

    # -- any endpoint by id --------------------------------------------------------------------------

    async def describe_model(self, model_id: str) -> ModelDescription:
        from boards_desktop.providers.fal_openapi import describe_endpoint

        check_endpoint_id(model_id)
        # Public, keyless: an artist may add an endpoint before setting a key (and the key has no
        # business travelling to fal.ai's web site).
        response = await self.request(
            "GET", self.openapi_url, params={"endpoint_id": model_id}, authenticate=False, accept={400, 404}
        )
        try:
            document = response.json() if response.status_code == 200 else None
        except ValueError:
            document = None
        return describe_endpoint(model_id, document)

    def model_generator(self, description: ModelDescription) -> ModelGenerator:
        from boards_desktop.generators.providers.fal import FalModelGenerator

        return FalModelGenerator.define(self, description)


def check_endpoint_id(endpoint_id: str) -> None:
    if not _ENDPOINT_ID.fullmatch(endpoint_id):
        raise GeneratorError(
            f"{endpoint_id!r} is not an fal.ai endpoint id; copy it from the model's page on fal.ai, "
            "e.g. fal-ai/flux/dev"
        )


class _Progress:
    """fal's status answers, read as progress: never going backwards."""

    def __init__(self, typical_seconds: float) -> None:
        self.typical = max(typical_seconds, 1.0)
        self.best = 0.0
        self.kind = ""
        self.phase_changed = False
        self._running_since: float | None = None

    def update(self, kind: str, state: dict[str, Any]) -> Status:
        self.phase_changed = kind != self.kind
        self.kind = kind
        if kind == "IN_PROGRESS":
            if self._running_since is None:
                self._running_since = time.monotonic()
            return self._in_progress(state.get("logs"))
        position = state.get("queue_position")
        if isinstance(position, int) and position >= 0:
            return queued(position, f"{ordinal(position + 1)} in fal's queue")
        return queued(None, "waiting in fal's queue")

    def _in_progress(self, logs: Any) -> Status:
        message, fraction = _read_logs(logs)
        if fraction is not None:
            figure = 0.05 + 0.85 * fraction
        else:
            # No percentages in the logs: the time passing, against what such a job usually takes.
            elapsed = time.monotonic() - (self._running_since or time.monotonic())
            figure = 0.05 + 0.8 * (1 - math.exp(-elapsed / self.typical))
        self.best = max(self.best, round(figure, 3))
        return processing(self.best, message or "fal.ai is making it")


def _read_logs(logs: Any) -> tuple[str | None, float | None]:
    """The latest log line worth showing, and the latest fraction done the lines tell."""
    if not isinstance(logs, list):
        return None, None
    message: str | None = None
    for entry in reversed(logs):
        text = entry.get("message") if isinstance(entry, dict) else entry
        if not isinstance(text, str) or not text.strip():
            continue
        text = " ".join(text.split())
        if message is None:
            message = text[:160]
        fraction = _fraction_of(text)
        if fraction is not None:
            return message, fraction
    return message, None


def _fraction_of(text: str) -> float | None:
    steps = _STEPS.search(text)
    if steps and 0 < int(steps.group(2)) and int(steps.group(1)) <= int(steps.group(2)):
        return int(steps.group(1)) / int(steps.group(2))
    percent = _PERCENT.search(text)
    if percent and float(percent.group(1)) <= 100:
        return float(percent.group(1)) / 100
    return None
