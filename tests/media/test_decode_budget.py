"""The decode budget: pictures decode side by side while they fit, a huge one alone, first come first served."""

from __future__ import annotations

import asyncio

from boards_desktop.media.decode_budget import DecodeBudget


async def _hold(budget: DecodeBudget, nbytes: int, name: str, log: list[str], release: asyncio.Event) -> None:
    async with budget.reserve(nbytes):
        log.append(f"{name} in")
        await release.wait()
    log.append(f"{name} out")


async def test_small_decodes_share_the_budget_and_a_huge_one_waits_for_all_of_them() -> None:
    budget = DecodeBudget(100)
    log: list[str] = []
    release = {name: asyncio.Event() for name in ("a", "b", "huge", "c")}
    tasks = [asyncio.create_task(_hold(budget, 40, "a", log, release["a"]))]
    tasks.append(asyncio.create_task(_hold(budget, 40, "b", log, release["b"])))
    await asyncio.sleep(0)
    tasks.append(asyncio.create_task(_hold(budget, 500, "huge", log, release["huge"])))
    await asyncio.sleep(0)
    tasks.append(asyncio.create_task(_hold(budget, 10, "c", log, release["c"])))  # fits, but waits its turn
    await asyncio.sleep(0.01)
    assert log == ["a in", "b in"]

    release["a"].set()
    await asyncio.sleep(0.01)
    assert log == ["a in", "b in", "a out"]  # the huge one waits for b too
    release["b"].set()
    await asyncio.sleep(0.01)
    assert log[-2:] == ["b out", "huge in"] and budget.in_use == 100

    release["huge"].set()
    release["c"].set()
    await asyncio.gather(*tasks)
    assert log[-3:] == ["huge out", "c in", "c out"]
    assert budget.in_use == 0


async def test_a_cancelled_wait_gives_its_turn_to_the_next() -> None:
    budget = DecodeBudget(100)
    log: list[str] = []
    first, second, third = asyncio.Event(), asyncio.Event(), asyncio.Event()
    holder = asyncio.create_task(_hold(budget, 100, "first", log, first))
    await asyncio.sleep(0)
    waiting = asyncio.create_task(_hold(budget, 50, "second", log, second))
    after = asyncio.create_task(_hold(budget, 50, "third", log, third))
    await asyncio.sleep(0.01)
    waiting.cancel()
    first.set()
    third.set()
    await asyncio.gather(holder, after)
    assert "second in" not in log and log[-2:] == ["third in", "third out"]
    assert budget.in_use == 0
