"""The 29 operations upstream's front end (`@weirdfingers/boards`) sends, written from their description.

Each one asks for the root fields, arguments and fragments its hook uses. Seven of them (`DRIFTED`)
do not validate against upstream's own schema either: they are kept here as the hooks send them, so
that the suite says which of them our additive fields make work and which still cannot work.
"""

from __future__ import annotations

USER = "fragment UserFragment on User { id email displayName avatarUrl createdAt }"
BOARD = (
    "fragment BoardFragment on Board { id tenantId ownerId title description isPublic settings metadata"
    " createdAt updatedAt generationCount }"
)
GENERATION = (
    "fragment GenerationFragment on Generation { id tenantId boardId userId generatorName artifactType"
    " storageUrl thumbnailUrl additionalFiles { url type metadata } inputParams outputMetadata externalJobId"
    " status progress errorMessage startedAt completedAt createdAt updatedAt }"
)
LINEAGE = "fragment ArtifactLineageFragment on ArtifactLineage { generationId role artifactType }"
TAG = "fragment TagFragment on Tag { id tenantId name slug description metadata createdAt updatedAt }"

OPERATIONS: dict[str, str] = {
    "GetCurrentUser": f"query GetCurrentUser {{ me {{ ...UserFragment }} }} {USER}",
    "GetBoards": (
        "query GetBoards($limit: Int, $offset: Int) { myBoards(limit: $limit, offset: $offset) {"
        f" ...BoardFragment owner {{ ...UserFragment }} }} }} {BOARD} {USER}"
    ),
    "GetBoard": (
        "query GetBoard($id: UUID!, $limit: Int, $offset: Int) { board(id: $id) { ...BoardFragment"
        " owner { ...UserFragment } members { id boardId userId role invitedBy joinedAt user { ...UserFragment }"
        " inviter { ...UserFragment } } generations(limit: $limit, offset: $offset) { ...GenerationFragment } } }"
        f" {BOARD} {USER} {GENERATION}"
    ),
    "GetGenerators": (
        "query GetGenerators($artifactType: String) { generators(artifactType: $artifactType) {"
        " name description artifactType inputSchema } }"
    ),
    # Drifted: a root field no upstream schema has, and UserFragment used without its definition.
    "GetGenerations": (
        "query GetGenerations($boardId: UUID, $limit: Int, $offset: Int) {"
        " generations(boardId: $boardId, limit: $limit, offset: $offset) {"
        f" ...GenerationFragment board {{ id title }} user {{ ...UserFragment }} }} }} {GENERATION}"
    ),
    # Drifted: BoardFragment and UserFragment used without their definitions.
    "GetGeneration": (
        "query GetGeneration($id: UUID!) { generation(id: $id) { ...GenerationFragment"
        f" board {{ ...BoardFragment }} user {{ ...UserFragment }} }} }} {GENERATION}"
    ),
    "GetAncestry": (
        "query GetAncestry($id: UUID!, $maxDepth: Int = 25) { generation(id: $id) { ancestry(maxDepth: $maxDepth) {"
        " depth role generation { ...GenerationFragment } parents { depth role generation { ...GenerationFragment }"
        f" }} }} }} }} {GENERATION}"
    ),
    "GetDescendants": (
        "query GetDescendants($id: UUID!, $maxDepth: Int = 25) { generation(id: $id) {"
        " descendants(maxDepth: $maxDepth) { depth role generation { ...GenerationFragment }"
        f" children {{ depth role generation {{ ...GenerationFragment }} }} }} }} }} {GENERATION}"
    ),
    "GetInputArtifacts": (
        "query GetInputArtifacts($id: UUID!) { generation(id: $id) { inputArtifacts { ...ArtifactLineageFragment } } }"
        f" {LINEAGE}"
    ),
    "CreateBoard": (
        "mutation CreateBoard($input: CreateBoardInput!) { createBoard(input: $input) {"
        f" ...BoardFragment owner {{ ...UserFragment }} }} }} {BOARD} {USER}"
    ),
    "UpdateBoard": (
        f"mutation UpdateBoard($input: UpdateBoardInput!) {{ updateBoard(input: $input) {{ ...BoardFragment }} }} {BOARD}"
    ),
    # Drifted: fields selected on a Boolean.
    "DeleteBoard": "mutation DeleteBoard($id: UUID!) { deleteBoard(id: $id) { success } }",
    # Drifted: top-level arguments, and a member's fields selected on a Board.
    "AddBoardMember": (
        "mutation AddBoardMember($boardId: UUID!, $email: String!, $role: BoardRole!) {"
        " addBoardMember(boardId: $boardId, email: $email, role: $role) {"
        f" id boardId userId role invitedBy joinedAt user {{ ...UserFragment }} }} }} {USER}"
    ),
    "UpdateBoardMemberRole": (
        "mutation UpdateBoardMemberRole($id: UUID!, $role: BoardRole!) {"
        " updateBoardMemberRole(id: $id, role: $role) { id role } }"
    ),
    "RemoveBoardMember": "mutation RemoveBoardMember($id: UUID!) { removeBoardMember(id: $id) { success } }",
    "CreateGeneration": (
        "mutation CreateGeneration($input: CreateGenerationInput!) { createGeneration(input: $input) {"
        f" ...GenerationFragment }} }} {GENERATION}"
    ),
    "CancelGeneration": "mutation CancelGeneration($id: UUID!) { cancelGeneration(id: $id) { id status } }",
    # Drifted upstream (the schema names it regenerate); ours has both names.
    "RetryGeneration": (
        f"mutation RetryGeneration($id: UUID!) {{ retryGeneration(id: $id) {{ ...GenerationFragment }} }} {GENERATION}"
    ),
    "DeleteGeneration": "mutation DeleteGeneration($id: UUID!) { deleteGeneration(id: $id) }",
    "UploadArtifactFromUrl": (
        "mutation UploadArtifactFromUrl($input: UploadArtifactInput!) { uploadArtifact(input: $input) {"
        f" ...GenerationFragment }} }} {GENERATION}"
    ),
    "GetTags": f"query GetTags($limit: Int, $offset: Int) {{ tags(limit: $limit, offset: $offset) {{ ...TagFragment }} }} {TAG}",
    "GetTag": f"query GetTag($id: UUID!) {{ tag(id: $id) {{ ...TagFragment }} }} {TAG}",
    "GetTagBySlug": f"query GetTagBySlug($slug: String!) {{ tagBySlug(slug: $slug) {{ ...TagFragment }} }} {TAG}",
    "GetGenerationTags": f"query GetGenerationTags($id: UUID!) {{ generation(id: $id) {{ id tags {{ ...TagFragment }} }} }} {TAG}",
    "CreateTag": f"mutation CreateTag($input: CreateTagInput!) {{ createTag(input: $input) {{ ...TagFragment }} }} {TAG}",
    "UpdateTag": f"mutation UpdateTag($input: UpdateTagInput!) {{ updateTag(input: $input) {{ ...TagFragment }} }} {TAG}",
    "DeleteTag": "mutation DeleteTag($id: UUID!) { deleteTag(id: $id) }",
    "AddTagToGeneration": (
        "mutation AddTagToGeneration($generationId: UUID!, $tagId: UUID!) {"
        f" addTagToGeneration(generationId: $generationId, tagId: $tagId) {{ ...TagFragment }} }} {TAG}"
    ),
    "RemoveTagFromGeneration": (
        "mutation RemoveTagFromGeneration($generationId: UUID!, $tagId: UUID!) {"
        " removeTagFromGeneration(generationId: $generationId, tagId: $tagId) }"
    ),
}

DRIFTED = frozenset(
    {
        "GetGenerations",
        "GetGeneration",
        "DeleteBoard",
        "AddBoardMember",
        "UpdateBoardMemberRole",
        "RemoveBoardMember",
        "RetryGeneration",
    }
)
