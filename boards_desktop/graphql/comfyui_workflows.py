"""comfyuiWorkflows and refreshComfyuiWorkflows: the ComfyUI workflows offered as generators.

An artist drops a workflow file (and its mapping) into the folder this names; the refresh reads the
folder again and offers the new and changed workflows at once (see
boards_desktop.generators.providers.comfyui_catalog). Files that cannot be used are listed with
the reason, so the page can say what to fix.
"""

from __future__ import annotations

import strawberry

from boards_desktop.graphql.context import context_of
from boards_desktop.graphql.generators import generator_info
from boards_desktop.graphql.types.generators import GeneratorInfo
from boards_desktop.services import Services


@strawberry.type(description="A workflow file that was left out, and why.")
class ComfyuiWorkflowProblem:
    path: str
    reason: str


@strawberry.type(description="The ComfyUI workflows offered as generators (`comfyui/<name>`).")
class ComfyuiWorkflows:
    folder: str = strawberry.field(description="Where to put your own workflow files and their mappings.")
    generators: list[GeneratorInfo]
    problems: list[ComfyuiWorkflowProblem]


@strawberry.type
class ComfyuiWorkflowsQuery:
    @strawberry.field(description="The ComfyUI workflows offered, and the files that could not be used.")
    async def comfyui_workflows(self, info: strawberry.Info) -> ComfyuiWorkflows:
        return _listing(context_of(info).services)


@strawberry.type
class ComfyuiWorkflowsMutations:
    @strawberry.mutation(description="Read the ComfyUI workflow folder again: new and changed files are offered now.")
    async def refresh_comfyui_workflows(self, info: strawberry.Info) -> ComfyuiWorkflows:
        services = context_of(info).services
        await services.comfyui_workflows.refresh()
        return _listing(services)


def _listing(services: Services) -> ComfyuiWorkflows:
    catalog = services.comfyui_workflows
    return ComfyuiWorkflows(
        folder=str(catalog.folder),
        generators=[generator_info(generator) for generator in catalog.generators()],
        problems=[ComfyuiWorkflowProblem(path=problem.path, reason=problem.reason) for problem in catalog.problems],
    )
