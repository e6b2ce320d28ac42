"""The documentation keeps up with the code: every setting is listed where users look for it."""

from pathlib import Path

from boards_desktop.settings import _KNOWN

ROOT = Path(__file__).resolve().parents[2]


def test_every_setting_is_in_env_example_and_readme() -> None:
    example = (ROOT / ".env.example").read_text()
    readme = (ROOT / "README.md").read_text()
    for name in sorted(_KNOWN):
        assert f"\n{name}=" in example, f"{name} is missing from .env.example"
        assert f"`{name}`" in readme, f"{name} is missing from the README's settings table"


def test_every_command_is_in_the_readme() -> None:
    from boards_desktop.cli import build_parser

    readme = (ROOT / "README.md").read_text()
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    for name, sub in commands.items():
        assert f"boards-desktop {name}" in readme, f"`boards-desktop {name}` is missing from the README"
        for action in sub._actions:
            if hasattr(action, "choices") and isinstance(action.choices, dict):
                for child in action.choices:
                    assert f"boards-desktop {name} {child}" in readme, f"`boards-desktop {name} {child}` is missing"
