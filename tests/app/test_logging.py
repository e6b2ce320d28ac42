"""BOARDS_LOG_LEVEL and BOARDS_SQL_ECHO reach the loggers an artist or a developer reads."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest

from boards_desktop.app import create_app
from boards_desktop.settings import load_settings
from tests.app_harness import asgi_lifespan, read_token


async def _statements_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture, echo: str) -> list[str]:
    settings = load_settings(
        {
            "BOARDS_DATA_DIR": str(tmp_path / f"data-{echo}"),
            "BOARDS_CONFIG_FILE": str(tmp_path / "none.toml"),
            "BOARDS_SQL_ECHO": echo,
            "BOARDS_LOG_LEVEL": "debug",
        }
    )
    caplog.clear()
    app = create_app(settings)
    try:
        assert logging.getLogger("boards").level == logging.DEBUG
        async with asgi_lifespan(app):
            headers = {"Authorization": f"Bearer {read_token(settings.data_dir)}"}
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1", headers=headers) as http:
                response = await http.post("/graphql", json={"query": "{ myBoards { id } }"})
        assert response.json() == {"data": {"myBoards": []}}
        return [r.getMessage() for r in caplog.records if r.name.startswith("sqlalchemy.engine")]
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.NOTSET)


async def test_sql_echo_logs_the_statements(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    assert not [m for m in await _statements_logged(tmp_path, caplog, "false") if "FROM boards" in m]
    statements = [m for m in await _statements_logged(tmp_path, caplog, "true") if "FROM boards" in m]
    assert statements, "BOARDS_SQL_ECHO=true logged no statement"
