"""The database layer: concurrent writers, SQLite's connection settings, UUID and timestamp forms."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import select, text

from boards_desktop.db.engine import BUSY_TIMEOUT_MS, Database
from boards_desktop.db.inline_sessions import BUSY_TIMEOUT_MS as WRITER_BUSY_TIMEOUT_MS
from boards_desktop.db.models import Tenant
from boards_desktop.db.schema_runner import upgrade
from tests.db.support import fetch

WRITERS = 50
WRITES_EACH = 4


async def _write_tenants(database: Database, writer: str, count: int) -> None:
    # Several short transactions per writer, as request handlers make them.
    for n in range(count):
        async with database.write() as session:
            session.add(Tenant(id=uuid.uuid4(), name=f"Studio {writer}-{n}", slug=f"studio-{writer}-{n}"))
        await asyncio.sleep(0)


async def test_fifty_concurrent_writers_all_land(database_url):
    database = Database(database_url)
    try:
        await upgrade(database)
        await asyncio.gather(*(_write_tenants(database, str(w), WRITES_EACH) for w in range(WRITERS)))
        slugs = {slug for (slug,) in await fetch(database, "SELECT slug FROM tenants")}
        assert slugs == {f"studio-{w}-{n}" for w in range(WRITERS) for n in range(WRITES_EACH)}
    finally:
        await database.dispose()


async def test_two_databases_on_one_sqlite_file_write_concurrently(tmp_path):
    # Two Database objects stand for two processes: they share no pool, only the file.
    url = f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}"
    setup = Database(url)
    await upgrade(setup)
    await setup.dispose()
    first, second = Database(url), Database(url)
    try:
        await asyncio.gather(
            *(_write_tenants(first, f"a{w}", WRITES_EACH) for w in range(WRITERS // 2)),
            *(_write_tenants(second, f"b{w}", WRITES_EACH) for w in range(WRITERS // 2)),
        )
        count = (await fetch(first, "SELECT count(*) FROM tenants"))[0][0]
        assert count == WRITERS * WRITES_EACH
    finally:
        await first.dispose()
        await second.dispose()


async def test_a_reader_is_not_blocked_by_an_open_write(tmp_path):
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'wal.db'}")
    try:
        await upgrade(database)
        async with database.write() as session:
            session.add(Tenant(id=uuid.uuid4(), name="Studio", slug="studio"))
            await session.flush()
            # WAL: a reader sees the last commit while this write transaction is still open.
            assert await asyncio.wait_for(fetch(database, "SELECT count(*) FROM tenants"), 5) == [(0,)]
        assert await fetch(database, "SELECT count(*) FROM tenants") == [(1,)]
    finally:
        await database.dispose()


async def test_a_writer_in_another_process_is_waited_for_without_blocking_the_loop(tmp_path):
    import sqlite3
    import threading

    path = tmp_path / "shared.db"
    database = Database(f"sqlite+aiosqlite:///{path}")
    try:
        await upgrade(database)
        other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        other.execute("BEGIN IMMEDIATE")  # another process's write lock, held for a moment
        threading.Timer(0.4, other.execute, ["COMMIT"]).start()
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        ticker = asyncio.create_task(tick())
        started = asyncio.get_running_loop().time()
        async with database.write() as session:
            await session.execute(text("INSERT INTO tenants (id, name, slug) VALUES ('t', 'T', 't')"))
        waited = asyncio.get_running_loop().time() - started
        ticker.cancel()
        other.close()
        assert waited >= 0.3  # it did wait for the lock...
        assert ticks >= 5  # ...while the loop went on serving everything else (blocked, it would tick once)
        async with database.read() as session:
            assert (await session.execute(text("SELECT slug FROM tenants"))).scalar_one() == "t"
    finally:
        await database.dispose()


async def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(tmp_path):
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'pragmas.db'}")
    try:
        # The writer fails fast on another process's lock and waits for it asynchronously instead.
        for open_session, busy_timeout in ((database.read, BUSY_TIMEOUT_MS), (database.write, WRITER_BUSY_TIMEOUT_MS)):
            async with open_session() as session:
                assert (await session.execute(text("PRAGMA journal_mode"))).scalar_one() == "wal"
                assert (await session.execute(text("PRAGMA foreign_keys"))).scalar_one() == 1
                assert (await session.execute(text("PRAGMA busy_timeout"))).scalar_one() == busy_timeout
    finally:
        await database.dispose()


async def test_foreign_keys_are_enforced_on_sqlite(tmp_path):
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'fk.db'}")
    try:
        await upgrade(database)
        try:
            async with database.write() as session:
                await session.execute(
                    text(
                        "INSERT INTO users (id, tenant_id, auth_provider, auth_subject) "
                        "VALUES (:id, :tenant, 'local', 'me')"
                    ),
                    {"id": str(uuid.uuid4()), "tenant": str(uuid.uuid4())},
                )
        except Exception as exc:  # noqa: BLE001
            assert "FOREIGN KEY" in str(exc)
        else:
            raise AssertionError("a user of a tenant that does not exist was stored")
    finally:
        await database.dispose()


async def test_uuids_are_stored_as_lower_case_dashed_text(database_url):
    database = Database(database_url)
    as_uuid = uuid.uuid4()
    as_upper = uuid.uuid4()
    try:
        await upgrade(database)
        async with database.write() as session:
            session.add(Tenant(id=as_uuid, name="A", slug="a"))
            session.add(Tenant(id=str(as_upper).upper(), name="B", slug="b"))
        stored = dict(await fetch(database, "SELECT slug, id FROM tenants"))
        assert stored == {"a": str(as_uuid), "b": str(as_upper)}
        assert all(isinstance(value, str) and value == value.lower() and len(value) == 36 for value in stored.values())

        # Looking a row up by an upper-case id finds it: the bound value is canonicalised too.
        async with database.read() as session:
            found = (await session.execute(select(Tenant).where(Tenant.id == str(as_upper).upper()))).scalar_one()
        assert found.id == as_upper and isinstance(found.id, uuid.UUID)
        if not database.is_sqlite:
            (column_type,) = (
                await fetch(
                    database,
                    "SELECT data_type || '(' || character_maximum_length || ')' FROM information_schema.columns "
                    "WHERE table_name = 'tenants' AND column_name = 'id'",
                )
            )[0]
            assert column_type == "character varying(36)"
    finally:
        await database.dispose()


async def test_timestamps_come_back_timezone_aware_utc(database_url):
    database = Database(database_url)
    try:
        await upgrade(database)
        written = datetime(2024, 5, 6, 9, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2)))
        async with database.write() as session:
            session.add(Tenant(id=uuid.uuid4(), name="App", slug="app", created_at=written))
        # This row's timestamps come from DEFAULT CURRENT_TIMESTAMP, written by the database.
        await _insert_raw_tenant(database, "raw")
        async with database.read() as session:
            tenants = {t.slug: t for t in (await session.execute(select(Tenant))).scalars()}

        app = tenants["app"]
        assert app.created_at == written
        assert app.created_at.utcoffset() == timedelta(0) and app.created_at.hour == 7
        raw = tenants["raw"]
        for value in (raw.created_at, raw.updated_at, app.updated_at):
            assert value.tzinfo is not None and value.utcoffset() == timedelta(0)
        assert abs(raw.created_at - datetime.now(UTC)) < timedelta(minutes=1)
    finally:
        await database.dispose()


async def _insert_raw_tenant(database: Database, slug: str) -> None:
    async with database.write() as session:
        await session.execute(
            text("INSERT INTO tenants (id, name, slug) VALUES (:id, :name, :slug)"),
            {"id": str(uuid.uuid4()), "name": slug, "slug": slug},
        )
