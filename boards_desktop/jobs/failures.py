"""How a failed attempt is read: try again later, or fail the job with a message for the artist.

A full disk is the artist's to fix: permanent, with the words every other refusal of a full disk uses.
Transient: a `TransientError`, a dropped or refused connection, a timeout talking to a service,
an HTTP 5xx, or a 429 (with its `Retry-After` honoured). Everything else is permanent and fails
the job at once: retrying a refused key or a bad input only wastes the artist's time (and money).
"""

from __future__ import annotations

import email.utils
import random
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from boards_desktop.generators.errors import GeneratorError, TransientError
from boards_desktop.media.disk_space import disk_full_message, is_disk_full

MAX_BACKOFF_SECONDS = 60.0
MAX_RETRY_AFTER_SECONDS = 600.0


@dataclass(frozen=True)
class Failure:
    transient: bool
    message: str
    retry_after: float | None = None
    unexpected: bool = False  # a bug rather than a refusal: logged with its traceback


def classify(exc: BaseException, *, media_folder: Path | None = None) -> Failure:
    """How the failure `exc` is read; `media_folder` is named when the disk holding it is full."""
    if is_disk_full(exc):
        # Permanent for this run: retrying at once would meet the same full disk. The artist frees
        # space and runs it again; nothing half-written stays (the store removes its `.part` files).
        return Failure(False, disk_full_message(media_folder or Path("the media folder")))
    if isinstance(exc, TransientError):
        return Failure(True, str(exc) or "a temporary failure", exc.retry_after)
    if isinstance(exc, GeneratorError):
        return Failure(False, str(exc) or type(exc).__name__)
    if isinstance(exc, httpx.HTTPStatusError):
        return _http_status(exc.response, exc.request)
    if isinstance(exc, httpx.TimeoutException):
        return Failure(True, f"{_host(exc)} did not answer in time")
    if isinstance(exc, httpx.TransportError):
        return Failure(True, f"could not reach {_host(exc)} ({type(exc).__name__})")
    if isinstance(exc, (ConnectionError, TimeoutError)):
        return Failure(True, f"the connection failed ({type(exc).__name__}: {exc})")
    return Failure(
        False, f"the generator failed unexpectedly ({type(exc).__name__}: {exc}); see the log", unexpected=True
    )


def backoff_seconds(attempt: int, retry_after: float | None, *, base: float = 1.0) -> float:
    """The pause before retry number `attempt` (1, 2, ...): the service's wish, else exponential."""
    if retry_after is not None:
        return min(max(retry_after, 0.0), MAX_RETRY_AFTER_SECONDS)
    pause: float = min(base * 2 ** (attempt - 1), MAX_BACKOFF_SECONDS)
    return pause * random.uniform(0.8, 1.2)  # jitter: jobs failing together do not retry together


def retry_after_of(response: httpx.Response) -> float | None:
    """`Retry-After` in seconds, from its number or its HTTP-date form; None when absent or unreadable."""
    raw = response.headers.get("retry-after")
    if not raw:
        return None
    raw = raw.strip()
    try:
        return max(float(raw), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)


def _http_status(response: httpx.Response, request: httpx.Request | None) -> Failure:
    host = request.url.host if request is not None else "the service"
    status = response.status_code
    if status == 429:
        return Failure(True, f"{host} asked to slow down (429)", retry_after_of(response))
    if status >= 500:
        return Failure(True, f"{host} had an error ({status})", retry_after_of(response))
    if status in (401, 403):
        return Failure(False, f"{host} refused the credentials ({status}); check the key in Settings")
    return Failure(False, f"{host} refused the request ({status}): {_excerpt(response)}")


def _excerpt(response: httpx.Response) -> str:
    try:
        text = response.text
    except (httpx.ResponseNotRead, UnicodeDecodeError):
        return "no details"
    return " ".join(text.split())[:300] or "no details"


def _host(exc: httpx.RequestError) -> str:
    try:
        return exc.request.url.host or "the service"
    except RuntimeError:  # the error was raised without a request
        return "the service"
