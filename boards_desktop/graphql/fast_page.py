"""The board page's reads answered without the general executor: same JSON, a fraction of the CPU.

The page asks for one board and pages through its generations again and again (`board(id:)` with
`generationTotal`, `generations(limit, offset, filter)`, their tags, stars and inputs, the owner).
Through graphql-core and Strawberry every field of every generation is a resolver call, which costs
more than reading the rows. Here such an operation is recognised once per document text (a plan:
which fields, in which order, from which variables) and then answered after the executor's own
limits (graphql.limits.refusals), with the resolvers' access check (Permissions.can_read) and their
query functions, called straight in one read session; the unfiltered page is read as the database
stores it (db.queries.raw_page). The dict built is the one the executor would build, with the
schema's serialisations: UUIDs as text, datetimes as isoformat, enums by name, media URLs signed by
the request's `media_urls`.

Anything outside the plan goes to the general executor unchanged: another field, an alias, a
fragment, a directive, a variable default, a literal filter, a variable of an unexpected type or
value, a body with `extensions`, a value the resolvers would refuse (their error is the executor's
to write), or any error while reading. tests/graphql/test_fast_page.py compares the two paths'
answers on every planned operation the page sends. BOARDS_GRAPHQL_FAST_PATH=0 turns the planned
path off.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import msgspec
from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    IntValueNode,
    NullValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    parse,
    print_ast,
)

from boards_desktop.db.queries import board_grid
from boards_desktop.db.queries import favourites as favourite_queries
from boards_desktop.db.queries import tags as tag_queries
from boards_desktop.db.queries.board_grid import GridFilter
from boards_desktop.db.queries.lineage import parse_input_artifacts
from boards_desktop.db.queries.raw_page import OWNER_PREFIX, board_with_owner, raw_board_page
from boards_desktop.db.types import uuid_of_text
from boards_desktop.graphql import validation
from boards_desktop.graphql.context import RequestContext
from boards_desktop.graphql.enums import ArtifactType, GenerationStatus
from boards_desktop.graphql.inputs import GenerationFilter
from boards_desktop.graphql.limits import MAX_TOKENS, refusals
from boards_desktop.graphql.schema import schema
from boards_desktop.graphql.search import with_tag_matches

Getter = Callable[[Any], Any]


class NotPlanned(Exception):
    """The request is not one the plan covers: the general executor answers it."""


def _text(value: Any) -> Any:
    return None if value is None else str(value)


def _when(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _json(value: Any) -> Any:
    return value if value is not None else {}


def _attribute(name: str, convert: Callable[[Any], Any] | None = None) -> Getter:
    if convert is None:
        return lambda row: getattr(row, name)
    return lambda row: convert(getattr(row, name))


# Each type's fields that are plain values of its row, as the types' from_row and fields make them.
# The owner's, read beside the board (db.queries.raw_page.board_with_owner).
_USER_FIELDS: dict[str, Getter] = {
    "id": _attribute(OWNER_PREFIX + "id", str),
    "tenantId": _attribute(OWNER_PREFIX + "tenant_id", str),
    "authProvider": _attribute(OWNER_PREFIX + "auth_provider"),
    "authSubject": _attribute(OWNER_PREFIX + "auth_subject"),
    "email": _attribute(OWNER_PREFIX + "email"),
    "displayName": _attribute(OWNER_PREFIX + "display_name"),
    "avatarUrl": _attribute(OWNER_PREFIX + "avatar_url"),
    "createdAt": _attribute(OWNER_PREFIX + "created_at", _when),
    "updatedAt": _attribute(OWNER_PREFIX + "updated_at", _when),
}
_BOARD_FIELDS: dict[str, Getter] = {
    "id": _attribute("id", str),
    "tenantId": _attribute("tenant_id", str),
    "ownerId": _attribute("owner_id", str),
    "title": _attribute("title"),
    "description": _attribute("description"),
    "isPublic": _attribute("is_public"),
    "settings": _attribute("settings", _json),
    "metadata": _attribute("metadata_", _json),
    "createdAt": _attribute("created_at", _when),
    "updatedAt": _attribute("updated_at", _when),
    "generationCount": _attribute("generation_count"),
}
_TAG_FIELDS: dict[str, Getter] = {
    "id": _attribute("id", str),
    "tenantId": _attribute("tenant_id", str),
    "name": _attribute("name"),
    "slug": _attribute("slug"),
    "description": _attribute("description"),
    "metadata": _attribute("metadata_", _json),
    "createdAt": _attribute("created_at", _when),
    "updatedAt": _attribute("updated_at", _when),
}
_INPUT_ARTIFACT_FIELDS: dict[str, Getter] = {
    "generationId": _attribute("generation_id", str),
    "role": _attribute("role"),
    "artifactType": lambda artifact: ArtifactType(artifact.artifact_type).name,
}
_ARTIFACT_TYPES = {member.value for member in ArtifactType}


# A generation's fields from one stored column each, as the database hands it back (db.queries.raw_page):
# ids as text, SQLite's timestamps and JSON as text. The same conversions take a record's values
# (UUID, datetime, decoded JSON) for the filtered pages, which the grid's own queries read.
def _id_text(value: Any) -> str:
    return value if type(value) is str and len(value) == 36 and value == value.lower() else str(uuid.UUID(str(value)))


def _stored_when(value: Any) -> str | None:
    """What DateTime sends (isoformat of the UTC instant) for a stored timestamp."""
    if value is None:
        return None
    if type(value) is str:
        # SQLite's canonical text, '%Y-%m-%d %H:%M:%S.%f+00:00' (db.types): rearranged, not parsed.
        if len(value) == 32 and value[10] == " " and value[19] == "." and value.endswith("+00:00"):
            if value[20:26] == "000000":
                return f"{value[:10]}T{value[11:19]}+00:00"
            return f"{value[:10]}T{value[11:]}"
        value = datetime.fromisoformat(value)
    moment: datetime = value
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.isoformat()


def _stored_json(value: Any) -> Any:
    if isinstance(value, str | bytes):
        value = msgspec.json.decode(value)
    return value if value is not None else {}


def _stored_prompt(value: Any) -> str | None:
    params = _stored_json(value)
    prompt = params.get("prompt") if isinstance(params, dict) else None
    return prompt if isinstance(prompt, str) else None


def _same(value: Any) -> Any:
    return value


_ARTIFACT_NAMES = {member.value: member.name for member in ArtifactType}
_STATUS_NAMES = {member.value: member.name for member in GenerationStatus}

_GENERATION_COLUMNS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "id": ("id", _id_text),
    "tenantId": ("tenant_id", _id_text),
    "boardId": ("board_id", _id_text),
    "userId": ("user_id", _id_text),
    "generatorName": ("generator_name", _same),
    "artifactType": ("artifact_type", _ARTIFACT_NAMES.__getitem__),
    "inputParams": ("input_params", _stored_json),
    "outputMetadata": ("output_metadata", _stored_json),
    "externalJobId": ("external_job_id", _same),
    "status": ("status", _STATUS_NAMES.__getitem__),
    "progress": ("progress", lambda value: float(value or 0)),
    "errorMessage": ("error_message", _same),
    "startedAt": ("started_at", _stored_when),
    "completedAt": ("completed_at", _stored_when),
    "createdAt": ("created_at", _stored_when),
    "updatedAt": ("updated_at", _stored_when),
    "prompt": ("input_params", _stored_prompt),
    "storageUrl": ("storage_url", _same),  # signed per request
    "thumbnailUrl": ("thumbnail_url", _same),
    "inputArtifacts": ("input_artifacts", _same),  # with its own selection
}
_MEDIA_FIELDS = {"storageUrl", "thumbnailUrl"}


@dataclass(frozen=True)
class Argument:
    """An argument as the document gives it: a variable's name, or a literal value."""

    variable: str | None = None
    literal: Any = None


@dataclass(frozen=True)
class GenerationsPlan:
    limit: Argument
    offset: Argument
    filter: Argument
    columns: tuple[str, ...]  # what to select; "id" and "created_at" first
    # (response key, column index, conversion); isFavourite and tags take the index of the id.
    steps: tuple[tuple[str, int, Callable[[Any], Any]], ...]
    tags: tuple[tuple[str, Getter], ...] | None
    input_artifacts: tuple[tuple[str, Getter], ...] | None
    wants_stars: bool


@dataclass(frozen=True)
class BoardPlan:
    """`board(id: $id) { ... }`: the fields in the document's order and what each is."""

    document: DocumentNode
    board_variable: str
    variables: Mapping[str, str]  # name -> type as written
    fields: tuple[tuple[str, Any], ...]  # (name, getter | ("owner", fields) | ("total", Argument) | GenerationsPlan)


_VARIABLE_TYPES = {"limit": ("Int", "Int!"), "offset": ("Int", "Int!"), "filter": ("GenerationFilter",)}
_PLANS: OrderedDict[str, BoardPlan | None] = OrderedDict()
_MAX_PLANS = 64


def plan_for(query: str, operation_name: str | None) -> BoardPlan | None:
    """The plan of a document (remembered by its text), or None when the executor must answer it."""
    key = query if operation_name is None else f"{operation_name}\n{query}"
    if key in _PLANS:
        _PLANS.move_to_end(key)
        return _PLANS[key]
    try:
        plan: BoardPlan | None = _plan(query, operation_name)
    except (NotPlanned, GraphQLError, ValueError):  # ValueError: not one field, or not one argument
        plan = None
    _PLANS[key] = plan
    if len(_PLANS) > _MAX_PLANS:
        _PLANS.popitem(last=False)
    return plan


def _plan(query: str, operation_name: str | None) -> BoardPlan:
    document = parse(query, max_tokens=MAX_TOKENS)
    if len(document.definitions) != 1 or not isinstance(document.definitions[0], OperationDefinitionNode):
        raise NotPlanned
    operation = document.definitions[0]
    if operation.operation != OperationType.QUERY or operation.directives:
        raise NotPlanned
    if operation_name is not None and (operation.name is None or operation.name.value != operation_name):
        raise NotPlanned
    variables: dict[str, str] = {}
    for definition in operation.variable_definitions or ():
        if definition.default_value is not None or definition.directives:
            raise NotPlanned
        variables[definition.variable.name.value] = print_ast(definition.type)
    (board,) = _fields(operation.selection_set, {"board"})
    (argument,) = board.arguments or (None,)
    if argument is None or argument.name.value != "id" or not isinstance(argument.value, VariableNode):
        raise NotPlanned
    board_variable = argument.value.name.value
    if variables.get(board_variable) != "UUID!":
        raise NotPlanned
    used = {board_variable: "id"}
    fields: list[tuple[str, Any]] = []
    for node in _fields(board.selection_set, None):
        name = node.name.value
        if name in _BOARD_FIELDS:
            _no_arguments_or_selection(node)
            fields.append((name, _BOARD_FIELDS[name]))
        elif name == "owner":
            fields.append((name, ("owner", _object_fields(node, _USER_FIELDS))))
        elif name == "generatorNames":
            _no_arguments_or_selection(node)
            fields.append((name, ("generatorNames", None)))
        elif name == "generationTotal":
            arguments = _arguments(node, {"filter"}, used)
            if node.selection_set is not None:
                raise NotPlanned
            fields.append((name, ("total", arguments.get("filter", Argument()))))
        elif name == "generations":
            fields.append((name, _generations(node, used)))
        else:
            raise NotPlanned
    if set(used) != set(variables):  # an unused variable is a validation error: the executor says so
        raise NotPlanned
    for variable, argument_name in used.items():
        if argument_name != "id" and variables[variable] not in _VARIABLE_TYPES[argument_name]:
            raise NotPlanned
    return BoardPlan(document, board_variable, variables, tuple(fields))


def _fields(selection_set: SelectionSetNode | None, allowed: set[str] | None) -> list[FieldNode]:
    """The plain fields of a selection: no fragment, alias, directive or repeated field."""
    if selection_set is None:
        raise NotPlanned
    nodes: list[FieldNode] = []
    seen: set[str] = set()
    for node in selection_set.selections:
        if not isinstance(node, FieldNode) or node.alias is not None or node.directives:
            raise NotPlanned
        name = node.name.value
        if name in seen or (allowed is not None and name not in allowed):
            raise NotPlanned
        seen.add(name)
        nodes.append(node)
    return nodes


def _no_arguments_or_selection(node: FieldNode) -> None:
    if node.arguments or node.selection_set is not None:
        raise NotPlanned


def _object_fields(node: FieldNode, known: Mapping[str, Getter]) -> tuple[tuple[str, Getter], ...]:
    if node.arguments:
        raise NotPlanned
    fields = []
    for child in _fields(node.selection_set, set(known)):
        _no_arguments_or_selection(child)
        fields.append((child.name.value, known[child.name.value]))
    return tuple(fields)


def _arguments(node: FieldNode, allowed: set[str], used: dict[str, str]) -> dict[str, Argument]:
    found: dict[str, Argument] = {}
    for argument in node.arguments or ():
        name = argument.name.value
        if name not in allowed or name in found:
            raise NotPlanned
        value = argument.value
        if isinstance(value, VariableNode):
            variable = value.name.value
            if used.setdefault(variable, name) != name:
                raise NotPlanned  # one variable in two places: left to the executor
            found[name] = Argument(variable=variable)
        elif isinstance(value, IntValueNode) and name in ("limit", "offset"):
            found[name] = Argument(literal=int(value.value))
        elif isinstance(value, NullValueNode):
            found[name] = Argument()
        else:
            raise NotPlanned
    return found


def _generations(node: FieldNode, used: dict[str, str]) -> GenerationsPlan:
    arguments = _arguments(node, {"limit", "offset", "filter"}, used)
    columns = ["id", "created_at"]
    steps: list[tuple[str, int, Callable[[Any], Any]]] = []
    tags = input_artifacts = None
    wants_stars = False
    for child in _fields(node.selection_set, None):
        name = child.name.value
        if name == "tags":
            tags = _object_fields(child, _TAG_FIELDS)
            steps.append((name, 0, _same))
            continue
        if name == "inputArtifacts":
            input_artifacts = _object_fields(child, _INPUT_ARTIFACT_FIELDS)
        elif name == "isFavourite":
            _no_arguments_or_selection(child)
            wants_stars = True
            steps.append((name, 0, _same))
            continue
        elif name in _GENERATION_COLUMNS:
            _no_arguments_or_selection(child)
        else:
            raise NotPlanned
        column, convert = _GENERATION_COLUMNS[name]
        if column not in columns:
            columns.append(column)
        steps.append((name, columns.index(column), convert))
    return GenerationsPlan(
        limit=arguments.get("limit", Argument(literal=50)),
        offset=arguments.get("offset", Argument(literal=0)),
        filter=arguments.get("filter", Argument()),
        columns=tuple(columns),
        steps=tuple(steps),
        tags=tags,
        input_artifacts=input_artifacts,
        wants_stars=wants_stars,
    )


# --- variables, checked as strictly as the schema would take them, or left to the executor


def _value(plan: BoardPlan, variables: Mapping[str, Any], argument: Argument) -> Any:
    return argument.literal if argument.variable is None else variables.get(argument.variable)


def _int(value: Any, type_: str) -> int | None:
    if value is None:
        if type_.endswith("!"):
            raise NotPlanned
        return None
    if type(value) is not int or not -(2**31) <= value < 2**31:
        raise NotPlanned
    return value


def _uuid(value: Any) -> uuid.UUID:
    if not isinstance(value, str):
        raise NotPlanned
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotPlanned from None


_FILTER_KEYS = {"artifactTypes", "statuses", "favouritesOnly", "tagIds", "generatorNames", "search"}


def _names(values: Any, convert: Callable[[Any], Any]) -> list[Any] | None:
    if values is None:
        return None
    if not isinstance(values, list):
        raise NotPlanned  # a single value coerced to a list: left to the executor
    try:
        return [convert(value) for value in values]
    except (KeyError, TypeError, ValueError):
        raise NotPlanned from None


def _strict(kind: type) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if type(value) is not kind:
            raise TypeError
        return value

    return check


def _filter(value: Any) -> GenerationFilter | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not set(value) <= _FILTER_KEYS:
        raise NotPlanned
    favourites_only = value.get("favouritesOnly", False)
    search = value.get("search")
    if (favourites_only is not None and type(favourites_only) is not bool) or (
        search is not None and not isinstance(search, str)
    ):
        raise NotPlanned
    return GenerationFilter(
        artifact_types=_names(value.get("artifactTypes"), lambda name: ArtifactType[_strict(str)(name)]),
        statuses=_names(value.get("statuses"), lambda name: GenerationStatus[_strict(str)(name)]),
        favourites_only=favourites_only,
        tag_ids=_names(value.get("tagIds"), lambda text: uuid.UUID(_strict(str)(text))),
        generator_names=_names(value.get("generatorNames"), _strict(str)),
        search=search,
    )


# --- answering


async def answer(plan: BoardPlan, variables: Mapping[str, Any], ctx: RequestContext) -> dict[str, Any]:
    """The executor's response for this plan, or NotPlanned when it must answer instead."""
    # The executor's own limits first (text no database stores, the cost of a large `limit`): they
    # refuse before anything runs, in words the executor writes.
    if set(variables) - set(plan.variables) or refusals(schema._schema, plan.document, None, variables):
        raise NotPlanned
    board_id = _uuid(variables.get(plan.board_variable))
    # Everything a resolver would refuse is checked before the first read: its error is the executor's.
    totals: dict[str, Any] = {}
    pages: dict[str, tuple[int, int, Any]] = {}
    for name, field in plan.fields:
        if isinstance(field, tuple) and field[0] == "total":
            totals[name] = validation.grid_filter(_filter(_value(plan, variables, field[1])), ctx.actor.user_id)
        elif isinstance(field, GenerationsPlan):
            limit = _int(_value(plan, variables, field.limit), _type_of(plan, field.limit, "Int"))
            offset = _int(_value(plan, variables, field.offset), _type_of(plan, field.offset, "Int"))
            grid_filter = validation.grid_filter(_filter(_value(plan, variables, field.filter)), ctx.actor.user_id)
            pages[name] = (*validation.page(limit, offset), grid_filter)
    # The resolvers' reads, called straight rather than through the loaders: a DataLoader hands
    # control back to the loop, and on SQLite every request in flight would then hold a read
    # connection of its own (a burst of clients would open and close connections for each page).
    async with ctx.sessions.read() as session:
        row = await board_with_owner(session, board_id)
    if row is None or not await ctx.permissions.can_read(row):  # lookups.readable_board's rule
        return {"data": {"board": None}}
    for name, grid_filter in totals.items():
        totals[name] = await with_tag_matches(ctx, grid_filter)
    for name, (limit, offset, grid_filter) in pages.items():
        pages[name] = (limit, offset, await with_tag_matches(ctx, grid_filter))
    board: dict[str, Any] = {}
    async with ctx.sessions.read() as session:
        for name, field in plan.fields:
            if callable(field):
                board[name] = field(row)
            elif isinstance(field, GenerationsPlan):
                board[name] = await _generations_answer(
                    field, await _page_rows(session, field, row.id, *pages[name]), session, ctx
                )
            elif field[0] == "owner":
                if getattr(row, f"{OWNER_PREFIX}id") is None:
                    raise NotPlanned  # the executor's error for a missing owner
                board[name] = {key: get(row) for key, get in field[1]}
            elif field[0] == "generatorNames":
                board[name] = (await board_grid.generator_names(session, [row.id])).get(row.id, [])
            else:  # generationTotal: kept on the board row by triggers, unless filtered
                grid_filter = totals[name]
                board[name] = (
                    row.generation_count
                    if grid_filter is None
                    else (await board_grid.board_totals(session, [row.id], grid_filter))[row.id]
                )
    return {"data": {"board": board}}


async def _page_rows(
    session: Any, plan: GenerationsPlan, board_id: uuid.UUID, limit: int, offset: int, grid_filter: GridFilter | None
) -> list[Any]:
    """The page's rows as tuples of the plan's columns, in the executor's order."""
    if grid_filter is None:
        rows = await raw_board_page(session, str(board_id), plan.columns, limit=limit, offset=offset)
        # board_grid.board_pages's order exactly: by instant then id (a column default's text
        # sorts apart from the canonical form of the same instant).
        rows.sort(key=lambda values: (_stored_when(values[1]), _id_text(values[0])), reverse=True)
        return rows
    records = (await board_grid.board_pages(session, [board_id], limit=limit, offset=offset, grid_filter=grid_filter))[
        board_id
    ]
    return [tuple(getattr(record, column) for column in plan.columns) for record in records]


def _type_of(plan: BoardPlan, argument: Argument, literal_type: str) -> str:
    return literal_type if argument.variable is None else plan.variables[argument.variable]


async def _generations_answer(
    plan: GenerationsPlan, rows: list[Any], session: Any, ctx: RequestContext
) -> list[dict[str, Any]]:
    ids = [uuid_of_text(values[0]) for values in rows] if plan.wants_stars or plan.tags is not None else []
    stars = (
        await favourite_queries.starred_among(session, ctx.actor.user_id, ids) if plan.wants_stars and ids else set()
    )
    tags = await tag_queries.tags_by_generations(session, ids) if plan.tags is not None and ids else {}
    urls = ctx.media_urls
    answers = []
    for index, values in enumerate(rows):
        item: dict[str, Any] = {}
        for name, column, convert in plan.steps:
            if name in _MEDIA_FIELDS:
                item[name] = urls(values[column])
            elif name == "isFavourite":
                item[name] = ids[index] in stars
            elif name == "tags":
                item[name] = [{key: get(tag) for key, get in plan.tags or ()} for tag in tags.get(ids[index], ())]
            elif name == "inputArtifacts":
                raw = values[column]
                item[name] = [
                    {key: get(artifact) for key, get in plan.input_artifacts or ()}
                    for artifact in parse_input_artifacts(msgspec.json.decode(raw) if isinstance(raw, str) else raw)
                    if artifact.artifact_type in _ARTIFACT_TYPES
                ]
            else:
                item[name] = convert(values[column])
        answers.append(item)
    return answers
