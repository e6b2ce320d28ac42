"""`boards-desktop serve` for a separate web front end: it says which origins may call it, and answers them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

WEB_APP = "http://localhost:3000"


def test_serve_prints_the_allowed_origins_and_answers_their_preflight(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    env = {
        **os.environ,
        "BOARDS_DATA_DIR": str(data_dir),
        "BOARDS_CONFIG_FILE": str(data_dir / "none.toml"),
        "BOARDS_ALLOWED_ORIGINS": f"{WEB_APP}, http://127.0.0.1:5173",
    }
    env.pop("BOARDS_DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "boards_desktop", "serve", "--port", "0"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = process.stdout.readline().strip().rsplit(" ", 1)[1]
        allowed = process.stdout.readline().strip()
        assert allowed == (
            "Web pages allowed to call the API (with the token in 'Authorization: Bearer'): "
            "http://localhost:3000, http://127.0.0.1:5173"
        )
        token = (data_dir / "api-token").read_text().strip()
        preflight = httpx.options(
            f"{url}/graphql",
            headers={
                "Origin": WEB_APP,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type",
            },
        )
        assert preflight.status_code == 204 and preflight.headers["access-control-allow-origin"] == WEB_APP
        answer = httpx.post(
            f"{url}/graphql",
            json={"query": "{ me { id } }"},
            headers={"Origin": WEB_APP, "Authorization": f"Bearer {token}"},
        )
        assert answer.status_code == 200 and answer.headers["access-control-allow-origin"] == WEB_APP
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) in (0, -signal.SIGTERM)
        assert "Traceback" not in process.stderr.read()
