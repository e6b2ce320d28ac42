"""createGeneration, regenerate, cancelGeneration, deleteGeneration, uploadArtifact.

A generation is checked, stored `pending` and announced; running it is the job runner's work
(boards_desktop.jobs), woken at once.
"""

from __future__ import annotations

import uuid

import strawberry
from sqlalchemy.exc import IntegrityError

from boards_desktop.db.queries import generations as generation_queries
from boards_desktop.db.queries import lineage as lineage_queries
from boards_desktop.db.queries.records import GenerationRecord
from boards_desktop.generators.seeds import SEED_FIELD, new_seed
from boards_desktop.graphql.context import RequestContext, context_of
from boards_desktop.graphql.errors import bad_input, conflict, not_found
from boards_desktop.graphql.inputs import CreateGenerationInput, UploadArtifactInput
from boards_desktop.graphql.mutations.common import existing_generation
from boards_desktop.graphql.mutations.queueing import announce, queue_generations
from boards_desktop.graphql.trash import move_to_trash
from boards_desktop.graphql.types.generations import Generation
from boards_desktop.jobs.events import GenerationEvent
from boards_desktop.media.uploads import refuse_when_disk_full, upload_from_url


@strawberry.type
class GenerationMutations:
    @strawberry.mutation(
        description="Queue a generation on a board (editor or above). The inputs are checked against the "
        "generator's model first: bad input is refused with the field named, and nothing is queued."
    )
    async def create_generation(self, info: strawberry.Info, input: CreateGenerationInput) -> Generation:
        ctx = context_of(info)
        (row,) = await queue_generations(ctx, [input], batch=False)
        return _created(ctx, row)

    @strawberry.mutation(
        description="Queue several generations in one request (up to 100; editor or above on each board). "
        "All are checked first and stored together: one bad item is named by its index and nothing is queued."
    )
    async def create_generations(self, info: strawberry.Info, inputs: list[CreateGenerationInput]) -> list[Generation]:
        ctx = context_of(info)
        rows = await queue_generations(ctx, inputs, batch=True)
        return [_created(ctx, row) for row in rows]

    @strawberry.mutation(
        description="Queue a new generation with the same generator, type, params and inputs; with `newSeed`, "
        "a new random `seed` (only for generators that have a seed input)."
    )
    async def regenerate(self, info: strawberry.Info, id: uuid.UUID, new_seed: bool = False) -> Generation:
        return await _regenerate(context_of(info), id, new_seed=new_seed)

    @strawberry.mutation(description="The same as regenerate, under the name upstream's front end calls.")
    async def retry_generation(self, info: strawberry.Info, id: uuid.UUID) -> Generation:
        return await _regenerate(context_of(info), id)

    @strawberry.mutation(description="Stop a pending or processing generation. A finished one stays as it is.")
    async def cancel_generation(self, info: strawberry.Info, id: uuid.UUID) -> Generation:
        ctx = context_of(info)
        generation, board = await existing_generation(ctx, id)
        await ctx.permissions.require_generation_control(board, generation, "cancel generations")
        async with ctx.sessions.write() as session:
            row = await generation_queries.cancel_generation(session, id)
            current = row or await generation_queries.get_generation(session, id)
        if current is None:
            raise not_found(f"Generation {id} not found; it may have been deleted")
        if row is None:
            raise conflict(f"Generation is already {current.status}; only pending or processing ones can be cancelled")
        # Watchers see it at once, and the job runner that holds it (in any app process) stops it.
        await ctx.services.events.publish(GenerationEvent.from_write(row))
        ctx.loaders.remember_generation(row)
        return Generation.from_row(row, ctx)

    @strawberry.mutation(
        description="Delete a generation (your own as editor or admin, any as owner). It moves to the trash: gone "
        "from every list, count and lookup, restorable with restoreGenerations until the trash is emptied."
    )
    async def delete_generation(self, info: strawberry.Info, id: uuid.UUID) -> bool:
        ctx = context_of(info)
        generation, board = await existing_generation(ctx, id)
        await ctx.permissions.require_generation_control(board, generation, "delete generations")
        if not await move_to_trash(ctx, [id]):
            raise not_found(f"Generation {id} not found; it may have been deleted")
        return True

    @strawberry.mutation(
        description="Download a file from a public http(s) URL onto a board, as a completed generation (editor or "
        "above). Addresses on this computer or its network are refused; POST a local file to /api/uploads/artifact."
    )
    async def upload_artifact(self, info: strawberry.Info, input: UploadArtifactInput) -> Generation:
        ctx = context_of(info)
        row = await upload_from_url(
            ctx,
            board_id=input.board_id,
            artifact_type=input.artifact_type.value,
            file_url=input.file_url,
            original_filename=input.original_filename,
            description=input.user_description,
            parent_generation_id=input.parent_generation_id,
        )
        return _created(ctx, row)


def _new_seed_for(ctx: RequestContext, source: GenerationRecord) -> int:
    generator = ctx.services.generators.get(source.generator_name)
    if generator is None:
        raise bad_input(
            f"newSeed: the generator {source.generator_name!r} is not installed any more; nothing was queued"
        )
    previous = source.input_params.get(SEED_FIELD) if isinstance(source.input_params, dict) else None
    seed = new_seed(generator, previous)
    if seed is None:
        raise bad_input(
            f"newSeed: {source.generator_name} has no seed input; rerun it without a new seed. Nothing was queued"
        )
    return seed


def _created(ctx: RequestContext, row: GenerationRecord) -> Generation:
    # The board's count and updated_at moved too: a nested `board` field reads its row again.
    ctx.loaders.forget_board_contents(row.board_id)
    return Generation.from_row(row, ctx)


async def _regenerate(ctx: RequestContext, id: uuid.UUID, *, new_seed: bool = False) -> Generation:
    source, board = await existing_generation(ctx, id)
    await ctx.permissions.require(board, "editor", "regenerate")
    params = source.input_params
    if new_seed:
        params = {**params, SEED_FIELD: _new_seed_for(ctx, source)}
    refuse_when_disk_full(ctx.services)
    try:
        async with ctx.sessions.write() as session:
            inputs = await lineage_queries.still_present(
                session, lineage_queries.parse_input_artifacts(source.input_artifacts)
            )
            row = await generation_queries.insert_generation(
                session,
                tenant_id=source.tenant_id,
                board_id=source.board_id,
                user_id=ctx.actor.user_id,
                generator_name=source.generator_name,
                artifact_type=source.artifact_type,
                input_params=params,
                input_artifacts=inputs,
                media_storage=ctx.services.jobs.media_storage,
            )
    except IntegrityError:
        raise not_found(f"Generation {id} or one of its inputs was deleted meanwhile; nothing was queued") from None
    await announce(ctx, row)
    return _created(ctx, row)
