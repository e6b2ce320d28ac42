"""The drills' generator, loaded by the app through `BOARDS_GENERATOR_MODULES` like an artist's own.

`drill-counted` takes a little time, reports progress, writes an image, and writes a line to the
file named by `BOARDS_DRILL_RUN_LOG` when a run starts and when it has stored its file: the
server process's id, the generation and a run id. The log is appended with one `write` per line
(O_APPEND), so it survives a server killed with SIGKILL and tells, after the fact, whether a job
ran twice while a first run was still alive.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import time
import uuid
from pathlib import Path
from typing import Any

from PIL import Image
from pydantic import BaseModel, Field

from boards_desktop.generators import BaseGenerator, GeneratorContext, GeneratorResult, ImageArtifact

RUN_LOG = "BOARDS_DRILL_RUN_LOG"


def _record(event: str, **fields: Any) -> None:
    path = os.environ.get(RUN_LOG)
    if not path:
        return
    line = json.dumps({"event": event, "at": time.time(), "pid": os.getpid(), **fields}) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)


def read_runs(path: Path) -> list[dict[str, Any]]:
    """The log's records; a line cut short by a kill (never seen so far) is left out."""
    if not path.exists():
        return []
    records = []
    for line in path.read_text().splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return records


class CountedInputs(BaseModel):
    steps: int = Field(4, ge=1, le=100)
    delay: float = Field(0.05, ge=0, le=5)
    image: ImageArtifact | None = None


class Counted(BaseGenerator):
    name = "drill-counted"
    artifact_type = "image"
    description = "Takes a little time, stores an image, and logs every run."
    provider = "drill"
    rerun_safe = True

    def get_input_schema(self) -> type[BaseModel]:
        return CountedInputs

    async def generate(self, inputs: BaseModel, context: GeneratorContext) -> GeneratorResult:
        assert isinstance(inputs, CountedInputs)  # the registry validated them against our schema
        run = uuid.uuid4().hex
        _record("start", generation_id=context.generation_id, run=run)
        for step in range(inputs.steps):
            await asyncio.sleep(inputs.delay)
            await context.publish_progress((step + 1) / inputs.steps, f"step {step + 1} of {inputs.steps}")
        buffer = io.BytesIO()
        Image.new("RGB", (32, 32), f"#{run[:6]}").save(buffer, "PNG")
        artifact = await context.store_image_result(buffer.getvalue(), "png")
        _record("stored", generation_id=context.generation_id, run=run)
        return GeneratorResult(outputs=[artifact])


GENERATORS = [Counted]
