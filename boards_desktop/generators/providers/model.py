"""`ModelGenerator`: the generator of a model added by name, made from its `ModelDescription`.

A provider's `model_generator(description)` is usually one line:

    return ReplicateModelGenerator.define(self, description)

where `ReplicateModelGenerator(ModelGenerator)` implements `generate` (and `resume`, `cancel`).
`define` makes a class of its own for the model (name, artifact type, description and the input
model built from the description's JSON schema by boards_desktop.generators.schema_inputs), so the
registry's renames keep working, and builds it with the provider.

`await self.payload(inputs, context)` gives the service's input: every field under the service's
own name, unset optional fields left out, and each artifact slot (`image`, `image_urls`, ...)
replaced by a URL the service can fetch: by default a `data:` URL of the file (`data_url`), up to
`max_inline_bytes`; override `media_url` to upload larger files where the service has a way.
"""

from __future__ import annotations

import asyncio
import base64
import mimetypes
from pathlib import Path
from typing import Any, ClassVar, cast

from pydantic import BaseModel

from boards_desktop.generators.artifacts import DigitalArtifact
from boards_desktop.generators.context import GeneratorContext
from boards_desktop.generators.errors import GeneratorError
from boards_desktop.generators.input_slots import artifact_slots
from boards_desktop.generators.model_catalog import ModelDescription, slug
from boards_desktop.generators.providers.remote import RemoteGenerator
from boards_desktop.generators.schema_inputs import input_model_from_schema
from boards_desktop.providers.base import BaseProvider

DEFAULT_MAX_INLINE_BYTES = 10 * 1024 * 1024


class ModelGenerator(RemoteGenerator):
    model: ClassVar[ModelDescription]
    input_model: ClassVar[type[BaseModel]]
    max_inline_bytes: ClassVar[int] = DEFAULT_MAX_INLINE_BYTES

    @classmethod
    def define(cls, service: BaseProvider, description: ModelDescription) -> ModelGenerator:
        input_model = input_model_from_schema(
            f"{description.generator_name} input", description.input_schema, description.schema_root
        )
        attributes = {
            "name": description.generator_name,
            "provider": description.provider,
            "artifact_type": description.artifact_type,
            "description": description.description or f"{description.model_id} on {service.label}",
            "model": description,
            "input_model": input_model,
        }
        model_class = cast(
            type[ModelGenerator], type(f"{cls.__name__}_{slug(description.model_id)}", (cls,), attributes)
        )
        return model_class(service)

    def get_input_schema(self) -> type[BaseModel]:
        return self.input_model

    async def payload(self, inputs: BaseModel, context: GeneratorContext) -> dict[str, Any]:
        """The input to send: service field names, artifacts as URLs, unset optional fields left out."""
        slots = artifact_slots(type(inputs))
        values = inputs.model_dump(by_alias=True, exclude_none=True, exclude=set(_attributes(inputs, slots)))
        for attribute, info in type(inputs).model_fields.items():
            key = info.alias or attribute
            if key not in slots:
                continue
            value = getattr(inputs, attribute)
            if value is None:
                continue
            if isinstance(value, list):
                values[key] = [await self.media_url(item, await context.resolve_artifact(item)) for item in value]
            else:
                values[key] = await self.media_url(value, await context.resolve_artifact(value))
        return values

    async def media_url(self, artifact: DigitalArtifact, path: Path) -> str:
        """A URL of the input file the service can read; a `data:` URL unless overridden."""
        return await data_url(path, limit=self.max_inline_bytes, service=self.service.label)


async def data_url(path: Path, *, limit: int, service: str) -> str:
    """The file as a `data:` URL (base64), refused beyond `limit` bytes with the reason."""
    size = path.stat().st_size
    if size > limit:
        raise GeneratorError(
            f"an input file is {size / 1_048_576:.1f} MB; {service} takes files up to {limit / 1_048_576:.0f} MB "
            "this way; make it smaller first"
        )
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    encoded = await asyncio.to_thread(lambda: base64.b64encode(path.read_bytes()).decode("ascii"))
    return f"data:{content_type};base64,{encoded}"


def _attributes(inputs: BaseModel, slots: dict[str, Any]) -> list[str]:
    """The attribute names of the artifact slots (slots are keyed by the service's names)."""
    return [name for name, info in type(inputs).model_fields.items() if (info.alias or name) in slots]
