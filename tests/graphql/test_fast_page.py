"""The board page's reads answer the same JSON from their plan as from the general executor.

Every operation the page sends that has a plan (graphql.fast_page), and the benchmark's board
page, is sent with many variables (filters, search, pages, bad values, boards of every access) over
HTTP twice: as the page sends it, and with an empty `extensions`, which the plan leaves to the
executor. The two answers must be the same bytes with the same status; the log says which path
answered, and the cases the plan covers must have been answered by it.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import text as sql
from sqlalchemy import update

from boards_desktop.db import models
from boards_desktop.graphql import fast_page
from tests.app_harness import AppClient, running_app
from tests.benchmarks.queries import BOARD_PAGE, GRID_PAGE
from tests.graphql.client_operations import page_operations
from tests.graphql.helpers import add_member, create_board, create_generation, create_tag, my_id, seed_generations

_LOGGER = "boards.graphql.fast_page"
GRID_PAGE_DOC = "js/grid/data.js"
PICK_DOC = "js/composer/slots.js"


def planned_page_operations() -> dict[str, str]:
    return {name: text for name, text in page_operations().items() if fast_page.plan_for(text, None) is not None}


def test_the_grid_page_and_its_neighbours_have_plans_and_the_rest_do_not():
    planned = planned_page_operations()
    assert any(name.startswith(GRID_PAGE_DOC) and "GridPage" in text for name, text in planned.items())
    assert any(name.startswith(PICK_DOC) for name in planned)
    assert fast_page.plan_for(BOARD_PAGE, None) is not None
    # What the plan does not cover: the executor's (an alias, a fragment, a field it does not know, a
    # variable default, two operations, a mutation, an unused variable, a nullable id).
    for text in (
        "query($id: UUID!) { b: board(id: $id) { id } }",
        "query($id: UUID!) { board(id: $id) { ...F } } fragment F on Board { id }",
        "query($id: UUID!) { board(id: $id) { id members { userId } } }",
        "query($id: UUID!) { board(id: $id) { id } me { id } }",
        'query($id: UUID! = "x") { board(id: $id) { id } }',
        "query A($id: UUID!) { board(id: $id) { id } } query B { me { id } }",
        "mutation($id: UUID!) { deleteBoard(id: $id) }",
        "query($id: UUID!, $n: Int) { board(id: $id) { id } }",
        "query($id: UUID) { board(id: $id) { id } }",
        "query($id: UUID!) { board(id: $id) { id @include(if: true) } }",
        "query($id: UUID!) { board(id: $id) { generations(limit: 5) { id __typename } } }",
    ):
        assert fast_page.plan_for(text, None) is None, text


async def _send(client: AppClient, body: dict) -> tuple[int, str | None, bytes]:
    response = await client.http.post("/graphql", json=body)
    return response.status_code, response.headers.get("content-type"), response.content


async def _both(client: AppClient, caplog: pytest.LogCaptureFixture, query: str, variables: dict) -> bool:
    """Send through both paths and compare; whether the plan answered."""
    caplog.clear()
    planned = await _send(client, {"query": query, "variables": variables})
    answered = [r for r in caplog.records if r.name == _LOGGER and "answered from its plan" in r.getMessage()]
    assert not [r for r in caplog.records if r.name == _LOGGER and r.levelno >= logging.WARNING], caplog.text
    general = await _send(client, {"query": query, "variables": variables, "extensions": {}})
    if planned != general:  # a signed URL's expiry may have moved on to its next step in between
        planned = await _send(client, {"query": query, "variables": variables})
    assert planned == general, f"{query}\n{variables}\nplanned: {planned}\ngeneral: {general}"
    return bool(answered)


@pytest.fixture
def debug_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG, logger=_LOGGER)
    return caplog


async def _library(client: AppClient, other: AppClient) -> dict[str, str]:
    """Boards of every kind of access, with generations of every kind the page shows."""
    me = await my_id(client)
    mine = await create_board(client, "Mine", description="a board of mine")
    sky = await create_tag(client, "Sky blue")
    sea = await create_tag(client, "Été")
    ids = await seed_generations(
        client,
        mine,
        [
            {
                "status": "completed",
                "artifact_type": "image",
                "storage_url": "/api/storage/a.png",
                "thumbnail_url": "/api/storage/a.thumb.webp",
                "progress": 100,
                "output_metadata": {"width": 640, "height": 480},
            },
            {"status": "pending", "artifact_type": "video", "input_params": {"prompt": "a lighthouse at dusk"}},
            {
                "status": "failed",
                "artifact_type": "audio",
                "error_message": "the provider said no",
                "input_params": {"prompt": 42, "seed": 7},
            },
            {
                "status": "completed",
                "artifact_type": "text",
                "generator_name": "other-generator",
                "input_params": {"prompt": "ÉTÉ café"},
            },
            {"status": "processing", "artifact_type": "image", "progress": 37.5, "external_job_id": "job-1"},
            {"status": "cancelled", "artifact_type": "image", "input_params": {}},
        ],
    )
    # Made from the first one (its inputs), tagged, starred, and one in the trash.
    made_from = await seed_generations(
        client,
        mine,
        [
            {
                "status": "completed",
                "minute": 30,
                "input_artifacts": [
                    {"generation_id": ids[0], "role": "image", "artifact_type": "image"},
                    {"generation_id": str(uuid.uuid4()), "role": "gone", "artifact_type": "nonsense"},
                ],
            }
        ],
    )
    for generation, tag in ((ids[0], sky), (ids[0], sea), (ids[3], sea)):
        await client.data(
            "mutation($g: UUID!, $t: UUID!) { addTagToGeneration(generationId: $g, tagId: $t) { id } }",
            {"g": generation, "t": tag["id"]},
        )
    await client.data(
        "mutation($ids: [UUID!]!) { setFavourite(generationIds: $ids, favourite: true) { id } }",
        {"ids": [ids[1], made_from[0]]},
    )
    await client.data("mutation($id: UUID!) { deleteGeneration(id: $id) }", {"id": ids[5]})
    # Timestamps as the app writes them (microseconds) and as a column default writes them on SQLite.
    await create_generation(client, mine, {"prompt": "made through the API"})
    async with client.services.database.write() as session:
        await session.execute(
            update(models.Generation)
            .where(models.Generation.id == uuid.UUID(ids[2]))
            .values(started_at=datetime(2024, 1, 1, 0, 0, 1, 250_000, tzinfo=UTC))
        )
        await session.execute(
            sql(
                "UPDATE generations SET updated_at = CURRENT_TIMESTAMP, completed_at = CURRENT_TIMESTAMP WHERE id = :id"
            ),
            {"id": ids[4]},
        )
    theirs = await create_board(other, "Theirs, private")
    await seed_generations(other, theirs, [{"status": "completed"}])
    public = await create_board(other, "Theirs, public", isPublic=True)
    await seed_generations(other, public, [{"status": "completed"}, {"status": "pending"}])
    shared = await create_board(other, "Theirs, shared with me")
    await seed_generations(other, shared, [{"status": "completed"}])
    await add_member(other, shared, me, "VIEWER")
    return {
        "mine": mine,
        "theirs": theirs,
        "public": public,
        "shared": shared,
        "missing": str(uuid.uuid4()),
        "sky": sky["id"],
        "sea": sea["id"],
        "generator": "other-generator",
    }


def _filters(library: dict[str, str]) -> list[dict | None]:
    return [
        None,
        {},
        {"artifactTypes": ["IMAGE", "VIDEO"]},
        {"statuses": ["COMPLETED"], "artifactTypes": ["IMAGE"]},
        {"favouritesOnly": True},
        {"favouritesOnly": None},
        {"search": "lighthouse"},
        {"search": "ete"},  # a tag's name, folded
        {"search": "  "},
        {"tagIds": [library["sea"]]},
        {"generatorNames": [library["generator"], " "]},
        {"artifactTypes": "IMAGE"},  # one value for a list: the executor's coercion
        {"artifactTypes": ["PICTURE"]},  # not an ArtifactType: the executor's error
        {"statuses": ["COMPLETED"] * 101},  # more than the filter takes
        {"search": "x" * 201},
        {"colour": "red"},
        {"search": "bad\u0000text"},
    ]


async def test_every_planned_operation_answers_as_the_executor_does(
    client: AppClient, other_client: AppClient, debug_log: pytest.LogCaptureFixture
):
    library = await _library(client, other_client)
    boards = [library[name] for name in ("mine", "theirs", "public", "shared", "missing")]
    operations = {**planned_page_operations(), "benchmark": BOARD_PAGE, "grid benchmark": GRID_PAGE}
    answered = 0
    for text in operations.values():
        plan = fast_page.plan_for(text, None)
        assert plan is not None
        cases: list[dict] = []
        for board in boards:
            variables: dict = {plan.board_variable: board}
            if "limit" in plan.variables:
                variables |= {"limit": 100, "offset": 0}
            cases.append(variables)
        mine = {plan.board_variable: library["mine"]}
        if "filter" in plan.variables:
            with_limits = {"limit": 3, "offset": 0} if "limit" in plan.variables else {}
            cases += [mine | with_limits | {"filter": f} for f in _filters(library)]
            cases.append(mine | with_limits | {"filter": {"search": "ete"}, "offset": 1})
            cases.append(
                mine | {"limit": 2, "offset": 2, "filter": {"artifactTypes": ["IMAGE"]}} if with_limits else mine
            )
        if "limit" in plan.variables:
            cases += [
                mine | {"limit": 2, "offset": 2},
                mine | {"limit": 1000, "offset": 0},
                mine | {"limit": 100_000, "offset": 0},  # over the cost limit: refused before anything runs
                mine | {"limit": 0, "offset": 0},  # refused by the resolver
                mine | {"limit": 5, "offset": -1},
                mine | {"limit": 5, "offset": 100},
                mine | {"limit": 5},  # a non-null variable left out
                mine | {"limit": "5", "offset": 0},
                mine | {"limit": 2**31, "offset": 0},
            ]
        cases += [
            {plan.board_variable: "not a uuid"},
            {plan.board_variable: None},
            {},
            mine | {"unused": 1},
        ]
        if plan.variables.get("limit") == "Int":
            cases.append(mine | {"limit": None, "offset": None})
        for variables in cases:
            if await _both(client, debug_log, text, variables):
                answered += 1
        # As another user sees the same boards: theirs readable, mine not.
        for board in boards:
            await _both(
                other_client, debug_log, text, {k: v for k, v in cases[0].items()} | {plan.board_variable: board}
            )
    # The cases the plan covers were answered by it (the rest, by the executor).
    assert answered >= 20 * len(operations) // 2, answered


@pytest.mark.parametrize("engine_name", ["sqlite"])
async def test_the_plan_answers_the_page_and_can_be_turned_off(
    database_url: str, tmp_path, debug_log: pytest.LogCaptureFixture
):
    query = next(text for text in planned_page_operations().values() if "GridPage" in text)
    for setting, planned in (("1", True), ("0", False)):
        async with running_app(database_url, tmp_path / "data", BOARDS_GRAPHQL_FAST_PATH=setting) as client:
            board = await create_board(client, "A board")
            await seed_generations(client, board, [{"status": "completed"}, {"status": "pending"}])
            debug_log.clear()
            data = await client.data(query, {"id": board, "limit": 100, "offset": 0, "filter": None})
            assert data["board"]["generationTotal"] == 2
            assert [g["status"] for g in data["board"]["generations"]] == ["PENDING", "COMPLETED"]
            said = [r.getMessage() for r in debug_log.records if r.name == _LOGGER]
            assert any("answered from its plan" in m for m in said) is planned, said
