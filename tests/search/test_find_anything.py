"""Find anything: one search over prompts, file names, tags and generator names, accents and case
folded, on a board and across every board the caller may read (GraphQL over HTTP, both engines)."""

from __future__ import annotations

from tests.graphql.helpers import create_board, create_tag, error_of, seed_generations
from tests.graphql.test_query_counts import statements_for
from tests.grid.support import page
from tests.jobs.support import new_board, queue, wait_for
from tests.uploads.samples import png_bytes
from tests.uploads.support import upload

ADD_TAG = "mutation($ids: [UUID!]!, $t: UUID!) { addTagToGenerations(generationIds: $ids, tagId: $t) { id } }"
SEARCH = """query($q: String!, $limit: Int, $offset: Int) {
    searchGenerations(query: $q, limit: $limit, offset: $offset) { id prompt board { id title } }
}"""

SPECS = [
    {"generator_name": "flux-pro", "input_params": {"prompt": "Été à la plage"}},
    {"generator_name": "local-title-card", "input_params": {"title": "Opening night"}},
    {"generator_name": "sdxl", "input_params": {"prompt": "Crème BRÛLÉE still life"}},
    {"generator_name": "sdxl", "input_params": {"prompt": "a quiet harbour"}},
]


async def _found(client, query: str, **window: int) -> list[str]:
    return [row["id"] for row in (await client.data(SEARCH, {"q": query, **window}))["searchGenerations"]]


async def test_accents_and_case_do_not_matter_in_a_board_search(client):
    board = await create_board(client, "Summer")
    ids = await seed_generations(client, board, SPECS)
    cases = {
        "ete": [ids[0]],
        "ETE plage": [ids[0]],
        "été": [ids[0]],
        "brulee creme": [ids[2]],
        "harbour": [ids[3]],
    }
    for text, expected in cases.items():
        assert (await page(client, board, {"search": text}))["ids"] == expected, text


async def test_generator_names_are_found_as_slug_and_as_words(client):
    board = await create_board(client)
    ids = await seed_generations(client, board, SPECS)
    assert (await page(client, board, {"search": "title card"}))["ids"] == [ids[1]]
    assert (await page(client, board, {"search": "local-title-card"}))["ids"] == [ids[1]]
    assert (await page(client, board, {"search": "SDXL"}))["ids"] == [ids[3], ids[2]]


async def test_tags_are_found_by_their_folded_names(client):
    board = await create_board(client)
    ids = await seed_generations(client, board, SPECS)
    mañana = (await create_tag(client, "Mañana Série"))["id"]
    await client.data(ADD_TAG, {"ids": [ids[3]], "t": mañana})
    found = await page(client, board, {"search": "manana"})
    assert found["ids"] == [ids[3]] and found["total"] == 1
    # One word from a tag and one from the prompt: both must be found, each anywhere.
    assert (await page(client, board, {"search": "serie harbour"}))["ids"] == [ids[3]]
    assert (await page(client, board, {"search": "serie plage"}))["ids"] == []
    assert await _found(client, "MANANA") == [ids[3]]


async def test_an_uploads_file_name_is_found(client):
    board = await create_board(client)
    response = await upload(client, board, png_bytes(), filename="Château Noir — étude.png")
    assert response.status_code == 200, response.text
    uploaded = response.json()["id"]
    assert (await page(client, board, {"search": "chateau etude"}))["ids"] == [uploaded]
    assert await _found(client, "château.png") == []  # words are found, not a made-up name
    assert await _found(client, "noir") == [uploaded]


async def test_search_across_boards_lists_each_result_with_its_board(client):
    summer = await create_board(client, "Summer")
    winter = await create_board(client, "Winter")
    first = await seed_generations(client, summer, [{"input_params": {"prompt": "Été sunset"}, "minute": 1}])
    second = await seed_generations(client, winter, [{"input_params": {"prompt": "été in the snow"}, "minute": 2}])
    rows = (await client.data(SEARCH, {"q": "ete"}))["searchGenerations"]
    assert [(row["id"], row["board"]["title"]) for row in rows] == [(second[0], "Winter"), (first[0], "Summer")]
    assert await _found(client, "ete", limit=1) == second
    assert await _found(client, "ete", limit=1, offset=1) == first
    assert await _found(client, "   ") == []


async def test_search_across_boards_keeps_to_the_boards_one_may_read(client, other_client):
    mine = await create_board(client, "Mine")
    theirs = await create_board(other_client, "Theirs, private")
    public = await create_board(other_client, "Theirs, public", isPublic=True)
    own = await seed_generations(client, mine, [{"input_params": {"prompt": "Été one"}}])
    await seed_generations(other_client, theirs, [{"input_params": {"prompt": "Été secret"}}])
    shown = await seed_generations(other_client, public, [{"input_params": {"prompt": "Été shown"}, "minute": 5}])
    assert await _found(client, "ete") == [shown[0], own[0]]
    assert await _found(client, "secret") == []
    assert await _found(other_client, "ete one") == []


async def test_a_search_too_long_is_refused_with_what_to_do(client):
    result = await client.graphql(SEARCH, {"q": "x" * 201})
    error_of(result, "BAD_USER_INPUT", "query is 201 characters long; use at most 200")
    result = await client.graphql(SEARCH, {"q": " ".join(f"w{i}" for i in range(17))})
    error_of(result, "BAD_USER_INPUT", "query has 17 words; use at most 16")


async def test_uploading_the_same_bytes_again_is_kept_and_names_the_earlier_one(client):
    board = await create_board(client)
    other_board = await create_board(client, "Elsewhere")
    picture = png_bytes(colour="#aa3300")
    first = await upload(client, board, picture, filename="fox.png")
    assert first.status_code == 200 and first.json()["duplicateOf"] is None
    again = await upload(client, board, picture, filename="fox copy.png")
    assert again.status_code == 200, again.text
    assert again.json()["duplicateOf"] == {
        "id": first.json()["id"],
        "title": "fox.png",
        "boardId": board,
        "boardTitle": "Board",
    }
    assert again.json()["id"] != first.json()["id"]
    assert (await page(client, board))["total"] == 2  # kept all the same
    elsewhere = await upload(client, other_board, picture, filename="fox.png")
    assert elsewhere.json()["duplicateOf"]["boardId"] == board  # named on its own board (tests/uploads)
    different = await upload(client, board, png_bytes(colour="#0033aa"), filename="fox.png")
    assert different.json()["duplicateOf"] is None


async def test_a_text_results_content_is_found(client):
    board = await new_board(client)
    created = await queue(client, board, "test-large", {"megabytes": 1}, artifact_type="TEXT")
    done = await wait_for(client, created["id"])
    assert done["status"] == "COMPLETED"
    # "play" is in the story it wrote, not in what it was asked (megabytes: 1).
    assert (await page(client, board, {"search": "NO PLAY"}))["ids"] == [created["id"]]
    assert await _found(client, "all work") == [created["id"]]


async def test_tags_are_read_once_however_many_boards_a_request_searches(client):
    boards = [await create_board(client, f"B{i}") for i in range(4)]
    for board in boards:
        await seed_generations(client, board, SPECS)
    await create_tag(client, "Harbour light")
    fields = "generationTotal(filter: $f) generations(filter: $f) { id }"
    two = "query($a: UUID!, $b: UUID!, $f: GenerationFilter) { a: board(id: $a) { %s } b: board(id: $b) { %s } }"
    four = (
        "query($a: UUID!, $b: UUID!, $c: UUID!, $d: UUID!, $f: GenerationFilter) {"
        " a: board(id: $a) { %s } b: board(id: $b) { %s } c: board(id: $c) { %s } d: board(id: $d) { %s } }"
    )
    search = {"f": {"search": "harbour"}}
    few = await statements_for(client, two % (fields, fields), {"a": boards[0], "b": boards[1], **search})
    many = await statements_for(
        client, four % ((fields,) * 4), {"a": boards[0], "b": boards[1], "c": boards[2], "d": boards[3], **search}
    )
    assert len(many) == len(few), "\n".join(many)
    assert sum("FROM tags" in statement for statement in many) == 1
