"""A slow generator for the screenshot set, so that its queue has a running job and waiting ones.

Loaded through `BOARDS_GENERATOR_MODULES` like an artist's own plugin. It develops for minutes,
saying how far it got, and is stopped (cancelled) when the screenshot script stops the app.
"""

from __future__ import annotations

import asyncio
import io

from PIL import Image
from pydantic import BaseModel, Field

from boards_desktop.generators import BaseGenerator, GeneratorContext, GeneratorResult


class DarkroomInputs(BaseModel):
    prompt: str = Field(title="Prompt", description="What the print should show.")
    minutes: float = Field(10, ge=0.1, le=60, title="Exposure", description="How long it develops.")


class LongExposure(BaseGenerator):
    name = "darkroom-long-exposure"
    display_name = "Long exposure"
    icon = "image"
    artifact_type = "image"
    description = "Develops a print slowly, layer by layer."
    provider = "darkroom"

    def get_input_schema(self) -> type[BaseModel]:
        return DarkroomInputs

    async def generate(self, inputs: DarkroomInputs, context: GeneratorContext) -> GeneratorResult:
        layers, tick = 8, 2.0
        steps = max(1, round(inputs.minutes * 60 / tick))
        for step in range(steps):  # a word every few seconds, as a remote service would send
            layer = step * layers // steps
            await context.publish_progress(0.05 + 0.9 * step / steps, f"Developing layer {layer + 1} of {layers}")
            await asyncio.sleep(tick)
        buffer = io.BytesIO()
        Image.new("RGB", (640, 480), "#20242c").save(buffer, "PNG")
        return GeneratorResult(outputs=[await context.store_image_result(buffer.getvalue(), "png")])


GENERATORS = [LongExposure()]
