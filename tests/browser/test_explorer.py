"""The GraphQL explorer (GraphiQL at /graphql) works offline: everything from the app's own origin."""

from __future__ import annotations

from urllib.parse import urlsplit


def test_the_explorer_runs_a_query_with_nothing_from_another_origin(page, installation) -> None:
    origin = urlsplit(installation.url).netloc
    requested: list[str] = []
    refused: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    page.goto(f"{installation.url}/graphql")
    editor = page.locator(".graphiql-container .graphiql-query-editor")
    editor.wait_for(timeout=30_000)
    page.locator(".graphiql-execute-button").click()
    result = page.locator(".graphiql-response")
    page.wait_for_function("() => document.querySelector('.graphiql-response')?.innerText.includes('myBoards')")
    assert '"me"' in result.inner_text()
    foreign = [
        url for url in requested if urlsplit(url).scheme in ("http", "https", "ws") and urlsplit(url).netloc != origin
    ]
    assert not foreign, foreign
    # GraphiQL probes for eval once (and does without it): nothing else is refused by the policy.
    assert all("eval" in text for text in refused), refused
