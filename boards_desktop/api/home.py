"""The page at `/` until the full UI lands: the artist's boards, fetched from GraphQL.

The script is a file of its own (`/home.js`) because the Content-Security-Policy allows scripts
from the app's origin only, never inline. `[data-testid=boards]` carries `data-state` (`loading`,
`ready`, `error`) so that tests and the desktop window can tell when the list is drawn.
"""

from litestar import MediaType, Response, Router, get

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Boards</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#222;background:#fafafa}
header{padding:1.5rem 2.5rem .5rem}h1{margin:0;font-size:1.6rem;letter-spacing:.01em}
main{padding:0 2.5rem 2rem}p.note{color:#666;margin:.25rem 0 1.5rem}
ul.boards{list-style:none;padding:0;margin:0;display:grid;gap:1rem;
grid-template-columns:repeat(auto-fill,minmax(220px,1fr))}
ul.boards li{background:#fff;border:1px solid #e4e4e4;border-radius:10px;padding:1rem 1.1rem}
ul.boards li strong{display:block;font-size:1.05rem}ul.boards li span{color:#777;font-size:.9rem}
ul.boards li.empty{grid-column:1/-1;background:none;border:1px dashed #ccc;color:#666}
@media (prefers-color-scheme:dark){body{color:#eee;background:#161616}
ul.boards li{background:#202020;border-color:#333}a{color:#8cf}p.note,ul.boards li span{color:#999}}
</style></head>
<body><header><h1>Boards</h1></header>
<main><p class="note">The full interface is on its way; meanwhile the GraphQL API and its explorer are at
<a href="/graphql">/graphql</a>.</p>
<ul class="boards" data-testid="boards" data-state="loading"><li class="empty">Loading your boards…</li></ul>
</main><script type="module" src="/home.js"></script></body></html>"""

_SCRIPT = """const list = document.querySelector('[data-testid=boards]');
const query = '{ myBoards(limit: 200) { id title description generationCount } }';

function item(board) {
  const li = document.createElement('li');
  li.dataset.boardId = board.id;
  const title = document.createElement('strong');
  title.textContent = board.title;
  const count = document.createElement('span');
  const n = board.generationCount;
  count.textContent = n === 1 ? '1 generation' : `${n} generations`;
  li.append(title, count);
  return li;
}

function message(text) {
  const li = document.createElement('li');
  li.className = 'empty';
  li.textContent = text;
  return li;
}

try {
  const response = await fetch('/graphql', {
    method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({query}),
  });
  const body = await response.json();
  if (!response.ok || body.errors) throw new Error(body.error || body.errors?.[0]?.message || response.statusText);
  const boards = body.data.myBoards;
  list.replaceChildren(...(boards.length ? boards.map(item) : [message('No boards yet.')]));
  list.dataset.state = 'ready';
} catch (error) {
  list.replaceChildren(message(`Could not load your boards: ${error.message}`));
  list.dataset.state = 'error';
}
"""


@get("/", media_type=MediaType.HTML, sync_to_thread=False, include_in_schema=False)
def _page() -> str:
    return _PAGE


@get("/home.js", sync_to_thread=False, include_in_schema=False)
def _script() -> Response[str]:
    return Response(_SCRIPT, media_type="text/javascript; charset=utf-8", headers={"cache-control": "no-cache"})


home = Router(path="/", route_handlers=[_page, _script])
