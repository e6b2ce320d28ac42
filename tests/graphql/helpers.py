"""Small helpers for the GraphQL tests: make things through the API, seed rows, check errors."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update

from boards_desktop.db import models
from boards_desktop.db.search_text import search_text_of

# A test generator whose jobs never start (tests/plugins/generators.py): its generations stay pending.
GENERATOR = "test-generator"
# Held generators by artifact type; each takes an optional `image` and a list `images` as artifact slots.
HELD_GENERATORS = {"IMAGE": GENERATOR, "VIDEO": "test-video", "AUDIO": "test-audio"}

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

BOARD_FIELDS = """
    id tenantId ownerId title description isPublic settings metadata createdAt updatedAt
"""
GENERATION_FIELDS = """
    id tenantId boardId userId generatorName artifactType storageUrl thumbnailUrl
    additionalFiles { url type metadata } inputParams outputMetadata externalJobId status progress
    errorMessage startedAt completedAt createdAt updatedAt
"""


def is_uuid(value: Any) -> bool:
    """A canonical UUID: lower-case, dashed."""
    return isinstance(value, str) and bool(UUID_RE.match(value))


def is_utc(value: Any) -> bool:
    """An ISO 8601 timestamp with the UTC offset spelled +00:00."""
    if not isinstance(value, str) or not value.endswith("+00:00"):
        return False
    datetime.fromisoformat(value)
    return True


def instant(value: str) -> datetime:
    """A DateTime value as an aware datetime, for comparing instants."""
    return datetime.fromisoformat(value)


def error_of(body: dict, code: str | tuple[str, ...], *mentions: str) -> dict:
    """The first error of a response, which must carry `code` and mention one of `mentions`."""
    errors = body.get("errors")
    assert errors, f"expected an error {code}, got {body}"
    error = errors[0]
    codes = (code,) if isinstance(code, str) else code
    actual = (error.get("extensions") or {}).get("code")
    assert actual in codes, f"expected extensions.code in {codes}, got {actual!r}: {error}"
    message = error.get("message") or ""
    assert message.strip(), error
    if mentions:
        assert any(m.lower() in message.lower() for m in mentions), f"message {message!r} mentions none of {mentions}"
    return error


async def expect_error(client, query: str, variables: dict | None, code, *mentions: str) -> dict:
    return error_of(await client.graphql(query, variables), code, *mentions)


async def my_id(client) -> str:
    return (await client.data("{ me { id } }"))["me"]["id"]


async def create_board(client, title: str = "Board", **fields: Any) -> str:
    data = await client.data(
        "mutation($input: CreateBoardInput!) { createBoard(input: $input) { id } }",
        {"input": {"title": title, **fields}},
    )
    return data["createBoard"]["id"]


async def create_generation(
    client,
    board_id: str,
    params: Any = None,
    *,
    generator: str = GENERATOR,
    artifact_type: str = "IMAGE",
) -> dict:
    data = await client.data(
        f"mutation($input: CreateGenerationInput!) {{ createGeneration(input: $input) {{ {GENERATION_FIELDS} }} }}",
        {
            "input": {
                "boardId": board_id,
                "generatorName": generator,
                "artifactType": artifact_type,
                "inputParams": {"prompt": "a cat"} if params is None else params,
            }
        },
    )
    return data["createGeneration"]


async def mark_completed(client, *generation_ids: str) -> None:
    """Mark held generations completed, as a finished job would: only completed results can be inputs."""
    async with client.services.database.write() as session:
        await session.execute(
            update(models.Generation)
            .where(models.Generation.id.in_([uuid.UUID(g) for g in generation_ids]))
            .values(status="completed", progress=100, completed_at=datetime.now(UTC))
        )


async def completed_generation(
    client,
    board_id: str,
    artifact_type: str = "IMAGE",
    params: Any = None,
    *,
    generator: str | None = None,
) -> str:
    """The id of a completed generation made through the API (held, then marked completed; it has no file)."""
    generator = generator or HELD_GENERATORS[artifact_type]
    created = await create_generation(client, board_id, params, generator=generator, artifact_type=artifact_type)
    await mark_completed(client, created["id"])
    return created["id"]


async def add_member(client, board_id: str, user_id: str, role: str | None = "VIEWER") -> dict:
    member_input: dict[str, Any] = {"boardId": board_id, "userId": user_id}
    if role is not None:
        member_input["role"] = role
    data = await client.data(
        "mutation($input: AddBoardMemberInput!) { addBoardMember(input: $input) { id members { userId role } } }",
        {"input": member_input},
    )
    return data["addBoardMember"]


async def create_tag(client, name: str, **fields: Any) -> dict:
    data = await client.data(
        "mutation($input: CreateTagInput!) { createTag(input: $input) { id name slug description metadata } }",
        {"input": {"name": name, **fields}},
    )
    return data["createTag"]


async def board_generation_ids(client, board_id: str) -> list[str]:
    data = await client.data(
        "query($id: UUID!) { board(id: $id) { generations(limit: 100) { id } } }", {"id": board_id}
    )
    return [g["id"] for g in data["board"]["generations"]]


async def my_board_ids(client, **arguments: Any) -> list[str]:
    data = await client.data(
        "query($role: BoardQueryRole, $sort: SortOrder, $limit: Int, $offset: Int) {"
        " myBoards(role: $role, sort: $sort, limit: $limit, offset: $offset) { id } }",
        {"limit": 50, "offset": 0, **arguments},
    )
    return [b["id"] for b in data["myBoards"]]


# --- seeding rows directly, for many rows or for states the API cannot make -------------------

BASE_TIME = datetime(2024, 1, 1, tzinfo=UTC)


async def seed_generations(
    client,
    board_id: str,
    specs: list[dict[str, Any]],
    *,
    user_id: str | None = None,
) -> list[str]:
    """Insert generations (each spec: status, artifact_type, minutes after BASE_TIME, ...); ids in order."""
    actor = client.services.actor
    rows = []
    for index, spec in enumerate(specs):
        spec = dict(spec)
        minute = spec.pop("minute", index)
        input_params = spec.pop("input_params", {"prompt": f"seed {index}"})
        generator_name = spec.pop("generator_name", GENERATOR)
        metadata = spec.get("output_metadata") or {}
        row = models.Generation(
            id=uuid.uuid4(),
            tenant_id=actor.tenant_id,
            board_id=uuid.UUID(board_id),
            user_id=uuid.UUID(user_id) if user_id else actor.user_id,
            generator_name=generator_name,
            artifact_type=spec.pop("artifact_type", "image"),
            status=spec.pop("status", "completed"),
            input_params=input_params,
            search_text=search_text_of(  # as the app writes it
                input_params, generator_name=generator_name, file_name=metadata.get("original_filename")
            ),
            created_at=BASE_TIME + timedelta(minutes=minute),
            updated_at=BASE_TIME + timedelta(minutes=minute),
            **spec,
        )
        rows.append(row)
    async with client.services.database.write() as session:
        session.add_all(rows)
    return [str(row.id) for row in rows]
