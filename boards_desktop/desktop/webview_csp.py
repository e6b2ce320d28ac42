"""pywebview under the app's Content-Security-Policy, which allows no `eval` (script-src 'self').

pywebview builds each `window.pywebview.api.<name>` function with `new Function(source)`, a form
of eval: under our policy that throws, the API stays empty and `pywebviewready` never fires. We
rewrite that one statement of its injected script into a closure that does the same thing, rather
than weaken the policy for everything the window shows. Its `evaluate_js` also wraps code in
`eval`; `evaluate()` here runs an expression as a plain script instead and returns its JSON value.
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
        js_code, finish_script = original(window, platform)
        patched, count = _NEW_FUNCTION.subn(lambda _: _CLOSURE, js_code)
        if count != 1:
            log.warning("this pywebview's script differs from what we know: window.pywebview.api may not work")
            return js_code, finish_script
        return patched, finish_script

    util.load_js_files = load_js_files
    _patched = True


def evaluate(window: Any, expression: str) -> Any:
    """The JSON value of a JavaScript expression in the window's page (no eval, so the CSP allows it)."""
    raw = window.run_js(f"JSON.stringify(({expression}))")
    return json.loads(raw) if isinstance(raw, str) else raw
