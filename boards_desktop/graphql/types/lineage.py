"""AncestryNode and DescendantNode: lineage walks shaped as trees.

The walk comes back as one row per edge along each path from the start (see
`db.queries.lineage`); a node's place in the tree is its path, so a generation reached along two
paths (a diamond) appears under both. Nodes whose generation the caller may not read are left out,
with everything reached through them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Literal, TypeVar

import strawberry

from boards_desktop.db.queries.lineage import MAX_WALK_EDGES, LineageEdge, lineage_walk
from boards_desktop.graphql.context import RequestContext
from boards_desktop.graphql.lookups import readable_generations

if TYPE_CHECKING:
    from boards_desktop.graphql.types.generations import Generation

log = logging.getLogger("boards.graphql")

_GenerationType = Annotated["Generation", strawberry.lazy("boards_desktop.graphql.types.generations")]


@strawberry.type
class AncestryNode:
    generation: _GenerationType
    depth: int
    role: str | None = strawberry.field(description="How this generation was used by the one below it.")
    parents: list[AncestryNode]


@strawberry.type
class DescendantNode:
    generation: _GenerationType
    depth: int
    role: str | None = strawberry.field(description="How the generation above was used by this one.")
    children: list[DescendantNode]


Node = TypeVar("Node", AncestryNode, DescendantNode)


async def build_ancestry(ctx: RequestContext, start: Generation, max_depth: int) -> AncestryNode:
    def make(generation: Generation, depth: int, role: str | None) -> AncestryNode:
        return AncestryNode(generation=generation, depth=depth, role=role, parents=[])

    return await _build(ctx, start, max_depth, "ancestry", make, lambda node: node.parents)


async def build_descendants(ctx: RequestContext, start: Generation, max_depth: int) -> DescendantNode:
    def make(generation: Generation, depth: int, role: str | None) -> DescendantNode:
        return DescendantNode(generation=generation, depth=depth, role=role, children=[])

    return await _build(ctx, start, max_depth, "descendants", make, lambda node: node.children)


async def _build(
    ctx: RequestContext,
    start: Generation,
    max_depth: int,
    direction: Literal["ancestry", "descendants"],
    make: Callable[[Generation, int, str | None], Node],
    branches: Callable[[Node], list[Node]],
) -> Node:
    from boards_desktop.graphql.types.generations import Generation

    async with ctx.sessions.read() as session:
        edges = await lineage_walk(session, start.id, direction=direction, max_depth=max_depth)
    if len(edges) >= MAX_WALK_EDGES:
        log.warning(
            "%s of generation %s stopped at %d paths; ask for a smaller maxDepth", direction, start.id, len(edges)
        )
    rows = await readable_generations(ctx, (edge.node_id for edge in edges))

    root = make(start, 0, None)
    by_path: dict[str, Node] = {f",{start.id},": root}
    for edge in sorted(edges, key=lambda e: (e.depth, e.position, e.node_id)):
        above = by_path.get(_parent_path(edge))
        row = rows.get(edge.node_id)
        if above is None or row is None:
            continue  # unreadable or gone, or under such a node
        node = make(Generation.from_row(row, ctx), edge.depth, edge.role)
        by_path[edge.path] = node
        branches(above).append(node)
    return root


def _parent_path(edge: LineageEdge) -> str:
    """ ",a,b,c," -> ",a,b,": the path of the node this edge leaves from."""
    return edge.path[: edge.path.rstrip(",").rfind(",") + 1]
