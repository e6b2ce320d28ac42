"""N+1 guard: the number of SQL statements of a page does not grow with the rows on it."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Self

from sqlalchemy import event

from boards_desktop.db import models
from tests.graphql.helpers import BASE_TIME, GENERATOR

BOARD_PAGE = """query($id: UUID!) { board(id: $id) {
    id title owner { id displayName } generationCount
    generations(limit: 50) { id status generatorName user { id } board { id } tags { id } inputArtifacts { generationId } }
} }"""
MY_BOARDS = "{ myBoards(limit: 50) { id generationCount owner { id } } }"
# The board page and the boards page as the app's own UI asks for them.
GRID_PAGE = """query($id: UUID!, $filter: GenerationFilter) { board(id: $id) {
    id title generationCount generatorNames generationTotal(filter: $filter)
    generations(limit: 50, filter: $filter) { id status prompt isFavourite thumbnailUrl tags { id } }
} }"""
BOARD_CARDS = (
    "{ myBoards(limit: 50) { id title generationCount coverThumbnails(limit: 4) generatorNames owner { id } } }"
)
RECENT = """query($id: UUID!) { recentGenerations(boardId: $id, limit: 50) {
    id status board { id title } user { id displayName } tags { id slug } inputArtifacts { generationId generation { id } }
} }"""


class StatementCounter:
    """Records the statements sent on the app's engines (reads and, on SQLite, the writer) while open."""

    def __init__(self, database) -> None:
        engines = database.sync_engines
        self.engines = list({id(e): e for e in engines}.values())
        self.statements: list[str] = []

    def _record(self, conn, cursor, statement, parameters, context, executemany) -> None:
        # The job runner polls the queue in the background on the same engines: its claims are
        # UPDATEs that set the lease, in the writer's transactions (BEGIN IMMEDIATE on SQLite), and
        # they are not the page's (a page only reads).
        text = statement.lstrip().upper()
        if text.startswith("BEGIN IMMEDIATE") or (text.startswith("UPDATE") and "LEASE_OWNER" in text):
            return
        self.statements.append(statement)

    def __enter__(self) -> Self:
        for engine in self.engines:
            event.listen(engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc: object) -> None:
        for engine in self.engines:
            event.remove(engine, "before_cursor_execute", self._record)


async def statements_for(client, query: str, variables: dict | None = None) -> list[str]:
    await client.data(query, variables)  # warm up: first connections, caches
    with StatementCounter(client.services.database) as counter:
        data = await client.data(query, variables)
    assert data
    assert counter.statements, "no statement was counted: the counter misses an engine the app reads through"
    return counter.statements


async def add_user(session, tenant_id: uuid.UUID) -> uuid.UUID:
    user = models.User(
        id=uuid.uuid4(),
        tenant_id=tenant_id,
        auth_provider="local",
        auth_subject=str(uuid.uuid4()),
        display_name="Guest",
    )
    session.add(user)
    await session.flush()
    return user.id


async def seed_board_page(client, generations: int) -> str:
    """A board of the local user with `generations` generations by two users, each tagged and each
    made from a generation of its own on another board (so that no input is already on the page)."""
    actor = client.services.actor

    def generation(board_id: uuid.UUID, user_id: uuid.UUID, i: int, source: uuid.UUID | None) -> models.Generation:
        return models.Generation(
            id=uuid.uuid4(),
            tenant_id=actor.tenant_id,
            board_id=board_id,
            user_id=user_id,
            generator_name=GENERATOR,
            artifact_type="image",
            status=("completed", "pending", "failed")[i % 3],
            input_params={"image": str(source)} if source else {"prompt": f"source {i}"},
            input_artifacts=[{"generation_id": str(source), "role": "image", "artifact_type": "image"}]
            if source
            else [],
            created_at=BASE_TIME + timedelta(minutes=i),
            updated_at=BASE_TIME + timedelta(minutes=i),
        )

    async with client.services.database.write() as session:
        guest = await add_user(session, actor.tenant_id)
        board = models.Board(
            id=uuid.uuid4(), tenant_id=actor.tenant_id, owner_id=actor.user_id, title=f"{generations} generations"
        )
        sources = models.Board(id=uuid.uuid4(), tenant_id=actor.tenant_id, owner_id=actor.user_id, title="Sources")
        tags = [
            models.Tag(id=uuid.uuid4(), tenant_id=actor.tenant_id, name=f"t{i}", slug=f"t{i}-{uuid.uuid4().hex[:8]}")
            for i in range(2)
        ]
        session.add_all([board, sources, *tags])
        session.add(
            models.BoardMember(
                id=uuid.uuid4(), board_id=board.id, user_id=guest, role="editor", invited_by_id=actor.user_id
            )
        )
        await session.flush()
        source_rows = [generation(sources.id, actor.user_id, i, None) for i in range(generations)]
        session.add_all(source_rows)
        await session.flush()
        rows = [
            generation(board.id, actor.user_id if i % 2 else guest, i, source.id)
            for i, source in enumerate(source_rows)
        ]
        session.add_all(rows)
        await session.flush()
        for i, (row, source) in enumerate(zip(rows, source_rows)):
            session.add(models.GenerationTag(id=uuid.uuid4(), generation_id=row.id, tag_id=tags[i % 2].id))
            session.add(
                models.GenerationLineage(
                    generation_id=row.id, position=0, input_generation_id=source.id, role="image", artifact_type="image"
                )
            )
    return str(board.id)


async def test_board_page_statements_do_not_grow_with_generations(client):
    small = await seed_board_page(client, 3)
    large = await seed_board_page(client, 60)
    small_statements = await statements_for(client, BOARD_PAGE, {"id": small})
    large_statements = await statements_for(client, BOARD_PAGE, {"id": large})

    data = await client.data(BOARD_PAGE, {"id": large})
    page = data["board"]["generations"]
    assert data["board"]["generationCount"] == 60 and len(page) == 50
    assert all(len(g["tags"]) == 1 and len(g["inputArtifacts"]) == 1 for g in page)
    assert len({g["user"]["id"] for g in page}) == 2

    assert len(large_statements) == len(small_statements), "\n".join(large_statements)

    # The same holds for the recent-generations list, with the generations behind each input.
    small_statements = await statements_for(client, RECENT, {"id": small})
    large_statements = await statements_for(client, RECENT, {"id": large})
    assert len(large_statements) == len(small_statements), "\n".join(large_statements)


async def seed_boards(client, owned: int, shared: int) -> None:
    """Boards owned by the local user, and boards of other users it is a member of; 3 generations each."""
    actor = client.services.actor
    async with client.services.database.write() as session:
        boards = []
        for i in range(owned + shared):
            owner = actor.user_id if i < owned else await add_user(session, actor.tenant_id)
            board = models.Board(id=uuid.uuid4(), tenant_id=actor.tenant_id, owner_id=owner, title=f"Board {i}")
            boards.append(board)
            session.add(board)
            await session.flush()
            if owner != actor.user_id:
                session.add(
                    models.BoardMember(
                        id=uuid.uuid4(), board_id=board.id, user_id=actor.user_id, role="viewer", invited_by_id=owner
                    )
                )
            for j in range(3):
                session.add(
                    models.Generation(
                        id=uuid.uuid4(),
                        tenant_id=actor.tenant_id,
                        board_id=board.id,
                        user_id=owner,
                        generator_name=GENERATOR,
                        artifact_type="image",
                        status="completed",
                        input_params={"n": j},
                    )
                )


async def test_my_boards_statements_do_not_grow_with_boards(client):
    await seed_boards(client, owned=1, shared=1)
    few = await statements_for(client, MY_BOARDS)
    await seed_boards(client, owned=6, shared=4)
    many = await statements_for(client, MY_BOARDS)

    boards = (await client.data(MY_BOARDS))["myBoards"]
    assert len(boards) == 12 and all(b["generationCount"] == 3 for b in boards)
    assert len({b["owner"]["id"] for b in boards}) == 6
    assert len(many) == len(few), "\n".join(many)


async def test_the_grid_page_keeps_a_fixed_number_of_statements_filtered_or_not(client):
    small = await seed_board_page(client, 3)
    large = await seed_board_page(client, 60)
    for grid_filter in (None, {"statuses": ["COMPLETED", "FAILED"], "search": "source", "favouritesOnly": False}):
        variables = {"filter": grid_filter}
        small_statements = await statements_for(client, GRID_PAGE, {"id": small, **variables})
        large_statements = await statements_for(client, GRID_PAGE, {"id": large, **variables})
        assert len(large_statements) == len(small_statements), "\n".join(large_statements)
    data = await client.data(GRID_PAGE, {"id": large, "filter": None})
    assert data["board"]["generationTotal"] == 60 and len(data["board"]["generations"]) == 50


async def test_board_cards_keep_a_fixed_number_of_statements(client):
    await seed_boards(client, owned=1, shared=1)
    few = await statements_for(client, BOARD_CARDS)
    await seed_boards(client, owned=6, shared=4)
    many = await statements_for(client, BOARD_CARDS)
    assert len(many) == len(few), "\n".join(many)
    boards = (await client.data(BOARD_CARDS))["myBoards"]
    assert len(boards) == 12 and all(b["generatorNames"] == [GENERATOR] for b in boards)
