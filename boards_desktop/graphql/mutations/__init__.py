"""The Mutation type, assembled from one module per subject."""

from __future__ import annotations

from strawberry.tools import merge_types

from boards_desktop.graphql.app_settings import SettingsMutations
from boards_desktop.graphql.comfyui_workflows import ComfyuiWorkflowsMutations
from boards_desktop.graphql.found_settings import FoundSettingsMutations
from boards_desktop.graphql.local_engines import LocalEnginesMutations
from boards_desktop.graphql.model_generators import ModelGeneratorMutations
from boards_desktop.graphql.mutations.boards import BoardMutations
from boards_desktop.graphql.mutations.bulk import BulkMutations
from boards_desktop.graphql.mutations.favourites import FavouriteMutations
from boards_desktop.graphql.mutations.generations import GenerationMutations
from boards_desktop.graphql.mutations.members import MemberMutations
from boards_desktop.graphql.mutations.tags import TagMutations
from boards_desktop.graphql.mutations.users import UserMutations
from boards_desktop.graphql.openai_endpoints import OpenaiEndpointsMutations
from boards_desktop.graphql.queue import QueueMutations
from boards_desktop.graphql.trash import TrashMutations

Mutation = merge_types(
    "Mutation",
    (
        BoardMutations,
        MemberMutations,
        UserMutations,
        GenerationMutations,
        BulkMutations,
        FavouriteMutations,
        TagMutations,
        TrashMutations,
        SettingsMutations,
        ModelGeneratorMutations,
        ComfyuiWorkflowsMutations,
        FoundSettingsMutations,
        OpenaiEndpointsMutations,
        LocalEnginesMutations,
        QueueMutations,
    ),
)
