"""The headers every response carries, and the ones none may carry (CORS).

The UI's policy allows the app's own origin only: scripts from our files (no inline script, no
eval), styles from our files plus inline styles (the UI sets `style` attributes; CSS cannot run
code), images and media also from `data:`/`blob:` URLs the UI makes for previews, and the
WebSocket of our own host (older WebKit does not count ws: as 'self'). It goes on every response:
browsers apply it to documents and ignore it elsewhere, so any HTML the server ever sends is
covered.

The GraphQL explorer (GraphiQL at GET /graphql in a browser) is served from the app's own files
too (`ui/explorer/`); its page's policy differs only in allowing the `data:` fonts of GraphiQL's
stylesheet.
"""

from __future__ import annotations

GRAPHQL_PATH = "/graphql"

_UI_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; media-src 'self' blob:; font-src 'self'; connect-src 'self' ws://{host}; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_EXPLORER_POLICY = _UI_POLICY.replace("font-src 'self';", "font-src 'self' data:;")
_FIXED = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),  # launch codes and media keys never leave in a Referer
    (b"x-frame-options", b"DENY"),
]
_REPLACED = frozenset({b"content-security-policy", b"x-content-type-options", b"referrer-policy", b"x-frame-options"})


def secure_headers(headers: list[tuple[bytes, bytes]], *, host: str, path: str) -> list[tuple[bytes, bytes]]:
    """The response's headers without CORS ones, with ours set (replacing a handler's own)."""
    kept = []
    is_html = False
    for name, value in headers:
        lowered = name.lower()
        if lowered.startswith(b"access-control-") or lowered in _REPLACED:
            continue
        if lowered == b"content-type" and value.lower().startswith(b"text/html"):
            is_html = True
        kept.append((name, value))
    policy = _EXPLORER_POLICY if path == GRAPHQL_PATH and is_html else _UI_POLICY
    kept.append((b"content-security-policy", policy.format(host=host).encode("latin-1")))
    kept.extend(_FIXED)
    return kept
