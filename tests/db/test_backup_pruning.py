"""`db upgrade` backs a SQLite database up before changing it, and keeps only the newest few backups:
upgrades interrupted again and again no longer fill the disk with whole copies."""

from __future__ import annotations

import os
import sqlite3
import time
from contextlib import closing

from tests.db.support import FIRST, LINEAGE, TEST_003, backups_of, run_cli


def test_db_upgrade_keeps_the_newest_backups_and_removes_one_cut_short(schema_folder, tmp_path):
    data = tmp_path / "data"
    url = f"sqlite+aiosqlite:///{data / 'boards.db'}"
    env = {"BOARDS_DATA_DIR": str(data), "BOARDS_DATABASE_URL": url, "BOARDS_SCHEMAS_DIR": str(schema_folder.path)}
    schema_folder.copy(FIRST, LINEAGE)
    assert run_cli("db", "upgrade", env=env).returncode == 0
    # What seven killed upgrades leave: whole backups, and one copy cut short by the kill.
    old = [data / f"boards.db.2026010{day}T000000000000Z.bak" for day in range(1, 8)]
    for path in old:
        path.write_bytes(b"an old copy")
    cut_short = data / "boards.db.20260108T000000000000Z.bak.part"
    cut_short.write_bytes(b"half a copy")
    os.utime(cut_short, (time.time() - 7200, time.time() - 7200))

    schema_folder.write(*TEST_003)
    result = run_cli("db", "upgrade", env={**env, "BOARDS_KEEP_BACKUPS": "2"})

    assert result.returncode == 0, result.stderr
    kept = backups_of(url)
    assert len(kept) == 2 and kept[0] == old[-1], kept
    made_now = kept[1]
    assert f"backed up the database to {made_now}" in result.stdout
    with closing(sqlite3.connect(made_now)) as copy:  # a whole, readable copy of the database before 900
        assert copy.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == 2
    assert not cut_short.exists()
    assert not list(data.glob("*.bak.part"))
