"""The board page on a board of 10,000 generations, in a real browser.

Run: .venv/bin/python -m tests.benchmarks.ui_big_board [--generations 10000] [--runs 3] [--data-dir DIR]
     [--layout crop|whole|rows[,...]] [--shapes square|mixed]

Seeds the board once (tests.benchmarks.big_board: real WebP thumbnails), then for each run starts
the real app (`boards-desktop`, headless, as the browser tests do), opens the board in Debian's
Chromium and prints:
- the time from navigation to the first thumbnails decoded (the images of the first 12 tiles with one complete,
  naturalWidth > 0), and to the grid being ready (its first page shown);
- the DOM nodes in the grid (`grid.querySelectorAll('*').length`) and the tiles rendered;
- the same after jumping to the middle and to the end, with the time until the tiles there show
  their thumbnails;
- the frames of two seconds of scrolling, at 40 px a frame ("scroll") and through the whole board
  ("fling", a screenful or more a frame): frames drawn, median and 95th percentile frame time,
  and the main thread's long tasks (over 50 ms) meanwhile.
Then the medians of the runs.

`--layout` is the grid's tile layout (the board's choice, kept in the browser): square crops, whole
pictures, or justified rows; several (`crop,rows`) take turns run by run on the same board, so
that a loaded machine weighs on each alike, and get their own medians. `--shapes mixed` gives the generations' metadata sizes of several
proportions (landscape, portrait, square, panorama; the files stay square), so that rows differ.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from tests.benchmarks.big_board import seed_big_board
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, started_installation

FIRST = 12

# Runs in the page from its first script on: when the first tiles' thumbnails are decoded.
WATCH = (
    """
(() => {
  const first = """
    + str(FIRST)
    + """;
  const check = () => {
    const tiles = [...document.querySelectorAll('[data-testid=grid] .tile[data-generation-id][data-thumb]:not([hidden])')]
      .sort((a, b) => a.index - b.index).slice(0, first);
    const grid = document.querySelector('[data-testid=grid][data-state=ready]');
    if (grid && window.__gridReady === undefined) window.__gridReady = performance.now();
    if (tiles.length >= first && tiles.every((t) => { const i = t.querySelector('img'); return i.complete && i.naturalWidth > 0; })) {
      window.__firstThumbs = performance.now();
      return;
    }
    requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})();
"""
)

VISIBLE_READY = """
() => {
  const scroller = document.querySelector('[data-testid=grid-scroll]');
  const box = scroller.getBoundingClientRect();
  const tiles = [...scroller.querySelectorAll('.tile:not([hidden])')].filter((t) => {
    const r = t.getBoundingClientRect();
    return r.bottom > box.top && r.top < box.bottom;
  });
  if (!tiles.length) return false;
  return tiles.every((t) => t.dataset.generationId && (!t.dataset.thumb || (t.querySelector('img').complete && t.querySelector('img').naturalWidth > 0)));
}
"""

COUNTS = """
() => {
  const grid = document.querySelector('[data-testid=grid]');
  return {nodes: grid.querySelectorAll('*').length, tiles: grid.querySelectorAll('.tile:not([hidden])').length,
          total: grid.querySelector('.grid-canvas').dataset.total};
}
"""

SCROLL_FRAMES = """
async (perFrame) => {
  const scroller = document.querySelector('[data-testid=grid-scroll]');
  scroller.scrollTop = 0;
  await new Promise((r) => setTimeout(r, 500));
  const long = [];
  const observer = new PerformanceObserver((list) => long.push(...list.getEntries().map((e) => e.duration)));
  observer.observe({type: 'longtask'});
  const frames = [];
  let last = performance.now();
  const end = last + 2000;
  // perFrame: pixels per frame, or 0 for the whole board in about 120 frames
  const step = perFrame || scroller.scrollHeight / 120;
  await new Promise((resolve) => {
    const tick = (now) => {
      frames.push(now - last); last = now;
      scroller.scrollTop += step;
      if (now < end) requestAnimationFrame(tick); else resolve();
    };
    requestAnimationFrame(tick);
  });
  observer.disconnect();
  frames.sort((a, b) => a - b);
  return {frames: frames.length, median: frames[Math.floor(frames.length / 2)], p95: frames[Math.floor(frames.length * 0.95)],
          over50: frames.filter((f) => f > 50).length, longTasks: long.length, longTaskMs: long.reduce((a, b) => a + b, 0)};
}
"""


# Sizes for `--shapes mixed`, in turn: what the rows of an artist's board hold.
MIXED_SIZES = [(1024, 1024), (1344, 768), (768, 1344), (1152, 896), (896, 1152), (1536, 640), (1024, 1024), (832, 1216)]


async def seed(data_dir: Path, generations: int, shapes: str = "square") -> str:
    from sqlalchemy import bindparam, update

    from boards_desktop.db.models import Generation
    from tests.app_harness import running_app

    url = f"sqlite+aiosqlite:///{data_dir / 'boards.db'}"
    async with running_app(url, data_dir) as client:
        services = client.services
        board = await seed_big_board(services.database, services.actor, services.media, generations=generations)
        if shapes == "mixed":
            table = Generation.__table__
            rows = [
                {"gid": generation_id, "meta": {"width": w, "height": h}}
                for index, generation_id in enumerate(board.generation_ids)
                for w, h in [MIXED_SIZES[(index * 7 + index // 5) % len(MIXED_SIZES)]]
            ]
            async with services.database.write() as session:
                statement = (
                    update(table).where(table.c.id == bindparam("gid")).values(output_metadata=bindparam("meta"))
                )
                await session.execute(statement, rows)
    return str(board.board_id)


def one_run(browser, data_dir: Path, board_id: str, folder: Path, layout: str = "crop") -> dict[str, float]:
    with started_installation(folder, data_dir) as installation:
        url = installation.url
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        context.add_cookies(installation.cookies)
        context.add_init_script(f"localStorage.setItem('boards.grid.fit', {layout!r});")
        context.add_init_script(WATCH)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{url}/#/boards/{board_id}")
        page.wait_for_function("() => window.__firstThumbs !== undefined", timeout=60_000)
        result = {
            "first_thumbs_ms": page.evaluate("window.__firstThumbs"),
            "grid_ready_ms": page.evaluate("window.__gridReady"),
        }
        top = page.evaluate(COUNTS)
        result.update(top_nodes=top["nodes"], top_tiles=top["tiles"])
        for name, where in (("middle", "s.scrollHeight / 2"), ("end", "s.scrollHeight")):
            started = time.perf_counter()
            page.evaluate(
                f"() => {{ const s = document.querySelector('[data-testid=grid-scroll]'); s.scrollTop = {where}; }}"
            )
            page.wait_for_function(VISIBLE_READY, polling="raf", timeout=30_000)
            result[f"{name}_ms"] = (time.perf_counter() - started) * 1000
            counts = page.evaluate(COUNTS)
            result[f"{name}_nodes"] = counts["nodes"]
            result[f"{name}_tiles"] = counts["tiles"]
        for name, per_frame in (("scroll", 40), ("fling", 0)):
            frames = page.evaluate(SCROLL_FRAMES, per_frame)
            result.update(
                {
                    f"{name}_frames": frames["frames"],
                    f"{name}_median_frame_ms": frames["median"],
                    f"{name}_p95_frame_ms": frames["p95"],
                    f"{name}_long_tasks": frames["longTasks"],
                    f"{name}_long_task_ms": frames["longTaskMs"],
                }
            )
        result["total"] = int(top["total"])
        context.close()
        assert not errors, errors
        return result


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generations", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data-dir", type=Path, help="default: a temporary folder")
    parser.add_argument(
        "--layout", default="crop", help="the grid's tile layout: crop, whole or rows, or several with commas"
    )
    parser.add_argument("--shapes", choices=["square", "mixed"], default="square", help="the generations' sizes")
    args = parser.parse_args()
    layouts = [name.strip() for name in args.layout.split(",") if name.strip()]
    if not layouts or any(name not in ("crop", "whole", "rows") for name in layouts):
        parser.error(f"--layout takes crop, whole or rows (or several with commas), not {args.layout!r}")
    with tempfile.TemporaryDirectory(prefix="ui-big-board-") as temporary:
        folder = Path(temporary)
        data_dir = (args.data_dir or folder / "data").resolve()
        started = time.perf_counter()
        board_id = asyncio.run(seed(data_dir, args.generations, args.shapes))
        print(f"seeded {args.generations:,} generations in {time.perf_counter() - started:.1f} s (board {board_id})")
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in layouts}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            for run in range(args.runs):
                for layout in layouts:
                    result = one_run(browser, data_dir, board_id, folder / f"run{run}-{layout}", layout)
                    runs[layout].append(result)
                    shown = (f"{k}={v:.0f}" if isinstance(v, float) else f"{k}={v}" for k, v in result.items())
                    print(f"run {run + 1} ({layout}): " + ", ".join(shown))
            browser.close()
    for layout, results in runs.items():
        print(f"medians ({layout}):")
        for key in results[0]:
            print(f"  {key:28} {statistics.median(r[key] for r in results):10.1f}")


if __name__ == "__main__":
    main()
