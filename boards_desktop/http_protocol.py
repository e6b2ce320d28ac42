"""How the server reads HTTP: httptools (C, llhttp) when installed, with the same head limit as h11.

A board page's request spends a fifth of a millisecond in h11's pure-Python parser and writer;
httptools does it in C (design.md: the server core near its floor). h11 refuses a request head
past `h11_max_incomplete_event_size`; llhttp has no such limit, so this protocol counts the URL and
headers itself and refuses a head past the same size, as h11 does: 400, connection closed.
"""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class _HeadTooLarge(Exception):
    """Raised inside a parser callback: httptools then reports a parse error, answered 400."""


def bounded_httptools(max_head_bytes: int) -> type[HttpToolsProtocol]:
    """uvicorn's httptools protocol, refusing a request line and headers larger than `max_head_bytes`."""
    # Here, not at the top: uvicorn's module imports httptools, which may not be installed.
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class BoundedHttpToolsProtocol(HttpToolsProtocol):
        _head_bytes = 0

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._head_bytes = 0

        def on_url(self, url: bytes) -> None:
            self._count(len(url))
            super().on_url(url)

        def on_header(self, name: bytes, value: bytes) -> None:
            self._count(len(name) + len(value) + 4)  # ": " and CRLF
            super().on_header(name, value)

        def _count(self, size: int) -> None:
            self._head_bytes += size
            if self._head_bytes > max_head_bytes:
                raise _HeadTooLarge

    return BoundedHttpToolsProtocol


def http_protocol(max_head_bytes: int) -> Any:
    """What `uvicorn.Config(http=...)` takes: the bounded httptools protocol, or "h11" without httptools."""
    if importlib.util.find_spec("httptools") is None:  # the C parser (pyproject: installed by default)
        return "h11"
    return bounded_httptools(max_head_bytes)
