"""Progress as a generator reports it: one scale, 0..1, with a phase and a message.

Upstream mixed 0..1 and 0..100. Here a generator always reports 0..1; the database and GraphQL
keep 0..100 as upstream did, and the SSE stream sends 0..1. A value above 1 (up to 100) is read as
a percentage, so that generators ported from upstream keep working.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Literal, cast

from pydantic import BaseModel, Field, field_validator

Phase = Literal["queued", "initializing", "processing", "finalizing"]
PHASES: tuple[str, ...] = ("queued", "initializing", "processing", "finalizing")


def phase_of(value: object) -> Phase:
    """The phase `value` names, or "processing" for anything else (a service's own words, None)."""
    return cast(Phase, value) if value in PHASES else "processing"


class ProgressUpdate(BaseModel):
    progress: float = Field(0.0, description="0..1")
    phase: Phase = "processing"
    message: str | None = None
    estimated_completion: datetime | None = None
    # A text being written (a language model's answer, streamed): everything so far; shown on its tile.
    text: str | None = None
    # A small picture of the work so far (a `data:` URL: a local engine's live preview), shown on the tile.
    preview: str | None = None
    # Upstream's update also carried these; they are accepted and ignored (the context knows them).
    job_id: str | None = None
    status: str | None = None

    @field_validator("progress", mode="before")
    @classmethod
    def _one_scale(cls, value: object) -> float:
        number = float(value)  # type: ignore[arg-type]  # any input: what float() refuses, pydantic reports
        if math.isnan(number):
            return 0.0
        if number > 1.0:
            number = number / 100.0
        return min(max(number, 0.0), 1.0)
