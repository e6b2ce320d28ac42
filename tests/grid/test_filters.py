"""GenerationFilter on Board.generations and Board.generationTotal: each part, together, paged, searched."""

from __future__ import annotations

import uuid

from tests.graphql.helpers import create_board, create_generation, create_tag, error_of, seed_generations
from tests.grid.support import PAGE, page, star

ADD_TAG = "mutation($ids: [UUID!]!, $t: UUID!) { addTagToGenerations(generationIds: $ids, tagId: $t) { id } }"

SPECS = [  # minute order is creation order; newest first on the page
    {
        "artifact_type": "image",
        "status": "completed",
        "generator_name": "flux-pro",
        "input_params": {"prompt": "A lighthouse at dusk", "style": "Vivid"},
    },
    {
        "artifact_type": "video",
        "status": "failed",
        "generator_name": "kling",
        "input_params": {"prompt": "waves on the shore", "negative_prompt": "lighthouse"},
    },
    {
        "artifact_type": "image",
        "status": "completed",
        "generator_name": "sdxl",
        "input_params": {"prompt": "Portrait of an owl", "seed": 42},
    },
    {
        "artifact_type": "audio",
        "status": "cancelled",
        "generator_name": "flux-pro",
        "input_params": {"prompt": "storm over the lighthouse", "steps": ["dusk", "night"]},
    },
    {
        "artifact_type": "image",
        "status": "pending",
        "generator_name": "sdxl",
        "input_params": {"prompt": "Été à la plage, 100% sun_light"},
    },
    {
        "artifact_type": "text",
        "status": "completed",
        "generator_name": "gpt",
        "input_params": {"text": "a story about a lighthouse keeper", "image": "3f2a9b1c-1234-4abc-8def-0123456789ab"},
    },
]


async def _board(client) -> tuple[str, list[str]]:
    board = await create_board(client, "Filtered")
    ids = await seed_generations(client, board, SPECS)
    return board, ids


def _expect(ids: list[str], *indexes: int) -> list[str]:
    return [ids[i] for i in sorted(indexes, reverse=True)]


async def test_each_part_of_the_filter(client):
    board, ids = await _board(client)
    cases = [
        ({"artifactTypes": ["IMAGE"]}, (0, 2, 4)),
        ({"artifactTypes": ["VIDEO", "AUDIO"]}, (1, 3)),
        ({"statuses": ["COMPLETED"]}, (0, 2, 5)),
        ({"statuses": ["FAILED", "CANCELLED", "PENDING"]}, (1, 3, 4)),
        ({"generatorNames": ["flux-pro"]}, (0, 3)),
        ({"generatorNames": ["sdxl", "gpt", "nonexistent"]}, (2, 4, 5)),
        ({"artifactTypes": ["IMAGE"], "statuses": ["COMPLETED"], "generatorNames": ["sdxl"]}, (2,)),
        ({"statuses": []}, (0, 1, 2, 3, 4, 5)),  # an empty part leaves that side open
        ({}, (0, 1, 2, 3, 4, 5)),
    ]
    for grid_filter, expected in cases:
        found = await page(client, board, grid_filter)
        assert found["ids"] == _expect(ids, *expected), grid_filter
        assert found["total"] == len(expected), grid_filter
        assert found["count"] == len(SPECS)


async def test_search_finds_every_word_in_any_case_in_any_text_input(client):
    board, ids = await _board(client)
    cases = {
        "lighthouse": (0, 1, 3, 5),  # the prompt, a negative prompt, a list of strings, another text field
        "LightHouse DUSK": (0, 3),  # every word, any case, in one value or two
        "vivid": (0,),  # a style string
        "light": (0, 1, 3, 4, 5),  # a part of a word ("sun_light" too)
        "owl portrait": (2,),  # words in any order
        "été": (4,),
        "ÉTÉ PLAGE": (4,),  # case folded beyond ASCII
        "100%": (4,),
        "sun_light": (4,),  # '%' and '_' are the characters typed, not patterns
        "100_": (),
        "42": (),  # numbers are not text
        "prompt": (),  # nor are the names of the params
        "3f2a9b1c": (),  # nor generation ids in artifact slots
        "lighthouse zebra": (),
        "   ": (0, 1, 2, 3, 4, 5),  # no words: no search
    }
    for text, expected in cases.items():
        found = await page(client, board, {"search": text})
        assert found["ids"] == _expect(ids, *expected), text
        assert found["total"] == len(expected), text


async def test_search_and_other_parts_combine(client):
    board, ids = await _board(client)
    found = await page(client, board, {"search": "lighthouse", "statuses": ["COMPLETED"], "artifactTypes": ["IMAGE"]})
    assert found["ids"] == _expect(ids, 0) and found["total"] == 1


async def test_a_generation_made_through_the_api_is_found_by_its_prompt(client):
    board = await create_board(client)
    wanted = await create_generation(client, board, {"prompt": "Ångström Crème brûlée", "detail": "Brûlée"})
    await create_generation(client, board, {"prompt": "a plain cake"})
    found = await page(client, board, {"search": "ångström BRÛLÉE"})
    assert found["ids"] == [wanted["id"]] and found["prompts"] == ["Ångström Crème brûlée"]


async def test_tags_any_of_and_favourites(client):
    board, ids = await _board(client)
    red, blue, unused = [(await create_tag(client, name))["id"] for name in ("red", "blue", "unused")]
    await client.data(ADD_TAG, {"ids": [ids[0], ids[2]], "t": red})
    await client.data(ADD_TAG, {"ids": [ids[2], ids[3]], "t": blue})
    await star(client, [ids[2], ids[5]])

    assert (await page(client, board, {"tagIds": [red]}))["ids"] == _expect(ids, 0, 2)
    both = await page(client, board, {"tagIds": [red, blue]})
    assert both["ids"] == _expect(ids, 0, 2, 3) and both["total"] == 3  # any of them, each generation once
    assert (await page(client, board, {"tagIds": [unused, str(uuid.uuid4())]}))["total"] == 0
    mixed = await page(client, board, {"tagIds": [blue], "favouritesOnly": True})
    assert mixed["ids"] == _expect(ids, 2) and mixed["total"] == 1


async def test_filtered_pages_walk_newest_first_without_gaps(client):
    board = await create_board(client, "Long")
    specs = [
        {"status": "completed" if i % 3 else "failed", "input_params": {"prompt": f"study {i}"}} for i in range(40)
    ]
    ids = await seed_generations(client, board, specs)
    completed = [ids[i] for i in reversed(range(40)) if i % 3]
    walked = []
    for offset in range(0, 40, 7):
        found = await page(client, board, {"statuses": ["COMPLETED"]}, limit=7, offset=offset)
        walked += found["ids"]
        assert found["total"] == len(completed)
    assert walked == completed


async def test_the_unfiltered_total_is_the_board_count(client):
    board, _ids = await _board(client)
    found = await page(client, board)
    assert found["total"] == found["count"] == len(SPECS)


async def test_bad_filters_are_refused(client):
    board, _ids = await _board(client)
    cases = [
        ({"search": "x" * 201}, "filter.search is 201 characters"),
        ({"search": " ".join(f"w{i}" for i in range(17))}, "filter.search has 17 words"),
        ({"generatorNames": [f"g{i}" for i in range(101)]}, "filter.generatorNames holds 101"),
    ]
    for grid_filter, message in cases:
        error_of(await client.graphql(PAGE, {"id": board, "filter": grid_filter}), "BAD_USER_INPUT", message)
    error_of(await client.graphql(PAGE, {"id": board, "filter": {"statuses": ["DONE"]}}), "BAD_USER_INPUT", "DONE")


async def test_several_boards_filtered_in_one_request(client):
    first, first_ids = await _board(client)
    second, second_ids = await _board(client)
    query = """query($a: UUID!, $b: UUID!, $f: GenerationFilter) {
        a: board(id: $a) { generationTotal(filter: $f) generations(filter: $f) { id } }
        b: board(id: $b) { generationTotal(filter: $f) generations(filter: $f) { id } }
    }"""
    data = await client.data(query, {"a": first, "b": second, "f": {"search": "lighthouse"}})
    assert [g["id"] for g in data["a"]["generations"]] == _expect(first_ids, 0, 1, 3, 5)
    assert [g["id"] for g in data["b"]["generations"]] == _expect(second_ids, 0, 1, 3, 5)
    assert data["a"]["generationTotal"] == data["b"]["generationTotal"] == 4
