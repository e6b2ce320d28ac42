"""The garbage collector of a server process, once its start-up is done (boards_desktop.collector)."""

from __future__ import annotations

import json
import subprocess
import sys

_SETTLE_PROBE = """
import gc, json
from boards_desktop.collector import FULL_EVERY, settle_after_start
young, middle, _ = gc.get_threshold()
settle_after_start()
frozen = gc.get_freeze_count()
settle_after_start()  # once per process: a second call freezes nothing more
print(json.dumps({"frozen": frozen, "again": gc.get_freeze_count(), "threshold": gc.get_threshold(),
                  "expected": [young, middle, FULL_EVERY]}))
"""


def test_after_start_up_its_objects_are_frozen_and_the_oldest_generation_collected_more_often():
    # In a process of its own: freezing this one would keep the other tests' objects for good.
    probe = subprocess.run([sys.executable, "-c", _SETTLE_PROBE], capture_output=True, text=True, check=True)
    facts = json.loads(probe.stdout)
    assert facts["frozen"] > 10_000  # the modules' functions and classes, at least
    assert facts["again"] == facts["frozen"]
    assert facts["threshold"] == facts["expected"]
