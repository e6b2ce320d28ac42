"""A generation request checked before it is queued, and its inputs rebuilt when it runs.

Upstream validated nothing until a worker ran the job. Here `check_request` does it all up front
(the generator exists and makes this artifact type, the params fit its pydantic model, every
referenced artifact exists, is completed, has the right type and is readable by the caller), so
bad input is refused with the field named, and nothing is stored.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from boards_desktop.db.models import Board, Generation
from boards_desktop.db.queries.access import readable_boards_clause
from boards_desktop.db.queries.lineage import InputArtifact
from boards_desktop.db.queries.users import Actor
from boards_desktop.generators.artifacts import ARTIFACT_CLASSES, DigitalArtifact
from boards_desktop.generators.base import BaseGenerator
from boards_desktop.generators.input_slots import ArtifactSlot, artifact_slots
from boards_desktop.generators.registry import GeneratorRegistry, availability_of

TextReader = Callable[[str | None], str]  # the content of a stored text result, by its storage URL


class InputError(ValueError):
    """Bad input; the message names the field and says what to send instead."""


@dataclass(frozen=True)
class CheckedRequest:
    generator: BaseGenerator
    input_params: dict[str, Any]  # as sent: artifact slots hold generation ids
    input_artifacts: list[InputArtifact]


async def check_request(
    session: AsyncSession,
    actor: Actor,
    registry: GeneratorRegistry,
    *,
    generator_name: str,
    artifact_type: str,
    input_params: dict[str, Any],
    read_text: TextReader,
    prompt_from: uuid.UUID | None = None,
) -> CheckedRequest:
    """`prompt_from`: the text generation whose words became the prompt (the prompt assistant's
    proposal, accepted): recorded as an input of role "prompt", so the result traces back to it."""
    generator = registry.get(generator_name)
    if generator is None:
        known = ", ".join(g.name for g in registry) or "none are installed"
        raise InputError(f"generatorName: there is no generator {generator_name!r}; available: {known}")
    if generator.artifact_type != artifact_type:
        raise InputError(
            f"artifactType: {generator_name} makes {generator.artifact_type} artifacts, not {artifact_type}; "
            f"ask for {generator.artifact_type.upper()}"
        )
    reason = availability_of(generator)
    if reason is not None:
        raise InputError(f"generatorName: {generator_name} cannot run: {reason}")
    model = generator.get_input_schema()
    slots = artifact_slots(model)
    wanted = _referenced_ids(slots, input_params)
    rows = await _readable_generations(session, actor, [gid for _, gid in wanted])
    inputs: list[InputArtifact] = []
    for field, generation_id in wanted:
        row = rows.get(generation_id)
        slot = slots[field]
        if row is None:
            raise InputError(
                f"inputParams.{field}: generation {generation_id} does not exist or you cannot read it; "
                "pick a result from one of your boards"
            )
        if row.artifact_type != slot.artifact_type:
            raise InputError(
                f"inputParams.{field}: generation {generation_id} is {_a(row.artifact_type)}; "
                f"this input takes {_a(slot.artifact_type)}"
            )
        if row.status != "completed":
            raise InputError(
                f"inputParams.{field}: generation {generation_id} is {row.status}; only completed results can be inputs"
            )
        inputs.append(InputArtifact(generation_id, field[:100], row.artifact_type))
    validate_params(model, slots, input_params, rows, read_text)
    if prompt_from is not None:
        inputs.append(await _prompt_source(session, actor, prompt_from))
    return CheckedRequest(generator, input_params, inputs)


async def _prompt_source(session: AsyncSession, actor: Actor, generation_id: uuid.UUID) -> InputArtifact:
    row = (await _readable_generations(session, actor, [generation_id])).get(generation_id)
    if row is None:
        raise InputError(
            f"promptFrom: generation {generation_id} does not exist or you cannot read it; "
            "give the text generation the prompt came from"
        )
    if row.artifact_type != "text" or row.status != "completed":
        raise InputError(
            f"promptFrom: generation {generation_id} is {_a(row.artifact_type)} ({row.status}); "
            "the prompt can only come from a completed text"
        )
    return InputArtifact(generation_id, "prompt", "text")


def validate_params(
    model: type[BaseModel],
    slots: dict[str, ArtifactSlot],
    input_params: dict[str, Any],
    rows: dict[uuid.UUID, Any],
    read_text: TextReader,
) -> BaseModel:
    """The generator's input model, with artifact models in the slots; InputError names a bad field."""
    values = dict(input_params)
    for field, slot in slots.items():
        raw = values.get(field)
        if raw is None:
            continue
        ids = [uuid.UUID(item) for item in raw] if slot.many else [uuid.UUID(raw)]
        artifacts = [artifact_model(rows[gid], read_text) for gid in ids]
        values[field] = artifacts if slot.many else artifacts[0]
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise InputError(_describe(exc)) from None


async def rebuild_inputs(
    session: AsyncSession, generator: BaseGenerator, input_params: dict[str, Any], read_text: TextReader
) -> BaseModel:
    """The input model of a queued job, its artifacts read again (an input may have been deleted)."""
    model = generator.get_input_schema()
    slots = artifact_slots(model)
    wanted = _referenced_ids(slots, input_params)
    ids = [gid for _, gid in wanted]
    rows = (
        {row.id: row for row in await session.execute(_artifact_columns().where(Generation.id.in_(ids)))} if ids else {}
    )
    for field, generation_id in wanted:
        if generation_id not in rows:
            raise InputError(f"the input {field} ({generation_id}) was deleted before the job ran")
    return validate_params(model, slots, input_params, rows, read_text)


def artifact_model(row: Any, read_text: TextReader) -> DigitalArtifact:
    metadata = row.output_metadata if isinstance(row.output_metadata, dict) else {}
    fields: dict[str, Any] = {
        "generation_id": str(row.id),
        "storage_url": row.storage_url or "",
        "format": str(metadata.get("format") or ""),
    }
    cls = ARTIFACT_CLASSES[row.artifact_type]
    for name in cls.model_fields:
        if name not in fields and name in metadata:
            fields[name] = metadata[name]
    if row.artifact_type == "text":
        fields["content"] = read_text(row.storage_url)
    return cls.model_validate(fields)


def _referenced_ids(slots: dict[str, ArtifactSlot], input_params: dict[str, Any]) -> list[tuple[str, uuid.UUID]]:
    wanted: list[tuple[str, uuid.UUID]] = []
    for field, slot in slots.items():
        raw = input_params.get(field)
        if raw is None:
            if slot.required:
                raise InputError(
                    f"inputParams.{field}: this input needs {_a(slot.artifact_type)}; give a generation id"
                )
            continue
        items = raw if slot.many else [raw]
        if slot.many and not isinstance(raw, list):
            raise InputError(f"inputParams.{field}: give a list of generation ids")
        for item in items:
            try:
                wanted.append((field, uuid.UUID(str(item)) if isinstance(item, str) else _not_an_id(field, item)))
            except ValueError:
                _not_an_id(field, item)
    return wanted


def _not_an_id(field: str, value: Any) -> uuid.UUID:
    raise InputError(f"inputParams.{field}: {value!r} is not a generation id; give the id of a completed result")


async def _readable_generations(session: AsyncSession, actor: Actor, ids: list[uuid.UUID]) -> dict[uuid.UUID, Any]:
    if not ids:
        return {}
    query = (
        _artifact_columns()
        .join(Board, Board.id == Generation.board_id)
        .where(Generation.id.in_(ids), readable_boards_clause(actor))
    )
    return {row.id: row for row in await session.execute(query)}


def _artifact_columns() -> Select[Any]:
    return select(
        Generation.id,
        Generation.artifact_type,
        Generation.status,
        Generation.storage_url,
        Generation.output_metadata,
    )


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors()[:5]:
        location = ".".join(str(part) for part in item["loc"])
        message = item["msg"].removeprefix("Value error, ")  # pydantic's prefix for a validator's own words
        item = {**item, "msg": message}
        parts.append(f"inputParams.{location}: {item['msg']}" if location else f"inputParams: {item['msg']}")
    return "; ".join(parts)


def _a(artifact_type: str) -> str:
    return {"image": "an image", "audio": "an audio clip", "video": "a video", "text": "a text"}.get(
        artifact_type, f"a {artifact_type}"
    )
