"""Our schema keeps the upstream contract: nothing removed, renamed, retyped or made required.

`upstream-schema.graphql` beside this file is the public schema of the Boards server (v0.11.3),
printed from the running server.
"""

from __future__ import annotations

from pathlib import Path

from graphql import build_schema, find_breaking_changes, find_dangerous_changes
from graphql.utilities import DangerousChangeType

from boards_desktop.graphql import schema

UPSTREAM = Path(__file__).with_name("upstream-schema.graphql")

# Dangerous changes that only add something; a changed default value is not among them.
ADDITIONS = {
    DangerousChangeType.OPTIONAL_ARG_ADDED,
    DangerousChangeType.VALUE_ADDED_TO_ENUM,
    DangerousChangeType.OPTIONAL_INPUT_FIELD_ADDED,
    DangerousChangeType.IMPLEMENTED_INTERFACE_ADDED,
    DangerousChangeType.TYPE_ADDED_TO_UNION,
}


def _schemas():
    return build_schema(UPSTREAM.read_text(encoding="utf-8")), build_schema(schema.as_str())


def test_no_breaking_changes_against_upstream():
    upstream, ours = _schemas()
    breaking = [f"{c.type.name}: {c.description}" for c in find_breaking_changes(upstream, ours)]
    assert breaking == []


def test_dangerous_changes_are_additions_only():
    upstream, ours = _schemas()
    changes = [
        f"{c.type.name}: {c.description}" for c in find_dangerous_changes(upstream, ours) if c.type not in ADDITIONS
    ]
    assert changes == []


async def test_graphiql_is_served_to_a_browser(client):
    response = await client.http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text.lower()
    assert "<html" in page and "graphiql" in page
