"""Every route but /health and the page's files: registered on the app once they are imported.

They bring in most of the server's code (the GraphQL schema with Strawberry and graphql-core, the
models and queries, the upload and archive handlers): several hundred milliseconds of imports and
of building the schema's types. The app answers /health and serves the page without them; the
start in the background (boards_desktop.engine_start) imports this module in a thread and registers
the routes before any request other than /health goes on, so no request ever finds them missing.
"""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from boards_desktop.api.board_archives import export_board_archive, import_board_archive
from boards_desktop.api.exports import export_zip
from boards_desktop.api.sse import sse_handlers
from boards_desktop.api.storage import serve_media
from boards_desktop.api.uploads import upload_artifact
from boards_desktop.graphql import create_graphql_controller


def api_route_handlers() -> list[ControllerRouterHandler]:
    return [
        serve_media,
        upload_artifact,
        export_zip,
        export_board_archive,
        import_board_archive,
        *sse_handlers,
        create_graphql_controller(),
    ]
