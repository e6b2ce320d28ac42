"""What an upload's own metadata can be used for: its ComfyUI workflow as a generator, its WebUI settings in the form.

- `addComfyWorkflowFromGeneration(generationId, name)`: the ComfyUI API graph in the uploaded
  picture becomes the workflow generator `comfyui/<name>` (generators.providers.comfyui_from_file
  derives its mapping; the catalog stores it in the comfyui-workflows folder, where the artist's own
  workflows are, and offers it at once). Board editors only: a viewer of the board is refused.
- `webuiSettings(generationId)`: the upload's settings from the Stable Diffusion WebUI (or this app's
  own provenance of a WebUI generation) as the inputs of `sdwebui/text-to-image`, with what this WebUI
  does not offer named (generators.providers.sd_webui_settings). Null when there are none, or no
  WebUI generator here.
Both are additions to the upstream schema.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import strawberry
from strawberry.scalars import JSON

from boards_desktop.graphql.context import RequestContext, context_of
from boards_desktop.graphql.errors import bad_input, conflict, not_found
from boards_desktop.graphql.generators import generator_info
from boards_desktop.graphql.lookups import readable_generation
from boards_desktop.graphql.types.generators import GeneratorInfo
from boards_desktop.media.store import MediaKeyError

if TYPE_CHECKING:
    from boards_desktop.generators.providers.comfyui_from_file import FoundGraphs

# The generation engine's modules (Pillow, the providers) are imported when asked for, not when the
# server starts (tests/app/test_lazy_imports.py).
WEBUI_GENERATOR = "sdwebui/text-to-image"
WEBUI = "Stable Diffusion WebUI"  # media.found_metadata's names of the tools
BOARDS = "Boards Desktop"
WHERE_COMFYUI_IS_SET = (
    "ComfyUI's address is set in Settings › Local engines (or BOARDS_COMFYUI_URL before the app starts)"
)


@strawberry.type(description="A ComfyUI workflow found in a picture, now offered as a generator.")
class AddedComfyWorkflow:
    generator_name: str = strawberry.field(description="`comfyui/<name>`: the new generator.")
    generator: GeneratorInfo
    file: str = strawberry.field(description="Where its workflow file is kept (the comfyui-workflows folder).")
    input_params: JSON = strawberry.field(
        description="The picture's own values of the generator's fields (prompt, seed, ...), to fill the composer."
    )


@strawberry.type(description="An upload's WebUI settings as the inputs of the WebUI's text-to-image generator.")
class WebuiSettings:
    generator_name: str
    input_params: JSON = strawberry.field(description="The settings that fit the generator's fields now.")
    not_available: list[str] = strawberry.field(
        description='Settings this WebUI does not offer (left at their defaults), e.g. `sampler "Restart"`.'
    )


@strawberry.type
class FoundSettingsQuery:
    @strawberry.field(
        description="The upload's Stable Diffusion WebUI settings mapped onto sdwebui/text-to-image; null when it "
        "has none or the generator is not here."
    )
    async def webui_settings(self, info: strawberry.Info, generation_id: uuid.UUID) -> WebuiSettings | None:
        ctx = context_of(info)
        row = await readable_generation(ctx, generation_id)
        generator = ctx.services.generators.get(WEBUI_GENERATOR)
        if row is None or generator is None:
            return None
        params = row.input_params if isinstance(row.input_params, dict) else {}
        source = (row.output_metadata or {}).get("metadata_from")
        ours_from_webui = source == BOARDS and str(params.get("generator", "")).startswith("sdwebui/")
        if source != WEBUI and not ours_from_webui:
            return None
        from boards_desktop.generators.providers.sd_webui_settings import webui_inputs
        from boards_desktop.providers.sd_webui import SDWebUIProvider

        engine = ctx.services.providers.get(generator.provider)
        if isinstance(engine, SDWebUIProvider) and engine.choices.read_at is None:
            await ctx.services.providers.refresh(generator.provider)  # its checkpoints and samplers, read now
        mapped = webui_inputs(params, generator.get_input_schema().model_json_schema())
        return WebuiSettings(
            generator_name=generator.name, input_params=JSON(mapped.inputs), not_available=mapped.not_available
        )


@strawberry.type
class FoundSettingsMutations:
    @strawberry.mutation(
        description="Offer the ComfyUI workflow (API format) a picture carries as the generator comfyui/<name>."
    )
    async def add_comfy_workflow_from_generation(
        self, info: strawberry.Info, generation_id: uuid.UUID, name: str
    ) -> AddedComfyWorkflow:
        from boards_desktop.generators.providers.comfyui_catalog import WorkflowExists
        from boards_desktop.generators.providers.comfyui_from_file import (
            values_in_file,
            workflow_document,
            workflow_file_name,
        )
        from boards_desktop.generators.providers.comfyui_workflows import WorkflowError

        ctx = context_of(info)
        # As mutations.common.existing_generation (which this module cannot import: the mutations import it).
        row = await ctx.loaders.generations.load(generation_id)
        board = await ctx.loaders.boards.load(row.board_id) if row is not None else None
        if row is None or board is None or row.tenant_id != ctx.actor.tenant_id:
            raise not_found(f"Generation {generation_id} not found; it may have been deleted")
        await ctx.permissions.require(board, "editor", "add a workflow from its pictures")
        title = " ".join(name.split())[:80]
        file_name = workflow_file_name(title)
        if not file_name:
            raise bad_input("name: give the workflow a name with a letter or a digit, e.g. “Heron ink”")
        catalog = ctx.services.comfyui_workflows
        if not catalog.can_offer:
            raise bad_input(f"ComfyUI is not set up in this app; {WHERE_COMFYUI_IS_SET}")
        found = await _graphs_of(ctx, row)
        if found.prompt is None:
            if found.has_editor_workflow:
                raise bad_input(
                    "this picture carries only ComfyUI's editor workflow, not the API graph the app runs: open it "
                    "in ComfyUI, save an image with it (Save Image writes both), and upload that image; or use "
                    "Workflow > Export (API) and put the file in the comfyui-workflows folder"
                )
            raise bad_input("this picture carries no ComfyUI workflow")
        taken = catalog.taken(file_name)
        if taken is not None:
            raise conflict(f"{taken}; choose another name")
        await ctx.services.providers.refresh("comfyui")  # checked now: it may have started since the last check
        comfyui = ctx.services.providers.get("comfyui")
        reason = comfyui.availability() if comfyui is not None else "ComfyUI is not set up"
        if reason is not None:
            raise bad_input(f"{reason}. {WHERE_COMFYUI_IS_SET}; then add the workflow again")
        original = (row.output_metadata or {}).get("original_filename") or "an uploaded picture"
        try:
            document = workflow_document(
                found.prompt,
                title=title,
                description=f"The ComfyUI workflow that made {original}, added from its board {board.title}.",
            )
            generator = await catalog.add(file_name, document)
        except WorkflowExists as exc:
            raise conflict(f"{exc}; choose another name") from None
        except WorkflowError as exc:
            raise bad_input(f"this workflow cannot be added: {exc}") from None
        except OSError as exc:
            raise bad_input(
                f"the workflow file could not be written in {catalog.folder}: {exc.strerror or exc}"
            ) from None
        return AddedComfyWorkflow(
            generator_name=generator.name,
            generator=generator_info(generator),
            file=str(catalog.folder / f"{file_name}.json"),
            input_params=JSON(values_in_file(document)),
        )


async def _graphs_of(ctx: RequestContext, row: Any) -> FoundGraphs:
    """The ComfyUI graphs in the generation's stored file (a picture of an upload)."""
    from boards_desktop.generators.providers.comfyui_from_file import read_comfyui_graphs

    if str(row.artifact_type) != "image":
        raise bad_input("only a picture can carry a ComfyUI workflow; this is not one")
    media = ctx.services.media
    key = media.key_of_url(row.storage_url)
    try:
        path: Path | None = await media.local_file(key) if key else None
    except MediaKeyError:
        path = None
    if path is None:
        raise bad_input("this picture's file is gone, so its workflow cannot be read")
    try:
        return await asyncio.to_thread(read_comfyui_graphs, path)
    finally:
        if media.bucket is not None:  # a copy fetched from the team's bucket
            await asyncio.to_thread(path.unlink, missing_ok=True)
