"""boards.generation_count stays exact however generations arrive, move or leave (schemas 003, 004)."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select, text, update

from boards_desktop.db.engine import Database
from boards_desktop.db.models import Board, Generation, Tenant, User
from boards_desktop.db.schema_runner import upgrade


async def _counts(database: Database, *boards: uuid.UUID) -> list[int]:
    async with database.read() as session:
        rows = dict((await session.execute(select(Board.id, Board.generation_count))).all())
    return [rows.get(board) for board in boards]


async def test_triggers_keep_the_counter_exact(database_url: str) -> None:
    database = Database(database_url)
    try:
        await upgrade(database)
        tenant, user, first, second = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        async with database.write() as session:
            session.add(Tenant(id=tenant, name="T", slug="t"))
            await session.flush()
            session.add(User(id=user, tenant_id=tenant, auth_provider="local", auth_subject="s"))
            await session.flush()
            session.add_all([Board(id=b, tenant_id=tenant, owner_id=user, title="B") for b in (first, second)])
            await session.flush()
            generations = [
                Generation(tenant_id=tenant, board_id=first, user_id=user, generator_name="g", artifact_type="image")
                for _ in range(5)
            ]
            session.add_all(generations)
        assert await _counts(database, first, second) == [5, 0]

        async with database.write() as session:
            await session.execute(update(Generation).where(Generation.id == generations[0].id).values(board_id=second))
            await session.execute(
                update(Generation).where(Generation.id == generations[1].id).values(status="completed")
            )
            await session.execute(delete(Generation).where(Generation.id == generations[2].id))
        assert await _counts(database, first, second) == [3, 1]

        # Deleting a board cascades to its generations; the triggers then touch only the gone board.
        async with database.write() as session:
            await session.execute(text("DELETE FROM boards WHERE id = :id"), {"id": str(second)})
        assert await _counts(database, first) == [3]
    finally:
        await database.dispose()


async def test_an_existing_library_is_counted_when_the_column_arrives(database_url: str, tmp_path) -> None:
    import shutil

    from boards_desktop.db.schema_files import schemas_dir

    early = tmp_path / "schemas"
    early.mkdir()
    for path in schemas_dir().glob("00[12]_*.sql"):
        shutil.copy(path, early)
    database = Database(database_url)
    try:
        await upgrade(database, early, backup=False)
        async with database.write() as session:
            for statement in (
                "INSERT INTO tenants (id, name, slug) VALUES ('00000000-0000-0000-0000-000000000001', 'T', 't')",
                (
                    "INSERT INTO users (id, tenant_id, auth_provider, auth_subject) VALUES "
                    "('00000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-000000000001', 'local', 's')"
                ),
                (
                    "INSERT INTO boards (id, tenant_id, owner_id, title) VALUES ('00000000-0000-0000-0000-000000000003', "
                    "'00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000002', 'B')"
                ),
            ):
                await session.execute(text(statement))
            for n in range(4):
                await session.execute(
                    text(
                        "INSERT INTO generations (id, tenant_id, board_id, user_id, generator_name, artifact_type) "
                        "VALUES (:id, '00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000003', "
                        "'00000000-0000-0000-0000-000000000002', 'g', 'image')"
                    ),
                    {"id": str(uuid.UUID(int=100 + n))},
                )
        await upgrade(database, backup=False)
        assert await _counts(database, uuid.UUID("00000000-0000-0000-0000-000000000003")) == [4]
    finally:
        await database.dispose()
