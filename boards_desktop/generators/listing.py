"""`boards-desktop generators`: every generator, what it makes, and whether it can run here.

A generator that cannot run (no key, an engine that does not answer) is listed with the reason,
never as a crash: the point of the command is to find out what is missing.
"""

from __future__ import annotations

from boards_desktop.generators.registry import load_registry
from boards_desktop.settings import Settings


def print_generators(settings: Settings) -> int:
    statuses = load_registry(settings.generators, settings.generator_modules).statuses()
    if not statuses:
        print("no generators are installed")
        return 0
    name_width = max(len(status.name) for status in statuses)
    for status in statuses:
        state = "ready" if status.available else f"unavailable: {status.unavailable_reason}"
        print(f"{status.name:<{name_width}}  {status.artifact_type:<5}  {status.provider:<10}  {state}")
    return 0
