"""pywebview under the app's Content-Security-Policy, which allows no `eval` (script-src 'self').

pywebview builds each `window.pywebview.api.<name>` function with `new Function(source)`, a form
of eval: under our policy that throws, the API stays empty and `pywebviewready` never fires. We
rewrite that one statement of its injected script into a closure that does the same thing, rather
than weaken the policy for everything the window shows.

`evaluate_js` wraps code in `eval` too, to get the value of its last statement, and pywebview uses
it to hand the bridge's results back to the page. The web engines already return that value for a
script run as is (it is the script's completion value), so without a callback `evaluate_js` runs
the script as is (what `run_js` does). Qt converts the value to Python itself; other engines may
hand it back as a JSON string.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

log = logging.getLogger("boards.desktop")

_NEW_FUNCTION = re.compile(
    r"nestedObject\[functionName\]\s*=\s*new Function\(\s*sanitize_params\(params\),\s*funcBody\s*\);"
)
_CLOSURE = """nestedObject[functionName] = (function (name) {
        return function () {
          var __id = (Math.random() + '').substring(2);
          var promise = new Promise(function (resolve, reject) {
            window.pywebview._checkValue(name, resolve, reject, __id);
          });
          window.pywebview._jsApiCallback(name, Array.prototype.slice.call(arguments), __id);
          return promise;
        };
      })(funcName);"""
_patched = False


def allow_strict_csp() -> None:
    """Make pywebview's injected script work without eval (idempotent)."""
    global _patched
    if _patched:
        return
    from webview import util

    original = util.load_js_files

    def load_js_files(window: Any, platform: str) -> tuple[str, str]:
        # pywebview annotates it as answering a str; it answers (the code, the script to load last).
        js_code, finish_script = original(window, platform)  # type: ignore[str-unpack]
        patched, count = _NEW_FUNCTION.subn(lambda _: _CLOSURE, js_code)
        if count != 1:
            log.warning("this pywebview's script differs from what we know: window.pywebview.api may not work")
            return js_code, finish_script
        return patched, finish_script

    util.load_js_files = load_js_files  # type: ignore[assignment]  # the patch (its annotation is wrong, above)
    _patch_evaluate_js()
    _patched = True


def _patch_evaluate_js() -> None:
    from webview import window as window_module

    original = window_module.Window.evaluate_js

    def evaluate_js(self: Any, script: str, callback: Any = None) -> Any:
        if callback is not None:
            return original(self, script, callback)
        return self.gui.evaluate_js(script, self.uid, False)

    when_ready = getattr(window_module, "_pywebview_ready_call", lambda function: function)
    window_module.Window.evaluate_js = when_ready(evaluate_js)  # type: ignore[method-assign]  # the patch itself


def evaluate(window: Any, expression: str) -> Any:
    """The JSON value of a JavaScript expression in the window's page, whatever the engine."""
    raw = window.evaluate_js(f"JSON.stringify(({expression}))")
    return json.loads(raw) if isinstance(raw, str) else raw
