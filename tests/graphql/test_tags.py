"""Tags: tenant-wide, slugified, unique by slug; and tagging generations."""

from __future__ import annotations

import asyncio
import uuid

from tests.graphql.helpers import create_board, create_generation, create_tag, error_of, instant, is_utc, is_uuid

TAG_FIELDS = "id tenantId name slug description metadata createdAt updatedAt"
CREATE = f"mutation($input: CreateTagInput!) {{ createTag(input: $input) {{ {TAG_FIELDS} }} }}"
UPDATE = f"mutation($input: UpdateTagInput!) {{ updateTag(input: $input) {{ {TAG_FIELDS} }} }}"
DELETE = "mutation($id: UUID!) { deleteTag(id: $id) }"
TAG = f"query($id: UUID!) {{ tag(id: $id) {{ {TAG_FIELDS} }} }}"
BY_SLUG = "query($slug: String!) { tagBySlug(slug: $slug) { id name slug } }"
TAGS = "query($limit: Int, $offset: Int) { tags(limit: $limit, offset: $offset) { id slug } }"
ADD = "mutation($g: UUID!, $t: UUID!) { addTagToGeneration(generationId: $g, tagId: $t) { id slug } }"
REMOVE = "mutation($g: UUID!, $t: UUID!) { removeTagFromGeneration(generationId: $g, tagId: $t) }"
GENERATION_TAGS = "query($id: UUID!) { generation(id: $id) { tags { id name slug } } }"


async def all_slugs(client) -> list[str]:
    return sorted(t["slug"] for t in (await client.data("{ tags { slug } }"))["tags"])


async def tags_of(client, generation_id: str) -> list[str]:
    return sorted(t["slug"] for t in (await client.data(GENERATION_TAGS, {"id": generation_id}))["generation"]["tags"])


async def test_create_tag_slugifies_the_name(client):
    cases = {
        "Hello World": "hello-world",
        "snake_case_name": "snake-case-name",
        "  Mixed   Case -- Tag  ": "mixed-case-tag",
        "R2-D2 & C-3PO": "r2-d2-c-3po",
        "__Edge__": "edge",
        "Café Crème!": "caf-crme",
        "ALL CAPS 2024": "all-caps-2024",
    }
    for name, slug in cases.items():
        tag = (await client.data(CREATE, {"input": {"name": name}}))["createTag"]
        assert tag["slug"] == slug, name
        assert tag["name"] == name
        assert is_uuid(tag["id"]) and tag["tenantId"] == str(client.services.actor.tenant_id)
        assert tag["description"] is None and tag["metadata"] == {}
        assert is_utc(tag["createdAt"]) and is_utc(tag["updatedAt"])
    assert await all_slugs(client) == sorted(cases.values())

    described = (
        await client.data(
            CREATE, {"input": {"name": "Night", "description": "after dark", "metadata": {"colour": "#001"}}}
        )
    )["createTag"]
    assert (described["slug"], described["description"], described["metadata"]) == (
        "night",
        "after dark",
        {"colour": "#001"},
    )


async def test_duplicate_slug_is_a_conflict_and_writes_nothing(client):
    portraits = (await client.data(CREATE, {"input": {"name": "Portraits", "slug": "faces"}}))["createTag"]
    assert portraits["slug"] == "faces" and portraits["name"] == "Portraits"

    for tag_input in ({"name": "Faces"}, {"name": "FACES!!"}, {"name": "Other", "slug": "faces"}):
        body = await client.graphql(CREATE, {"input": tag_input})
        error = error_of(body, "CONFLICT")
        assert "Tag with slug 'faces' already exists" in error["message"]
    assert await all_slugs(client) == ["faces"]
    assert (await client.data(BY_SLUG, {"slug": "faces"}))["tagBySlug"]["name"] == "Portraits"


async def test_update_tag(client):
    tag = await create_tag(client, "Draft")
    await create_tag(client, "Taken")
    before = (await client.data(TAG, {"id": tag["id"]}))["tag"]

    renamed = (await client.data(UPDATE, {"input": {"id": tag["id"], "name": "Final"}}))["updateTag"]
    assert renamed["name"] == "Final" and instant(renamed["updatedAt"]) > instant(before["updatedAt"])
    assert renamed["createdAt"] == before["createdAt"]

    changed = (
        await client.data(
            UPDATE, {"input": {"id": tag["id"], "slug": "finished", "description": "done", "metadata": {"k": 1}}}
        )
    )["updateTag"]
    assert (changed["name"], changed["slug"], changed["description"], changed["metadata"]) == (
        "Final",
        "finished",
        "done",
        {"k": 1},
    )
    assert (await client.data(BY_SLUG, {"slug": "finished"}))["tagBySlug"]["id"] == tag["id"]

    body = await client.graphql(UPDATE, {"input": {"id": tag["id"], "slug": "taken"}})
    assert "Tag with slug 'taken' already exists" in error_of(body, "CONFLICT")["message"]
    assert (await client.data(TAG, {"id": tag["id"]}))["tag"]["slug"] == "finished"

    body = await client.graphql(UPDATE, {"input": {"id": str(uuid.uuid4()), "name": "Ghost"}})
    error_of(body, "NOT_FOUND", "tag")


async def test_tags_tag_and_tag_by_slug(client, other_client):
    made = [await create_tag(client, name) for name in ("Alpha", "Beta", "Gamma", "Delta")]
    ids = {t["id"] for t in made}

    everything = (await client.data(TAGS, {"limit": 100, "offset": 0}))["tags"]
    assert {t["id"] for t in everything} == ids
    first = (await client.data(TAGS, {"limit": 3, "offset": 0}))["tags"]
    rest = (await client.data(TAGS, {"limit": 3, "offset": 3}))["tags"]
    assert len(first) == 3 and len(rest) == 1
    assert {t["id"] for t in first + rest} == ids
    assert (await client.data(TAGS, {"limit": 3, "offset": 4}))["tags"] == []

    beta = made[1]
    assert (await client.data(TAG, {"id": beta["id"]}))["tag"]["name"] == "Beta"
    assert (await client.data(BY_SLUG, {"slug": "beta"}))["tagBySlug"] == {
        "id": beta["id"],
        "name": "Beta",
        "slug": "beta",
    }
    assert (await client.data(TAG, {"id": str(uuid.uuid4())}))["tag"] is None
    assert (await client.data(BY_SLUG, {"slug": "nope"}))["tagBySlug"] is None

    # Tags belong to the tenant: another artist on the same database sees the same ones.
    assert {t["id"] for t in (await other_client.data("{ tags { id } }"))["tags"]} == ids
    assert (await other_client.data(BY_SLUG, {"slug": "gamma"}))["tagBySlug"]["id"] == made[2]["id"]


async def test_tagging_generations(client):
    board_id = await create_board(client, "Tagged")
    generation = await create_generation(client, board_id)
    untouched = await create_generation(client, board_id)
    red = await create_tag(client, "Red")
    blue = await create_tag(client, "Blue")

    assert (await client.data(ADD, {"g": generation["id"], "t": red["id"]}))["addTagToGeneration"] == {
        "id": red["id"],
        "slug": "red",
    }
    # Adding again is harmless and does not duplicate the link.
    assert (await client.data(ADD, {"g": generation["id"], "t": red["id"]}))["addTagToGeneration"]["id"] == red["id"]
    await client.data(ADD, {"g": generation["id"], "t": blue["id"]})
    assert await tags_of(client, generation["id"]) == ["blue", "red"]
    assert await tags_of(client, untouched["id"]) == []

    assert (await client.data(REMOVE, {"g": generation["id"], "t": red["id"]}))["removeTagFromGeneration"] is True
    assert await tags_of(client, generation["id"]) == ["blue"]
    body = await client.graphql(REMOVE, {"g": generation["id"], "t": red["id"]})
    error_of(body, ("NOT_FOUND", "BAD_USER_INPUT", "CONFLICT"), "tag")
    body = await client.graphql(REMOVE, {"g": untouched["id"], "t": blue["id"]})
    error_of(body, ("NOT_FOUND", "BAD_USER_INPUT", "CONFLICT"), "tag")
    assert await tags_of(client, generation["id"]) == ["blue"]

    error_of(await client.graphql(ADD, {"g": generation["id"], "t": str(uuid.uuid4())}), "NOT_FOUND", "tag")
    error_of(await client.graphql(ADD, {"g": str(uuid.uuid4()), "t": blue["id"]}), "NOT_FOUND", "generation")
    assert await tags_of(client, generation["id"]) == ["blue"]


async def test_delete_tag_unlinks_it_and_frees_its_slug(client):
    board_id = await create_board(client, "Cleanup")
    generation = await create_generation(client, board_id)
    old = await create_tag(client, "Old")
    keep = await create_tag(client, "Keep")
    await client.data(ADD, {"g": generation["id"], "t": old["id"]})
    await client.data(ADD, {"g": generation["id"], "t": keep["id"]})

    assert (await client.data(DELETE, {"id": old["id"]}))["deleteTag"] is True
    assert (await client.data(TAG, {"id": old["id"]}))["tag"] is None
    assert (await client.data(BY_SLUG, {"slug": "old"}))["tagBySlug"] is None
    assert await all_slugs(client) == ["keep"]
    assert await tags_of(client, generation["id"]) == ["keep"]
    error_of(await client.graphql(DELETE, {"id": old["id"]}), "NOT_FOUND", "tag")

    again = await create_tag(client, "OLD")
    assert again["slug"] == "old" and again["id"] != old["id"]


async def test_tag_input_that_cannot_be_stored_is_bad_user_input(client):
    await create_tag(client, "Existing")
    for tag_input, mention in [
        ({"name": "!!!"}, "slug"),
        ({"name": "   "}, "name"),
        ({"name": "n" * 101}, "name"),
        ({"name": "Fine", "slug": "s" * 101}, "slug"),
        ({"name": "Fine", "slug": "?!"}, "slug"),
    ]:
        body = await client.graphql(CREATE, {"input": tag_input})
        error_of(body, "BAD_USER_INPUT", mention)
    assert await all_slugs(client) == ["existing"]


async def test_simultaneous_requests_agree(client):
    board_id = await create_board(client, "Busy")
    generation = await create_generation(client, board_id)

    bodies = await asyncio.gather(*(client.graphql(CREATE, {"input": {"name": "Rush Hour"}}) for _ in range(6)))
    made = [b for b in bodies if not b.get("errors")]
    assert len(made) == 1, bodies
    for body in bodies:
        if body.get("errors"):
            assert "Tag with slug 'rush-hour' already exists" in error_of(body, "CONFLICT")["message"]
    assert await all_slugs(client) == ["rush-hour"]

    tag_id = made[0]["data"]["createTag"]["id"]
    bodies = await asyncio.gather(*(client.graphql(ADD, {"g": generation["id"], "t": tag_id}) for _ in range(12)))
    assert all(not b.get("errors") for b in bodies), bodies
    assert await tags_of(client, generation["id"]) == ["rush-hour"]
