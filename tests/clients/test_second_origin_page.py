"""Chromium: a web front end on a second origin shows a board's images and video through the app.

The page is served on 127.0.0.1 by a tiny static server of its own (another port, so another
origin), which the app allows through BOARDS_ALLOWED_ORIGINS. As upstream's web app does, it asks
for the board over CORS with the API token, parses each media URL with `new URL(...)`, and puts
the URLs straight into `<img src>` and `<video src>`, which send no token and no cookie.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import av
from PIL import Image

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, playwright_api, started_installation
from tests.uploads.samples import jpeg_bytes, png_bytes

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>loading</title></head>
<body><main id="board"></main>
<script type="module">
const params = new URLSearchParams(location.hash.slice(1));
const query = `query GetBoard($id: UUID!) { board(id: $id) { title
  generations(limit: 50) { id artifactType storageUrl thumbnailUrl } } }`;
const response = await fetch(`${params.get('api')}/graphql`, {
  method: 'POST',
  headers: {'Content-Type': 'application/json', Authorization: `Bearer ${params.get('token')}`},
  body: JSON.stringify({query, variables: {id: params.get('board')}}),
});
const {data} = await response.json();
const main = document.getElementById('board');
for (const generation of data.board.generations) {
  new URL(generation.storageUrl);  // the reference app does this before a download: it must not throw
  const media = document.createElement(generation.artifactType === 'VIDEO' ? 'video' : 'img');
  if (media.tagName === 'VIDEO') Object.assign(media, {muted: true, preload: 'metadata', poster: generation.thumbnailUrl});
  media.dataset.id = generation.id;
  media.src = generation.storageUrl;
  main.append(media);
}
document.title = data.board.title;
</script></body></html>
"""


def _webm_bytes(size: tuple[int, int] = (64, 48), frames: int = 12, fps: int = 12) -> bytes:
    """A short VP8 WebM clip, which every Chromium build plays."""
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="webm") as container:
        stream = container.add_stream("libvpx", rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.time_base = Fraction(1, fps)
        for index in range(frames):
            frame = av.VideoFrame.from_image(Image.new("RGB", size, (index * 20 % 256, 120, 200)))
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return buffer.getvalue()


@contextmanager
def _static_site() -> Iterator[str]:
    """The second origin: a server on 127.0.0.1 (a free port) that serves the page and nothing else."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = PAGE.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_page_on_another_origin_shows_the_boards_images_and_video(tmp_path: Path) -> None:
    with _static_site() as site, started_installation(tmp_path, BOARDS_ALLOWED_ORIGINS=site) as app:
        board = app.api.create_board("Harbour, seen from elsewhere")
        uploads = [
            app.api.upload(board, "lighthouse.png", png_bytes((160, 120), "#224488"), "image/png"),
            app.api.upload(board, "quay.jpg", jpeg_bytes((90, 60)), "image/jpeg"),
            app.api.upload(board, "waves.webm", _webm_bytes(), "video/webm"),
        ]
        token = (app.data_dir / "api-token").read_text().strip()
        with playwright_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                page = browser.new_page()
                errors: list[str] = []
                page.on("pageerror", lambda error: errors.append(str(error)))
                page.set_default_timeout(15_000)
                page.goto(f"{site}/#{urlencode({'api': app.url, 'token': token, 'board': board})}")
                page.wait_for_function("document.title === 'Harbour, seen from elsewhere'")
                assert page.evaluate("location.origin") == site != app.url

                images = page.locator("img")
                assert images.count() == 2
                page.wait_for_function("[...document.images].every((image) => image.complete)")
                widths = page.evaluate("[...document.images].map((image) => [image.naturalWidth, image.naturalHeight])")
                assert sorted(widths) == [[90, 60], [160, 120]]  # decoded, not a broken-image icon

                video = page.locator("video")
                assert video.count() == 1
                page.wait_for_function("document.querySelector('video').readyState >= 1")  # HAVE_METADATA
                assert page.evaluate(
                    "[document.querySelector('video').videoWidth, document.querySelector('video').duration > 0]"
                ) == [64, True]

                sources = page.evaluate("[...document.querySelectorAll('[src]')].map((element) => element.src)")
                assert len(sources) == 3
                for source in sources:  # the app's own signed URLs, loaded across origins without a header
                    parts = urlsplit(source)
                    assert f"{parts.scheme}://{parts.netloc}" == app.url and "signature=" in parts.query
                assert {u["id"] for u in uploads} == set(
                    page.evaluate("[...document.querySelectorAll('[data-id]')].map((e) => e.dataset.id)")
                )
                assert not errors, errors
            finally:
                browser.close()
