"""The bucket's endpoint, region and keys from the environment, the config file or the OS keyring.

Each value comes from the first place that has it (environment, then the config file's `[storage]`
section, then the keyring entry `boards-desktop storage credentials` stores). A real app on a real
S3 server (moto's, on loopback) works with keys kept only in the keyring and an endpoint kept only in
the config file; the secret shows in no output, no log file and no API answer. The keyring is a
file-backed one named the way an artist would (`PYTHON_KEYRING_BACKEND`).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from boards_desktop.media.bucket_credentials import resolve, store_in_keyring
from boards_desktop.settings import SettingsError, load_settings
from tests.media.samples import image_bytes
from tests.s3_server import ACCESS_KEY, REGION, SECRET_KEY, ThrowawayS3
from tests.serve_process import BOARDS_DESKTOP, ROOT, Serve, run, serve_env

CONFIG_SECRET = "config-file-secret-0001"
KEYRING_SECRET = "keyring-secret-0002"


def _keyring(folder: Path) -> dict[str, str]:
    return {
        "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring",
        "KEYRING_PROPERTY_FILE_PATH": str(folder / "keyring.cfg"),
    }


def _config(folder: Path, **storage: str) -> Path:
    path = folder / "config.toml"
    lines = ["[storage]", *(f'{key} = "{value}"' for key, value in storage.items())]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_each_value_comes_from_the_first_place_that_has_it(tmp_path: Path) -> None:
    keyring = _keyring(tmp_path)
    store_in_keyring(
        keyring,
        {"access_key_id": "keyring-key-id", "secret_access_key": KEYRING_SECRET, "region": "keyring-region"},
    )
    config = _config(tmp_path, access_key_id="config-key-id", secret_access_key=CONFIG_SECRET)
    base = {"BOARDS_DATA_DIR": str(tmp_path / "data"), "BOARDS_CONFIG_FILE": str(config), **keyring}
    bucket = {"BOARDS_STORAGE_URL": "s3://team-media/boards"}

    # The environment wins over both; what it leaves out comes from the config file, then the keyring.
    environment = {**base, **bucket, "AWS_ACCESS_KEY_ID": "env-key-id", "AWS_ENDPOINT_URL": "http://127.0.0.1:9"}
    found = resolve(load_settings(environment))
    assert found.values["AWS_ACCESS_KEY_ID"] == "env-key-id"
    assert found.values["AWS_SECRET_ACCESS_KEY"] == CONFIG_SECRET
    assert found.values["AWS_REGION"] == "keyring-region"
    assert found.sources == {
        "AWS_ACCESS_KEY_ID": "environment",
        "AWS_ENDPOINT_URL": "environment",
        "AWS_SECRET_ACCESS_KEY": "config",
        "AWS_REGION": "keyring",
    }
    # Without the config file's keys, the keyring's.
    (tmp_path / "config.toml").write_text("")
    found = resolve(load_settings({**base, **bucket}))
    assert found.values["AWS_ACCESS_KEY_ID"] == "keyring-key-id"
    assert found.values["AWS_SECRET_ACCESS_KEY"] == KEYRING_SECRET
    # The settings never show the keys (their repr is what a traceback or a debug line would print).
    assert KEYRING_SECRET not in repr(load_settings({**base, **bucket}))
    # Without a bucket, nothing is read.
    assert load_settings(base).storage_config == {}


def test_a_mistyped_storage_setting_is_refused_without_its_value(tmp_path: Path) -> None:
    config = _config(tmp_path, secret_key=CONFIG_SECRET)  # secret_access_key was meant
    with pytest.raises(SettingsError) as refused:
        load_settings({"BOARDS_CONFIG_FILE": str(config), "BOARDS_STORAGE_URL": "s3://team-media"})
    assert "'secret_key'" in str(refused.value) and "secret_access_key" in str(refused.value)
    assert CONFIG_SECRET not in str(refused.value)


def test_an_app_with_keys_in_the_keyring_and_the_endpoint_in_the_config_file(
    tmp_path: Path, s3_server: ThrowawayS3
) -> None:
    bucket = s3_server.new_bucket()
    config = _config(tmp_path, endpoint_url=s3_server.endpoint, region=REGION)
    env = serve_env(
        tmp_path / "data",
        BOARDS_STORAGE_URL=f"s3://{bucket}/studio",
        BOARDS_CONFIG_FILE=str(config),
        **_keyring(tmp_path),
    )
    for name in [name for name in env if name.startswith("AWS_")]:
        del env[name]

    # The secret piped in, as a script would (a person types it at a prompt that does not echo it).
    stored = subprocess.run(
        [*BOARDS_DESKTOP, "storage", "credentials", "--access-key-id", ACCESS_KEY, "--secret-stdin"],
        env=env,
        cwd=ROOT,
        input=SECRET_KEY + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert stored.returncode == 0, stored.stderr
    assert "stored in the OS keyring" in stored.stdout
    status = run([*BOARDS_DESKTOP, "storage", "status"], env, timeout=60)
    assert status.returncode == 0, status.stderr
    assert f"endpoint: {s3_server.endpoint} (from the config)" in status.stdout
    assert "secret access key: set (from the keyring)" in status.stdout
    assert "access key id: set (from the keyring)" in status.stdout

    app = Serve(env, tmp_path, "app")
    try:
        board = app.data('mutation { createBoard(input: {title: "Keys"}) { id } }')["createBoard"]["id"]
        sent = app.http.post(
            "/api/uploads/artifact",
            data={"board_id": board, "artifact_type": "image"},
            files={"file": ("a.png", image_bytes("PNG"), "image/png")},
        )
        assert sent.status_code == 200, sent.text
        generation = sent.json()
        assert any(key.startswith(f"{board}/{generation['id']}/") for key in s3_server.keys(bucket, "studio/"))
        assert app.http.get(generation["storageUrl"]).content[:4] == b"\x89PNG"
        settings = app.http.post("/graphql", json={"query": "{ appSettings { mediaStorage mediaDir } }"}).text
    finally:
        app.stop()
    logs = "".join(
        path.read_text(errors="replace") for path in (tmp_path / "data" / "logs").rglob("*") if path.is_file()
    )
    for shown in (stored.stdout + stored.stderr, status.stdout, app.stdout + app.stderr, logs, settings):
        assert SECRET_KEY not in shown


def test_a_secret_in_a_config_file_others_can_read_is_warned_about(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = _config(tmp_path, access_key_id="config-key-id", secret_access_key=CONFIG_SECRET)
    environment = {"BOARDS_CONFIG_FILE": str(config), "BOARDS_STORAGE_URL": "s3://team-media", **_keyring(tmp_path)}
    config.chmod(0o644)
    with caplog.at_level("WARNING", logger="boards.media"):
        resolve(load_settings(environment))
    assert "others on this computer can read it" in caplog.text and CONFIG_SECRET not in caplog.text
    caplog.clear()
    config.chmod(0o600)
    with caplog.at_level("WARNING", logger="boards.media"):
        resolve(load_settings(environment))
    assert "others on this computer can read it" not in caplog.text
