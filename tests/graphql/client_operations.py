"""Every GraphQL operation real clients send: the app's own page and upstream's client hooks.

The page's operations are read from its JavaScript (boards_desktop/ui/js): each template literal
that is a GraphQL document, with the constants it interpolates (`${GENERATION_FIELDS}`) filled in.
Upstream's are written from their description (the upstream front-end package's hooks): the 22 of
its 29 operations that are valid against the upstream schema, with the fragments the hooks use and
the largest page sizes they ask for.
"""

from __future__ import annotations

import re

from boards_desktop.api.ui_files import UI_DIR

_CONSTANT = re.compile(r"(?:export\s+)?const\s+([A-Z][A-Z0-9_]*)\s*=\s*(`[^`]*`|'[^']*'|\d+)\s*;", re.DOTALL)
_TEMPLATE = re.compile(r"`([^`]*)`", re.DOTALL)
_DOCUMENT_START = re.compile(r"^\s*(query|mutation|subscription)\b|^\s*\{")
# The lineage graph nests its parents and children with a helper; mirrored here and checked below.
_NEST_CALL = re.compile(r"\$\{nest\('(\w+)', '(\w+)', DEPTH - 1\)\}")
_NEST_SOURCE = """function nest(field, children, depth) {
  const inner = depth > 0 ? nest(children, children, depth - 1) : '';
  return `${field} { depth role generation { ${NODE_FIELDS} } ${inner} }`;
}"""


def page_operations() -> dict[str, str]:
    """{"<file>:<n>": document} for every GraphQL document in the page's modules."""
    sources = {path.relative_to(UI_DIR).as_posix(): path.read_text() for path in sorted((UI_DIR / "js").rglob("*.js"))}
    # A module's own constants first (two modules may each have a FIELDS), then those it imports.
    own = {
        file: {name: value.strip("`'") for name, value in _CONSTANT.findall(source)} for file, source in sources.items()
    }
    shared = {name: value for values in own.values() for name, value in values.items()}
    operations: dict[str, str] = {}
    for file, source in sources.items():
        constants = shared | own[file]
        for number, match in enumerate(_TEMPLATE.finditer(source)):
            text = match.group(1)
            if not _DOCUMENT_START.match(text):
                continue
            if "nest(" in text:
                assert _NEST_SOURCE in source, f"{file}: the nest() helper changed; mirror it in {__name__}"
                levels = int(constants["DEPTH"]) - 1
                text = _NEST_CALL.sub(lambda m, n=levels, c=constants: _nest(m.group(1), m.group(2), n, c), text)
            operations[f"{file}:{number}"] = _fill(text, constants, file)
    return operations


def _nest(field: str, children: str, depth: int, constants: dict[str, str]) -> str:
    inner = _nest(children, children, depth - 1, constants) if depth > 0 else ""
    return f"{field} {{ depth role generation {{ {constants['NODE_FIELDS']} }} {inner} }}"


def _fill(text: str, constants: dict[str, str], file: str) -> str:
    for _ in range(5):  # constants may interpolate constants
        text = re.sub(r"\$\{([A-Z][A-Z0-9_]*)\}", lambda m: constants[m.group(1)], text)
    assert "${" not in text, f"{file}: a GraphQL document interpolates something other than a constant: {text}"
    return text


_BOARD = "fragment BoardFragment on Board { id tenantId ownerId title description isPublic settings metadata createdAt updatedAt generationCount }"
_USER = "fragment UserFragment on User { id email displayName avatarUrl createdAt }"
_GENERATION = """fragment GenerationFragment on Generation { id tenantId boardId userId generatorName artifactType
  storageUrl thumbnailUrl additionalFiles { url type metadata } inputParams outputMetadata externalJobId status
  progress errorMessage startedAt completedAt createdAt updatedAt }"""
_TAG = "fragment TagFragment on Tag { id tenantId name slug description metadata createdAt updatedAt }"

UPSTREAM_OPERATIONS: dict[str, str] = {
    "GetCurrentUser": f"query GetCurrentUser {{ me {{ ...UserFragment }} }} {_USER}",
    "GetBoards": f"""query GetBoards($limit: Int, $offset: Int) {{ myBoards(limit: $limit, offset: $offset) {{
        ...BoardFragment owner {{ ...UserFragment }} }} }} {_BOARD} {_USER}""",
    "GetBoard": f"""query GetBoard($id: UUID!) {{ board(id: $id) {{ ...BoardFragment owner {{ ...UserFragment }}
        members {{ id boardId userId role invitedBy joinedAt user {{ ...UserFragment }} }}
        generations(limit: 100) {{ ...GenerationFragment }} }} }} {_BOARD} {_USER} {_GENERATION}""",
    "GetGenerators": """query GetGenerators($artifactType: String) { generators(artifactType: $artifactType) {
        name description artifactType inputSchema } }""",
    "GetAncestry": f"""query GetAncestry($id: UUID!, $maxDepth: Int! = 25) {{ generation(id: $id) {{
        ancestry(maxDepth: $maxDepth) {{ depth role generation {{ ...GenerationFragment }}
          parents {{ depth role generation {{ ...GenerationFragment }}
            parents {{ depth role generation {{ ...GenerationFragment }} }} }} }} }} }} {_GENERATION}""",
    "GetDescendants": f"""query GetDescendants($id: UUID!, $maxDepth: Int! = 25) {{ generation(id: $id) {{
        descendants(maxDepth: $maxDepth) {{ depth role generation {{ ...GenerationFragment }}
          children {{ depth role generation {{ ...GenerationFragment }}
            children {{ depth role generation {{ ...GenerationFragment }} }} }} }} }} }} {_GENERATION}""",
    "GetInputArtifacts": f"""query GetInputArtifacts($id: UUID!) {{ generation(id: $id) {{
        inputArtifacts {{ generationId role artifactType generation {{ ...GenerationFragment }} }} }} }} {_GENERATION}""",
    "CreateBoard": f"""mutation CreateBoard($input: CreateBoardInput!) {{ createBoard(input: $input) {{
        ...BoardFragment owner {{ ...UserFragment }} }} }} {_BOARD} {_USER}""",
    "UpdateBoard": f"""mutation UpdateBoard($input: UpdateBoardInput!) {{ updateBoard(input: $input) {{
        ...BoardFragment }} }} {_BOARD}""",
    "CreateGeneration": f"""mutation CreateGeneration($input: CreateGenerationInput!) {{
        createGeneration(input: $input) {{ ...GenerationFragment }} }} {_GENERATION}""",
    "CancelGeneration": "mutation CancelGeneration($id: UUID!) { cancelGeneration(id: $id) { id status } }",
    "DeleteGeneration": "mutation DeleteGeneration($id: UUID!) { deleteGeneration(id: $id) }",
    "UploadArtifactFromUrl": f"""mutation UploadArtifactFromUrl($input: UploadArtifactInput!) {{
        uploadArtifact(input: $input) {{ ...GenerationFragment }} }} {_GENERATION}""",
    "GetTags": f"query GetTags($limit: Int, $offset: Int) {{ tags(limit: $limit, offset: $offset) {{ ...TagFragment }} }} {_TAG}",
    "GetTag": f"query GetTag($id: UUID!) {{ tag(id: $id) {{ ...TagFragment }} }} {_TAG}",
    "GetTagBySlug": f"query GetTagBySlug($slug: String!) {{ tagBySlug(slug: $slug) {{ ...TagFragment }} }} {_TAG}",
    "GetGenerationTags": f"query GetGenerationTags($id: UUID!) {{ generation(id: $id) {{ id tags {{ ...TagFragment }} }} }} {_TAG}",
    "CreateTag": f"mutation CreateTag($input: CreateTagInput!) {{ createTag(input: $input) {{ ...TagFragment }} }} {_TAG}",
    "UpdateTag": f"mutation UpdateTag($input: UpdateTagInput!) {{ updateTag(input: $input) {{ ...TagFragment }} }} {_TAG}",
    "DeleteTag": "mutation DeleteTag($id: UUID!) { deleteTag(id: $id) }",
    "AddTagToGeneration": f"""mutation AddTagToGeneration($generationId: UUID!, $tagId: UUID!) {{
        addTagToGeneration(generationId: $generationId, tagId: $tagId) {{ ...TagFragment }} }} {_TAG}""",
    "RemoveTagFromGeneration": """mutation RemoveTagFromGeneration($generationId: UUID!, $tagId: UUID!) {
        removeTagFromGeneration(generationId: $generationId, tagId: $tagId) }""",
}
"""Upstream's valid operations; list variables are sent at the largest size the hooks use ("a few hundred")."""

UPSTREAM_VARIABLES: dict[str, dict[str, object]] = {"GetBoards": {"limit": 500}, "GetTags": {"limit": 500}}
