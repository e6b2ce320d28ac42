"""addModelGenerator, refreshModelGenerator, removeModelGenerator: any model of a provider, by name.

A provider that can read a model's inputs from its service (`describe_model`) makes a generator of
it; the catalogue (boards_desktop.generators.model_catalog) keeps it across restarts.
"""

from __future__ import annotations

import strawberry

from boards_desktop.graphql.context import context_of
from boards_desktop.graphql.errors import bad_input
from boards_desktop.graphql.generators import generator_info
from boards_desktop.graphql.types.generators import GeneratorInfo


@strawberry.type
class ModelGeneratorMutations:
    @strawberry.mutation(
        description="Make a generator of a provider's model, named as the service names it (Replicate "
        '"owner/name", fal "fal-ai/flux/dev"); its inputs are read from the service. Kept across restarts.'
    )
    async def add_model_generator(self, info: strawberry.Info, provider: str, model: str) -> GeneratorInfo:
        services = context_of(info).services
        await services.keys.ready()  # describing a model may need its key
        from boards_desktop.generators.model_catalog import CatalogError  # imported once the engine runs

        try:
            generator = await services.model_generators.add(provider, model)
        except CatalogError as exc:
            raise bad_input(str(exc)) from None
        return generator_info(generator)

    @strawberry.mutation(description="Read a model generator's inputs from its service again.")
    async def refresh_model_generator(self, info: strawberry.Info, name: str) -> GeneratorInfo:
        services = context_of(info).services
        await services.keys.ready()
        from boards_desktop.generators.model_catalog import CatalogError  # imported once the engine runs

        try:
            generator = await services.model_generators.refresh(name)
        except CatalogError as exc:
            raise bad_input(str(exc)) from None
        return generator_info(generator)

    @strawberry.mutation(description="Remove a model generator added by name; its generations stay. False when none.")
    async def remove_model_generator(self, info: strawberry.Info, name: str) -> bool:
        return await context_of(info).services.model_generators.remove(name)
