"""Schema files 008 and 011: `search_text` filled, then refolded, for the generations made before them; the partial index in `db diff`."""

from __future__ import annotations

import json
import uuid

from boards_desktop.db.engine import Database
from boards_desktop.db.schema_diff import diff_database, render_sql, render_text
from boards_desktop.db.schema_runner import upgrade
from boards_desktop.db.search_refold import refold_search_text
from boards_desktop.db.search_text import SEARCH_VERSION
from tests.db.support import ALL_FILES, execute, fetch, run_script, sql_sections

BEFORE_008 = tuple(name for name in ALL_FILES if name < "008")


async def test_the_search_text_of_older_generations_is_filled(database_url, schema_folder):
    schema_folder.copy(*BEFORE_008)
    database = Database(database_url)
    try:
        await upgrade(database, schema_folder.path, backup=False)
        tenant, user, board = (str(uuid.uuid4()) for _ in range(3))
        await execute(
            database,
            f"INSERT INTO tenants (id, name, slug) VALUES ('{tenant}', 't', 't')",
            f"INSERT INTO users (id, tenant_id, auth_provider, auth_subject) VALUES ('{user}', '{tenant}', 'local', 's')",
            f"INSERT INTO boards (id, tenant_id, owner_id, title) VALUES ('{board}', '{tenant}', '{user}', 'b')",
        )
        params = {
            "plain": {"prompt": "A Lighthouse at Dusk", "seed": 7},
            "nested": {"prompt": "storm", "styles": ["Vivid", {"name": "Noir"}], "image": str(uuid.uuid4())},
            "empty": {"seed": 1, "flag": True},
        }
        for key, value in params.items():
            document = json.dumps(value).replace("'", "''")
            await execute(
                database,
                "INSERT INTO generations (id, tenant_id, board_id, user_id, generator_name, artifact_type, "
                f"input_params) VALUES ('{uuid.uuid5(uuid.NAMESPACE_URL, key)}', '{tenant}', '{board}', '{user}', "
                f"'g', 'image', '{document}')",
            )
        schema_folder.copy(*(name for name in ALL_FILES if name.startswith("008")))
        await upgrade(database, schema_folder.path, backup=False)

        rows = dict(await fetch(database, "SELECT id, search_text FROM generations"))
        found = {key: rows[str(uuid.uuid5(uuid.NAMESPACE_URL, key))] for key in params}
        assert found["plain"] == "a lighthouse at dusk"
        assert sorted(found["nested"].split("\n")) == ["noir", "storm", "vivid"]  # no generation id
        assert found["empty"] == ""
    finally:
        await database.dispose()


async def test_db_diff_sees_a_missing_partial_index_and_its_sql_restores_it(database_url):
    database = Database(database_url)
    try:
        await upgrade(database, backup=False)
        await execute(database, "DROP INDEX ix_generations_board_covers")
        diff = await diff_database(database)
        described = [d.describe() for d in diff.differences]
        assert len(described) == 1 and "ix_generations_board_covers" in described[0], described
        assert "thumbnail_url is not null" in described[0].lower()  # the WHERE is part of what it is
        up, _down = sql_sections(render_sql(diff, database.dialect))
        await run_script(database_url, up)
        assert render_text(await diff_database(database)) == "no difference"
    finally:
        await database.dispose()


async def test_generations_made_before_011_are_refolded_without_accents(database_url, schema_folder):
    schema_folder.copy(*(name for name in ALL_FILES if name < "011"))
    database = Database(database_url)
    try:
        await upgrade(database, schema_folder.path, backup=False)
        tenant, user, board = (str(uuid.uuid4()) for _ in range(3))
        await execute(
            database,
            f"INSERT INTO tenants (id, name, slug) VALUES ('{tenant}', 't', 't')",
            f"INSERT INTO users (id, tenant_id, auth_provider, auth_subject) VALUES ('{user}', '{tenant}', 'local', 's')",
            f"INSERT INTO boards (id, tenant_id, owner_id, title) VALUES ('{board}', '{tenant}', '{user}', 'b')",
        )
        made = {
            "prompt": ("flux-pro", {"prompt": "Été à la plage"}, {}),
            "upload": ("user-upload-image", {"source": "upload"}, {"original_filename": "Château.png"}),
        }
        for key, (generator, params, metadata) in made.items():
            await execute(
                database,
                "INSERT INTO generations (id, tenant_id, board_id, user_id, generator_name, artifact_type, "
                f"input_params, output_metadata, search_text) VALUES ('{uuid.uuid5(uuid.NAMESPACE_URL, key)}', "
                f"'{tenant}', '{board}', '{user}', '{generator}', 'image', '{json.dumps(params)}', "
                f"'{json.dumps(metadata)}', 'as 008 left it')",
            )
        schema_folder.copy(*(name for name in ALL_FILES if name.startswith("011")))
        await upgrade(database, schema_folder.path, backup=False)
        assert await refold_search_text(database) == 2
        assert await refold_search_text(database) == 0  # once only

        rows = {
            row[0]: (row[1], row[2])
            for row in await fetch(database, "SELECT id, search_text, search_version FROM generations")
        }
        found = {key: rows[str(uuid.uuid5(uuid.NAMESPACE_URL, key))] for key in made}
        assert found["prompt"] == ("ete a la plage\nflux-pro\nflux pro", SEARCH_VERSION)
        assert found["upload"] == ("upload\nuser-upload-image\nuser upload image\nchateau.png", SEARCH_VERSION)
    finally:
        await database.dispose()
