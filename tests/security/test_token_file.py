"""The token file: made on first run, readable by its owner only from the first byte, reused after."""

from __future__ import annotations

import os
import stat
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from boards_desktop.security import TOKEN_FILE_NAME, TokenFileError, load_or_create_token
from tests.app_harness import read_token, running_app

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")


def _url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'boards.db'}"


async def test_the_token_is_made_on_first_run_private_and_reused(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    previous = os.umask(0)  # even a careless umask cannot open it up: the mode is given at creation
    try:
        async with running_app(_url(tmp_path), data_dir) as client:
            first = client.token
    finally:
        os.umask(previous)
    path = data_dir / TOKEN_FILE_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) >= 43  # 32 random bytes, URL-safe base64
    assert not list(data_dir.glob(".api-token*"))  # no temporary file left behind

    async with running_app(_url(tmp_path), data_dir) as client:
        assert client.token == first
        assert (await client.http.get("/graphql", params={"query": "{ myBoards { id } }"})).status_code == 200


def test_two_instances_starting_at_once_agree_on_one_token(tmp_path: Path) -> None:
    with ThreadPoolExecutor(8) as pool:
        tokens = set(pool.map(lambda _: load_or_create_token(tmp_path), range(8)))
    assert len(tokens) == 1 and tokens == {read_token(tmp_path)}


async def test_a_token_file_readable_by_others_is_closed_and_reported(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    path = data_dir / TOKEN_FILE_NAME
    path.write_text("A" * 43 + "\n")
    path.chmod(0o644)
    async with running_app(_url(tmp_path), data_dir) as client:
        assert client.token == "A" * 43
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    log = (data_dir / "logs" / "boards.log").read_text()
    assert "was readable by other users (mode 644)" in log and "delete it and restart to get a new token" in log


@pytest.mark.parametrize("content", ["", "short", "has spaces in it and is long enough for a token", "é" * 40])
async def test_a_damaged_token_file_stops_start_up_and_is_left_as_it_was(tmp_path: Path, content: str) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    path = data_dir / TOKEN_FILE_NAME
    path.write_text(content, encoding="utf-8")
    path.chmod(0o600)
    with pytest.raises(Exception):  # noqa: B017 - what the artist sees is the logged line, checked below
        async with running_app(_url(tmp_path), data_dir):
            pass
    assert path.read_text(encoding="utf-8") == content
    log = (data_dir / "logs" / "boards.log").read_text()
    assert "cannot start: " in log and str(path) in log and "delete it to have a new one made" in log


@pytest.mark.skipif(os.name != "posix" or os.getuid() != 0, reason="giving a file away needs root")
def test_a_token_file_of_another_user_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / TOKEN_FILE_NAME
    path.write_text("B" * 43)
    path.chmod(0o600)
    os.chown(path, 12345, 12345)
    with pytest.raises(TokenFileError, match="belongs to another user; remove it"):
        load_or_create_token(tmp_path)
    assert path.stat().st_uid == 12345 and path.read_text() == "B" * 43


def test_a_folder_in_place_of_the_token_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / TOKEN_FILE_NAME).mkdir()
    with pytest.raises(TokenFileError, match="is not a regular file"):
        load_or_create_token(tmp_path)
