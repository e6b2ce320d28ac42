"""Idle memory: after a burst of requests the app empties its caches and gives the heap back once,
even with the page's event streams still open; a few requests alone set no timer."""

from __future__ import annotations

import asyncio

from boards_desktop.memory_trim import BURST_REQUESTS, BurstTrimmer

QUIET = 0.05


async def test_a_burst_is_followed_by_one_release_though_a_stream_stays_open():
    released: list[float] = []
    trimmer = BurstTrimmer(release=lambda: released.append(1), quiet_seconds=QUIET)
    trimmer.started()  # the page's event stream: it never ends while the page is open
    for _ in range(BURST_REQUESTS):
        trimmer.started()
        await asyncio.sleep(0)
        trimmer.ended()
    await asyncio.sleep(QUIET * 10)
    assert released == [1]
    await asyncio.sleep(QUIET * 4)
    assert released == [1]  # once per burst, not a timer that keeps going


async def test_a_second_burst_releases_again():
    released: list[float] = []
    trimmer = BurstTrimmer(release=lambda: released.append(1), quiet_seconds=QUIET)
    for _burst in range(2):
        for _ in range(BURST_REQUESTS):
            trimmer.started()
            trimmer.ended()
        await asyncio.sleep(QUIET * 10)
    assert released == [1, 1]


async def test_a_few_requests_release_nothing():
    released: list[float] = []
    trimmer = BurstTrimmer(release=lambda: released.append(1), quiet_seconds=QUIET)
    for _ in range(BURST_REQUESTS - 1):
        trimmer.started()
        trimmer.ended()
    await asyncio.sleep(QUIET * 10)
    assert released == []
