"""The artist's interface: static files from `boards_desktop/ui/`, with its page at `/`.

The UI is plain HTML, CSS and JavaScript modules (no build step), so what is in the folder is what
the browser runs. Files are sent with `no-cache`: the browser keeps them but asks again each launch
(a 304 when unchanged), so an updated app never runs yesterday's script against today's API.
"""

from __future__ import annotations

from pathlib import Path

from litestar import MediaType, Response, Router, get
from litestar.datastructures import CacheControlHeader
from litestar.static_files import create_static_files_router

UI_DIR = Path(__file__).resolve().parent.parent / "ui"
_INDEX = UI_DIR / "index.html"


@get("/", media_type=MediaType.HTML, include_in_schema=False, cache_control=CacheControlHeader(no_cache=True))
async def _index() -> Response[bytes]:
    # Read on each request (it is small): an edited UI shows on reload, with no server restart.
    return Response(_INDEX.read_bytes(), media_type=MediaType.HTML)


ui_files = Router(
    path="/",
    route_handlers=[
        _index,
        create_static_files_router(
            path="/ui", directories=[UI_DIR], name="ui", cache_control=CacheControlHeader(no_cache=True)
        ),
    ],
)
