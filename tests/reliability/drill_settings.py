"""The drills' two settings: how long they run (`BOARDS_DRILL_SCALE`) and their random moments' seed.

`BOARDS_DRILL_SCALE` is 1 by default, which keeps the drills to a few minutes in CI; a larger whole
number runs more (jobs, kills, rows, seconds of load). `BOARDS_DRILL_SEED` replays a run.
"""

from __future__ import annotations

import os
import random


def drill_scale() -> int:
    """`BOARDS_DRILL_SCALE`: 1 (the default) keeps the drills to a few minutes in CI; more runs longer."""
    raw = os.environ.get("BOARDS_DRILL_SCALE", "1")
    try:
        scale = int(raw)
    except ValueError:
        raise ValueError(f"BOARDS_DRILL_SCALE must be a whole number of 1 or more, not {raw!r}") from None
    if scale < 1:
        raise ValueError(f"BOARDS_DRILL_SCALE must be 1 or more, not {scale}")
    return scale


def drill_random(name: str) -> tuple[random.Random, int]:
    """A seeded generator and its seed: `BOARDS_DRILL_SEED` replays a run; otherwise a fresh seed.

    The seed is printed (pytest shows it with a failure's output) and belongs in every assertion
    message, so that a failed drill can be run again with the same random moments.
    """
    raw = os.environ.get("BOARDS_DRILL_SEED")
    seed = int(raw) if raw else random.SystemRandom().randrange(1, 2**31)
    print(f"{name}: seed {seed} (replay with BOARDS_DRILL_SEED={seed})")
    return random.Random(seed), seed
