"""Text written by a language model, streamed: the pieces become live progress, the whole a text result.

Shared by the generators of the OpenAI-compatible endpoints (boards_desktop.generators.providers.
openai_compatible) and OpenAI's own (`openai-text`). While the model writes, each progress event
carries the text so far (`ProgressUpdate.text`), so the tile grows as it streams: the first piece at
once, then at most one event every `PUBLISH_EVERY` seconds (a fast model sends hundreds of pieces a
second; each event carries the whole text so far). A cancelled job leaves the stream's loop, which
closes the connection: the server stops generating.
"""

from __future__ import annotations

import asyncio
import math
import re
from collections.abc import AsyncIterator
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from boards_desktop.generators.artifacts import ImageArtifact
from boards_desktop.generators.context import GeneratorContext
from boards_desktop.generators.errors import GeneratorError
from boards_desktop.generators.progress import ProgressUpdate
from boards_desktop.generators.providers.model import data_url

PUBLISH_EVERY = 0.05
MAX_IMAGE_BYTES = 20 * 1024 * 1024
# Model names that take images (vision models), as Ollama, LM Studio and OpenAI name them.
_VISION = re.compile(
    r"llava|vision|(^|[^a-z])vl([^a-z]|$)|qwen2\.5vl|moondream|minicpm-v|pixtral|gemma3|llama4|gpt-4o|gpt-4\.1|gpt-5",
    re.IGNORECASE,
)


def is_vision_model(model: str) -> bool:
    return bool(_VISION.search(model))


class ChatInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prompt: str = Field(
        ..., min_length=1, max_length=100_000, title="Prompt", description="What to write, or the words to work on."
    )
    instructions: str | None = Field(
        None,
        max_length=20_000,
        title="Instructions",
        description="Optional: how the model should answer (its system message).",
    )
    temperature: float | None = Field(
        None, ge=0.0, le=2.0, title="Temperature", description="Higher is more varied; empty: the model's own."
    )
    max_tokens: int | None = Field(
        None, ge=1, le=65_536, title="Length limit", description="At most this many tokens; empty: the server's limit."
    )


class VisionChatInput(ChatInput):
    image: ImageArtifact | None = Field(
        None, title="Image", description="Optional: an image the model looks at (to describe it, or write about it)."
    )


async def chat_body(model: str, inputs: ChatInput, context: GeneratorContext) -> dict[str, Any]:
    """The chat completion request for `inputs` (an image sent inline, as a `data:` URL)."""
    messages: list[dict[str, Any]] = []
    if inputs.instructions:
        messages.append({"role": "system", "content": inputs.instructions})
    image = getattr(inputs, "image", None)
    if isinstance(image, ImageArtifact):
        path = await context.resolve_artifact(image)
        url = await data_url(path, limit=MAX_IMAGE_BYTES, service="the model")
        content: Any = [{"type": "text", "text": inputs.prompt}, {"type": "image_url", "image_url": {"url": url}}]
    else:
        content = inputs.prompt
    messages.append({"role": "user", "content": content})
    body: dict[str, Any] = {"model": model, "messages": messages}
    if inputs.temperature is not None:
        body["temperature"] = inputs.temperature
    if inputs.max_tokens is not None:
        body["max_tokens"] = inputs.max_tokens
    return body


async def write_streamed(pieces: AsyncIterator[str], context: GeneratorContext, *, who: str, limit: int | None) -> str:
    """Follow the stream into the job's progress (the text so far in each event); the whole text.

    The events go out from a task of their own: the first piece at once, then whatever came in the
    last `PUBLISH_EVERY` seconds, so the pieces that end a burst are shown without waiting for more."""
    await context.publish_progress(ProgressUpdate(progress=0.02, phase="initializing", message=f"asking {who}"))
    text: list[str] = []
    changed = asyncio.Event()

    async def publish() -> None:
        while True:
            await changed.wait()
            changed.clear()
            count = len(text)
            # The length is unknown until the end: a bar that moves fast at first, then slows.
            share = count / limit if limit else 1 - math.exp(-count / 300)
            await context.publish_progress(
                ProgressUpdate(
                    progress=0.05 + 0.9 * min(share, 1.0),
                    phase="processing",
                    message=f"{who} is writing ({count} pieces)",
                    text="".join(text),
                )
            )
            await asyncio.sleep(PUBLISH_EVERY)

    publisher = asyncio.create_task(publish(), name="chat-progress")
    try:
        async for piece in pieces:
            text.append(piece)
            changed.set()
    finally:
        publisher.cancel()
        await asyncio.gather(publisher, return_exceptions=True)
    whole = "".join(text)
    if not whole.strip():
        raise GeneratorError(f"{who} answered with no text; try again, or try another model")
    return whole
