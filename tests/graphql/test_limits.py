"""What one operation may cost: real clients' operations pass far below the limits; abuse is refused.

Run with `-s` to see the table of every real operation's depth, aliases, tokens and cost beside
the limits (the figures in the README's "Limits").
"""

from __future__ import annotations

import asyncio
import json

from graphql import Source, get_introspection_query, parse, validate
from graphql.language.lexer import Lexer, TokenKind

from boards_desktop.graphql.limits import MAX_ALIASES, MAX_COST, MAX_DEPTH, MAX_TOKENS, measure_operation
from boards_desktop.graphql.schema import schema
from tests.graphql.client_operations import UPSTREAM_OPERATIONS, UPSTREAM_VARIABLES, page_operations

EXPLORER_INTROSPECTION = get_introspection_query(descriptions=True, input_value_deprecation=True)


def _tokens(text: str) -> int:
    lexer, count = Lexer(Source(text)), 0
    while lexer.advance().kind != TokenKind.EOF:
        count += 1
    return count


def _real_operations() -> dict[str, tuple[str, dict]]:
    operations = {f"page {name}": (text, {}) for name, text in page_operations().items()}
    operations |= {
        f"upstream {name}": (text, UPSTREAM_VARIABLES.get(name, {})) for name, text in UPSTREAM_OPERATIONS.items()
    }
    operations["explorer introspection"] = (EXPLORER_INTROSPECTION, {})
    return operations


def test_every_real_operation_is_found_and_valid() -> None:
    page = page_operations()
    assert len(page) >= 20, sorted(page)  # the extraction found the page's documents
    assert len(UPSTREAM_OPERATIONS) == 22
    for name, (text, _) in _real_operations().items():
        assert not validate(schema._schema, parse(text)), name


def test_every_real_operation_stays_far_below_every_limit() -> None:
    """Page variables left out count at their worst (limit 500, 1,000 ids): the bound, not the usual."""
    grid = next(text for text in page_operations().values() if "query GridPage(" in text)
    assert measure_operation(schema._schema, parse(grid), None, {"limit": 100}).cost <= MAX_COST // 10
    rows = []
    for name, (text, variables) in _real_operations().items():
        measure = measure_operation(schema._schema, parse(text), None, variables)
        rows.append((measure.cost, measure.depth, measure.aliases, _tokens(text), name))
    rows.sort(reverse=True)
    print(f"\n{'cost':>8} {'depth':>5} {'aliases':>7} {'tokens':>6}  operation")
    print(f"{MAX_COST:>8} {MAX_DEPTH:>5} {MAX_ALIASES:>7} {MAX_TOKENS:>6}  (the limits)")
    for cost, depth, aliases, tokens, name in rows:
        print(f"{cost:>8} {depth:>5} {aliases:>7} {tokens:>6}  {name}")
    assert (
        max(row[0] for row in rows) <= MAX_COST // 2
    )  # the grid at limit 500 (40,003); at its page of 100, about 8,000
    assert max(row[1] for row in rows) <= MAX_DEPTH // 2 + 1
    assert max(row[2] for row in rows) <= MAX_ALIASES // 4
    assert max(row[3] for row in rows) <= MAX_TOKENS // 4


async def test_every_real_operation_passes_the_limits_in_the_running_app(client) -> None:
    for name, (text, variables) in _real_operations().items():
        response = await client.http.post("/graphql", json={"query": text, "variables": variables})
        body = response.json()
        for error in body.get("errors") or []:
            # Missing ids and inputs are refused later, by execution; never by a limit.
            assert "limit" not in error.get("extensions", {}), (name, error)
            assert "aliases found" not in error["message"] and "tokens" not in error["message"], (name, error)


def _nested(levels: int, limit: int = 50) -> str:
    """`board { generations { board { ... } } }` nesting 2 * levels + 2 levels of fields."""
    inner = "id"
    for _ in range(levels):
        inner = f"generations(limit: {limit}) {{ board {{ {inner} }} }}"
    return f"{{ myBoards {{ {inner} }} }}"


async def _refusal(client, query: str, variables: dict | None = None) -> str:
    response = await client.http.post("/graphql", json={"query": query, "variables": variables or {}})
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None, body
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    return error["message"]


async def test_a_query_nesting_fifty_levels_is_refused_naming_its_depth_and_the_limit(client) -> None:
    message = await _refusal(client, _nested(50))
    assert message.startswith("the query nests 102 levels of fields; the limit is 20"), message
    assert (await _refusal(client, _nested(10, limit=1))).startswith("the query nests 22 levels")
    at_the_limit = await client.http.post("/graphql", json={"query": _nested(9, limit=1)})
    assert at_the_limit.json() == {"data": {"myBoards": []}}


async def test_a_thousand_aliases_are_refused_before_anything_runs(client) -> None:
    fields = " ".join(f"a{i}: board(id: $id) {{ generations(limit: 500) {{ id }} }}" for i in range(1000))
    message = await _refusal(
        client, f"query($id: UUID!) {{ {fields} }}", {"id": "00000000-0000-0000-0000-000000000000"}
    )
    assert "Document contains more than 5000 tokens" in message  # the token limit answers first

    fields = " ".join(f"a{i}: recentGenerations {{ id }}" for i in range(MAX_ALIASES + 1))
    message = await _refusal(client, f"{{ {fields} }}")
    assert message == f"{MAX_ALIASES + 1} aliases found. Allowed: {MAX_ALIASES}"


async def test_costly_lists_are_refused_with_the_estimate_and_the_limit(client) -> None:
    nested = "{ myBoards(limit: 500) { generations(limit: 500) { id prompt } } }"
    message = await _refusal(client, nested)
    assert message.startswith("the query would cost about 500,501 (fields times list sizes); the limit is 100,000")

    # The same through variables: the values sent count.
    query = "query($n: Int) { myBoards(limit: $n) { generations(limit: $n) { id prompt } } }"
    assert "the limit is 100,000" in await _refusal(client, query, {"n": 500})
    ok = await client.http.post("/graphql", json={"query": query, "variables": {"n": 20}})
    assert ok.json() == {"data": {"myBoards": []}}

    aliases = " ".join(
        f"a{i}: recentGenerations(limit: 500) {{ ancestry(maxDepth: 1000) {{ depth }} }}" for i in range(3)
    )
    assert "would cost about" in await _refusal(client, f"{{ {aliases} }}")


async def test_a_refused_mutation_changes_nothing(client) -> None:
    creates = " ".join(f'a{i}: createBoard(input: {{title: "b{i}"}}) {{ id }}' for i in range(MAX_ALIASES + 1))
    assert "aliases found" in await _refusal(client, f"mutation {{ {creates} }}")
    assert (await client.data("{ myBoards { id } }")) == {"myBoards": []}


async def test_subscriptions_over_the_websocket_go_through_the_same_limits(client) -> None:
    from tests.events.conftest import _served
    from tests.events.test_graphql_subscriptions import graphql_socket

    fields = " ".join(f"a{i}: status" for i in range(MAX_ALIASES + 1))
    query = f'subscription {{ boardEvents(boardId: "00000000-0000-0000-0000-000000000000") {{ {fields} }} }}'
    async with _served(client) as served, graphql_socket(served) as socket:
        await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
        answer = json.loads(await asyncio.wait_for(socket.recv(), 5))
    assert answer["type"] == "error" and answer["id"] == "1"
    assert answer["payload"][0]["message"] == f"{MAX_ALIASES + 1} aliases found. Allowed: {MAX_ALIASES}"


async def test_a_websocket_message_nested_too_deep_closes_the_socket_as_bad_json(client) -> None:
    from websockets.exceptions import ConnectionClosed

    from tests.events.conftest import _served
    from tests.events.test_graphql_subscriptions import graphql_socket

    deep = '{"id": "1", "type": "subscribe", "payload": {"query": "subscription { x }", "variables": ' + "[" * 1000
    deep += "]" * 1000 + "}}"
    async with _served(client) as served, graphql_socket(served) as socket:
        await socket.send(deep)
        try:
            await asyncio.wait_for(socket.recv(), 5)
        except ConnectionClosed as closed:
            assert closed.rcvd is not None and closed.rcvd.code == 4400
        else:
            raise AssertionError("the socket stayed open")


async def test_text_no_database_can_store_is_refused_over_the_websocket_too(client) -> None:
    from tests.events.conftest import _served
    from tests.events.test_graphql_subscriptions import graphql_socket

    query = "subscription($id: UUID!) { boardEvents(boardId: $id) { status } }"
    message = '{"id": "1", "type": "subscribe", "payload": {"query": "' + query + '", "variables": {"id": "\\ud800"}}}'
    async with _served(client) as served, graphql_socket(served) as socket:
        await socket.send(message)
        answer = json.loads(await asyncio.wait_for(socket.recv(), 5))
    assert answer["type"] == "error"
    assert answer["payload"][0]["message"].startswith("variables.id: contains a lone surrogate")


async def test_fragments_spreading_fragments_are_measured_through_and_refused_without_a_500(client) -> None:
    # Each fragment adds two levels: board { generations { ...next } }.
    count = 12
    fragments = " ".join(
        f"fragment F{i} on Board {{ generations(limit: 1) {{ board {{ ...F{i + 1} }} }} }}" for i in range(count)
    )
    query = "{ myBoards(limit: 1) { ...F0 } } " + fragments + f" fragment F{count} on Board {{ id }}"
    assert (await _refusal(client, query)).startswith("the query nests 26 levels of fields; the limit is 20")

    chain = " ".join(f"fragment C{i} on Board {{ ...C{i + 1} }}" for i in range(300)) + " fragment C300 on Board { id }"
    response = await client.http.post("/graphql", json={"query": "{ myBoards { ...C0 } } " + chain})
    assert response.status_code == 200
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
