"""One HTTP call to a remote service: a timeout, retries where they are safe, and readable errors.

`call()` is the request helper every provider uses (through `BaseProvider.request`). It returns the
response of a 2xx answer (or of a status the caller said it handles, `accept={404}`), and otherwise
raises what the job runner understands:
- `GeneratorError` for what retrying cannot fix, in words an artist can act on: a refused key
  ("OpenAI rejected the key: set it in Settings"), refused input with the field named ("OpenAI
  refused the input: size: ..."), an exhausted quota;
- `TransientError` (with `retry_after`) when the failure may pass but did not within `attempts`
  tries: the runner then pauses and runs the job again (`BOARDS_JOB_RETRIES`).

Which failures are retried depends on what the call does (`retry=`). The rule, for money's sake:
a call that makes a paid job is sent again only when the service surely did not take it.
- `Retry.SAFE`: reading, polling, downloading, cancelling. Any transient failure is retried: a
  connection that fails or drops, a timeout, 429 (after its `Retry-After`), any 5xx.
- `Retry.SUBMIT`: creating a job that lives on at the service (a Replicate prediction, a fal
  request, a ComfyUI prompt). Retried only when the request cannot have been taken: the connection
  failed before anything was sent (connect error or timeout, no free connection), 429 (the service
  turned it away), 503 (unavailable: not accepted). A drop or a timeout after sending, a 500, 502
  or 504 may hide a job that runs and is charged anyway: that is a `GeneratorError` saying so,
  never a silent second submission. (A provider that can find its job again, e.g. by listing its
  recent jobs, may catch it and reconcile.)
- `Retry.SUBMIT_SYNC`: a paid call that answers with the result itself (OpenAI Images). An error
  *answer* means nothing was made, so 429, 500 and 503 are retried as well as failed connects; an
  answer that never arrived (a drop or a timeout after sending, 502, 504) may have been made and
  charged, and is not sent again.

Bodies are sent again on a retry: pass `json=`, `data=`, `content=` bytes or `files=` with bytes,
never a stream. Nothing here logs headers or bodies (keys travel in headers).
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from typing import Any

import httpx

from boards_desktop.generators.errors import GeneratorError, TransientError
from boards_desktop.jobs.failures import backoff_seconds, retry_after_of

log = logging.getLogger("boards.providers")

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
DEFAULT_ATTEMPTS = 3


class Retry(enum.Enum):
    SAFE = "safe"
    SUBMIT = "submit"
    SUBMIT_SYNC = "submit-sync"


@dataclass(frozen=True)
class ServiceError:
    """What a provider reads from a refusal's body (its `read_error` hook)."""

    message: str | None = None  # the service's own words; never a key, not even masked
    field: str | None = None  # the input the refusal is about, as the artist knows it
    permanent: bool = False  # e.g. a 429 that means "out of quota": waiting cannot help


ErrorReader = Callable[[httpx.Response], ServiceError]
RetryNotice = Callable[[str, float], Awaitable[None]]  # (what happened, seconds until the next try)

_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_RETRIED_STATUSES = {
    Retry.SAFE: None,  # None: 429 and every 5xx
    Retry.SUBMIT: {429, 503},
    Retry.SUBMIT_SYNC: {429, 500, 503},
}


async def call(
    http: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    label: str,
    retry: Retry = Retry.SAFE,
    timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
    attempts: int = DEFAULT_ATTEMPTS,
    accept: Collection[int] = (),
    read_error: ErrorReader | None = None,
    on_retry: RetryNotice | None = None,
    backoff_base: float = 1.0,
    slots: asyncio.Semaphore | None = None,
    **request: Any,
) -> httpx.Response:
    """Send the request (up to `attempts` times, as `retry` allows); the answer, or an error for the artist.

    `label` is the service as an artist knows it ("OpenAI"). `accept` lists non-2xx statuses the
    caller handles itself. `on_retry` hears each pause before it starts (to show it as progress).
    `slots`, when given, is held for each attempt (not for the pauses between them): the provider's
    limit on its requests at once (see `BaseProvider.requests_at_once`).
    """
    read_error = read_error or read_error_generically
    attempt = 0
    while True:
        attempt += 1
        try:
            if slots is None:
                response = await http.request(method, url, timeout=timeout, **request)
            else:
                async with slots:
                    response = await http.request(method, url, timeout=timeout, **request)
        except (httpx.UnsupportedProtocol, httpx.InvalidURL):
            # Nothing was sent, and trying again cannot help: the address itself is wrong.
            raise GeneratorError(f"the address of {label} ({url}) is not usable; check its setting") from None
        except httpx.TransportError as exc:
            sent = not isinstance(exc, _NOT_SENT)
            if sent and retry is not Retry.SAFE:
                raise GeneratorError(_lost_answer(label, retry, exc)) from None
            what = _transport_problem(label, exc)
            if attempt >= attempts:
                raise TransientError(what) from None
            await _pause(attempt, None, what, method, url, on_retry, backoff_base)
            continue
        status = response.status_code
        if 200 <= status < 300 or status in accept:
            return response
        detail = read_error(response)
        if status == 429 or status >= 500:
            retried = _RETRIED_STATUSES[retry]
            if detail.permanent:
                raise GeneratorError(_refusal(label, status, detail))
            if retried is not None and status not in retried:
                raise GeneratorError(_unsure_answer(label, retry, status))
            what = _busy(label, status, detail)
            wait = retry_after_of(response)
            if attempt >= attempts:
                raise TransientError(what, retry_after=wait)
            await _pause(attempt, wait, what, method, url, on_retry, backoff_base)
            continue
        raise GeneratorError(_refusal(label, status, detail))


def read_error_generically(response: httpx.Response) -> ServiceError:
    """The message of a JSON error body in the common shapes (`{"error": {"message"}}`, `{"detail"}`)."""
    try:
        body = response.json()
    except ValueError:
        text = (
            " ".join(response.text.split())[:300]
            if response.headers.get("content-type", "").startswith("text/")
            else ""
        )
        return ServiceError(text or None)
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict):
            message = error.get("message") or error.get("detail") or error.get("title")
            field = error.get("param") or error.get("field")
            return ServiceError(_text(message), _text(field))
        if isinstance(error, str):
            return ServiceError(_text(error))
        if isinstance(body.get("detail"), str):
            return ServiceError(_text(body["detail"]))
    return ServiceError()


def _text(value: Any) -> str | None:
    return " ".join(str(value).split())[:500] if value not in (None, "") else None


async def _pause(
    attempt: int,
    retry_after: float | None,
    what: str,
    method: str,
    url: str,
    on_retry: RetryNotice | None,
    base: float,
) -> None:
    pause = backoff_seconds(attempt, retry_after, base=base)
    log.info("%s %s: %s; trying again in %.1f s", method, httpx.URL(url).copy_with(query=None), what, pause)
    if on_retry is not None:
        await on_retry(what, pause)
    await asyncio.sleep(pause)


def _transport_problem(label: str, exc: httpx.TransportError) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return f"{label} did not answer in time"
    if isinstance(exc, _NOT_SENT):
        return f"could not connect to {label}"
    return f"the connection to {label} dropped"


def _busy(label: str, status: int, detail: ServiceError) -> str:
    if status == 429:
        return f"{label} asked to slow down (429)" + (f": {detail.message}" if detail.message else "")
    return f"{label} had an error ({status})"


def _lost_answer(label: str, retry: Retry, exc: httpx.TransportError) -> str:
    how = "took too long to answer" if isinstance(exc, httpx.TimeoutException) else "dropped the connection"
    if retry is Retry.SUBMIT_SYNC:
        return (
            f"{label} {how} after the request was sent; it may have made (and charged for) the result, "
            "which never arrived, so it was not sent again; regenerate to try again"
        )
    return (
        f"{label} {how} after the job was sent; it may be running (and charged) anyway, so it was not sent "
        f"again; check your {label} account before you regenerate"
    )


def _unsure_answer(label: str, retry: Retry, status: int) -> str:
    if retry is Retry.SUBMIT_SYNC:
        return (
            f"{label} answered {status} (a gateway error): the result may have been made and charged, so it was "
            "not sent again; regenerate to try again"
        )
    return (
        f"{label} had an error ({status}) while taking the job; it may be running (and charged) anyway, so it "
        f"was not sent again; check your {label} account before you regenerate"
    )


def _refusal(label: str, status: int, detail: ServiceError) -> str:
    words = detail.message or f"status {status}"
    about = f"{detail.field}: " if detail.field and detail.field not in words else ""
    if status == 401:
        return f"{label} rejected the key: set it in Settings"
    if status == 402:
        return f"{label} wants payment before it runs this: {words}; check your {label} billing"
    if status == 403:
        return f"{label} refused access: {words}"
    if status == 404:
        return f"{label} does not know what was asked for (404): {words}"
    if status == 429:
        return f"{label} refused the request (429): {words}; check your {label} plan and billing"
    if status >= 500:
        return f"{label} had an error ({status}): {words}"
    return f"{label} refused the input: {about}{words}"
