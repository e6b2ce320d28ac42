"""Replicate: predictions created, followed to the end, cancelled, and picked up again after a restart.

A prediction is created for an official model by name (`POST /models/{owner}/{name}/predictions`)
or for one version of any model (`POST /predictions` with `version`); Replicate answers 201 with
the prediction: `id, model, version, input, logs, output, error, status, created_at, started_at,
completed_at, data_removed, metrics, urls`. Its status goes `starting` (waiting for a machine, or
booting the model: a cold start) -> `processing` -> `succeeded | failed | canceled`, or `aborted`
(its deadline passed before it started).

A desktop app has no address a webhook could reach, so the provider polls `GET /predictions/{id}`,
often while something moves and less often (up to every few seconds) while nothing does. `Prefer:
wait=N` holds the create request until the prediction is done or N seconds have passed; it is used
only with a short N, for models that usually finish within it (FLUX schnell): while the request is
held the prediction's id is not yet known, so it cannot be saved for a restart nor cancelled.

Progress comes from Replicate's own signals: `starting` is the model booting; while `processing`,
the last tqdm-style line of `logs` (`45%|████▌     | 9/20 [...]`) gives the fraction, and a language
model's output grows token by token. Outputs are URLs (one, a list, or an object of them; a `data:`
URL now and then) or plain values (text tokens as a list of strings). Files are downloaded at once,
with the token (Replicate's file URLs accept the same `Authorization` header; it is sent to
Replicate's own hosts only), since Replicate deletes inputs and outputs an hour after a prediction.

Input files travel as `data:` URLs up to 256 KB (Replicate's advice); larger ones are uploaded first
(`POST /files`, multipart `content`) and passed as the file's URL.

Errors are RFC 7807 problem details, `{"title", "detail", "status"}`, with `invalid_fields: [{"type",
"field", "description"}]` when an input is refused (422; `field` reads `input.<name>`).
"""

from __future__ import annotations

import asyncio
import mimetypes
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import httpx

from boards_desktop.generators.errors import GeneratorError
from boards_desktop.generators.model_catalog import ModelDescription
from boards_desktop.providers.base import (
    BaseProvider,
    Done,
    Status,
    completed,
    processing,
    submitted,
    while_waiting,
)
from boards_desktop.providers.calls import ErrorReader, Retry, RetryNotice, ServiceError
from boards_desktop.providers.replicate_models import describe_document, split_model_id

if TYPE_CHECKING:
    from boards_desktop.generators.base import BaseGenerator

TOKEN_REFUSED = "Replicate rejected the token: set it in Settings"
MAX_WAIT_SECONDS = 60  # what `Prefer: wait` accepts
INLINE_INPUT_BYTES = 256 * 1024  # Replicate's advice: data: URLs for files up to 256 KB, uploads beyond
MAX_INPUT_BYTES = 100 * 1024 * 1024
DOWNLOAD_TIMEOUT = httpx.Timeout(300.0, connect=10.0)
UPLOAD_TIMEOUT = httpx.Timeout(300.0, connect=10.0, write=300.0)
# Polling: soon after a change (progress is moving), then less and less often while nothing moves.
POLL_FIRST_SECONDS = 0.5
POLL_GROWTH = 1.5
POLL_MAX_SECONDS = 5.0
TERMINAL = ("succeeded", "failed", "canceled", "aborted")
# Replicate's own domains: where output files are fetched with the token. Any other host (a model
# may answer with any URL) is fetched without it.
_OWN_DOMAINS = ("replicate.delivery", "replicate.com")
_TQDM = re.compile(r"(\d{1,3})%\|[^|\r\n]*\|\s*(\d+)/(\d+)")


@dataclass(frozen=True)
class Target:
    """What a prediction runs: an official model by name (`owner/name`), or a version of a model.

    With both, the version is asked for first; when Replicate refuses it (an official model's
    version may not be open to predictions, or its owner deleted it), the model is run by name.
    """

    model: str | None = None
    version: str | None = None

    def create_request(self, payload: dict[str, Any], *, by_version: bool = True) -> tuple[str, dict[str, Any]]:
        if self.version and by_version:
            return "predictions", {"version": self.version, "input": payload}
        if self.model:
            owner, name = split_model_id(self.model)
            return f"models/{owner}/{name}/predictions", {"input": payload}
        raise ValueError("a Replicate target needs a model or a version")


def read_replicate_error(response: httpx.Response) -> ServiceError:
    """Problem details: `detail` (or `title`), and the refused inputs of `invalid_fields`."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        text = (
            " ".join(response.text.split())[:300]
            if response.headers.get("content-type", "").startswith("text/")
            else ""
        )
        return ServiceError(text or None)
    refused = [item for item in body.get("invalid_fields") or [] if isinstance(item, dict)]
    if refused:
        named = [(_input_name(item.get("field")), _words(item.get("description"))) for item in refused]
        if len(named) == 1:
            return ServiceError(named[0][1] or _words(body.get("detail")), named[0][0] or None)
        return ServiceError("; ".join(f"{field}: {words}" if field else str(words) for field, words in named))
    return ServiceError(_words(body.get("detail")) or _words(body.get("title")))


class ReplicateProvider(BaseProvider):
    name = "replicate"
    label = "Replicate"
    read_error: ClassVar[ErrorReader] = staticmethod(read_replicate_error)

    async def request(self, method: str, path: str, **options: Any) -> httpx.Response:
        """Every call: a refused token says what to do ("set it in Settings"), whatever was asked."""
        accept = set(options.pop("accept", ()))
        response = await super().request(method, path, accept=accept | {401}, **options)
        if response.status_code == 401 and 401 not in accept:
            raise GeneratorError(TOKEN_REFUSED)
        return response

    # -- predictions -----------------------------------------------------------------------------

    async def run(self, target: Target, payload: dict[str, Any], *, wait: int = 0) -> AsyncIterator[Status]:
        """Create a prediction, then follow it to its end (see the module's docstring)."""
        yield processing(None, "sending the job to Replicate", phase="initializing")
        prediction: dict[str, Any] | None = None
        async for item in while_waiting(
            lambda notice: self.create_prediction(target, payload, wait=wait, on_retry=notice),
            every=1.0,
            update=lambda elapsed: processing(None, f"waiting for Replicate to take the job ({elapsed:.0f} s)"),
        ):
            if isinstance(item, Done):
                prediction = item.value
            else:
                yield item
        assert prediction is not None
        yield submitted(prediction["id"], "Replicate took the job")
        async for status in self.follow(prediction):
            yield status

    async def resume(self, prediction_id: str) -> AsyncIterator[Status]:
        """Follow a prediction created earlier (before a restart, or by an attempt that failed)."""
        yield processing(None, "asking Replicate how the job is going", phase="initializing")
        async for status in self.follow(await self.get_prediction(prediction_id)):
            yield status

    async def create_prediction(
        self, target: Target, payload: dict[str, Any], *, wait: int = 0, on_retry: RetryNotice | None = None
    ) -> dict[str, Any]:
        wait = max(0, min(wait, MAX_WAIT_SECONDS))
        fallback = bool(target.version and target.model)
        response = await self._create(*target.create_request(payload), wait, on_retry, accept={422} if fallback else ())
        if response.status_code == 422:
            refused = read_replicate_error(response)
            if not _refuses_version(response):
                words = refused.message or "status 422"
                about = f"{refused.field}: " if refused.field and refused.field not in words else ""
                raise GeneratorError(f"{self.label} refused the input: {about}{words}")
            # Nothing was created: running the model by name instead cannot pay twice.
            path, body = target.create_request(payload, by_version=False)
            response = await self._create(path, body, wait, on_retry, accept={404})
            if response.status_code == 404:
                raise GeneratorError(
                    f"the version of {target.model} this generator was made from is no longer on Replicate (or not "
                    "open to your token); refresh the generator to take the newest one"
                )
        return _prediction_of(response)

    async def _create(
        self, path: str, body: dict[str, Any], wait: int, on_retry: RetryNotice | None, accept: Any
    ) -> httpx.Response:
        return await self.request(
            "POST",
            path,
            json=body,
            headers={"Prefer": f"wait={wait}"} if wait else None,
            # A held request answers after `wait` seconds at the latest; the rest is Replicate's own time.
            timeout=httpx.Timeout(wait + 30.0, connect=10.0),
            retry=Retry.SUBMIT,  # a prediction is paid for: never sent twice unless surely not taken
            on_retry=on_retry,
            accept=accept,
        )

    async def get_prediction(self, prediction_id: str, on_retry: RetryNotice | None = None) -> dict[str, Any]:
        response = await self.request("GET", f"predictions/{prediction_id}", accept={404}, on_retry=on_retry)
        if response.status_code == 404:
            raise GeneratorError(
                f"Replicate does not know the prediction {prediction_id} (was the token changed to another "
                "account's?); regenerate to run it again"
            )
        return _prediction_of(response)

    async def cancel_prediction(self, prediction_id: str) -> dict[str, Any] | None:
        """Ask Replicate to stop it; a finished prediction stays as it is. None when Replicate does not know it."""
        response = await self.request("POST", f"predictions/{prediction_id}/cancel", accept={404})
        return None if response.status_code == 404 else _prediction_of(response)

    async def follow(self, prediction: dict[str, Any]) -> AsyncIterator[Status]:
        """Poll until the prediction ends: progress on the way, its output (or a readable failure) at the end."""
        reading = _Reading()
        delay = POLL_FIRST_SECONDS
        while True:
            status = prediction.get("status")
            if status in TERMINAL:
                yield _ending(prediction)
                return
            update, changed = reading.update(prediction)
            # Said again after every poll, changed or not: a client that looks in later (and the row
            # it reads first) sees where the job is now, not the last change before a long boot.
            yield update
            if changed:
                delay = POLL_FIRST_SECONDS
            await asyncio.sleep(delay)
            delay = min(delay * POLL_GROWTH, POLL_MAX_SECONDS)
            prediction_id = prediction["id"]
            # Retries of a poll (a drop, a 5xx, a 429) are shown as they happen, not as a frozen bar.
            async for item in while_waiting(
                partial(self.get_prediction, prediction_id),  # called with the retry notice
                every=3600.0,
                update=lambda _elapsed: processing(None),
            ):
                if isinstance(item, Done):
                    prediction = item.value
                else:
                    yield item

    # -- files -----------------------------------------------------------------------------------

    async def input_url(self, path: Path) -> str:
        """A URL Replicate can read the input file from: a `data:` URL when small, else an upload's URL."""
        size = path.stat().st_size
        if size <= INLINE_INPUT_BYTES:
            from boards_desktop.generators.providers.model import data_url  # not at import: it imports providers

            return await data_url(path, limit=INLINE_INPUT_BYTES, service=self.label)
        if size > MAX_INPUT_BYTES:
            raise GeneratorError(
                f"an input file is {size / 1_048_576:.0f} MB; Replicate takes files up to "
                f"{MAX_INPUT_BYTES // 1_048_576} MB; make it smaller first"
            )
        content = await asyncio.to_thread(path.read_bytes)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        response = await self.request(
            "POST",
            "files",
            files={"content": (path.name, content, content_type)},
            timeout=UPLOAD_TIMEOUT,
            retry=Retry.SAFE,  # an upload costs nothing: a second copy after a lost answer is harmless
        )
        try:
            return str(response.json()["urls"]["get"])
        except (ValueError, KeyError, TypeError):
            raise GeneratorError("Replicate took the input file but did not say where it is; try again") from None

    async def fetch_output(self, url: str) -> bytes | str:
        """The bytes of an output file (a `data:` URL is kept as it is: the media store reads it)."""
        if url.startswith("data:"):
            return url
        response = await self.request(
            "GET", url, authenticate=self._owns(url), accept={404, 410}, timeout=DOWNLOAD_TIMEOUT
        )
        if response.status_code in (404, 410):
            raise GeneratorError(
                "Replicate no longer has the result (it deletes outputs an hour after a prediction); regenerate it"
            )
        return response.content

    def _owns(self, url: str) -> bool:
        address, base = httpx.URL(url), httpx.URL(self.base_url)
        if (address.scheme, address.host, address.port) == (base.scheme, base.host, base.port):
            return True
        return address.scheme == "https" and any(
            address.host == domain or address.host.endswith(f".{domain}") for domain in _OWN_DOMAINS
        )

    # -- any model by name -------------------------------------------------------------------------

    async def describe_model(self, model_id: str) -> ModelDescription:
        owner, name = split_model_id(model_id)
        response = await self.request("GET", f"models/{owner}/{name}", accept={404})
        if response.status_code == 404:
            raise GeneratorError(
                f"Replicate has no model {model_id} (check the spelling; a private model needs a token that can see it)"
            )
        try:
            document = response.json()
        except ValueError:
            document = None
        if not isinstance(document, dict):
            raise GeneratorError(f"Replicate answered about {model_id} with something that is not a model")
        return describe_document(self.name, model_id, document)

    def model_generator(self, description: ModelDescription) -> BaseGenerator:
        from boards_desktop.generators.providers.replicate import ReplicateModelGenerator

        return ReplicateModelGenerator.define(self, description)


class _Reading:
    """What the polls have shown so far: the status to report, and whether anything moved."""

    def __init__(self) -> None:
        self._seen: tuple[Any, ...] | None = None
        self._progress = 0.0

    def update(self, prediction: dict[str, Any]) -> tuple[Status, bool]:
        status = prediction.get("status")
        logs = prediction.get("logs") or ""
        output = prediction.get("output")
        seen = (status, len(logs), len(output) if isinstance(output, list) else output is not None)
        changed, self._seen = seen != self._seen, seen
        if status == "starting":
            return processing(0.02, "the model is booting on Replicate", phase="initializing"), changed
        fraction, message = progress_of(logs, output)
        if fraction is not None:
            # A model may run several bars (two passes, an upscale): the figure never goes back.
            self._progress = max(self._progress, 0.05 + 0.85 * fraction)
        return processing(max(self._progress, 0.05), message), changed


def progress_of(logs: str, output: Any = None) -> tuple[float | None, str]:
    """(fraction 0..1 or None, a message) from a running prediction's logs and partial output."""
    found = None
    for line in re.split(r"[\r\n]+", logs):
        matches = _TQDM.findall(line)
        if matches:
            found = matches[-1]
    if found is not None:
        percent, current, total = (int(part) for part in found)
        return min(percent, 100) / 100, f"running on Replicate: {current} of {total} ({percent}%)"
    tokens = isinstance(output, list) and output and all(isinstance(item, str) for item in output)
    if tokens and not any(item.startswith(("http://", "https://", "data:")) for item in output):
        return None, f"writing on Replicate: {len(output)} tokens so far"
    last = next((line.strip() for line in reversed(re.split(r"[\r\n]+", logs)) if line.strip()), "")
    return None, f"running on Replicate: {last[:200]}" if last else "running on Replicate"


def _ending(prediction: dict[str, Any]) -> Status:
    """The last status of a finished prediction: its output, or the reason it has none (raised)."""
    status = prediction.get("status")
    if status == "succeeded":
        if prediction.get("data_removed"):
            raise GeneratorError(
                "Replicate made the result but deleted it before the app could save it (it keeps outputs for an "
                "hour); regenerate it"
            )
        return completed(
            {
                "output": prediction.get("output"),
                "prediction_id": prediction.get("id"),
                "predict_time": (prediction.get("metrics") or {}).get("predict_time"),
            }
        )
    if status == "failed":
        reason = _words(prediction.get("error")) or "no reason given; its logs on replicate.com may say more"
        raise GeneratorError(f"the model failed on Replicate: {reason}")
    if status == "canceled":
        raise GeneratorError("the prediction was cancelled on Replicate")
    raise GeneratorError("Replicate gave up on the prediction before it started (its deadline passed); try again")


def _refuses_version(response: httpx.Response) -> bool:
    """A 422 about the version itself ("Invalid version or not permitted"), not about the input."""
    try:
        body = response.json()
    except ValueError:
        return False
    if not isinstance(body, dict) or body.get("invalid_fields"):
        return False
    return "version" in f"{body.get('title', '')} {body.get('detail', '')}".lower()


def _prediction_of(response: httpx.Response) -> dict[str, Any]:
    try:
        prediction = response.json()
    except ValueError:
        prediction = None
    if not isinstance(prediction, dict) or not isinstance(prediction.get("id"), str):
        raise GeneratorError("Replicate answered without a prediction; try again")
    return prediction


def _input_name(field: Any) -> str:
    """`input.num_outputs` -> `num_outputs`; the input as a whole (`input`, `(root)`) names no field."""
    text = str(field or "")
    return "" if text in ("input", "(root)") else text.removeprefix("input.")


def _words(value: Any, limit: int = 500) -> str | None:
    return " ".join(str(value).split())[:limit] if value not in (None, "") else None
