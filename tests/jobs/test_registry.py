"""Which generators the app offers: built-ins, installed plugins, an artist's modules, the config's choices."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.app_harness import running_app
from tests.jobs.support import new_board, queue, wait_for

PLUGIN = """
from pydantic import BaseModel
from boards_desktop.generators import BaseGenerator, GeneratorResult


class EchoInputs(BaseModel):
    text: str = "echo"


class Echo(BaseGenerator):
    name = "plugin-echo"
    artifact_type = "text"
    description = "Says it back."

    def get_input_schema(self):
        return EchoInputs

    async def generate(self, inputs, context):
        return GeneratorResult(outputs=[await context.store_text_result(inputs.text)])


class NeedsKey(Echo):
    name = "plugin-needs-key"

    def availability(self):
        return "no key for Echo Cloud; set ECHO_KEY"
"""


def _install_plugin(folder: Path) -> None:
    """A package with entry points, on sys.path: what `pip install some-plugin` leaves behind."""
    (folder / "echo_plugin").mkdir(parents=True)
    (folder / "echo_plugin" / "__init__.py").write_text(PLUGIN)
    info = folder / "echo_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: echo-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        "[boards_desktop.generators]\n"
        "echo = echo_plugin:Echo\n"
        "needs_key = echo_plugin:NeedsKey\n"
        "broken = echo_plugin:DoesNotExist\n"
    )


def _generators_command(tmp_path: Path, config: str = "", **environment: str) -> subprocess.CompletedProcess:
    config_file = tmp_path / "config.toml"
    config_file.write_text(config)
    env = {
        **os.environ,
        "BOARDS_DATA_DIR": str(tmp_path / "data"),
        "BOARDS_CONFIG_FILE": str(config_file),
        **environment,
    }
    return subprocess.run(
        [sys.executable, "-m", "boards_desktop", "generators"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _listed(result: subprocess.CompletedProcess) -> dict[str, str]:
    assert result.returncode == 0, result.stderr
    return {line.split()[0]: line for line in result.stdout.splitlines()}


def test_the_command_lists_built_ins_and_installed_plugins_with_what_they_make_and_whether_they_run(tmp_path):
    _install_plugin(tmp_path / "site")
    result = _generators_command(
        tmp_path, PYTHONPATH=f"{tmp_path / 'site'}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"
    )
    listed = _listed(result)
    assert {
        "local-title-card",
        "local-image-resize",
        "local-image-adjust",
        "local-contact-sheet",
        "local-video-frame",
        "plugin-echo",
        "plugin-needs-key",
    } <= set(listed)
    assert listed["plugin-echo"].split()[1:4] == ["text", "local", "ready"]
    assert listed["plugin-needs-key"].endswith("unavailable: no key for Echo Cloud; set ECHO_KEY")
    assert listed["local-title-card"].split()[1:4] == ["image", "local", "ready"]
    # One broken plugin is named in the log and left out; it does not take the others down.
    assert "generator plugin broken (echo_plugin:DoesNotExist) could not be loaded" in result.stderr


def test_the_config_file_disables_enables_and_renames(tmp_path):
    disabled = _listed(
        _generators_command(
            tmp_path,
            '[generators]\ndisabled = ["local-image-adjust"]\n[generators.rename]\n"local-title-card" = "title-card"\n',
        )
    )
    assert "local-image-adjust" not in disabled and "local-title-card" not in disabled
    assert disabled["title-card"].split()[1] == "image"
    only = _listed(_generators_command(tmp_path, '[generators]\nenabled = ["local-image-resize"]\n'))
    assert set(only) == {"local-image-resize"}
    by_environment = _listed(
        _generators_command(tmp_path, BOARDS_GENERATORS_DISABLED="local-video-frame,local-image-resize")
    )
    assert not {"local-video-frame", "local-image-resize"} & set(by_environment)


def test_a_bad_generators_section_is_a_one_line_refusal(tmp_path):
    result = _generators_command(tmp_path, '[generators]\ndisabled = "local-title-card"\n[generators.rename]\nx = 3\n')
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        'boards-desktop: [generators.rename] in the config file: map names to new names, e.g. old = "new"'
    ]


async def test_a_renamed_generator_runs_under_its_new_name(database_url, tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "none.toml").write_text('[generators.rename]\n"local-title-card" = "title-card"\n')
    async with running_app(database_url, data_dir) as client:
        board = await new_board(client)
        refused = await client.graphql(
            'mutation($b: UUID!) { createGeneration(input: {boardId: $b, generatorName: "local-title-card", '
            'artifactType: IMAGE, inputParams: {prompt: "x"}}) { id } }',
            {"b": board},
        )
        assert refused["errors"][0]["message"].startswith("generatorName: there is no generator 'local-title-card'")
        created = await queue(client, board, "title-card", {"prompt": "Renamed", "width": 256, "height": 256})
        done = await wait_for(client, created["id"])
    assert done["status"] == "COMPLETED" and done["generatorName"] == "title-card"
