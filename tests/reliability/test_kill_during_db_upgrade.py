"""kill -9 at random moments during `boards-desktop db upgrade`: the next upgrade finishes, nothing is lost.

A database made at an older schema (the first schema files only), filled with boards, generations
with prompts, lineage and tags, is upgraded by `boards-desktop db upgrade` in a subprocess that a
seeded timer kills with SIGKILL, again and again, at moments spread over how long one whole upgrade
takes (measured first on a copy). A last upgrade then runs to the end.

After it: the schema is the DDL's (`db diff` exits 0), every row written before is there with the
same values, and SQLite's `integrity_check` says ok after every kill. Each interrupted upgrade of a
SQLite database may leave a backup beside it; their number is printed (pruning them is the app's
start-up housekeeping, not the upgrade's).

`BOARDS_DRILL_SCALE` multiplies the rows and the kills; `BOARDS_DRILL_SEED` replays a run.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from tests.reliability.audit import integrity, orphan_rows, query
from tests.reliability.drill_settings import drill_random, drill_scale
from tests.reliability.serve_process import REPO, installation_environment, run_cli

OLD_SCHEMA = [
    "001_initial.sql",
    "002_generation_lineage.sql",
    "003_board_generation_count.sql",
    "004_board_generation_count_triggers.postgresql.sql",
    "004_board_generation_count_triggers.sqlite.sql",
]
GENERATIONS_PER_SCALE = 20_000
KILLS_PER_SCALE = 6
# What the drill compares before and after: the columns of the old schema that the upgrade keeps.
SNAPSHOT = {
    "boards": "SELECT id, title, generation_count FROM boards ORDER BY id",
    "generations": "SELECT id, board_id, status, input_params, storage_url FROM generations ORDER BY id",
    "generation_lineage": "SELECT generation_id, position, input_generation_id, role FROM generation_lineage "
    "ORDER BY generation_id, position",
    "generation_tags": "SELECT generation_id, tag_id FROM generation_tags ORDER BY generation_id, tag_id",
}


def test_db_upgrade_killed_at_random_moments_finishes_later_with_every_row_kept(
    tmp_path: Path, database_url: str
) -> None:
    scale = drill_scale()
    rng, seed = drill_random("kill -9 during db upgrade")
    where = f"seed {seed}, {database_url.split(':', 1)[0]}"
    old_schemas = tmp_path / "old-schemas"
    old_schemas.mkdir()
    for name in OLD_SCHEMA:
        shutil.copy(REPO / "schemas" / name, old_schemas / name)
    env = installation_environment(tmp_path / "data", database_url)
    made = run_cli({**env, "BOARDS_SCHEMAS_DIR": str(old_schemas)}, "db", "upgrade")
    assert made.returncode == 0, made.stderr
    asyncio.run(_fill(database_url, GENERATIONS_PER_SCALE * scale, rng.random()))
    before = asyncio.run(_snapshot(database_url))

    pristine = asyncio.run(_clone(database_url, "pristine"))
    try:
        _drill(database_url, pristine, env, rng, scale, where, before, tmp_path)
    finally:
        asyncio.run(_drop_clones(database_url, "pristine", "timed"))


def _drill(
    database_url: str,
    pristine: str,
    env: dict[str, str],
    rng: Any,
    scale: int,
    where: str,
    before: dict[str, list[tuple[Any, ...]]],
    tmp_path: Path,
) -> None:
    started, whole = _measure_an_upgrade(pristine, env)
    kills, finished_early = 0, 0
    landed: Counter[str] = Counter()  # where the kills met the upgrade
    while kills < KILLS_PER_SCALE * scale:
        moment = rng.uniform(started * 0.5, whole)
        state = _progress(database_url, tmp_path)
        upgrade = subprocess.Popen(
            [sys.executable, "-m", "boards_desktop", "db", "upgrade"],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(moment)
        if upgrade.poll() is None:
            upgrade.kill()
            kills += 1
            landed[_where_it_stopped(state, _progress(database_url, tmp_path))] += 1
        upgrade.wait(30)
        assert asyncio.run(integrity(database_url)) == [], f"after a kill at {moment:.2f} s ({where})"
        if upgrade.returncode == 0:
            # It beat the timer: back to the old schema, so that the next kill meets an upgrade again.
            finished_early += 1
            whole = max(started * 0.5 + 0.1, whole * 0.85)  # a busy machine measured it slower than it runs
            assert finished_early < 5 * KILLS_PER_SCALE * scale, f"the timer never met a running upgrade ({where})"
            asyncio.run(_restore(database_url, pristine))
    backups = sorted(tmp_path.glob("boards.db.*.bak"))
    cut_short = sorted(tmp_path.glob("boards.db.*.bak.part"))  # copies a kill stopped: never under a backup's name
    assert _incomplete(backups) == 0, f"a backup was cut short by a kill ({where})"
    # Measured now: the final upgrade's housekeeping keeps only the newest backups.
    backup_bytes = sum(path.stat().st_size for path in backups)
    cut_short_bytes = sum(path.stat().st_size for path in cut_short)

    final = run_cli(env, "db", "upgrade")
    assert final.returncode == 0, f"{where}: {final.stdout}{final.stderr}"
    diff = run_cli(env, "db", "diff")
    assert diff.returncode == 0, f"the schema differs from the DDL after the upgrade ({where}):\n{diff.stdout}"
    after = asyncio.run(_snapshot(database_url))
    for table, rows in before.items():
        assert after[table] == rows, f"{table} changed ({where})"
    assert asyncio.run(orphan_rows(database_url)) == {}, where
    assert asyncio.run(integrity(database_url)) == [], where
    searchable = asyncio.run(query(database_url, "SELECT count(*) FROM generations WHERE search_text <> ''"))[0][0]
    assert searchable == len(before["generations"]), f"prompts not made searchable by 008 ({where})"
    print(
        f"kill -9 during db upgrade ({where}): {len(before['generations'])} generations, one upgrade "
        f"{whole:.2f} s (start-up {started:.2f} s), {kills} kills, {finished_early} upgrades finished before "
        f"the timer (each put back to the old schema); kills {dict(landed)}; {len(backups)} backups left beside the database "
        f"({backup_bytes / 1e6:.1f} MB) and {len(cut_short)} copies cut short ({cut_short_bytes / 1e6:.1f} MB)"
    )


def _progress(url: str, folder: Path) -> tuple[int, frozenset[str], frozenset[str]]:
    """The schema files applied, the backups and the copies cut short, as they are now."""
    applied = asyncio.run(query(url, "SELECT count(*) FROM schema_migrations"))[0][0]
    backups = frozenset(path.name for path in folder.glob("boards.db.*.bak"))
    parts = frozenset(path.name for path in folder.glob("boards.db.*.bak.part"))
    return applied, backups, parts


def _where_it_stopped(
    before: tuple[int, frozenset[str], frozenset[str]], after: tuple[int, frozenset[str], frozenset[str]]
) -> str:
    if after[2] - before[2]:
        return "copying the backup"
    if after[0] > before[0] or after[1] - before[1]:
        return "applying schema files"
    return "before any change"  # starting up, or inside a schema file's transaction (rolled back)


def _measure_an_upgrade(pristine: str, env: dict[str, str]) -> tuple[float, float]:
    """How long the command takes to start, and to upgrade a copy of the old database to the end."""
    clock = time.monotonic()
    status = run_cli(env, "db", "status")
    started = time.monotonic() - clock
    assert status.returncode == 0, status.stderr
    copy_url = asyncio.run(_clone(pristine, "timed"))
    clock = time.monotonic()
    upgraded = run_cli({**env, "BOARDS_DATABASE_URL": copy_url}, "db", "upgrade")
    whole = time.monotonic() - clock
    assert upgraded.returncode == 0, upgraded.stderr
    return started, max(whole, started + 0.2)


async def _clone(url: str, suffix: str) -> str:
    """A copy of the database beside it (SQLite: a file in a folder of its own; PostgreSQL: a template copy)."""
    if url.startswith("sqlite"):
        source = Path(url.split(":///", 1)[1])
        copy = source.parent / suffix / "boards.db"
        copy.parent.mkdir()
        shutil.copy(source, copy)
        return f"sqlite+aiosqlite:///{copy}"
    base, name = url.rsplit("/", 1)
    await _postgres_admin(base, f'CREATE DATABASE "{name}_{suffix}" TEMPLATE "{name}"')
    return f"{base}/{name}_{suffix}"


async def _restore(url: str, copy: str) -> None:
    """The database as the copy has it."""
    if url.startswith("sqlite"):
        path = Path(url.split(":///", 1)[1])
        for sidecar in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            sidecar.unlink(missing_ok=True)
        shutil.copy(Path(copy.split(":///", 1)[1]), path)
        return
    base, name = url.rsplit("/", 1)
    await _postgres_admin(
        base, f'DROP DATABASE "{name}"', f'CREATE DATABASE "{name}" TEMPLATE "{copy.rsplit("/", 1)[1]}"'
    )


async def _drop_clones(url: str, *suffixes: str) -> None:
    if not url.startswith("sqlite"):
        base, name = url.rsplit("/", 1)
        await _postgres_admin(base, *(f'DROP DATABASE IF EXISTS "{name}_{suffix}" WITH (FORCE)' for suffix in suffixes))


async def _postgres_admin(base: str, *statements: str) -> None:
    admin = create_async_engine(f"{base}/postgres", poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await admin.dispose()


def _incomplete(backups: list[Path]) -> int:
    """Backups that a kill cut short: SQLite cannot read them whole."""
    broken = 0
    for backup in backups:
        try:
            connection = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
            try:
                broken += connection.execute("PRAGMA integrity_check").fetchone()[0] != "ok"
            finally:
                connection.close()
        except sqlite3.DatabaseError:
            broken += 1
    return broken


async def _fill(url: str, generations: int, seed: float) -> None:
    """A tenant, a user, 20 boards, the generations (a prompt each; a third with lineage), and tags."""
    tenant, user = str(uuid.uuid4()), str(uuid.uuid4())
    boards = [str(uuid.uuid4()) for _ in range(20)]
    ids = [str(uuid.uuid4()) for _ in range(generations)]
    tags = [str(uuid.uuid4()) for _ in range(5)]
    words = ["lighthouse", "dusk", "été", "harbour", "fog", "Storm", "quiet", "glass"]
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text("INSERT INTO tenants (id, name, slug) VALUES (:t, 'Studio', 'studio')"), {"t": tenant}
            )
            await connection.execute(
                text("INSERT INTO users (id, tenant_id, auth_provider, auth_subject) VALUES (:u, :t, 'local', 'me')"),
                {"u": user, "t": tenant},
            )
            await connection.execute(
                text("INSERT INTO boards (id, tenant_id, owner_id, title) VALUES (:b, :t, :u, :title)"),
                [{"b": b, "t": tenant, "u": user, "title": f"Board {i}"} for i, b in enumerate(boards)],
            )
            await connection.execute(
                text(
                    "INSERT INTO generations (id, tenant_id, board_id, user_id, generator_name, artifact_type, "
                    "input_params, status, storage_url) VALUES (:g, :t, :b, :u, 'local-title-card', 'image', "
                    ":params, 'completed', :url)"
                ),
                [
                    {
                        "g": g,
                        "t": tenant,
                        "b": boards[i % len(boards)],
                        "u": user,
                        "params": json.dumps({"prompt": f"{words[i % 8]} {words[(i * 7 + int(seed * 8)) % 8]} {i}"}),
                        "url": f"/api/storage/{boards[i % len(boards)]}/{g}/output.png",
                    }
                    for i, g in enumerate(ids)
                ],
            )
            await connection.execute(
                text(
                    "INSERT INTO generation_lineage (generation_id, position, input_generation_id, role, artifact_type) "
                    "VALUES (:g, 0, :parent, 'image', 'image')"
                ),
                [{"g": g, "parent": ids[i - 1]} for i, g in enumerate(ids) if i % 3 == 1],
            )
            await connection.execute(
                text("INSERT INTO tags (id, tenant_id, name, slug) VALUES (:id, :t, :name, :name)"),
                [{"id": tag, "t": tenant, "name": f"tag-{n}"} for n, tag in enumerate(tags)],
            )
            await connection.execute(
                text("INSERT INTO generation_tags (id, generation_id, tag_id) VALUES (:id, :g, :tag)"),
                [{"id": str(uuid.uuid4()), "g": g, "tag": tags[i % 5]} for i, g in enumerate(ids) if i % 4 == 0],
            )
    finally:
        await engine.dispose()


async def _snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    return {table: [tuple(map(str, row)) for row in await query(url, sql)] for table, sql in SNAPSHOT.items()}
