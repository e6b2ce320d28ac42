"""moveGenerations: rows and files move together; refusals change nothing; no crash loses a file."""

from __future__ import annotations

import uuid

from boards_desktop.db.queries import generations as generation_queries
from boards_desktop.db.queries.generations import MovedGeneration
from boards_desktop.media import moves as media_moves
from boards_desktop.media.gc import collect_garbage
from boards_desktop.media.store import MediaStore
from tests.app_harness import AppClient, as_stored
from tests.conftest import ENGINES_AND_BACKENDS
from tests.graphql.helpers import add_member, create_board, create_generation, create_tag, error_of, my_id
from tests.grid.support import completed_with_files, page, star
from tests.media.support import files_under, published

MOVE = """mutation($ids: [UUID!]!, $board: UUID!) { moveGenerations(ids: $ids, boardId: $board) {
    id boardId storageUrl thumbnailUrl additionalFiles { url } status isFavourite tags { slug }
    inputArtifacts { generationId }
} }"""
COUNTS = "query($a: UUID!, $b: UUID!) { a: board(id: $a) { generationCount } b: board(id: $b) { generationCount } }"


async def _served(client: AppClient, url: str) -> int:
    return (await client.http.get(url)).status_code


async def _everything(store: MediaStore) -> set[str]:
    """What is published, and what is on the local disk (unfinished `.part` writes included)."""
    return await published(store) | files_under(store.root)


async def _names_every_file(client: AppClient) -> None:
    """Every file a row names is on disk (what no crash may break)."""
    data = await client.data("{ recentGenerations(limit: 500) { storageUrl thumbnailUrl additionalFiles { url } } }")
    for row in data["recentGenerations"]:
        for url in [row["storageUrl"], row["thumbnailUrl"], *(f["url"] for f in row["additionalFiles"])]:
            if url:
                assert await _served(client, url) == 200, url


@ENGINES_AND_BACKENDS
async def test_moved_generations_take_their_files_stars_and_tags(client):
    source, target = await create_board(client, "From"), await create_board(client, "To")
    moving = [await completed_with_files(client, source, extra_names=("mask.png",)) for _ in range(2)]
    staying = await completed_with_files(client, source)
    tag = await create_tag(client, "keeper")
    await client.data(
        "mutation($ids: [UUID!]!, $t: UUID!) { addTagToGenerations(generationIds: $ids, tagId: $t) { id } }",
        {"ids": [moving[0]["id"]], "t": tag["id"]},
    )
    await star(client, [moving[1]["id"]])

    moved = (await client.data(MOVE, {"ids": [m["id"] for m in moving], "board": target}))["moveGenerations"]
    assert [m["id"] for m in moved] == [m["id"] for m in moving]
    for before, after in zip(moving, moved):
        assert after["boardId"] == target and after["status"] == "COMPLETED"
        assert as_stored(after["storageUrl"]) == as_stored(before["storageUrl"]).replace(source, target)
        assert as_stored(after["thumbnailUrl"]) == as_stored(before["thumbnailUrl"]).replace(source, target)
        assert [as_stored(f["url"]) for f in after["additionalFiles"]] == [
            u.replace(source, target) for u in before["extras"]
        ]
        for old, new in [
            (before["storageUrl"], after["storageUrl"]),
            (before["extras"][0], after["additionalFiles"][0]["url"]),
        ]:
            assert await _served(client, new) == 200
            assert await _served(client, old) == 404
    assert moved[0]["tags"] == [{"slug": "keeper"}] and moved[1]["isFavourite"] is True

    counts = await client.data(COUNTS, {"a": source, "b": target})
    assert counts["a"]["generationCount"] == 1 and counts["b"]["generationCount"] == 2
    assert (await page(client, target, {"favouritesOnly": True}))["ids"] == [moving[1]["id"]]
    assert (await page(client, source, {"favouritesOnly": True}))["ids"] == []
    assert await _served(client, staying["storageUrl"]) == 200
    keys = await published(client.services.media)
    assert not [key for key in keys if key.startswith(f"{source}/{moving[0]['id']}/")]
    assert sorted(key.rsplit("/", 1)[1] for key in keys if key.startswith(f"{target}/{moving[0]['id']}/")) == [
        "mask.png",
        "output-thumb.webp",
        "output.png",
    ]
    report = await collect_garbage(client.services.database, client.services.media, grace_minutes=0, dry_run=True)
    assert report.orphans == []  # nothing left behind, nothing unnamed


async def test_generations_without_files_and_those_already_there_move_too(client):
    source, target = await create_board(client, "From"), await create_board(client, "To")
    failed = (await create_generation(client, source))["id"]
    await client.data("mutation($id: UUID!) { cancelGeneration(id: $id) { id } }", {"id": failed})
    already = await completed_with_files(client, target)
    moved = (await client.data(MOVE, {"ids": [failed, already["id"], failed], "board": target}))["moveGenerations"]
    assert [(m["id"], m["boardId"], as_stored(m["storageUrl"])) for m in moved] == [
        (failed, target, None),
        (already["id"], target, as_stored(already["storageUrl"])),
    ]


@ENGINES_AND_BACKENDS
async def test_pending_and_processing_generations_are_refused(client):
    source, target = await create_board(client, "From"), await create_board(client, "To")
    done = await completed_with_files(client, source)
    pending = (await create_generation(client, source))["id"]
    error = error_of(
        await client.graphql(MOVE, {"ids": [done["id"], pending], "board": target}),
        "CONFLICT",
        f"Generation {pending} is pending",
    )
    assert "nothing was moved" in error["message"] and "cancel" in error["message"]
    assert await _served(client, done["storageUrl"]) == 200
    assert (await client.data(COUNTS, {"a": source, "b": target}))["b"]["generationCount"] == 0
    assert not [key for key in await published(client.services.media) if key.startswith(target)]


async def test_refusals_name_what_was_wrong_and_change_nothing(client, other_client):
    mine, theirs = await create_board(client, "Mine"), await create_board(other_client, "Theirs")
    done = await completed_with_files(client, mine)
    me, them = await my_id(client), await my_id(other_client)
    await add_member(other_client, theirs, me, "VIEWER")

    missing_board = str(uuid.uuid4())
    error_of(await client.graphql(MOVE, {"ids": [done["id"]], "board": missing_board}), "NOT_FOUND", missing_board)
    missing = str(uuid.uuid4())
    error_of(await client.graphql(MOVE, {"ids": [done["id"], missing], "board": mine}), "NOT_FOUND", missing)
    error_of(  # a viewer of the target
        await client.graphql(MOVE, {"ids": [done["id"]], "board": theirs}), "FORBIDDEN", "move generations onto it"
    )
    await add_member(client, mine, them, "VIEWER")
    other_target = await create_board(other_client, "Their target")
    error = error_of(  # an editor of the target, a viewer of the source
        await other_client.graphql(MOVE, {"ids": [done["id"]], "board": other_target}),
        "FORBIDDEN",
        "move generations off it",
    )
    assert done["id"] in error["message"] and "nothing was moved" in error["message"]
    error_of(await client.graphql(MOVE, {"ids": [], "board": mine}), "BAD_USER_INPUT", "ids is empty")
    many = [str(uuid.uuid4()) for _ in range(1001)]
    error_of(await client.graphql(MOVE, {"ids": many, "board": mine}), "BAD_USER_INPUT", "at most 1000")
    assert await _served(client, done["storageUrl"]) == 200
    assert (await page(client, mine))["ids"] == [done["id"]]


@ENGINES_AND_BACKENDS
async def test_a_crash_before_the_commit_loses_nothing_and_gc_tidies_the_copies(client):
    source, target = await create_board(client, "From"), await create_board(client, "To")
    done = await completed_with_files(client, source, extra_names=("notes.txt",))
    store = client.services.media
    plans = media_moves.plan_moves(store, [(uuid.UUID(done["id"]), uuid.UUID(source))], uuid.UUID(target))
    await media_moves.stage(store, plans)  # ... and the app stops here
    staged = {key for key in await _everything(store) if key.startswith(target)}
    assert len(staged) == 3

    kept = await collect_garbage(client.services.database, store, dry_run=True)  # the default grace period
    assert kept.orphans == [] and kept.recent == 3  # the copies are new: a move in progress is never disturbed
    report = await collect_garbage(client.services.database, store, grace_minutes=0)
    assert {orphan.key for orphan in report.orphans} == staged
    await _names_every_file(client)
    assert not any(key.startswith(target) for key in await _everything(store))


@ENGINES_AND_BACKENDS
async def test_a_crash_after_the_commit_loses_nothing_and_gc_tidies_the_old_folder(client):
    source, target = await create_board(client, "From"), await create_board(client, "To")
    done = await completed_with_files(client, source)
    store = client.services.media
    plans = media_moves.plan_moves(store, [(uuid.UUID(done["id"]), uuid.UUID(source))], uuid.UUID(target))
    await media_moves.stage(store, plans)
    plan = plans[0]
    async with client.services.database.write() as session:
        await generation_queries.move_generations(
            session,
            [
                MovedGeneration(
                    uuid.UUID(done["id"]),
                    uuid.UUID(source),
                    plan.rewrite(store, done["storageUrl"]),
                    plan.rewrite(store, done["thumbnailUrl"]),
                    [],
                )
            ],
            uuid.UUID(target),
        )
    # ... and the app stops before the old folder goes.
    await _names_every_file(client)
    report = await collect_garbage(client.services.database, store, grace_minutes=0)
    assert {orphan.key.split("/")[0] for orphan in report.orphans} == {source}
    assert {orphan.reason for orphan in report.orphans} == {"its generation moved to another board"}
    await _names_every_file(client)
    assert await _served(client, done["storageUrl"].replace(source, target)) == 200


@ENGINES_AND_BACKENDS
async def test_a_refused_commit_takes_the_copies_away(client):
    source, target = await create_board(client, "From"), await create_board(client, "To")
    done = await completed_with_files(client, source)
    store = client.services.media
    before = await _everything(store)
    plans = media_moves.plan_moves(store, [(uuid.UUID(done["id"]), uuid.UUID(source))], uuid.UUID(target))
    await media_moves.stage(store, plans)
    await media_moves.unstage(store, plans)
    assert await _everything(store) == before
    assert not (store.root / target / done["id"]).exists()  # nor an empty folder (or, in a bucket, a staged file)
