"""A hidden page rests: its polls wait until it is shown again, then catch up at once.

Headless Chromium keeps every page visible (minimising its window or raising another tab changes
nothing), so the test says what the browser says when a window is minimised: `visibilityState`
becomes `hidden` and `visibilitychange` fires; then the reverse.
"""

from __future__ import annotations

from tests.browser.test_viewer import open_viewer

SET_VISIBILITY = """(state) => {
  Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => state});
  Object.defineProperty(document, 'hidden', {configurable: true, get: () => state === 'hidden'});
  document.dispatchEvent(new Event('visibilitychange'));
}"""


def test_the_viewer_stops_polling_a_waiting_generation_while_hidden(page, api, installation) -> None:
    board = api.create_board("Hidden: waiting")
    # The `held` provider is paused in tests: the generation stays pending, and the viewer follows it.
    waiting = api.generate(board, "test-generator", "IMAGE", {"prompt": "kept waiting"})
    open_viewer(page, installation, board, [waiting])
    with page.expect_request(lambda request: request.url.endswith("/graphql")):
        pass  # it polls while shown

    page.evaluate(SET_VISIBILITY, "hidden")
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url) if request.url.endswith("/graphql") else None)
    page.wait_for_timeout(4000)  # more than two polling intervals
    assert sent == []

    with page.expect_request(lambda request: request.url.endswith("/graphql")):
        page.evaluate(SET_VISIBILITY, "visible")  # shown again: it reads the generation at once
