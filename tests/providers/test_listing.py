"""`boards-desktop generators` lists the provider generators, ready or with what is missing."""

from __future__ import annotations

import os
import subprocess
import sys


def _listed(tmp_path, **environment: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "REPLICATE_API_TOKEN", "FAL_KEY")}
    env.update(BOARDS_DATA_DIR=str(tmp_path / "data"), BOARDS_CONFIG_FILE=str(tmp_path / "none.toml"), **environment)
    result = subprocess.run(
        [sys.executable, "-m", "boards_desktop", "generators"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return {line.split()[0]: line for line in result.stdout.splitlines()}


def test_openai_generators_say_the_key_is_missing_then_ready_with_it(tmp_path):
    listed = _listed(tmp_path)
    assert listed["openai-image"].split()[1:3] == ["image", "openai"]
    assert listed["openai-image"].endswith(
        "unavailable: no OpenAI key: add it in Settings, or set OPENAI_API_KEY in the environment"
    )
    listed = _listed(tmp_path, OPENAI_API_KEY="sk-listing-test-0000")
    assert listed["openai-image"].split()[1:4] == ["image", "openai", "ready"]
    assert listed["openai-image-edit"].split()[1:4] == ["image", "openai", "ready"]


def test_replicate_generators_say_the_token_is_missing_then_ready_with_it(tmp_path):
    listed = _listed(tmp_path)
    assert listed["replicate-flux-schnell"].split()[1:3] == ["image", "replicate"]
    assert listed["replicate-kling-video"].split()[1:3] == ["video", "replicate"]
    assert listed["replicate-kling-video"].endswith(
        "unavailable: no Replicate key: add it in Settings, or set REPLICATE_API_TOKEN in the environment"
    )
    listed = _listed(tmp_path, REPLICATE_API_TOKEN="r8_listing-test-0000")
    assert listed["replicate-flux-schnell"].split()[1:4] == ["image", "replicate", "ready"]
    assert listed["replicate-kling-video"].split()[1:4] == ["video", "replicate", "ready"]
