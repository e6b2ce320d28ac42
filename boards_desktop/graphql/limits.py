"""What one GraphQL operation may cost, measured before anything runs.

Four limits, each refused with BAD_USER_INPUT and a message naming the limit and its value:

- tokens in the document (Strawberry's `MaxTokensLimiter`: the parser stops counting at the limit);
- aliases (the rule of Strawberry's `MaxAliasesLimiter`);
- depth: how many levels of fields the operation nests (ours, because it reports the depth found);
- cost: an estimate of the fields the answer holds, multiplying list sizes through nesting.

The cost of a field is 1, times the size of every list above it. A list's size is its `limit`
argument (the variable's value when it is a variable, the schema's default when it is left out),
the length of the list of ids it was given (bulk mutations answer one item per id), or a default
for lists without either. `ancestry` and `descendants` also cost the rows their walk may read,
`maxDepth` times a few per level; the `parents` (`children`) nested in them to read the tree count
once per level, and not as depth (the tree is as deep as the maxDepth asked for). The estimate is
of what a query asks for, not of what the database holds: it is known before the first row is read.

The limits sit far above what the app's own page and upstream's clients send (see
tests/graphql/test_limits.py, which runs every one of their operations through them).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_named_type,
    validate,
    value_from_ast_untyped,
    visit,
)
from graphql.language import Visitor
from graphql.type.definition import GraphQLInterfaceType, GraphQLNamedType
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef
from strawberry.extensions import AddValidationRules, MaxTokensLimiter, SchemaExtension
from strawberry.extensions.max_aliases import create_validator as create_aliases_rule

from boards_desktop.graphql.errors import BAD_USER_INPUT
from boards_desktop.graphql.input_text import text_problems
from boards_desktop.graphql.validation import MAX_LIMIT, MAX_LINEAGE_DEPTH

MAX_DEPTH = 20
"""Levels of fields, introspection and lineage trees apart: the page's deepest operations nest 4."""
MAX_ALIASES = 30
MAX_TOKENS = 5_000
MAX_COST = 100_000
"""Fields in the answer, estimated. The grid's page of 100 costs 7,903 (39,503 at the API's largest
page, 500); the app resolves about 700 generations a second, so the most this allows (some 7,500
generations with a few fields each) answers within about ten seconds, in little memory."""

DEFAULT_LIST_SIZE = 10
"""The size assumed for a list without a `limit` or a list of ids (a generation's tags, a board's members)."""
LINEAGE_ROWS_PER_LEVEL = 10
"""What a lineage walk is assumed to read per level of `maxDepth` (it stops at 10,000 paths anyway)."""

_LINEAGE_FIELDS = {"ancestry", "descendants"}
# Introspection's entry points are not fields of Query, but their lists cost like any other.
_META_FIELDS = {"__schema": SchemaMetaFieldDef, "__type": TypeMetaFieldDef}
# Introspection's lists, sized as this schema has them on average over its ~50 types (most are
# scalars and enums without fields): the estimate of the whole introspection query stays near its size.
_OF_TYPE_CHAIN_COST = 12
_INTROSPECTION_LIST_SIZES = {
    "types": 60,
    "fields": 5,
    "inputFields": 2,
    "enumValues": 3,
    "args": 1,
    "interfaces": 1,
    "possibleTypes": 1,
    "directives": 5,
    "locations": 5,
}
_LINEAGE_CHILD_LISTS = {"parents", "children"}
_LINEAGE_NODE_TYPES = {"AncestryNode", "DescendantNode"}
_WORST_CASE = {"limit": MAX_LIMIT, "maxDepth": MAX_LINEAGE_DEPTH}
_DEPTH_GIVE_UP = MAX_DEPTH * 10  # measuring stops there: deeper is refused all the same


class _AliasesLimiter(AddValidationRules):
    """Strawberry's MaxAliasesLimiter, built per request around one rule class: the validation cache keys
    on the rules, and MaxAliasesLimiter makes a new class with every instance."""

    def __init__(self) -> None:
        super().__init__([_ALIASES_RULE])


_ALIASES_RULE = create_aliases_rule(MAX_ALIASES)


def limit_extensions() -> list[Any]:
    """The schema extensions that enforce the limits (Strawberry's, then ours)."""
    return [
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        _AliasesLimiter,
        RequestLimits,
    ]


@dataclass(frozen=True)
class Measure:
    """How deep an operation nests, how much it is estimated to cost, and how many aliases it uses."""

    depth: int
    cost: int
    aliases: int


class RequestLimits(SchemaExtension):
    """After validation: refuse an operation that nests too deep or costs too much, or sends text no
    database can store. Runs for queries, mutations and subscriptions alike, over HTTP and WebSocket.

    It runs in `on_validate` (not as a validation rule) because the cost depends on the variables,
    and the validation of a document is cached whatever its variables.
    """

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if context.pre_execution_errors is None and document is not None and context.validation_rules:
            context.pre_execution_errors = validate(context.schema._schema, document, context.validation_rules)
        if not context.pre_execution_errors and document is not None:
            errors = refusals(context.schema._schema, document, context.operation_name, context.variables or {})
            if errors:
                context.pre_execution_errors = errors
        yield


def refusals(
    schema: GraphQLSchema, document: Any, operation_name: str | None, variables: Mapping[str, Any]
) -> list[GraphQLError]:
    """The errors that refuse the operation to run, or none."""
    problems = text_problems(variables, "variables")
    operation = _operation(document, operation_name)
    if operation is None:
        return problems
    problems += _literal_text_problems(document)
    try:
        measure = measure_operation(schema, document, operation, variables)
    except RecursionError:  # fragments spreading fragments, thousands deep: no real client writes that
        measure = Measure(depth=_DEPTH_GIVE_UP + 1, cost=0, aliases=0)
    if measure.depth > MAX_DEPTH:
        shown = f"more than {_DEPTH_GIVE_UP}" if measure.depth > _DEPTH_GIVE_UP else str(measure.depth)
        problems.append(
            _limit_error(
                f"the query nests {shown} levels of fields; the limit is {MAX_DEPTH}: ask for less at once",
                "depth",
            )
        )
    elif measure.cost > MAX_COST:
        problems.append(
            _limit_error(
                f"the query would cost about {measure.cost:,} (fields times list sizes); the limit is {MAX_COST:,}: "
                "ask for smaller pages (limit) or fewer nested lists",
                "cost",
            )
        )
    return problems


def measure_operation(
    schema: GraphQLSchema,
    document: Any,
    operation: OperationDefinitionNode | None = None,
    variables: Mapping[str, Any] | None = None,
) -> Measure:
    """Depth, cost and aliases of one operation (the document's only one when none is named)."""
    operation = operation or _operation(document, None)
    if operation is None:
        return Measure(0, 0, 0)
    root = schema.get_root_type(operation.operation)
    if root is None:
        return Measure(0, 0, 0)
    walker = _Walker(schema, _fragments(document), variables or {}, _variable_defaults(operation))
    cost, depth, aliases = walker.selection_set(operation.selection_set, root, 0)
    return Measure(depth=depth, cost=cost, aliases=aliases)


@dataclass
class _Walker:
    schema: GraphQLSchema
    fragments: dict[str, FragmentDefinitionNode]
    variables: Mapping[str, Any]
    defaults: dict[str, Any]
    # A fragment's (cost, depth, aliases) at multiplier 1, so that a fragment spread a thousand times is walked once.
    memo: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    active: set[str] = field(default_factory=set)

    def selection_set(
        self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType, level: int
    ) -> tuple[int, int, int]:
        """(cost, levels below `level`, aliases) of a selection set whose fields are at `level` + 1."""
        if selection_set is None or level > _DEPTH_GIVE_UP:
            return 0, 0, 0
        cost = depth = aliases = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                field_cost, field_depth, field_aliases = self.field(selection, parent, level)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                field_cost, field_depth, field_aliases = self.selection_set(
                    selection.selection_set, target or parent, level
                )
            elif isinstance(selection, FragmentSpreadNode):
                field_cost, field_depth, field_aliases = self.fragment(selection.name.value, level)
            else:
                continue
            cost += field_cost
            depth = max(depth, field_depth)
            aliases += field_aliases
        return cost, depth, aliases

    def fragment(self, name: str, level: int) -> tuple[int, int, int]:
        definition = self.fragments.get(name)
        if definition is None or name in self.active:
            return 0, 0, 0  # unknown or cyclic: validation has refused it already
        if name not in self.memo:
            target = self.schema.get_type(definition.type_condition.name.value)
            if target is None:
                return 0, 0, 0
            self.active.add(name)
            try:
                self.memo[name] = self.selection_set(definition.selection_set, target, level)
            finally:
                self.active.discard(name)
        cost, depth, aliases = self.memo[name]
        return cost, depth, aliases

    def field(self, node: FieldNode, parent: GraphQLNamedType, level: int) -> tuple[int, int, int]:
        aliases = 1 if node.alias else 0
        definition = _META_FIELDS.get(node.name.value)
        if definition is None and isinstance(parent, (GraphQLObjectType, GraphQLInterfaceType)):
            definition = parent.fields.get(node.name.value)
        if definition is None:  # __typename, or a field validation has refused
            return 1, 1, aliases
        weight = 1
        if node.name.value in _LINEAGE_FIELDS:
            weight += self.argument(node, definition.args, "maxDepth") * LINEAGE_ROWS_PER_LEVEL
        size = self.list_size(node, definition, parent) if _is_list(definition.type) else 1
        child_cost, child_depth, child_aliases = self.selection_set(
            node.selection_set, get_named_type(definition.type), level + 1
        )
        if node.name.value == "ofType" and parent.name == "__Type":
            # Introspection asks for `ofType` eight deep to be safe; a type is wrapped three times at most.
            child_cost = min(child_cost, _OF_TYPE_CHAIN_COST)
        if node.name.value in _LINEAGE_CHILD_LISTS and parent.name in _LINEAGE_NODE_TYPES:
            # A lineage tree is read by nesting `parents` (or `children`) once per level, as deep as maxDepth: its
            # levels are not the query's depth, and its rows are counted once, on `ancestry` (or `descendants`).
            return weight + child_cost, child_depth, aliases + child_aliases
        if node.name.value.startswith("__"):
            # Introspection nests `ofType` ten deep by design; like Strawberry's QueryDepthLimiter, its depth
            # is not counted (its cost is: the schema is finite, but nested lists of it multiply).
            return weight + size * child_cost, 0, aliases + child_aliases
        return weight + size * child_cost, 1 + child_depth, aliases + child_aliases

    def list_size(self, node: FieldNode, definition: Any, parent: GraphQLNamedType) -> int:
        if "limit" in definition.args:
            return self.argument(node, definition.args, "limit")
        for argument in node.arguments or ():
            length = self.list_length(argument.value)
            if length is not None:
                return length
        if parent.name.startswith("__") and node.name.value in _INTROSPECTION_LIST_SIZES:
            return _INTROSPECTION_LIST_SIZES[node.name.value]
        return DEFAULT_LIST_SIZE

    def argument(self, node: FieldNode, arguments: Mapping[str, Any], name: str) -> int:
        """An integer argument's value, its default, or the largest value the API accepts."""
        for argument in node.arguments or ():
            if argument.name.value == name:
                value = self.value(argument.value)
                return max(0, value) if isinstance(value, int) else _WORST_CASE.get(name, MAX_LIMIT)
        default = arguments[name].default_value if name in arguments else None
        return max(0, default) if isinstance(default, int) else _WORST_CASE.get(name, MAX_LIMIT)

    def value(self, node: ValueNode) -> Any:
        if isinstance(node, IntValueNode):
            return int(node.value)
        if isinstance(node, VariableNode):
            name = node.name.value
            given = self.variables.get(name, self.defaults.get(name))
            return given if isinstance(given, int) and not isinstance(given, bool) else None
        return None

    def list_length(self, node: ValueNode) -> int | None:
        if isinstance(node, ListValueNode):
            return len(node.values)
        if isinstance(node, VariableNode):
            given = self.variables.get(node.name.value)
            if isinstance(given, list):
                return len(given)
            if node.name.value in self.defaults and isinstance(self.defaults[node.name.value], list):
                return len(self.defaults[node.name.value])
        return None


def _is_list(type_: Any) -> bool:
    while isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


def _operation(document: Any, operation_name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name:
        return next((o for o in operations if o.name and o.name.value == operation_name), None)
    return operations[0] if len(operations) == 1 else None


def _fragments(document: Any) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def _variable_defaults(operation: OperationDefinitionNode) -> dict[str, Any]:
    defaults: dict[str, Any] = {}
    for definition in operation.variable_definitions or ():
        value = definition.default_value
        if isinstance(value, IntValueNode):
            defaults[definition.variable.name.value] = int(value.value)
        elif isinstance(value, ListValueNode):
            defaults[definition.variable.name.value] = list(value.values)
    return defaults


# Documents (by id, while they live) whose literals were found fine: the parser cache hands a client's
# every request of one operation the same document, and walking it again cost a tenth of a small mutation.
_CLEAN_DOCUMENTS: dict[int, weakref.ref[Any]] = {}


def _literal_text_problems(document: Any) -> list[GraphQLError]:
    """Text written into the query itself (`createBoard(input: {title: "..."})`), named by its argument."""
    key = id(document)
    known = _CLEAN_DOCUMENTS.get(key)
    if known is not None and known() is document:
        return []
    problems = _literal_text_problems_of(document)
    if not problems:
        try:
            # The entry goes with its document (a callback runs before the id can be reused).
            _CLEAN_DOCUMENTS[key] = weakref.ref(document, lambda _gone: _CLEAN_DOCUMENTS.pop(key, None))
        except TypeError:  # a document that takes no weak reference is simply walked each time
            pass
    return problems


def _literal_text_problems_of(document: Any) -> list[GraphQLError]:
    literals: dict[str, Any] = {}

    class _Arguments(Visitor):
        def enter_field(self, node: FieldNode, *_: Any) -> None:
            for argument in node.arguments or ():
                literals[f"{node.name.value}({argument.name.value})"] = value_from_ast_untyped(argument.value)

    visit(document, _Arguments())
    return text_problems(literals, "")


def _limit_error(message: str, limit: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": BAD_USER_INPUT, "limit": limit})
