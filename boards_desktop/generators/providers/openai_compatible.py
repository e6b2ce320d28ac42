"""Generators of the OpenAI-compatible endpoints, and OpenAI's own text generator.

- `chat/<endpoint>/<model>`: a text from a model the endpoint lists, streamed (boards_desktop.
  generators.providers.chat); a vision model (by its name: llava, qwen2.5vl, gemma3, ...) also
  takes an image;
- `images/<endpoint>`: an image from the endpoint's images API (LocalAI's), with its models as choices;
- `openai-text`: the same streamed text from OpenAI's chat models, with the OpenAI key.

The endpoint generators run on the artist's own server at no charge: a job interrupted by a
restart simply runs again (`rerun_safe`). OpenAI's is paid for, so it is not rerun behind the
artist's back.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, ClassVar, Literal, cast

import httpx
from pydantic import BaseModel, ConfigDict, Field, create_model

from boards_desktop.generators.artifacts import DigitalArtifact
from boards_desktop.generators.base import GeneratorResult
from boards_desktop.generators.context import GeneratorContext
from boards_desktop.generators.errors import GeneratorError
from boards_desktop.generators.form_hints import form_hints
from boards_desktop.generators.model_catalog import slug
from boards_desktop.generators.providers.chat import (
    ChatInput,
    VisionChatInput,
    chat_body,
    is_vision_model,
    write_streamed,
)
from boards_desktop.generators.providers.remote import RemoteGenerator
from boards_desktop.providers.chat_stream import refusal, stream_chat
from boards_desktop.providers.openai import OpenAIProvider
from boards_desktop.providers.openai_compatible import WHERE, OpenAICompatibleProvider
from boards_desktop.providers.openai_endpoints import endpoint_group

IMAGES_TIMEOUT = httpx.Timeout(600.0, connect=5.0)  # a local diffusion model on a slow card


class _EndpointGenerator(RemoteGenerator):
    provider = "openai-compatible"
    rerun_safe = True  # the artist's own server: running it again costs nothing
    timeout_seconds = 1800.0
    endpoint_name: ClassVar[str]
    endpoint_slug: ClassVar[str]
    service: OpenAICompatibleProvider

    @property
    def concurrency_group(self) -> str:
        # Each endpoint is its own engine with its own limit of jobs at once (Settings › Local engines).
        return endpoint_group(self.endpoint_slug)

    def _reason(self, model: str | None) -> str | None:
        return self.service.endpoint_reason(self.endpoint_name, model)

    async def refresh_availability(self) -> None:
        await self.service.refresh_endpoint(self.endpoint_name)

    def _where(self) -> tuple[str, str | None]:
        endpoint = self.service.endpoint(self.endpoint_name)
        if endpoint is None:
            raise GeneratorError(f"the endpoint {self.endpoint_name!r} is no longer in Settings; add it again there")
        return endpoint.url, self.service.key_of(endpoint)


class EndpointChatGenerator(_EndpointGenerator):
    artifact_type = "text"
    icon = "text"
    model: ClassVar[str]
    input_model: ClassVar[type[BaseModel]]

    @classmethod
    def define(
        cls, service: OpenAICompatibleProvider, endpoint: str, endpoint_slug: str, model: str
    ) -> EndpointChatGenerator:
        attributes = {
            "name": f"chat/{endpoint_slug}/{model}",
            "display_name": f"{model} ({endpoint})",
            "description": f"Text written by {model} on {endpoint}, streamed as it writes."
            + (" It can look at an image too." if is_vision_model(model) else ""),
            "endpoint_name": endpoint,
            "endpoint_slug": endpoint_slug,
            "model": model,
            "input_model": VisionChatInput if is_vision_model(model) else ChatInput,
        }
        defined = cast(type[EndpointChatGenerator], type(f"Chat_{slug(endpoint)}_{slug(model)}", (cls,), attributes))
        return defined(service)

    def get_input_schema(self) -> type[BaseModel]:
        return self.input_model

    def availability(self) -> str | None:
        return self._reason(self.model)

    async def generate(self, inputs: BaseModel, context: GeneratorContext) -> GeneratorResult:
        assert isinstance(inputs, ChatInput)
        url, key = self._where()
        body = await chat_body(self.model, inputs, context)
        pieces = stream_chat(context.http, url, body, label=self.endpoint_name, key=key, where=WHERE)
        text = await write_streamed(pieces, context, who=self.model, limit=inputs.max_tokens)
        return GeneratorResult(outputs=[await context.store_text_result(text)])


class EndpointImageGenerator(_EndpointGenerator):
    artifact_type = "image"
    input_model: ClassVar[type[BaseModel]]

    @classmethod
    def define(
        cls, service: OpenAICompatibleProvider, endpoint: str, endpoint_slug: str, models: tuple[str, ...]
    ) -> EndpointImageGenerator:
        choices: Any = Literal[models]  # the endpoint's own model ids
        sizes: Any = Literal["256x256", "512x512", "768x768", "1024x1024"]
        input_model = create_model(
            f"Images_{slug(endpoint)}",
            __config__=ConfigDict(extra="forbid"),
            prompt=(
                str,
                Field(..., min_length=1, max_length=10_000, title="Prompt", description="What the image shows."),
            ),
            model=(choices, Field(models[0], title="Model", description=f"One of the models {endpoint} lists.")),
            size=(sizes, Field("512x512", title="Size", description="Width by height in pixels.")),
            n=(int, Field(1, ge=1, le=4, title="Number of images", description="Each one is a generation of its own.")),
        )
        attributes = {
            "name": f"images/{endpoint_slug}",
            "display_name": f"Image ({endpoint})",
            "description": f"An image from your words, made by {endpoint}'s images API.",
            "endpoint_name": endpoint,
            "endpoint_slug": endpoint_slug,
            "input_model": input_model,
        }
        defined = cast(type[EndpointImageGenerator], type(f"Images_{slug(endpoint)}", (cls,), attributes))
        return defined(service)

    def get_input_schema(self) -> type[BaseModel]:
        return self.input_model

    def availability(self) -> str | None:
        reason = self._reason(None)
        endpoint = self.service.endpoint(self.endpoint_name)
        if reason is None and endpoint is not None and not endpoint.images:
            return f"{self.endpoint_name} no longer offers the images API"
        return reason

    async def generate(self, inputs: BaseModel, context: GeneratorContext) -> GeneratorResult:
        url, key = self._where()
        values: dict[str, Any] = inputs.model_dump()
        body = {**values, "response_format": "b64_json"}
        await context.publish_progress(0.05, f"{self.endpoint_name} is making the image", phase="processing")
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        try:
            response = await context.http.post(
                f"{url}/images/generations", json=body, headers=headers, timeout=IMAGES_TIMEOUT
            )
        except httpx.ConnectError:
            raise GeneratorError(
                f"{self.endpoint_name} does not answer at {url}: start it, or check its address in {WHERE}"
            ) from None
        except httpx.HTTPError as exc:
            raise GeneratorError(
                f"{self.endpoint_name} did not finish the image ({type(exc).__name__}); try again"
            ) from None
        if response.status_code >= 400:
            raise GeneratorError(refusal(response, label=self.endpoint_name, model=str(values["model"]), where=WHERE))
        artifacts: list[DigitalArtifact] = []
        for index, item in enumerate(_images(response, self.endpoint_name)):
            artifacts.append(await context.store_image_result(item, "png", output_index=index))
        return GeneratorResult(outputs=artifacts)


def _images(response: httpx.Response, who: str) -> list[str | bytes]:
    try:
        data = response.json().get("data")
    except (ValueError, AttributeError):
        data = None
    found: list[str | bytes] = []
    for item in data if isinstance(data, list) else []:
        if not isinstance(item, dict):
            continue
        if item.get("b64_json"):
            try:
                found.append(base64.b64decode(item["b64_json"], validate=True))
            except (binascii.Error, ValueError):
                raise GeneratorError(f"{who} sent an image that is not valid base64; try again") from None
        elif item.get("url"):
            found.append(str(item["url"]))
    if not found:
        raise GeneratorError(f"{who} answered without any image; try again")
    return found


OpenAIChatModel = Literal["gpt-4.1-mini", "gpt-4.1", "gpt-4o-mini", "gpt-4o"]


class OpenAITextInput(VisionChatInput):
    model: OpenAIChatModel = Field(
        "gpt-4.1-mini",
        title="Model",
        description="The smaller models are quicker and cheaper; all of them can look at an image.",
        json_schema_extra=form_hints(
            labels={
                "gpt-4.1-mini": "GPT-4.1 mini",
                "gpt-4.1": "GPT-4.1",
                "gpt-4o-mini": "GPT-4o mini",
                "gpt-4o": "GPT-4o",
            }
        ),
    )


class OpenAITextGenerator(RemoteGenerator):
    name = "openai-text"
    display_name = "OpenAI text"
    artifact_type = "text"
    icon = "text"
    description = "Text written by OpenAI's GPT models, streamed as it writes; it can look at an image too."
    provider = "openai"
    timeout_seconds = 900.0
    rerun_safe = False  # paid for: an interrupted one is not run again behind the artist's back
    service: OpenAIProvider

    def get_input_schema(self) -> type[BaseModel]:
        return OpenAITextInput

    async def generate(self, inputs: BaseModel, context: GeneratorContext) -> GeneratorResult:
        assert isinstance(inputs, OpenAITextInput)
        key = self.service.api_key()
        if not key:
            raise GeneratorError(self.service.availability() or "no OpenAI key: add it in Settings")
        body = await chat_body(inputs.model, inputs, context)
        pieces = stream_chat(context.http, self.service.base_url, body, label="OpenAI", key=key)
        text = await write_streamed(pieces, context, who=inputs.model, limit=inputs.max_tokens)
        return GeneratorResult(outputs=[await context.store_text_result(text)])
