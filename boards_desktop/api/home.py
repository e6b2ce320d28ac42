from litestar import MediaType, get

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Boards</title>
<style>body{font:16px system-ui,sans-serif;margin:3rem;color:#222;background:#fafafa}
@media (prefers-color-scheme:dark){body{color:#eee;background:#181818}a{color:#8cf}}</style></head>
<body><h1>Boards</h1><p>The server is running. The app's interface is on its way; meanwhile the
GraphQL API and its explorer are at <a href="/graphql">/graphql</a>.</p></body></html>"""


@get("/", media_type=MediaType.HTML, sync_to_thread=False, include_in_schema=False)
def home() -> str:
    return _PAGE
