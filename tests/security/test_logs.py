"""The log file: where it is, that it rotates, that failures land there with a traceback, and that no
secret (token, session cookie, launch code, Authorization header) is ever written to it."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import platformdirs
from litestar import Request, get

from boards_desktop.app import create_app
from boards_desktop.logs import REDACTED, log_file_path
from boards_desktop.settings import load_settings
from tests.app_harness import app_environment, asgi_lifespan, read_token
from tests.security.conftest import QUERY


@get("/test/boom", sync_to_thread=False)
def _boom(request: Request) -> None:
    # A careless error message that quotes the request's credentials.
    raise RuntimeError(f"boom; headers were {dict(request.headers)}; cookies {request.cookies}")


def test_the_log_folder_follows_the_data_folder_or_its_own_setting(tmp_path: Path) -> None:
    portable = load_settings({"BOARDS_DATA_DIR": str(tmp_path / "d"), "BOARDS_CONFIG_FILE": str(tmp_path / "x.toml")})
    assert log_file_path(portable) == tmp_path / "d" / "logs" / "boards.log"
    chosen = load_settings(
        {
            "BOARDS_DATA_DIR": str(tmp_path / "d"),
            "BOARDS_LOG_DIR": str(tmp_path / "l"),
            "BOARDS_CONFIG_FILE": str(tmp_path / "x.toml"),
        }
    )
    assert log_file_path(chosen) == tmp_path / "l" / "boards.log"
    installed = load_settings({"BOARDS_CONFIG_FILE": str(tmp_path / "x.toml")})
    assert log_file_path(installed) == Path(platformdirs.user_log_dir("Boards", appauthor=False)) / "boards.log"


async def test_no_secret_reaches_the_log_and_failures_arrive_with_their_traceback(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    settings = load_settings(
        app_environment(
            f"sqlite+aiosqlite:///{tmp_path / 'b.db'}", data_dir, BOARDS_LOG_LEVEL="debug", BOARDS_SQL_ECHO="true"
        )
    )
    app = create_app(settings)
    app.register(_boom)
    try:
        async with asgi_lifespan(app):
            token = read_token(data_dir)
            launch = app.state.security.launch_url("http://127.0.0.1")
            code = urlsplit(launch).query.split("=", 1)[1]
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
                session = (await http.get(urlsplit(launch).path, params={"code": code})).headers["set-cookie"]
                cookie = session.split(";")[0]
                await http.get(urlsplit(launch).path, params={"code": code})  # reused
                await http.post("/graphql", json=QUERY, headers={"Authorization": f"Bearer {token}"})
                await http.post("/graphql", json=QUERY, headers={"Authorization": f"Bearer {token}x"})
                await http.post(f"/graphql?token={token}", json=QUERY)
                failed = await http.get("/test/boom", headers={"Authorization": f"Bearer {token}", "Cookie": cookie})
                # Someone's debugging line that logs a whole request.
                logging.getLogger("boards.debugging").info(
                    "request: Authorization: Bearer %s; Cookie: %s; %s", token, cookie, launch
                )
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.NOTSET)

    assert failed.status_code == 500 and token not in failed.text and "Traceback" not in failed.text
    log = log_file_path(settings).read_text()
    session_secret = cookie.split("=", 1)[1]
    for secret in (token, session_secret, code):
        assert secret not in log
    assert REDACTED in log
    assert "ERROR boards: unexpected error in GET /test/boom" in log
    assert "Traceback (most recent call last)" in log and "RuntimeError: boom" in log
    assert "FROM boards" in log  # the SQL echo went to the file too


def test_the_log_file_rotates_at_five_megabytes_keeping_five_files(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "BOARDS_DATA_DIR": str(tmp_path / "d"),
            "BOARDS_CONFIG_FILE": str(tmp_path / "x.toml"),
            "BOARDS_LOG_LEVEL": "warning",
        }
    )
    create_app(settings)
    logger = logging.getLogger("boards.rotation")
    stream_handlers = [h for h in logging.getLogger("boards").handlers if type(h) is logging.StreamHandler]
    for handler in stream_handlers:
        handler.setLevel(logging.ERROR)  # keep 30 MB of filler off the terminal
    try:
        for _ in range(30):
            logger.warning("x" * 1024 * 1024)
    finally:
        for handler in stream_handlers:
            handler.setLevel(logging.NOTSET)
    folder = log_file_path(settings).parent
    files = sorted(p.name for p in folder.iterdir())
    assert files == ["boards.log", "boards.log.1", "boards.log.2", "boards.log.3", "boards.log.4"]
    assert all(p.stat().st_size <= 5 * 1024 * 1024 + 2048 for p in folder.iterdir())
