"""The Trash over GraphQL, on both engines: deleting hides a generation everywhere (as upstream's
delete does) and keeps it restorable with its tags, stars, lineage and files; emptying (by hand or
after 30 days) removes it for good; the job queue and `media gc` leave trashed generations alone."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import update

from boards_desktop.db import models
from boards_desktop.db.types import utcnow
from boards_desktop.media.gc import collect_garbage
from boards_desktop.media.trash_emptying import empty_expired
from tests.graphql.helpers import (
    add_member,
    create_board,
    create_generation,
    create_tag,
    error_of,
    mark_completed,
    my_id,
)
from tests.grid.support import completed_with_files, page, star

DELETE_ONE = "mutation($id: UUID!) { deleteGeneration(id: $id) }"
DELETE = "mutation($ids: [UUID!]!) { deleteGenerations(ids: $ids) }"
RESTORE = "mutation($ids: [UUID!]!) { restoreGenerations(ids: $ids) { id boardId status tags { slug } isFavourite } }"
EMPTY = "mutation($ids: [UUID!], $board: UUID) { emptyTrash(ids: $ids, boardId: $board) }"
TRASH = """query($board: UUID) {
  trashedGenerations(boardId: $board) { id boardId boardTitle prompt status thumbnailUrl trashedAt expiresAt }
  trashedGenerationCount(boardId: $board)
}"""
ONE = "query($id: UUID!) { generation(id: $id) { id } }"
ADD_TAG = "mutation($ids: [UUID!]!, $t: UUID!) { addTagToGenerations(generationIds: $ids, tagId: $t) { id } }"
CHILDREN = "query($id: UUID!) { generation(id: $id) { inputArtifacts { generationId } } }"


async def _trash(client, board: str | None = None) -> dict:
    return await client.data(TRASH, {"board": board})


async def test_a_deleted_generation_is_gone_everywhere_until_restored(client):
    board = await create_board(client, "Studio")
    doomed = await completed_with_files(client, board, {"prompt": "a lighthouse at dusk"})
    kept = await completed_with_files(client, board)
    tag = await create_tag(client, "keepers")
    await client.data(ADD_TAG, {"ids": [doomed["id"]], "t": tag["id"]})
    await star(client, [doomed["id"]])

    assert (await client.data(DELETE_ONE, {"id": doomed["id"]}))["deleteGeneration"] is True
    # Gone from every list, count and lookup, as upstream's delete.
    listed = await page(client, board)
    assert listed["ids"] == [kept["id"]] and listed["count"] == 1 and listed["total"] == 1
    assert (await client.data(ONE, {"id": doomed["id"]}))["generation"] is None
    error_of(await client.graphql(DELETE_ONE, {"id": doomed["id"]}), "NOT_FOUND", doomed["id"])
    # In the trash, with its thumbnail still served.
    trash = await _trash(client)
    assert trash["trashedGenerationCount"] == 1
    (entry,) = trash["trashedGenerations"]
    assert entry["id"] == doomed["id"] and entry["boardTitle"] == "Studio"
    assert entry["prompt"] == "a lighthouse at dusk" and entry["status"] == "COMPLETED"
    assert (await client.http.get(entry["thumbnailUrl"])).status_code == 200

    (restored,) = (await client.data(RESTORE, {"ids": [doomed["id"]]}))["restoreGenerations"]
    assert restored["boardId"] == board and restored["status"] == "COMPLETED"
    assert [t["slug"] for t in restored["tags"]] == ["keepers"] and restored["isFavourite"] is True
    listed = await page(client, board)
    assert set(listed["ids"]) == {doomed["id"], kept["id"]} and listed["count"] == 2
    assert (await _trash(client))["trashedGenerationCount"] == 0
    assert (await client.http.get(doomed["storageUrl"])).status_code == 200


async def test_lineage_of_a_trashed_parent_comes_back_with_it(client):
    board = await create_board(client)
    parent = (await create_generation(client, board))["id"]
    await mark_completed(client, parent)
    child = (await create_generation(client, board, {"prompt": "from it", "image": parent}))["id"]
    assert (await client.data(CHILDREN, {"id": child}))["generation"]["inputArtifacts"][0]["generationId"] == parent

    walk = "query($id: UUID!) { generation(id: $id) { ancestry { parents { generation { id } } } } }"
    await client.data(DELETE, {"ids": [parent]})
    assert (await client.data(walk, {"id": child}))["generation"]["ancestry"]["parents"] == []  # the child stays
    await client.data(RESTORE, {"ids": [parent]})
    parents = (await client.data(walk, {"id": child}))["generation"]["ancestry"]["parents"]
    assert [p["generation"]["id"] for p in parents] == [parent]
    # Both in the trash, restored one after the other: the edge comes back once.
    await client.data(DELETE, {"ids": [child]})
    await client.data(DELETE, {"ids": [parent]})
    await client.data(RESTORE, {"ids": [child]})
    await client.data(RESTORE, {"ids": [parent]})
    parents = (await client.data(walk, {"id": child}))["generation"]["ancestry"]["parents"]
    assert [p["generation"]["id"] for p in parents] == [parent]


async def test_a_trashed_pending_job_is_cancelled_and_never_runs(client):
    board = await create_board(client)
    pending = (await create_generation(client, board))["id"]
    await client.data(DELETE, {"ids": [pending]})
    async with client.services.database.read() as session:
        queued = await session.get(models.Generation, uuid.UUID(pending))
    assert queued is None  # out of the queue: nothing can claim it
    (restored,) = (await client.data(RESTORE, {"ids": [pending]}))["restoreGenerations"]
    assert restored["status"] == "CANCELLED"  # back, but not run by surprise


async def test_emptying_removes_rows_and_files_and_gc_keeps_trashed_files(client):
    board = await create_board(client, "Tidy")
    trashed = await completed_with_files(client, board)
    emptied = await completed_with_files(client, board)
    await client.data(DELETE, {"ids": [trashed["id"], emptied["id"]]})
    root = client.services.media.root

    report = await collect_garbage(client.services.database, client.services.media, grace_minutes=0)
    assert not [o for o in report.orphans if trashed["id"] in str(o)], "media gc must keep a trashed generation's files"
    assert (root / board / trashed["id"]).is_dir()

    assert (await client.data(EMPTY, {"ids": [emptied["id"]]}))["emptyTrash"] == 1
    assert not (root / board / emptied["id"]).exists()
    assert (root / board / trashed["id"]).is_dir()
    error_of(
        await client.graphql(RESTORE, {"ids": [emptied["id"]]}), "NOT_FOUND", emptied["id"], "nothing was restored"
    )
    assert (await client.data(EMPTY, {"board": board}))["emptyTrash"] == 1
    assert (await _trash(client))["trashedGenerationCount"] == 0


async def test_entries_older_than_30_days_are_emptied_on_their_own(client):
    board = await create_board(client)
    old = await completed_with_files(client, board)
    recent = await completed_with_files(client, board)
    await client.data(DELETE, {"ids": [old["id"], recent["id"]]})
    async with client.services.database.write() as session:
        await session.execute(
            update(models.TrashedGeneration)
            .where(models.TrashedGeneration.id == uuid.UUID(old["id"]))
            .values(trashed_at=utcnow() - timedelta(days=31))
        )
    assert await empty_expired(client.services.database, client.services.media) == 1
    trash = await _trash(client)
    assert [e["id"] for e in trash["trashedGenerations"]] == [recent["id"]]
    assert not (client.services.media.root / board / old["id"]).exists()


async def test_restore_and_empty_check_who_may(client, other_client):
    board = await create_board(client, "Shared")
    await add_member(client, board, await my_id(other_client), "EDITOR")
    mine = (await create_generation(client, board))["id"]
    theirs = (await create_generation(other_client, board))["id"]
    await client.data(DELETE, {"ids": [mine, theirs]})  # the owner may delete anyone's
    # The editor sees only their own in the trash, and may not restore the owner's.
    seen = await _trash(other_client, board)
    assert [e["id"] for e in seen["trashedGenerations"]] == [theirs]
    error = error_of(await other_client.graphql(RESTORE, {"ids": [theirs, mine]}), ("FORBIDDEN", "NOT_FOUND"), mine)
    assert "nothing was restored" in error["message"]
    assert (await _trash(client, board))["trashedGenerationCount"] == 2
    (back,) = (await other_client.data(RESTORE, {"ids": [theirs]}))["restoreGenerations"]
    assert back["id"] == theirs


async def test_bad_input_is_refused_and_changes_nothing(client):
    board = await create_board(client)
    there = (await create_generation(client, board))["id"]
    await client.data(DELETE, {"ids": [there]})
    error_of(await client.graphql(RESTORE, {"ids": []}), "BAD_USER_INPUT", "empty")
    unknown = str(uuid.uuid4())
    error_of(await client.graphql(RESTORE, {"ids": [there, unknown]}), "NOT_FOUND", unknown)
    error_of(await client.graphql(EMPTY, {"ids": [unknown]}), "NOT_FOUND", unknown)
    error_of(
        await client.graphql(TRASH.replace("(boardId: $board)", "(boardId: $board, limit: 0)", 1), {}),
        "BAD_USER_INPUT",
        "limit",
    )
    assert (await _trash(client))["trashedGenerationCount"] == 1
