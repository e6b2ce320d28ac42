"""What pywebview's GTK backend (WebKitGTK) needs to show the app as its Qt backend does.

pywebview runs the window in private mode: an ephemeral web context, nothing written to disk. Its
GTK backend also switches localStorage off there, where Qt's off-the-record profile keeps it in
memory; the page keeps its theme and its view choices in localStorage, and stops at its first line
without it. The context stays ephemeral, so turning it back on still writes nothing to disk.
"""

from __future__ import annotations

from typing import Any


def keep_local_storage(window: Any) -> None:
    """A `before_show` handler: pywebview calls it on the GUI thread, after its settings, before the page loads."""
    from webview.platforms.gtk import BrowserView

    view = BrowserView.instances.get(window.uid)
    if view is not None:
        view.webview.get_settings().props.enable_html5_local_storage = True
