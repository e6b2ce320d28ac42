"""Queuing generations: every request checked first, then all stored in one transaction, or none.

Shared by `createGeneration` and `createGenerations`. A batch is what a client sends for "four
variations" or "run these again": one request and one transaction instead of one each, and the
same checks for every item; the first bad item is named by its index and nothing is queued.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from functools import partial
from typing import TypeVar

from sqlalchemy.exc import IntegrityError

from boards_desktop.db.queries import boards as board_queries
from boards_desktop.db.queries import generations as generation_queries
from boards_desktop.db.queries.records import BoardRecord, GenerationRecord
from boards_desktop.generators.registry import availability_of
from boards_desktop.graphql import validation
from boards_desktop.graphql.context import RequestContext
from boards_desktop.graphql.errors import bad_input, disk_full, not_found
from boards_desktop.graphql.inputs import CreateGenerationInput
from boards_desktop.jobs.events import GenerationEvent
from boards_desktop.jobs.inputs import InputError, TextReader, check_request
from boards_desktop.media.disk_space import is_disk_full
from boards_desktop.media.uploads import refuse_when_disk_full
from boards_desktop.services import Services

_T = TypeVar("_T")

MAX_BATCH = 100


async def queue_generations(
    ctx: RequestContext, requests: Sequence[CreateGenerationInput], *, batch: bool
) -> list[GenerationRecord]:
    """Check and store the requests (all or none), then announce them and wake the job runner."""
    if batch and not 1 <= len(requests) <= MAX_BATCH:
        raise bad_input(f"inputs holds {len(requests)} generations; send between 1 and {MAX_BATCH}")
    found = await _boards(ctx, {request.board_id for request in requests})
    boards: dict[object, BoardRecord] = {}
    prepared = []
    for index, request in enumerate(requests):
        where = f"inputs[{index}]." if batch else ""
        name = _named(where, partial(validation.generator_name, request.generator_name))
        params = _named(where, partial(validation.json_object, request.input_params, "inputParams"))
        if request.board_id not in boards:
            board = found.get(request.board_id)
            if board is None or board.tenant_id != ctx.actor.tenant_id:
                raise not_found(f"Board {request.board_id} not found; it may have been deleted")
            await ctx.permissions.require(board, "editor", "create generations")
            boards[request.board_id] = board
        prepared.append(
            (where, boards[request.board_id], name, params, request.artifact_type.value, request.prompt_from)
        )
    services = ctx.services
    refuse_when_disk_full(services)  # a job accepted now would only fail for want of room
    if services.keys is not None:
        await services.keys.ready()  # just after start-up: a key in the keyring is not missing
    await _recheck_unavailable(services, {name for _, _, name, _, _, _ in prepared})
    rows: list[GenerationRecord] = []
    try:
        async with ctx.sessions.write() as session:
            for where, board, name, params, artifact_type, prompt_from in prepared:
                try:
                    checked = await check_request(
                        session,
                        ctx.actor,
                        services.generators,
                        generator_name=name,
                        artifact_type=artifact_type,
                        input_params=params,
                        read_text=text_reader(services),
                        prompt_from=prompt_from,
                    )
                except InputError as exc:
                    raise bad_input(f"{where}{exc}") from None
                rows.append(
                    await generation_queries.insert_generation(
                        session,
                        tenant_id=board.tenant_id,
                        board_id=board.id,
                        user_id=ctx.actor.user_id,
                        generator_name=name,
                        artifact_type=artifact_type,
                        input_params=checked.input_params,
                        input_artifacts=checked.input_artifacts,
                        media_storage=services.jobs.media_storage,
                    )
                )
    except IntegrityError:
        raise not_found(
            "A board or an input generation was deleted while the generation was being created; nothing was queued"
        ) from None
    except Exception as exc:
        if is_disk_full(exc):  # the transaction was rolled back: nothing was queued
            raise disk_full(services.settings.data_dir) from None
        raise
    for row in rows:
        await announce(ctx, row)
    return rows


async def _boards(ctx: RequestContext, board_ids: set[uuid.UUID]) -> dict[uuid.UUID, BoardRecord]:
    """The boards, in one read whose connection goes back at once.

    Not through the request's loader: a loader answers in a task of its own, a turn of the loop
    later, and meanwhile every other request of a burst opened a read connection of its own (on
    SQLite, each beyond the few kept open was a new connection, its settings made again).
    """
    async with ctx.sessions.read() as session:
        found = await board_queries.boards_by_ids(session, sorted(board_ids))
    await ctx.sessions.close()
    for board_id, board in found.items():
        ctx.loaders.boards.prime(board_id, board)  # a later field of the answer reads it from there
    return found


async def announce(ctx: RequestContext, row: GenerationRecord) -> None:
    """Tell the board's viewers, and wake the job runner (other app processes wake on the event)."""
    services = ctx.services
    await services.events.publish(GenerationEvent.from_write(row))
    generator = services.generators.get(row.generator_name)
    services.jobs.wake(generator.provider if generator is not None else None)


async def _recheck_unavailable(services: Services, names: set[str]) -> None:
    """An engine found down a while ago may be up now: check again before refusing (a few seconds at most)."""
    providers = {
        generator.provider
        for name in names
        if (generator := services.generators.get(name)) is not None and availability_of(generator) is not None
    }
    for provider in providers:
        if services.providers is not None:
            await services.providers.refresh(provider)


def text_reader(services: Services) -> TextReader:
    def read_text(storage_url: str | None) -> str:
        return services.media.read_text(storage_url)

    return read_text


def _named(where: str, check: Callable[[], _T]) -> _T:
    """Run a check; in a batch, its error names the item it is about."""
    try:
        return check()
    except Exception as exc:
        if where and hasattr(exc, "message"):
            exc.message = f"{where}{exc.message}"
            exc.args = (exc.message,)
        raise
