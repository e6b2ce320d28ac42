"""The ComfyUI workflows the app offers: the one it ships, and the artist's own.

An artist adds a workflow by putting its file (and its mapping: see comfyui_workflows) in
`<data dir>/comfyui-workflows/`; each becomes the generator `comfyui/<name>`. The folder is read at
start-up and again on `refresh()` (the `refreshComfyuiWorkflows` mutation): new and changed files
are offered in the registry at once, removed ones taken away (their past generations stay). A file
that cannot be used is reported with its path and the reason, and left out; it never stops the
app. An artist's file named like the shipped one (`text-to-image.json`) replaces it.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from boards_desktop.generators.base import BaseGenerator
from boards_desktop.generators.providers.comfyui import ComfyUIWorkflowGenerator
from boards_desktop.generators.providers.comfyui_workflows import MAPPING_SUFFIX, Workflow, WorkflowError, load_workflow
from boards_desktop.generators.registry import GeneratorRegistry
from boards_desktop.providers.base import BaseProvider
from boards_desktop.providers.comfyui import ComfyUIProvider

log = logging.getLogger("boards.generators")

WORKFLOWS_DIR_NAME = "comfyui-workflows"
SHIPPED_DIR = Path(__file__).with_name("workflows")


@dataclass(frozen=True)
class WorkflowProblem:
    path: str
    reason: str


@dataclass
class FoundWorkflows:
    workflows: dict[str, Workflow] = field(default_factory=dict)
    problems: list[WorkflowProblem] = field(default_factory=list)


def find_workflows(folders: Iterable[Path]) -> FoundWorkflows:
    """Every usable workflow in `folders` (a later folder's file replaces an earlier one's); blocking."""
    found = FoundWorkflows()
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.json")):
            if path.name.endswith(MAPPING_SUFFIX):
                workflow_file = path.with_name(path.name[: -len(MAPPING_SUFFIX)] + ".json")
                if not workflow_file.exists():
                    found.problems.append(
                        WorkflowProblem(
                            str(path), f"a mapping without its workflow: put {workflow_file.name} beside it"
                        )
                    )
                continue
            try:
                workflow = load_workflow(path)
            except WorkflowError as exc:
                found.problems.append(WorkflowProblem(str(path), str(exc)))
                continue
            except OSError as exc:
                found.problems.append(WorkflowProblem(str(path), f"it could not be read ({exc.strerror or exc})"))
                continue
            found.workflows[workflow.name] = workflow
    return found


class WorkflowExists(ValueError):
    """A workflow of that name is there already."""


def _write_new(path: Path, text: str) -> None:
    """Write `path`, never over a file that is there (the artist's own, put there meanwhile)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as out:  # the catalog's lock keeps its own reads out meanwhile
        out.write(text)


class WorkflowCatalog:
    def __init__(self, folder: Path, provider: BaseProvider | None, registry: GeneratorRegistry) -> None:
        """`provider` is the app's "comfyui" provider (`ProviderSet.get("comfyui")`), None without one."""
        self.folder = folder
        self._provider = provider if isinstance(provider, ComfyUIProvider) else None
        self._registry = registry
        self._workflows: dict[str, Workflow] = {}
        self._offered: dict[str, str] = {}  # workflow name -> the generator name it is offered under
        self.problems: list[WorkflowProblem] = []
        self._listeners: list[Callable[[BaseGenerator], None]] = []
        self._lock = asyncio.Lock()

    def on_added(self, listener: Callable[[BaseGenerator], None]) -> None:
        """Hear every generator added or changed (the job runner wakes for ComfyUI)."""
        self._listeners.append(listener)

    def load(self, *, make_folder: bool = True) -> None:
        """At start-up: read the folders and offer their workflows (small files, read at once)."""
        try:
            if make_folder:
                self.folder.mkdir(parents=True, exist_ok=True)  # so the artist finds where they go
        except OSError as exc:
            log.warning("the ComfyUI workflow folder %s could not be made: %s", self.folder, exc)
        self._apply(find_workflows(self._folders()))

    async def refresh(self) -> None:
        async with self._lock:
            self._apply(await asyncio.to_thread(find_workflows, self._folders()))

    @property
    def can_offer(self) -> bool:
        """Whether the app has ComfyUI to run workflows on (a test's app may not)."""
        return self._provider is not None

    def taken(self, name: str) -> str | None:
        """Why a new workflow may not be called `name` (a workflow or file of that name), or None."""
        path = self.folder / f"{name}.json"
        if name in self._workflows or self._registry.get(f"comfyui/{name}") is not None:
            return f"a ComfyUI workflow named {name} exists already (comfyui/{name})"
        if path.exists() or path.with_name(name + MAPPING_SUFFIX).exists():
            return f"a workflow file named {path.name} exists already in {self.folder}"
        return None

    async def add(self, name: str, document: dict[str, Any]) -> BaseGenerator:
        """Store a new workflow file `<name>.json` (one-file form) and offer it now.

        Raises WorkflowExists when the name is taken (nothing is written), WorkflowError when the
        file written cannot be offered (it is removed again)."""
        async with self._lock:
            reason = self.taken(name)
            if reason is not None:
                raise WorkflowExists(reason)
            path = self.folder / f"{name}.json"
            text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
            try:
                await asyncio.to_thread(_write_new, path, text)
            except FileExistsError:
                raise WorkflowExists(f"a workflow file named {path.name} exists already in {self.folder}") from None
            self._apply(await asyncio.to_thread(find_workflows, self._folders()))
            offered = self._registry.get(self._offered.get(name, ""))
            if offered is None:
                await asyncio.to_thread(path.unlink, missing_ok=True)
                why = next((p.reason for p in self.problems if p.path == str(path)), "it is not offered (see the log)")
                self._apply(await asyncio.to_thread(find_workflows, self._folders()))
                raise WorkflowError(why)
            return offered

    def generators(self) -> list[BaseGenerator]:
        found = (self._registry.get(name) for name in self._offered.values())
        return sorted((generator for generator in found if generator is not None), key=lambda g: g.name)

    def _folders(self) -> list[Path]:
        return [SHIPPED_DIR, self.folder]

    def _apply(self, found: FoundWorkflows) -> None:
        problems = list(found.problems)
        if self._provider is None:  # an app without the ComfyUI provider (a test's): nothing to offer
            self.problems = problems
            return
        for name in [name for name in self._workflows if name not in found.workflows]:
            self._withdraw(name)
        for name, workflow in found.workflows.items():
            if self._workflows.get(name) == workflow:
                continue
            try:
                generator = ComfyUIWorkflowGenerator.define(self._provider, workflow)
            except Exception as exc:  # noqa: BLE001 - one unusable workflow must not cost the others
                problems.append(WorkflowProblem(workflow.source, f"its inputs could not be made: {exc}"))
                continue
            self._withdraw(name)
            offered = self._registry.add(generator)
            self._workflows[name] = workflow
            if offered is not None:
                self._offered[name] = offered.name
                for listener in self._listeners:
                    listener(offered)
        for problem in problems:
            if problem not in self.problems:
                log.warning("ComfyUI workflow %s left out: %s", problem.path, problem.reason)
        self.problems = problems

    def _withdraw(self, name: str) -> None:
        self._workflows.pop(name, None)
        offered = self._offered.pop(name, None)
        if offered is not None:
            self._registry.remove(offered)
