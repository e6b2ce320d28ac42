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


_PRELOAD_MARK = b"</head>"


@get("/", media_type=MediaType.HTML, include_in_schema=False, cache_control=CacheControlHeader(no_cache=True))
async def _index() -> Response[bytes]:
    # Read on each request (it is small): an edited UI shows on reload, with no server restart.
    return Response(with_module_preloads(_INDEX.read_bytes()), media_type=MediaType.HTML)


def with_module_preloads(page: bytes) -> bytes:
    """The page with a `modulepreload` link for every module of the UI.

    Without them the browser finds a board's modules one import level at a time (app, page, grid,
    tile...), a round trip each; with them it fetches and parses all of them at once. They are
    listed from the folder, so a new module is preloaded without anyone remembering to add it.
    """
    modules = sorted(path.relative_to(UI_DIR).as_posix() for path in (UI_DIR / "js").rglob("*.js"))
    links = b"".join(f'<link rel="modulepreload" href="/ui/{module}">\n'.encode() for module in modules)
    return page.replace(_PRELOAD_MARK, links + _PRELOAD_MARK, 1)


ui_files = Router(
    path="/",
    route_handlers=[
        _index,
        create_static_files_router(
            path="/ui", directories=[UI_DIR], name="ui", cache_control=CacheControlHeader(no_cache=True)
        ),
    ],
)
