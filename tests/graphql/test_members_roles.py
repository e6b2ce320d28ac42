"""Board members and the role table of the contract, acted out by separate installations (users).

| capability                                  | viewer    | editor    | admin            | owner            |
| read board and its generations              | yes       | yes       | yes              | yes              |
| create generations, regenerate, tag         |           | yes       | yes              | yes              |
| cancel or delete a generation               |           | own only  | own only         | any              |
| update board, add or change members         |           |           | yes              | yes              |
| remove members                              | self only | self only | yes (not owner)  | yes (not owner)  |
| delete board                                |           |           |                  | yes              |
"""

from __future__ import annotations

import asyncio
import uuid

from tests.graphql.helpers import (
    add_member,
    create_board,
    create_generation,
    create_tag,
    error_of,
    is_utc,
    is_uuid,
    my_board_ids,
    my_id,
)

MEMBERS = """query($id: UUID!) { board(id: $id) { id members {
    id boardId userId role invitedBy joinedAt user { id displayName } inviter { id } } } }"""
BOARD = "query($id: UUID!) { board(id: $id) { id title isPublic generationCount generations { id } } }"
GENERATION = "query($id: UUID!) { generation(id: $id) { id status userId tags { id } } }"
CREATE_GENERATION = """mutation($board: UUID!) { createGeneration(input: {
    boardId: $board, generatorName: "test-generator", artifactType: IMAGE, inputParams: {prompt: "x"}}) { id userId status } }"""
REGENERATE = "mutation($id: UUID!) { regenerate(id: $id) { id userId status } }"
CANCEL = "mutation($id: UUID!) { cancelGeneration(id: $id) { id status } }"
DELETE_GENERATION = "mutation($id: UUID!) { deleteGeneration(id: $id) }"
UPDATE_BOARD = "mutation($id: UUID!, $title: String) { updateBoard(input: {id: $id, title: $title}) { id title } }"
DELETE_BOARD = "mutation($id: UUID!) { deleteBoard(id: $id) }"
ADD_MEMBER = """mutation($board: UUID!, $user: UUID!, $role: BoardRole!) {
    addBoardMember(input: {boardId: $board, userId: $user, role: $role}) { id members { userId role invitedBy } } }"""
REMOVE_MEMBER = "mutation($board: UUID!, $user: UUID!) { removeBoardMember(boardId: $board, userId: $user) { id members { userId } } }"
CHANGE_ROLE = """mutation($board: UUID!, $user: UUID!, $role: BoardRole!) {
    updateBoardMemberRole(boardId: $board, userId: $user, role: $role) { id members { userId role } } }"""
ADD_TAG = "mutation($g: UUID!, $t: UUID!) { addTagToGeneration(generationId: $g, tagId: $t) { id } }"
REMOVE_TAG = "mutation($g: UUID!, $t: UUID!) { removeTagFromGeneration(generationId: $g, tagId: $t) }"

DENIED = ("FORBIDDEN", "NOT_FOUND")


async def member_roles(client, board_id: str) -> dict[str, str]:
    board = (await client.data(MEMBERS, {"id": board_id}))["board"]
    return {m["userId"]: m["role"] for m in board["members"]}


async def generation_of(client, generation_id: str) -> dict | None:
    return (await client.data(GENERATION, {"id": generation_id}))["generation"]


async def forbidden(client, query: str, variables: dict) -> None:
    error_of(await client.graphql(query, variables), "FORBIDDEN")


async def shared_board(owner, member, role: str) -> tuple[str, str, str]:
    """A private board of `owner` with `member` in `role`; returns (board id, owner's generation id, member id)."""
    board_id = await create_board(owner, f"Shared with a {role.lower()}")
    generation = await create_generation(owner, board_id)
    member_id = await my_id(member)
    await add_member(owner, board_id, member_id, role)
    return board_id, generation["id"], member_id


async def test_members_are_added_listed_changed_and_removed(client, other_client):
    owner = await my_id(client)
    other = await my_id(other_client)
    board_id = await create_board(client, "Team board")
    assert (await other_client.data(BOARD, {"id": board_id}))["board"] is None

    # The role defaults to VIEWER.
    returned = await add_member(client, board_id, other, role=None)
    assert returned["members"] == [{"userId": other, "role": "VIEWER"}]
    member = (await client.data(MEMBERS, {"id": board_id}))["board"]["members"][0]
    assert is_uuid(member["id"]) and member["boardId"] == board_id
    assert member["userId"] == other and member["user"]["id"] == other
    assert member["user"]["displayName"] == other_client.services.identity.display_name
    assert member["role"] == "VIEWER"
    assert member["invitedBy"] == owner and member["inviter"] == {"id": owner}
    assert is_utc(member["joinedAt"])

    assert (await other_client.data(BOARD, {"id": board_id}))["board"]["id"] == board_id
    assert await my_board_ids(other_client, role="MEMBER") == [board_id]

    # Adding the same user again is a conflict and changes nothing.
    body = await client.graphql(ADD_MEMBER, {"board": board_id, "user": other, "role": "ADMIN"})
    error_of(body, "CONFLICT", "member", "already")
    assert await member_roles(client, board_id) == {other: "VIEWER"}

    # The owner is not a member and cannot become one.
    body = await client.graphql(ADD_MEMBER, {"board": board_id, "user": owner, "role": "VIEWER"})
    error_of(body, ("CONFLICT", "BAD_USER_INPUT", "FORBIDDEN"), "owner", "owns")
    assert await member_roles(client, board_id) == {other: "VIEWER"}

    # An unknown user cannot be added.
    body = await client.graphql(ADD_MEMBER, {"board": board_id, "user": str(uuid.uuid4()), "role": "VIEWER"})
    error_of(body, "NOT_FOUND", "user")
    assert await member_roles(client, board_id) == {other: "VIEWER"}

    changed = await client.data(CHANGE_ROLE, {"board": board_id, "user": other, "role": "ADMIN"})
    assert changed["updateBoardMemberRole"]["members"] == [{"userId": other, "role": "ADMIN"}]
    assert await member_roles(client, board_id) == {other: "ADMIN"}
    body = await client.graphql(CHANGE_ROLE, {"board": board_id, "user": str(uuid.uuid4()), "role": "EDITOR"})
    error_of(body, "NOT_FOUND", "member", "user")

    removed = await client.data(REMOVE_MEMBER, {"board": board_id, "user": other})
    assert removed["removeBoardMember"]["members"] == []
    assert await member_roles(client, board_id) == {}
    assert (await other_client.data(BOARD, {"id": board_id}))["board"] is None
    assert await my_board_ids(other_client, role="MEMBER") == []
    body = await client.graphql(REMOVE_MEMBER, {"board": board_id, "user": other})
    error_of(body, "NOT_FOUND", "member")


async def test_viewer_reads_but_changes_nothing_and_may_only_leave(client, other_client, third_client):
    board_id, generation_id, viewer = await shared_board(client, other_client, "VIEWER")
    third = await my_id(third_client)
    await add_member(client, board_id, third, "VIEWER")
    tag = await create_tag(client, "Keeper")

    board = (await other_client.data(BOARD, {"id": board_id}))["board"]
    assert board["generations"] == [{"id": generation_id}] and board["generationCount"] == 1
    assert (await generation_of(other_client, generation_id))["status"] == "PENDING"

    await forbidden(other_client, CREATE_GENERATION, {"board": board_id})
    await forbidden(other_client, REGENERATE, {"id": generation_id})
    await forbidden(other_client, ADD_TAG, {"g": generation_id, "t": tag["id"]})
    await forbidden(other_client, CANCEL, {"id": generation_id})
    await forbidden(other_client, DELETE_GENERATION, {"id": generation_id})
    await forbidden(other_client, UPDATE_BOARD, {"id": board_id, "title": "Mine now"})
    await forbidden(other_client, CHANGE_ROLE, {"board": board_id, "user": viewer, "role": "ADMIN"})
    await forbidden(other_client, REMOVE_MEMBER, {"board": board_id, "user": third})
    await forbidden(other_client, DELETE_BOARD, {"id": board_id})

    board = (await client.data(BOARD, {"id": board_id}))["board"]
    assert board["title"] == "Shared with a viewer" and board["generationCount"] == 1
    generation = await generation_of(client, generation_id)
    assert generation["status"] == "PENDING" and generation["tags"] == []
    assert await member_roles(client, board_id) == {viewer: "VIEWER", third: "VIEWER"}

    await other_client.data(REMOVE_MEMBER, {"board": board_id, "user": viewer})
    assert await member_roles(client, board_id) == {third: "VIEWER"}
    assert (await other_client.data(BOARD, {"id": board_id}))["board"] is None


async def test_editor_makes_and_tags_generations_and_cancels_or_deletes_only_own(client, other_client, third_client):
    board_id, owners_generation, editor = await shared_board(client, other_client, "EDITOR")
    third = await my_id(third_client)
    tag = await create_tag(client, "Picked")

    created = (await other_client.data(CREATE_GENERATION, {"board": board_id}))["createGeneration"]
    assert created["userId"] == editor and created["status"] == "PENDING"
    again = (await other_client.data(REGENERATE, {"id": owners_generation}))["regenerate"]
    assert again["userId"] == editor and again["status"] == "PENDING"
    await other_client.data(ADD_TAG, {"g": owners_generation, "t": tag["id"]})
    assert (await generation_of(client, owners_generation))["tags"] == [{"id": tag["id"]}]
    assert (await other_client.data(REMOVE_TAG, {"g": owners_generation, "t": tag["id"]}))[
        "removeTagFromGeneration"
    ] is True
    assert (await generation_of(client, owners_generation))["tags"] == []

    # Own generations: cancel and delete.
    assert (await other_client.data(CANCEL, {"id": created["id"]}))["cancelGeneration"]["status"] == "CANCELLED"
    assert (await other_client.data(DELETE_GENERATION, {"id": again["id"]}))["deleteGeneration"] is True
    assert await generation_of(client, again["id"]) is None
    # The owner's: neither.
    await forbidden(other_client, CANCEL, {"id": owners_generation})
    await forbidden(other_client, DELETE_GENERATION, {"id": owners_generation})
    assert (await generation_of(client, owners_generation))["status"] == "PENDING"

    # No board or member management.
    await forbidden(other_client, UPDATE_BOARD, {"id": board_id, "title": "Renamed"})
    await forbidden(other_client, ADD_MEMBER, {"board": board_id, "user": third, "role": "VIEWER"})
    await forbidden(other_client, CHANGE_ROLE, {"board": board_id, "user": editor, "role": "ADMIN"})
    await add_member(client, board_id, third, "VIEWER")
    await forbidden(other_client, REMOVE_MEMBER, {"board": board_id, "user": third})
    await forbidden(other_client, DELETE_BOARD, {"id": board_id})
    board = (await client.data(BOARD, {"id": board_id}))["board"]
    assert board["title"] == "Shared with a editor" and board["generationCount"] == 2
    assert await member_roles(client, board_id) == {editor: "EDITOR", third: "VIEWER"}

    await other_client.data(REMOVE_MEMBER, {"board": board_id, "user": editor})
    assert await member_roles(client, board_id) == {third: "VIEWER"}


async def test_admin_manages_board_and_members_but_not_the_owner_or_others_generations(
    client, other_client, third_client
):
    owner = await my_id(client)
    board_id, owners_generation, admin = await shared_board(client, other_client, "ADMIN")
    third = await my_id(third_client)

    assert (await other_client.data(UPDATE_BOARD, {"id": board_id, "title": "Admin was here"}))["updateBoard"][
        "title"
    ] == "Admin was here"
    added = (await other_client.data(ADD_MEMBER, {"board": board_id, "user": third, "role": "VIEWER"}))[
        "addBoardMember"
    ]
    assert {"userId": third, "role": "VIEWER", "invitedBy": admin} in added["members"]
    await other_client.data(CHANGE_ROLE, {"board": board_id, "user": third, "role": "EDITOR"})
    assert await member_roles(client, board_id) == {admin: "ADMIN", third: "EDITOR"}
    await other_client.data(REMOVE_MEMBER, {"board": board_id, "user": third})
    assert await member_roles(client, board_id) == {admin: "ADMIN"}

    # The owner cannot be removed or given a role.
    body = await other_client.graphql(REMOVE_MEMBER, {"board": board_id, "user": owner})
    error_of(body, DENIED, "owner", "member")
    body = await other_client.graphql(CHANGE_ROLE, {"board": board_id, "user": owner, "role": "VIEWER"})
    error_of(body, DENIED, "owner", "member")
    assert await member_roles(client, board_id) == {admin: "ADMIN"}
    assert (await client.data(BOARD, {"id": board_id}))["board"] is not None

    # Generations: own only.
    own = (await other_client.data(CREATE_GENERATION, {"board": board_id}))["createGeneration"]
    await forbidden(other_client, CANCEL, {"id": owners_generation})
    await forbidden(other_client, DELETE_GENERATION, {"id": owners_generation})
    assert (await generation_of(client, owners_generation))["status"] == "PENDING"
    assert (await other_client.data(CANCEL, {"id": own["id"]}))["cancelGeneration"]["status"] == "CANCELLED"
    assert (await other_client.data(DELETE_GENERATION, {"id": own["id"]}))["deleteGeneration"] is True

    await forbidden(other_client, DELETE_BOARD, {"id": board_id})
    assert (await client.data(BOARD, {"id": board_id}))["board"]["title"] == "Admin was here"


async def test_owner_cancels_and_deletes_anyones_generations(client, other_client):
    board_id, _, editor = await shared_board(client, other_client, "EDITOR")
    first = (await other_client.data(CREATE_GENERATION, {"board": board_id}))["createGeneration"]
    second = (await other_client.data(CREATE_GENERATION, {"board": board_id}))["createGeneration"]

    assert (await client.data(CANCEL, {"id": first["id"]}))["cancelGeneration"]["status"] == "CANCELLED"
    assert (await client.data(DELETE_GENERATION, {"id": second["id"]}))["deleteGeneration"] is True
    assert await generation_of(other_client, second["id"]) is None
    assert (await generation_of(other_client, first["id"]))["status"] == "CANCELLED"

    # A member demoted to viewer loses the right to touch even their own generations.
    await client.data(CHANGE_ROLE, {"board": board_id, "user": editor, "role": "VIEWER"})
    await forbidden(other_client, DELETE_GENERATION, {"id": first["id"]})
    assert await generation_of(client, first["id"]) is not None


async def test_public_board_is_readable_but_not_writable_by_a_non_member(client, other_client):
    board_id = await create_board(client, "Open studio", isPublic=True)
    generation = await create_generation(client, board_id)
    tag = await create_tag(client, "Outsider")
    outsider = await my_id(other_client)

    board = (await other_client.data(BOARD, {"id": board_id}))["board"]
    assert board["generations"] == [{"id": generation["id"]}]
    assert (await generation_of(other_client, generation["id"]))["id"] == generation["id"]
    recent = await other_client.data("query($b: UUID!) { recentGenerations(boardId: $b) { id } }", {"b": board_id})
    assert recent["recentGenerations"] == [{"id": generation["id"]}]
    public = (await other_client.data("{ publicBoards { id } }"))["publicBoards"]
    assert [b["id"] for b in public] == [board_id]
    assert board_id not in await my_board_ids(other_client)

    await forbidden(other_client, CREATE_GENERATION, {"board": board_id})
    await forbidden(other_client, REGENERATE, {"id": generation["id"]})
    await forbidden(other_client, CANCEL, {"id": generation["id"]})
    await forbidden(other_client, DELETE_GENERATION, {"id": generation["id"]})
    await forbidden(other_client, ADD_TAG, {"g": generation["id"], "t": tag["id"]})
    await forbidden(other_client, UPDATE_BOARD, {"id": board_id, "title": "Taken"})
    await forbidden(other_client, ADD_MEMBER, {"board": board_id, "user": outsider, "role": "ADMIN"})
    await forbidden(other_client, DELETE_BOARD, {"id": board_id})

    board = (await client.data(BOARD, {"id": board_id}))["board"]
    assert board["title"] == "Open studio" and board["generationCount"] == 1
    stored = await generation_of(client, generation["id"])
    assert stored["status"] == "PENDING" and stored["tags"] == []
    assert await member_roles(client, board_id) == {}

    # Made private again, it is gone for the outsider.
    await client.data(
        "mutation($id: UUID!) { updateBoard(input: {id: $id, isPublic: false}) { id } }", {"id": board_id}
    )
    assert (await other_client.data(BOARD, {"id": board_id}))["board"] is None
    assert await generation_of(other_client, generation["id"]) is None
    assert (await other_client.data("{ publicBoards { id } }"))["publicBoards"] == []


async def test_private_board_is_invisible_to_a_non_member(client, other_client):
    board_id = await create_board(client, "Secret sketches", description="hidden")
    generation = await create_generation(client, board_id)
    tag = await create_tag(client, "Peek")
    outsider = await my_id(other_client)

    assert (await other_client.data(BOARD, {"id": board_id}))["board"] is None
    assert await generation_of(other_client, generation["id"]) is None
    data = await other_client.data(
        """query($b: UUID!) { mine: myBoards { id } pub: publicBoards { id } found: searchBoards(query: "secret") { id }
            onBoard: recentGenerations(boardId: $b) { id } recent: recentGenerations { id } }""",
        {"b": board_id},
    )
    assert data == {"mine": [], "pub": [], "found": [], "onBoard": [], "recent": []}

    revealing = []
    for query, variables in [
        (CREATE_GENERATION, {"board": board_id}),
        (REMOVE_MEMBER, {"board": board_id, "user": await my_id(client)}),
        (REGENERATE, {"id": generation["id"]}),
        (CANCEL, {"id": generation["id"]}),
        (DELETE_GENERATION, {"id": generation["id"]}),
        (ADD_TAG, {"g": generation["id"], "t": tag["id"]}),
        (UPDATE_BOARD, {"id": board_id, "title": "Seen"}),
        (ADD_MEMBER, {"board": board_id, "user": outsider, "role": "ADMIN"}),
        (REMOVE_MEMBER, {"board": board_id, "user": outsider}),
        (DELETE_BOARD, {"id": board_id}),
    ]:
        body = await other_client.graphql(query, variables)
        error = error_of(body, DENIED)
        if "Secret sketches" in error["message"] or "hidden" in error["message"]:
            revealing.append(f"{error['path'][0]}: {error['message']}")
    # The board stays invisible: no error tells its title or description.
    assert revealing == []

    board = (await client.data(BOARD, {"id": board_id}))["board"]
    assert board["title"] == "Secret sketches" and board["generationCount"] == 1
    stored = await generation_of(client, generation["id"])
    assert stored["status"] == "PENDING" and stored["tags"] == []
    assert await member_roles(client, board_id) == {}


async def test_rights_follow_a_change_made_earlier_in_the_same_operation(client, other_client):
    board_id, _, editor = await shared_board(client, other_client, "EDITOR")
    body = await other_client.graphql(
        """mutation($b: UUID!, $me: UUID!) {
            leave: removeBoardMember(boardId: $b, userId: $me) { id }
            make: createGeneration(input: {boardId: $b, generatorName: "test-generator", artifactType: IMAGE,
                inputParams: {prompt: "after leaving"}}) { id }
        }""",
        {"b": board_id, "me": editor},
    )
    assert body["data"] is None or body["data"].get("make") is None
    error = error_of(body, DENIED)
    assert error["path"] == ["make"]
    board = (await client.data(BOARD, {"id": board_id}))["board"]
    assert board["generationCount"] == 1
    assert await member_roles(client, board_id) == {}


async def test_simultaneous_member_changes_agree(client, other_client):
    board_id = await create_board(client, "Crowded")
    other = await my_id(other_client)
    bodies = await asyncio.gather(
        *(client.graphql(ADD_MEMBER, {"board": board_id, "user": other, "role": "EDITOR"}) for _ in range(8))
    )
    assert sum(1 for b in bodies if not b.get("errors")) == 1, bodies
    for body in bodies:
        if body.get("errors"):
            error_of(body, "CONFLICT", "member", "already")
    assert await member_roles(client, board_id) == {other: "EDITOR"}

    bodies = await asyncio.gather(
        *(client.graphql(REMOVE_MEMBER, {"board": board_id, "user": other}) for _ in range(8))
    )
    assert sum(1 for b in bodies if not b.get("errors")) == 1, bodies
    for body in bodies:
        if body.get("errors"):
            error_of(body, "NOT_FOUND", "member")
    assert await member_roles(client, board_id) == {}

    generation = await create_generation(client, board_id)
    bodies = await asyncio.gather(*(client.graphql(DELETE_GENERATION, {"id": generation["id"]}) for _ in range(8)))
    assert sum(1 for b in bodies if not b.get("errors")) == 1, bodies
    for body in bodies:
        if body.get("errors"):
            error_of(body, "NOT_FOUND", "generation")
    assert (await client.data(BOARD, {"id": board_id}))["board"]["generationCount"] == 0
