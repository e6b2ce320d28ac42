"""Members as upstream's front end names them (by email, by membership id), and refusals in the words
its clients look for ("Permission denied"), on a database two installations share."""

from __future__ import annotations

import uuid

from sqlalchemy import update

from boards_desktop.db import models
from tests.app_harness import AppClient
from tests.graphql.helpers import create_board, create_generation, error_of, my_id

MEMBERS = "members { id userId role }"


async def _give_email(client: AppClient, user_id: str, email: str) -> None:
    # Scene setting: a teammate's email, as an identity provider would have recorded it.
    async with client.services.database.write() as session:
        await session.execute(update(models.User).where(models.User.id == uuid.UUID(user_id)).values(email=email))


async def test_members_by_email_and_by_membership_id(client: AppClient, other_client: AppClient) -> None:
    board = await create_board(client, "Team board")
    teammate = await my_id(other_client)
    await _give_email(client, teammate, "Ana@Studio.example")

    added = await client.data(
        f"mutation($b: UUID!, $e: String!, $r: BoardRole!) {{ addBoardMember(boardId: $b, email: $e, role: $r) {{ {MEMBERS} }} }}",
        {"b": board, "e": "ana@studio.example", "r": "VIEWER"},
    )
    (member,) = added["addBoardMember"]["members"]
    assert member["userId"] == teammate and member["role"] == "VIEWER"

    changed = await client.data(
        f"mutation($id: UUID!, $r: BoardRole!) {{ updateBoardMemberRole(id: $id, role: $r) {{ {MEMBERS} }} }}",
        {"id": member["id"], "r": "EDITOR"},
    )
    assert changed["updateBoardMemberRole"]["members"] == [{**member, "role": "EDITOR"}]
    removed = await client.data(
        f"mutation($id: UUID!) {{ removeBoardMember(id: $id) {{ {MEMBERS} }} }}", {"id": member["id"]}
    )
    assert removed["removeBoardMember"]["members"] == []

    unknown = await client.graphql(
        'mutation($b: UUID!) { addBoardMember(boardId: $b, email: "nobody@studio.example") { id } }', {"b": board}
    )
    error_of(unknown, "NOT_FOUND", "nobody@studio.example")
    gone = await client.graphql("mutation($id: UUID!) { removeBoardMember(id: $id) { id } }", {"id": member["id"]})
    error_of(gone, "NOT_FOUND", "membership")
    both = await client.graphql(
        "mutation($id: UUID!, $b: UUID!) { removeBoardMember(id: $id, boardId: $b) { id } }",
        {"id": member["id"], "b": board},
    )
    error_of(both, "BAD_USER_INPUT", "either")


async def test_refusals_say_permission_denied_and_keep_their_code(client: AppClient, other_client: AppClient) -> None:
    board = await create_board(client, "Owner's board")
    teammate = await my_id(other_client)
    await client.data(
        "mutation($i: AddBoardMemberInput!) { addBoardMember(input: $i) { id } }",
        {"i": {"boardId": board, "userId": teammate, "role": "EDITOR"}},
    )
    mine = await create_generation(client, board)

    not_theirs = await other_client.graphql("mutation($id: UUID!) { deleteGeneration(id: $id) }", {"id": mine["id"]})
    error = error_of(not_theirs, "FORBIDDEN")
    assert error["message"].startswith("Permission denied: you may delete generations on board 'Owner's board'")
    assert "only when they are your own" in error["message"]
    owner_only = await other_client.graphql("mutation($id: UUID!) { deleteBoard(id: $id) }", {"id": board})
    assert error_of(owner_only, "FORBIDDEN")["message"].startswith("Permission denied: only the owner")
