"""A test generator that reads its input file, as an image-to-image model does (loaded beside
tests.plugins.generators by the tests that need it: `BOARDS_GENERATOR_MODULES`)."""

from __future__ import annotations

import asyncio

from pydantic import BaseModel

from boards_desktop.generators import BaseGenerator, GeneratorContext, GeneratorResult, ImageArtifact


class CopyInputs(BaseModel):
    image: ImageArtifact


class Copy(BaseGenerator):
    name = "test-copy"
    artifact_type = "image"
    description = "Stores a copy of its input picture (it needs the input's file)."
    provider = "test"
    rerun_safe = True

    def get_input_schema(self) -> type[BaseModel]:
        return CopyInputs

    async def generate(self, inputs: CopyInputs, context: GeneratorContext) -> GeneratorResult:
        path = await context.resolve_artifact(inputs.image)
        content = await asyncio.to_thread(path.read_bytes)
        return GeneratorResult(outputs=[await context.store_image_result(content, "png")])


GENERATORS = [Copy]
