"""`sdwebui/text-to-image` and `sdwebui/image-to-image`: the Stable Diffusion WebUI's two modes as generators.

Their choices (checkpoint, sampler, scheduler, upscaler) are the engine's own, read from it
(boards_desktop.providers.sd_webui): the input model is built anew when they change, so the picker
offers what the WebUI has now. Each field left empty is the WebUI's own default (its loaded
checkpoint, its default sampler), and a seed left empty is chosen by the WebUI: the seed it used
is kept in the image's `outputMetadata.parameters`, with the rest of how it was made.

A batch of several images makes sibling generations. The WebUI is free and local, so a job that
never reached it simply runs again after a restart (`rerun_safe`); one that did cannot be
collected (the WebUI answers only the request that asked) and ends saying so (`resume`).
"""

from __future__ import annotations

import asyncio
import base64
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, create_model

from boards_desktop.generators.artifacts import DigitalArtifact, ImageArtifact
from boards_desktop.generators.base import GeneratorResult
from boards_desktop.generators.context import GeneratorContext
from boards_desktop.generators.errors import GeneratorError
from boards_desktop.generators.form_hints import form_hints
from boards_desktop.generators.providers.remote import RemoteGenerator
from boards_desktop.providers.sd_webui import DROPPED, RESTARTED, Choices, SDWebUIProvider

# What of the WebUI's `info` is kept per image (the rest is large, or about the whole batch).
_KEPT_INFO = (
    "sd_model_name",
    "sd_model_hash",
    "sampler_name",
    "scheduler",
    "steps",
    "cfg_scale",
    "width",
    "height",
    "denoising_strength",
    "clip_skip",
    "negative_prompt",
    "subseed",
    "subseed_strength",
    "seed_resize_from_w",
    "seed_resize_from_h",
)


class _Common(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prompt: str = Field(..., min_length=1, max_length=20000, title="Prompt", description="What the image shows.")
    negative_prompt: str = Field("", max_length=20000, title="Negative prompt", description="What to keep out.")
    steps: int = Field(20, ge=1, le=150, title="Steps", description="More steps: more detail, more time.")
    cfg_scale: float = Field(
        7.0, ge=1.0, le=30.0, title="Guidance (CFG)", description="How closely the image follows the prompt."
    )
    seed: int | None = Field(
        None,
        ge=0,
        le=2**32 - 1,
        title="Seed",
        description="The same seed and settings make the same image; empty: a new one.",
    )
    batch_size: int = Field(
        1, ge=1, le=8, title="Number of images", description="Each one is a generation of its own on the board."
    )


class _TextToImage(_Common):
    width: int = Field(512, ge=64, le=2048, multiple_of=8, title="Width", json_schema_extra=form_hints(unit="px"))
    height: int = Field(512, ge=64, le=2048, multiple_of=8, title="Height", json_schema_extra=form_hints(unit="px"))
    upscale_by: float = Field(
        2.0,
        ge=1.0,
        le=4.0,
        title="Upscale by",
        description="The size the upscaler takes the image to, then refines it (the WebUI's hires fix).",
        json_schema_extra=form_hints(unit="×", visible_when={"upscaler": True}),
    )
    upscale_denoising: float = Field(
        0.5,
        ge=0.0,
        le=1.0,
        title="Upscale refinement",
        description="How much the refining pass after the upscale may change.",
        json_schema_extra=form_hints(visible_when={"upscaler": True}),
    )


class _ImageToImage(_Common):
    image: ImageArtifact = Field(..., title="Image", description="The picture to start from.")
    mask: ImageArtifact | None = Field(
        None, title="Mask", description="Optional: white where the image may change, black where it stays."
    )
    denoising_strength: float = Field(
        0.6, ge=0.0, le=1.0, title="Strength", description="How much of the image changes: 0 none, 1 all of it."
    )
    width: int | None = Field(
        None,
        ge=64,
        le=2048,
        multiple_of=8,
        title="Width",
        description="Empty: the image's own width.",
        json_schema_extra=form_hints(unit="px"),
    )
    height: int | None = Field(
        None,
        ge=64,
        le=2048,
        multiple_of=8,
        title="Height",
        description="Empty: the image's own height.",
        json_schema_extra=form_hints(unit="px"),
    )
    mask_blur: int = Field(
        4,
        ge=0,
        le=64,
        title="Mask blur",
        description="How softly the changed part blends in.",
        json_schema_extra=form_hints(unit="px", visible_when={"mask": True}),
    )
    only_masked: bool = Field(
        False,
        title="Only the masked area",
        description="Work on the masked part at full size, then paste it back.",
        json_schema_extra=form_hints(visible_when={"mask": True}),
    )


def _choice(options: dict[str, str], title: str, description: str) -> Any:
    """An optional field offering `options` (value -> label); empty: the WebUI's own default."""
    extra: dict[str, Any] = {"enum": list(options)} if options else {}
    labels = {value: label for value, label in options.items() if label != value}
    if labels:
        extra.update(form_hints(labels=labels))
    return (str | None, Field(None, title=title, description=description, json_schema_extra=extra or None))


def input_model(
    base: type[BaseModel], choices: Choices, *, upscalers: bool, order: tuple[str, ...] = ()
) -> type[BaseModel]:
    """`base` with the engine's choices as fields (offered as lists once they have been read)."""
    fields: dict[str, Any] = {
        "checkpoint": _choice(choices.checkpoints, "Checkpoint", "The model; empty: the one the WebUI has loaded."),
        "sampler": _choice({name: name for name in choices.samplers}, "Sampler", "Empty: the WebUI's default."),
    }
    if choices.schedulers or not choices.read_at:
        fields["scheduler"] = _choice(choices.schedulers, "Scheduler", "Empty: the sampler's own (Automatic).")
    if upscalers:
        fields["upscaler"] = _choice(
            {name: name for name in choices.upscalers if name != "None"},
            "Upscaler",
            "Optional: make the image larger with this upscaler, then refine it.",
        )
    every = {name: (info.annotation, info) for name, info in base.model_fields.items()} | fields
    # The form's order: as in the WebUI's own page (the words, the model, the sampling, the size).
    ordered = {name: every.pop(name) for name in order if name in every} | every
    model: type[BaseModel] = create_model(base.__name__.strip("_"), __config__=ConfigDict(extra="forbid"), **ordered)
    return model


class _SDWebUI(RemoteGenerator):
    provider = "sdwebui"
    artifact_type = "image"
    timeout_seconds = 3600.0  # a large batch, or a long wait behind the artist's own work in the WebUI
    rerun_safe = True  # local and free: a job that never reached the WebUI runs again after a restart
    service: SDWebUIProvider
    mode: ClassVar[str]
    base_model: ClassVar[type[BaseModel]]
    upscalers: ClassVar[bool] = False
    order: ClassVar[tuple[str, ...]] = ()

    def __init__(self, service: SDWebUIProvider) -> None:
        super().__init__(service)
        self._model: tuple[Choices, type[BaseModel]] | None = None

    def get_input_schema(self) -> type[BaseModel]:
        service = getattr(self, "service", None)  # a listing of classes has none: then no choices yet
        choices = service.choices if isinstance(service, SDWebUIProvider) else Choices()
        if getattr(self, "_model", None) is None or self._model is None or self._model[0] is not choices:
            model = input_model(self.base_model, choices, upscalers=self.upscalers, order=self.order)
            self._model = (choices, model)
        return self._model[1]

    async def generate(self, inputs: BaseModel, context: GeneratorContext) -> GeneratorResult:
        if context.external_job_id:
            # An earlier attempt of this run sent it; if the WebUI has it, its answer is lost.
            state = await self.service.task_state(context.external_job_id)
            if state.known:
                raise GeneratorError(await self.service.settle(context.external_job_id, DROPPED))
        self._check_choices(inputs)
        payload = await self.payload(inputs, context)
        output = await self.follow(self.service.run(self.mode, payload), context)
        return await self._store(output, inputs, context)

    async def resume(self, external_job_id: str, context: GeneratorContext) -> GeneratorResult:
        raise GeneratorError(await self.service.settle(external_job_id, RESTARTED))

    async def cancel(self, external_job_id: str) -> None:
        await self.service.cancel_task(external_job_id)

    async def payload(self, inputs: BaseModel, context: GeneratorContext) -> dict[str, Any]:
        values = inputs.model_dump()
        payload: dict[str, Any] = {
            "prompt": values["prompt"],
            "negative_prompt": values["negative_prompt"],
            "steps": values["steps"],
            "cfg_scale": values["cfg_scale"],
            "seed": values["seed"] if values["seed"] is not None else -1,
            "batch_size": values["batch_size"],
            "n_iter": 1,
            "save_images": False,  # the app keeps the images; the WebUI's outputs folder need not
        }
        if values.get("sampler"):
            payload["sampler_name"] = values["sampler"]
        if values.get("scheduler"):
            payload["scheduler"] = values["scheduler"]
        if values.get("checkpoint"):
            payload["override_settings"] = {"sd_model_checkpoint": values["checkpoint"]}
            payload["override_settings_restore_afterwards"] = False  # reloading the old one costs a minute
        return payload

    def _check_choices(self, inputs: BaseModel) -> None:
        """A sampler or upscaler the WebUI does not have (any more): said before sending, with what it has."""
        choices = self.service.choices
        values = inputs.model_dump()
        offered = {
            "sampler": choices.samplers,
            "scheduler": list(choices.schedulers),
            "upscaler": choices.upscalers,
        }
        for field, options in offered.items():
            chosen = values.get(field)
            if chosen and options and chosen not in options:
                raise GeneratorError(
                    f"{field}: the WebUI has no {field} {chosen!r}; choose one of {', '.join(options)}"
                )

    async def _store(self, output: dict[str, Any], inputs: BaseModel, context: GeneratorContext) -> GeneratorResult:
        images = output.get("images") or []
        if not images:
            raise GeneratorError("the WebUI finished but sent no image back; see the WebUI's console")
        info = output.get("info") or {}
        artifacts: list[DigitalArtifact] = []
        for index, encoded in enumerate(images):
            counted = f" {index + 1} of {len(images)}" if len(images) > 1 else ""
            await context.publish_progress(0.95, f"keeping the image{counted}", phase="finalizing")
            data = await asyncio.to_thread(base64.b64decode, encoded.split(",", 1)[-1])
            artifacts.append(await context.store_image_result(data, "png", output_index=index))
            context.add_output_metadata(index, {"parameters": _parameters(info, index)})
        return GeneratorResult(outputs=artifacts)


def _parameters(info: dict[str, Any], index: int) -> dict[str, Any]:
    """How image `index` of the batch was made, as the WebUI says: its own seed and prompt included."""
    kept: dict[str, Any] = {"engine": "Stable Diffusion WebUI"}
    kept.update({key: info[key] for key in _KEPT_INFO if info.get(key) not in (None, "")})
    for key, plural in (("seed", "all_seeds"), ("prompt", "all_prompts"), ("subseed", "all_subseeds")):
        many = info.get(plural)
        if isinstance(many, list) and index < len(many):
            kept[key] = many[index]
        elif info.get(key) is not None:
            kept[key] = info[key] + index if key == "seed" and isinstance(info[key], int) else info[key]
    texts = info.get("infotexts")
    if isinstance(texts, list) and index < len(texts):
        kept["infotext"] = texts[index]  # the WebUI's own line, which its PNG Info tab reads back
    return kept


class SDWebUITextToImage(_SDWebUI):
    name = "sdwebui/text-to-image"
    display_name = "WebUI text to image"
    description = "An image from your words, made by the Stable Diffusion WebUI on this computer."
    mode = "txt2img"
    base_model = _TextToImage
    upscalers = True
    order = (
        "prompt",
        "negative_prompt",
        "checkpoint",
        "sampler",
        "scheduler",
        "steps",
        "cfg_scale",
        "width",
        "height",
        "seed",
        "batch_size",
        "upscaler",
        "upscale_by",
        "upscale_denoising",
    )

    async def payload(self, inputs: BaseModel, context: GeneratorContext) -> dict[str, Any]:
        payload = await super().payload(inputs, context)
        values = inputs.model_dump()
        payload.update(width=values["width"], height=values["height"])
        if values.get("upscaler"):
            payload.update(
                enable_hr=True,
                hr_upscaler=values["upscaler"],
                hr_scale=values["upscale_by"],
                denoising_strength=values["upscale_denoising"],
            )
        return payload


class SDWebUIImageToImage(_SDWebUI):
    name = "sdwebui/image-to-image"
    display_name = "WebUI image to image"
    icon = "edit"
    description = (
        "Your image changed as you describe (only where a mask says, if you give one), by the Stable Diffusion WebUI."
    )
    mode = "img2img"
    base_model = _ImageToImage
    order = (
        "image",
        "mask",
        "prompt",
        "negative_prompt",
        "denoising_strength",
        "checkpoint",
        "sampler",
        "scheduler",
        "steps",
        "cfg_scale",
        "width",
        "height",
        "seed",
        "batch_size",
        "mask_blur",
        "only_masked",
    )

    async def payload(self, inputs: BaseModel, context: GeneratorContext) -> dict[str, Any]:
        payload = await super().payload(inputs, context)
        values = dict(inputs)  # the fields as they are (the artifacts stay models)
        image: ImageArtifact = values["image"]
        mask: ImageArtifact | None = values["mask"]
        await context.publish_progress(0.01, "reading the input image", phase="initializing")
        payload["init_images"] = [await _encoded(image, context)]
        payload["denoising_strength"] = values["denoising_strength"]
        payload["width"] = values["width"] or _multiple_of_8(image.width) or 512
        payload["height"] = values["height"] or _multiple_of_8(image.height) or 512
        if mask is not None:
            payload["mask"] = await _encoded(mask, context)
            payload["mask_blur"] = values["mask_blur"]
            payload["inpaint_full_res"] = values["only_masked"]
            payload["inpainting_fill"] = 1  # start from the original picture under the mask
        return payload


async def _encoded(artifact: ImageArtifact, context: GeneratorContext) -> str:
    path = await context.resolve_artifact(artifact)
    data = await asyncio.to_thread(path.read_bytes)
    return base64.b64encode(data).decode("ascii")


def _multiple_of_8(size: int | None) -> int | None:
    if not size:
        return None
    return max(64, min(2048, round(size / 8) * 8))


SD_WEBUI_GENERATORS: list[type[RemoteGenerator]] = [SDWebUITextToImage, SDWebUIImageToImage]
