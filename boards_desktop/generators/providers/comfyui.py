"""`comfyui/<name>`: a ComfyUI workflow (boards_desktop.generators.providers.comfyui_workflows) as a generator.

A run fills the workflow's graph with the artist's inputs (each input image uploaded to ComfyUI
first, a seed chosen when none is given), submits it, follows it over ComfyUI's WebSocket, and
fetches the images it saved into the media store (several images: sibling generations).

ComfyUI runs on the artist's own machine, at no charge, so a job interrupted before ComfyUI took it
may simply run again (`rerun_safe`); once ComfyUI has it, its prompt id is saved and a restart
follows that prompt instead of sending a second one (`resume`). A job can wait long in ComfyUI's
own queue behind other work, hence the generous timeout.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
from pathlib import Path
from typing import Any, ClassVar, cast

from pydantic import BaseModel

from boards_desktop.generators.artifacts import DigitalArtifact, ImageArtifact
from boards_desktop.generators.base import GeneratorResult
from boards_desktop.generators.context import GeneratorContext
from boards_desktop.generators.errors import GeneratorError
from boards_desktop.generators.model_catalog import slug
from boards_desktop.generators.providers.comfyui_workflows import Workflow
from boards_desktop.generators.providers.remote import RemoteGenerator
from boards_desktop.providers.comfyui import ComfyUIProvider

MAX_RANDOM_SEED = 2**53 - 1  # chosen seeds stay exact in JavaScript, where the UI shows them
_CONTENT_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp"}
_FORMATS = {"jpg": "jpeg"}


class ComfyUIWorkflowGenerator(RemoteGenerator):
    provider = "comfyui"
    artifact_type = "image"
    timeout_seconds = 3600.0
    rerun_safe = True
    workflow: ClassVar[Workflow]
    input_model: ClassVar[type[BaseModel]]
    service: ComfyUIProvider

    @classmethod
    def define(cls, service: ComfyUIProvider, workflow: Workflow) -> ComfyUIWorkflowGenerator:
        attributes = {
            "name": workflow.generator_name,
            "description": workflow.description,
            "display_name": workflow.title,
            "workflow": workflow,
            "input_model": workflow.input_model(),
        }
        generator_class = cast(
            type[ComfyUIWorkflowGenerator], type(f"{cls.__name__}_{slug(workflow.name)}", (cls,), attributes)
        )
        return generator_class(service)

    def get_input_schema(self) -> type[BaseModel]:
        return self.input_model

    async def generate(self, inputs: BaseModel, context: GeneratorContext) -> GeneratorResult:
        if context.external_job_id:  # an earlier attempt of this run got it into ComfyUI
            return await self.resume(context.external_job_id, context)
        values: dict[str, Any] = {slot.name: getattr(inputs, slot.name) for slot in self.workflow.slots}
        for slot in self.workflow.image_slots():
            if values[slot.name] is not None:
                await context.publish_progress(0.02, f"sending the image {slot.name} to ComfyUI", phase="initializing")
                values[slot.name] = await self._upload(values[slot.name], context)
        seed = self.workflow.seed_slot()
        if seed is not None and values[seed.name] is None:
            values[seed.name] = random.randint(0, MAX_RANDOM_SEED)
            await context.publish_progress(0.02, f"seed {values[seed.name]}", phase="initializing")
        graph = self.workflow.graph_for(values)
        statuses = self.service.run_workflow(graph, fields=self.workflow.field_names())
        return await self._store(await self.follow(statuses, context), context)

    async def resume(self, external_job_id: str, context: GeneratorContext) -> GeneratorResult:
        output = await self.follow(self.service.watch_prompt(external_job_id), context)
        return await self._store(output, context)

    async def cancel(self, external_job_id: str) -> None:
        await self.service.cancel_prompt(external_job_id)

    async def _upload(self, artifact: ImageArtifact, context: GeneratorContext) -> str:
        path = await context.resolve_artifact(artifact)
        data = await asyncio.to_thread(path.read_bytes)
        # Named by content: the same image sent again replaces itself instead of piling up.
        suffix = path.suffix.lower() if path.suffix.lower() in _CONTENT_TYPES else f".{artifact.format or 'png'}"
        name = f"{hashlib.sha256(data).hexdigest()[:24]}{suffix}"
        return await self.service.upload_image(data, name, _CONTENT_TYPES.get(suffix, "application/octet-stream"))

    async def _store(self, output: dict[str, Any], context: GeneratorContext) -> GeneratorResult:
        images = self._results(output.get("images") or [])
        if not images:
            where = f" (nodes {', '.join(self.workflow.outputs)})" if self.workflow.outputs else ""
            raise GeneratorError(
                f"ComfyUI finished the workflow but it saved no image{where}; it needs a Save Image node"
            )
        artifacts: list[DigitalArtifact] = []
        for index, image in enumerate(images):
            counted = f" {index + 1} of {len(images)}" if len(images) > 1 else ""
            await context.publish_progress(0.96, f"fetching the image{counted} from ComfyUI", phase="finalizing")
            data = await self.service.fetch_output(image)
            artifacts.append(await context.store_image_result(data, _format_of(image), output_index=index))
        return GeneratorResult(outputs=artifacts)

    def _results(self, images: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The images that are the results: of the mapping's output nodes, else those ComfyUI saved."""
        if self.workflow.outputs:
            order = {node: index for index, node in enumerate(self.workflow.outputs)}
            chosen = [image for image in images if image.get("node") in order]
            return sorted(chosen, key=lambda image: order[image["node"]])
        return [image for image in images if image.get("type", "output") == "output"]


def _format_of(image: dict[str, Any]) -> str:
    extension = Path(str(image.get("filename", ""))).suffix.lower().lstrip(".") or "png"
    return _FORMATS.get(extension, extension)
