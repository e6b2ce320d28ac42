"""deleteGenerations, addTagToGenerations, removeTagFromGenerations: all or nothing, each refusal named."""

from __future__ import annotations

import uuid

from tests.graphql.helpers import add_member, create_board, create_generation, create_tag, error_of, my_id
from tests.grid.support import completed_with_files, page
from tests.jobs.support import generation, new_board, queue, wait_until
from tests.plugins.generators import Remote

DELETE = "mutation($ids: [UUID!]!) { deleteGenerations(ids: $ids) }"
ADD = "mutation($ids: [UUID!]!, $t: UUID!) { addTagToGenerations(generationIds: $ids, tagId: $t) { id slug } }"
REMOVE = "mutation($ids: [UUID!]!, $t: UUID!) { removeTagFromGenerations(generationIds: $ids, tagId: $t) }"
TAGS = "query($id: UUID!) { board(id: $id) { generations { id tags { slug } } } }"


async def _tags(client, board: str) -> dict[str, list[str]]:
    data = await client.data(TAGS, {"id": board})
    return {g["id"]: [t["slug"] for t in g["tags"]] for g in data["board"]["generations"]}


async def test_deleting_many_trashes_rows_and_emptying_removes_files(client):
    board, other = await create_board(client, "Tidy"), await create_board(client, "Other")
    doomed = [await completed_with_files(client, board) for _ in range(3)]
    kept = await completed_with_files(client, board)
    elsewhere = await completed_with_files(client, other)
    pending = (await create_generation(client, board))["id"]

    ids = [d["id"] for d in doomed] + [pending, doomed[0]["id"]]
    assert (await client.data(DELETE, {"ids": ids}))["deleteGenerations"] == 4
    listed = await page(client, board)
    assert listed["ids"] == [kept["id"]] and listed["count"] == 1
    root = client.services.media.root
    for gone in doomed:  # in the trash: the files stay until it is emptied
        assert (await client.http.get(gone["storageUrl"])).status_code == 200
    assert (await client.data("mutation { emptyTrash }"))["emptyTrash"] == 4
    for gone in doomed:
        assert not (root / board / gone["id"]).exists()
        assert (await client.http.get(gone["storageUrl"])).status_code == 404
    for there in (kept, elsewhere):
        assert (await client.http.get(there["storageUrl"])).status_code == 200


async def test_deleting_is_all_or_nothing_on_permissions(client, other_client):
    board = await create_board(client, "Shared")
    await add_member(client, board, await my_id(other_client), "EDITOR")
    mine = await completed_with_files(client, board)
    theirs = (await create_generation(other_client, board))["id"]

    error = error_of(await other_client.graphql(DELETE, {"ids": [theirs, mine["id"]]}), "FORBIDDEN", mine["id"])
    assert (
        "only when they are your own" in error["message"]
        and "Permission denied" in error["message"]
        and "nothing was deleted" in error["message"]
    )
    assert len((await page(client, board))["ids"]) == 2
    assert (await client.http.get(mine["storageUrl"])).status_code == 200
    # The board's owner may delete anyone's.
    assert (await client.data(DELETE, {"ids": [theirs, mine["id"]]}))["deleteGenerations"] == 2


async def test_deleting_refuses_unknown_ids_and_too_many(client):
    board = await create_board(client)
    there = (await create_generation(client, board))["id"]
    unknown = str(uuid.uuid4())
    error = error_of(await client.graphql(DELETE, {"ids": [there, unknown]}), "NOT_FOUND", unknown)
    assert "nothing was deleted" in error["message"]
    error_of(await client.graphql(DELETE, {"ids": []}), "BAD_USER_INPUT", "ids is empty")
    error_of(await client.graphql(DELETE, {"ids": [str(uuid.uuid4()) for _ in range(1001)]}), "BAD_USER_INPUT", "1000")
    assert (await page(client, board))["ids"] == [there]


async def test_deleting_running_jobs_stops_them_and_cancels_their_remote_jobs(client):
    board = await new_board(client)
    running = [(await queue(client, board, "test-remote", {"seconds": 60}))["id"] for _ in range(2)]

    async def submitted() -> bool:
        return all([(await generation(client, job))["externalJobId"] for job in running])

    async def stopped() -> bool:
        return not {uuid.UUID(job) for job in running} & client.services.jobs.running_ids

    await wait_until(submitted)
    assert (await client.data(DELETE, {"ids": running}))["deleteGenerations"] == 2
    await wait_until(stopped)
    assert {f"remote-{job}" for job in running} <= set(Remote.cancelled)


async def test_tagging_and_untagging_many(client):
    board = await create_board(client)
    ids = [(await create_generation(client, board))["id"] for _ in range(4)]
    red = await create_tag(client, "Red")
    assert (await client.data(ADD, {"ids": ids[:2], "t": red["id"]}))["addTagToGenerations"]["slug"] == "red"
    assert (await client.data(ADD, {"ids": ids[1:3], "t": red["id"]}))["addTagToGenerations"]["id"] == red["id"]
    assert await _tags(client, board) == {ids[0]: ["red"], ids[1]: ["red"], ids[2]: ["red"], ids[3]: []}
    assert (await page(client, board, {"tagIds": [red["id"]]}))["total"] == 3

    assert (await client.data(REMOVE, {"ids": [ids[0], ids[3]], "t": red["id"]}))["removeTagFromGenerations"] is True
    assert await _tags(client, board) == {ids[0]: [], ids[1]: ["red"], ids[2]: ["red"], ids[3]: []}


async def test_tagging_refusals_name_what_was_wrong_and_change_nothing(client, other_client):
    board = await create_board(client, "Shared")
    await add_member(client, board, await my_id(other_client), "VIEWER")
    ids = [(await create_generation(client, board))["id"] for _ in range(2)]
    red = await create_tag(client, "red")
    unknown = str(uuid.uuid4())

    error_of(await client.graphql(ADD, {"ids": ids, "t": unknown}), "NOT_FOUND", f"Tag {unknown}")
    error = error_of(await client.graphql(ADD, {"ids": [ids[0], unknown], "t": red["id"]}), "NOT_FOUND", unknown)
    assert "no tag was added" in error["message"]
    error = error_of(await other_client.graphql(ADD, {"ids": ids, "t": red["id"]}), "FORBIDDEN", ids[0])
    assert "tag generations" in error["message"]
    error_of(await other_client.graphql(REMOVE, {"ids": ids, "t": red["id"]}), "FORBIDDEN", "untag generations")
    error_of(await client.graphql(ADD, {"ids": [], "t": red["id"]}), "BAD_USER_INPUT", "generationIds is empty")
    assert await _tags(client, board) == {ids[0]: [], ids[1]: []}
