"""A property-based fuzzer of hostile input, against the real app served over HTTP on 127.0.0.1.

Hypothesis generates GraphQL operations (deep, wide, aliased), variables (any unicode, lone
surrogates and NULs included, huge strings, deep nesting), raw request bodies, and upload forms
(odd charsets, bytes that are not text, odd file names). For every one:

- the answer is never a 5xx, and a GraphQL error is never INTERNAL;
- a refusal changes nothing: every table's row count and the media folder's files are as before;
- and at the end, the app's log holds no traceback and no error.

It runs on SQLite and on PostgreSQL (where the suite has one). Bounded to about a minute by default; `BOARDS_DRILL_SCALE=10` runs ten times as many examples (the
same variable the kill -9 drills of this folder read).
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import asyncpg
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import conftest as root_conftest
from tests.app_harness import running_app
from tests.events.served import serving
from tests.postgres_server import create_postgres_database, drop_postgres_database
from tests.uploads.samples import png_bytes

SCALE = max(1, int(os.environ.get("BOARDS_DRILL_SCALE", "1") or "1"))
FUZZ = settings(
    max_examples=30 * SCALE,  # per test and engine: about a minute in all
    deadline=None,  # the app's answer time is not under test here; a slow example is not a failure
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=SCALE == 1,  # the same examples in CI; a longer run explores new ones each time
    database=None,
)

# --- the app under test -----------------------------------------------------------------------


@dataclass
class Served:
    url: str
    token: str
    data_dir: Path
    database_url: str
    media: Path
    http: httpx.Client


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The real app (on each engine), served by uvicorn from a thread of its own for the whole module."""
    folder = tmp_path_factory.mktemp("fuzz")
    admin_url = request.getfixturevalue("postgres_admin_url") if request.param == "postgresql" else None
    if admin_url:
        root_conftest._postgres_ran = True  # the session's summary line counts this run
    database_url = (
        asyncio.run(create_postgres_database(admin_url)) if admin_url else f"sqlite+aiosqlite:///{folder / 'boards.db'}"
    )
    started: dict[str, Any] = {}
    ready, stop = threading.Event(), threading.Event()

    async def run() -> None:
        async with running_app(database_url, folder / "data") as client, serving(client.app) as url:
            started.update(url=url, token=client.token, media=client.services.media.root)
            ready.set()
            while not stop.is_set():
                await asyncio.sleep(0.05)

    def thread_main() -> None:
        try:
            asyncio.run(run())
        except BaseException as exc:  # noqa: BLE001  (whatever stopped the app is reported by the fixture below)
            started["error"] = exc
            ready.set()

    thread = threading.Thread(target=thread_main, name="fuzzed-app", daemon=True)
    thread.start()
    assert ready.wait(60), "the app did not start"
    if "error" in started:
        raise started["error"]
    headers = {"Authorization": f"Bearer {started['token']}"}
    try:
        with httpx.Client(base_url=started["url"], headers=headers, timeout=120) as http:
            yield Served(started["url"], started["token"], folder / "data", database_url, started["media"], http)
    finally:
        stop.set()
        thread.join(30)
        if admin_url:
            asyncio.run(drop_postgres_database(admin_url, database_url))
    log = (folder / "data" / "logs" / "boards.log").read_text(errors="replace")
    problems = [line for line in log.splitlines() if " ERROR " in line or "Traceback" in line]
    assert not problems, "\n".join(problems[:20])


@dataclass(frozen=True)
class Stock:
    rows: dict[str, int]
    files: frozenset[str]


def stock(served: Served) -> Stock:
    """Every table's row count and every file of the media folder."""
    if served.database_url.startswith("sqlite"):
        path = served.database_url.split(":///", 1)[1]
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
            tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            rows = {table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}
    else:
        rows = asyncio.run(_postgres_rows(served.database_url))
    root = served.media
    files = (
        frozenset(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else frozenset()
    )
    return Stock(rows, files)


async def _postgres_rows(database_url: str) -> dict[str, int]:
    connection = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        tables = await connection.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return {t["tablename"]: await connection.fetchval(f'SELECT count(*) FROM "{t["tablename"]}"') for t in tables}
    finally:
        await connection.close()


@pytest.fixture(scope="module")
def board_id(served: Served) -> str:
    answer = served.http.post("/graphql", json={"query": 'mutation { createBoard(input: {title: "fuzz"}) { id } }'})
    return answer.json()["data"]["createBoard"]["id"]


def post_json_text(served: Served, body: str | bytes) -> httpx.Response:
    return served.http.post("/graphql", content=body, headers={"content-type": "application/json"})


def check_graphql_answer(response: httpx.Response) -> dict[str, Any] | None:
    """The answer's JSON when it is a GraphQL answer; fails on a 5xx or an INTERNAL error."""
    assert response.status_code < 500, (response.status_code, response.text[:500])
    if "json" not in response.headers.get("content-type", ""):
        return None
    body = response.json()
    if isinstance(body, dict):
        for error in body.get("errors") or []:
            assert error.get("extensions", {}).get("code") != "INTERNAL", error
    return body


def refused(body: dict[str, Any] | None) -> bool:
    return body is None or bool(body.get("errors")) and not any((body.get("data") or {}).values())


# --- generated values ---------------------------------------------------------------------------

# Any code point, lone surrogates and NUL included (Hypothesis leaves surrogates out unless asked).
ANY_CHARACTER = st.one_of(st.characters(), st.characters(categories=["Cs"]), st.sampled_from("\x00\ufeff\u202e"))
TEXT = st.one_of(
    st.text(ANY_CHARACTER, max_size=40),
    st.builds(
        lambda piece, times: piece * times, st.text(ANY_CHARACTER, min_size=1, max_size=3), st.integers(0, 120_000)
    ),
)
JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False), TEXT)
JSON_VALUE = st.recursive(
    JSON_LEAF,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(TEXT, children, max_size=4)),
    max_leaves=20,
)


def nested(depth: int, leaf: Any) -> Any:
    for _ in range(depth):
        leaf = [leaf]
    return leaf


DEEP_JSON = st.builds(nested, st.integers(0, 1500), JSON_LEAF)

MUTATIONS = {
    "createBoard": "mutation($v: JSON, $s: String!, $t: String) { createBoard(input: {title: $s, description: $t, settings: $v}) { id title } }",
    "createTag": "mutation($s: String!, $t: String) { createTag(input: {name: $s, slug: $t, description: $t}) { id } }",
    "createGeneration": """mutation($b: UUID!, $s: String!, $v: JSON!) { createGeneration(input: {boardId: $b,
        generatorName: $s, artifactType: IMAGE, inputParams: $v}) { id } }""",
    "queueHeld": """mutation($b: UUID!, $v: JSON!) { createGeneration(input: {boardId: $b,
        generatorName: "test-generator", artifactType: IMAGE, inputParams: $v}) { id } }""",
    "search": """query($b: UUID!, $s: String!, $t: String) { board(id: $b) { generations(filter: {search: $s}) { id }
        generationTotal(filter: {search: $t}) } searchBoards(query: $s) { id } }""",
    "lookup": "query($s: String!) { tagBySlug(slug: $s) { id } }",
}


@st.composite
def nested_query(draw: st.DrawFn) -> str:
    """`board { generations { board { ... } } }`, aliased and paged at random: the costly queries of the issue."""
    levels = draw(st.integers(1, 60))
    limit = draw(st.sampled_from(["", "(limit: 1)", "(limit: 500)", "(limit: -1)", "(limit: 99999999999)"]))
    inner = "id"
    for _ in range(levels):
        inner = f"generations{limit} {{ board {{ {inner} }} }}"
    aliases = draw(st.integers(0, 1200))
    fields = " ".join(f"a{i}: myBoards {{ {inner} }}" for i in range(aliases)) or f"myBoards {{ {inner} }}"
    extra = draw(st.sampled_from(["", "recentGenerations { ancestry(maxDepth: 1000) { depth } }"]))
    return f"{{ {fields} {extra} }}"


# --- the properties -----------------------------------------------------------------------------


@FUZZ
@given(name=st.sampled_from(sorted(MUTATIONS)), text=TEXT, other=st.one_of(st.none(), TEXT), value=JSON_VALUE)
def test_generated_variables_never_fail_the_app(served: Served, board_id: str, name, text, other, value) -> None:
    before = stock(served)
    variables = {"b": board_id, "s": text, "t": other, "v": value}
    # ensure_ascii: lone surrogates travel as JSON escapes (\ud800), as a browser's JSON.stringify sends them.
    body = json.dumps({"query": MUTATIONS[name], "variables": variables}, ensure_ascii=True)
    answer = check_graphql_answer(post_json_text(served, body))
    if refused(answer):
        assert stock(served) == before


@FUZZ
@given(value=DEEP_JSON, where=st.sampled_from(["variables", "body", "extensions"]))
def test_deep_json_is_refused_without_a_5xx(served: Served, value, where) -> None:
    before = stock(served)
    query = 'mutation($v: JSON) { createBoard(input: {title: "deep", settings: $v}) { id } }'
    if where == "body":
        text = json.dumps(value)
    else:
        text = json.dumps({"query": query, where: {"v": value}})
    answer = check_graphql_answer(post_json_text(served, text))
    if refused(answer):
        assert stock(served) == before


@FUZZ
@given(
    raw=st.one_of(
        st.binary(max_size=300), st.text(ANY_CHARACTER, max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass"))
    )
)
def test_raw_bodies_are_refused_without_a_5xx(served: Served, raw: bytes) -> None:
    before = stock(served)
    check_graphql_answer(post_json_text(served, raw))
    assert stock(served) == before


@FUZZ
@given(query=nested_query())
def test_costly_queries_are_refused_before_they_run(served: Served, query: str) -> None:
    answer = check_graphql_answer(served.http.post("/graphql", json={"query": query}))
    assert answer is not None


FIELD_NAMES = st.one_of(
    st.sampled_from(["board_id", "artifact_type", "user_description", "parent_generation_id"]), st.binary(max_size=20)
)
CHARSETS = st.sampled_from([None, "utf-8", "UTF-8", "utf-7", "unicode_escape", "latin-1", "no-such-charset", ""])
BOUNDARY = "fuzz-boundary-7d3f"


@st.composite
def upload_form(draw: st.DrawFn, board: str) -> bytes:
    parts: list[bytes] = []
    fixed = {"board_id": board.encode(), "artifact_type": b"image"}
    for name in draw(st.lists(FIELD_NAMES, max_size=5)):
        value = draw(
            st.one_of(
                st.binary(max_size=200),
                st.text(ANY_CHARACTER, max_size=100).map(lambda t: t.encode("utf-8", "surrogatepass")),
                st.builds(lambda n: b"[" * n + b"]" * n, st.integers(0, 3000)),
            )
        )
        charset = draw(CHARSETS)
        name_bytes = name.encode() if isinstance(name, str) else name
        header = b'Content-Disposition: form-data; name="' + name_bytes.replace(b'"', b"") + b'"'
        if charset is not None:
            header += b"\r\nContent-Type: text/plain; charset=" + charset.encode()
        parts.append(header + b"\r\n\r\n" + value)
    if draw(st.booleans()):
        for name, value in fixed.items():
            parts.insert(0, f'Content-Disposition: form-data; name="{name}"'.encode() + b"\r\n\r\n" + value)
    if draw(st.booleans()):
        filename = draw(st.binary(max_size=40)).replace(b'"', b"").replace(b"\r", b"").replace(b"\n", b"")
        content = draw(st.one_of(st.just(png_bytes()), st.binary(max_size=300)))
        parts.append(
            b'Content-Disposition: form-data; name="file"; filename="'
            + filename
            + b'"\r\nContent-Type: image/png\r\n\r\n'
            + content
        )
    body = b"".join(f"--{BOUNDARY}\r\n".encode() + part + b"\r\n" for part in parts)
    return body + f"--{BOUNDARY}--\r\n".encode()


@FUZZ
@given(data=st.data())
def test_generated_upload_forms_never_fail_the_app(served: Served, board_id: str, data) -> None:
    body = data.draw(upload_form(board_id))
    before = stock(served)
    response = served.http.post(
        "/api/uploads/artifact", content=body, headers={"content-type": f"multipart/form-data; boundary={BOUNDARY}"}
    )
    assert response.status_code < 500, (response.status_code, response.text[:500])
    if response.status_code != 200:
        assert set(response.json()) == {"error", "code", "detail"}, response.text
        assert stock(served) == before


@FUZZ
@given(
    path=st.lists(st.text(ANY_CHARACTER, min_size=1, max_size=300), min_size=1, max_size=40),
    query=st.text(ANY_CHARACTER, max_size=300),
)
def test_generated_storage_paths_and_query_strings_never_fail_the_app(served: Served, path, query) -> None:
    segments = [quote(segment.encode("utf-8", "surrogatepass"), safe="") for segment in path]
    filename = quote(query.encode("utf-8", "surrogatepass"), safe="")
    url = "/api/storage/" + "/".join(segments) + "?download=true&filename=" + filename
    response = served.http.get(url)
    assert response.status_code < 500, (url[:200], response.status_code, response.text[:300])
