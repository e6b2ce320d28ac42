"""The two ways a generator can fail: for good, or for now.

A `GeneratorError` fails the job at once and its message becomes the generation's
`errorMessage`, so it must be written for an artist ("the image is 40x40; give at least 64x64").
A `TransientError` (a dropped connection, a 5xx, a 429) is retried with backoff; `retry_after`
(seconds) is honoured when the service said how long to wait.
"""

from __future__ import annotations


class GeneratorError(Exception):
    """A permanent failure with a message an artist can act on."""


class TransientError(Exception):
    """A failure that may go away; the job is tried again after a pause."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class GeneratorUnavailable(GeneratorError):
    """The generator cannot run here (a missing key, an engine that does not answer)."""
