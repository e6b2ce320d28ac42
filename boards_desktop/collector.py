"""The cyclic garbage collector of a server process, once its start-up is done.

A request leaves objects that refer to each other (its data loaders and their futures, the
GraphQL execution's frames), which only the collector frees. While many requests are in flight
they are still alive at each young collection and so reach the oldest generation, which Python
collects only after ten collections of the middle one. Under 32 clients that was up to 15 MB
of garbage at a time, each full collection took 170 ms (it walks every object of the app, 170,000
of them, most of them modules, classes and functions made at start-up), and Python's allocator
keeps the memory the garbage took once its 1 MB blocks hold one live object each.

So once the engine has started: the start-up's objects are moved out of the collector's sight
(`gc.freeze`: they live as long as the process, and a full collection need not walk them), and
the oldest generation is collected after every `FULL_EVERY` collections of the middle one. A full
collection then walks only what requests made: a few milliseconds (tests/benchmarks/board_page.py).

Only `serve` and the window apply this, once per process: a test's app must not freeze the objects
of the tests around it.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

from boards_desktop.engine_start import ENGINE_KEY

if TYPE_CHECKING:
    from litestar import Litestar

    from boards_desktop.engine_start import EngineStart

FULL_EVERY = 2  # Python's default is 10

_applied = False


def settle_after_start() -> None:
    """Freeze the start-up's objects and collect the oldest generation more often (once per process)."""
    global _applied
    if _applied:
        return
    _applied = True
    gc.collect()  # what start-up left over goes now: frozen, it would stay for good
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_EVERY)


async def settle_once_running(app: Litestar) -> None:
    """`settle_after_start` once the app's engine has started (or failed to): start-up is then done."""
    starting: EngineStart | None = app.state.get(ENGINE_KEY)
    if starting is not None:
        await starting.wait()
    settle_after_start()
