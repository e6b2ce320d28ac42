"""The board's tile layouts as an artist sees them: justified rows (each tile in its picture's
proportions, every full row as wide as the grid), the keyboard and the selection in them, the choice
kept over a reload; whole pictures on a checkerboard where they are transparent."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import RESULTS
from tests.browser.test_board import TILE, open_board, tile
from tests.browser.test_composer import wait_completed

# Pictures of many proportions, oldest first (the grid shows the newest first). At the tests' window
# size 24 of them fill their rows exactly; with the 25th the last row is not full.
SHAPES = [(300, 200), (200, 300), (320, 120), (240, 240), (180, 320), (400, 225), (300, 300), (120, 300)] * 3
SHAPES.append((240, 240))
PADDING = 16  # the grid's inner margin (grid.js)

TILE_BOXES = """() => [...document.querySelectorAll('[data-testid=grid] .tile[data-generation-id]:not([hidden])')]
  .sort((a, b) => a.index - b.index)
  .map((t) => { const r = t.getBoundingClientRect();
    return {id: t.dataset.generationId, index: t.index, x: r.x, y: r.y, w: r.width, h: r.height}; })"""


def _png(width: int, height: int, transparent: bool = False) -> bytes:
    buffer = io.BytesIO()
    picture = Image.new("RGBA", (width, height), (31, 111, 139, 255))
    if transparent:  # the left half see-through
        picture.paste((0, 0, 0, 0), (0, 0, width // 2, height))
    picture.save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def shapes_board(installation):
    api = installation.api
    board = api.create_board("Rows of pictures")
    ratios = {}
    for number, (width, height) in enumerate(SHAPES):
        made = api.upload(board, f"shape-{number}-{width}x{height}.png", _png(width, height), "image/png")
        ratios[made["id"]] = width / height
    return board, ratios


def _spread(colours: set[tuple[int, int, int]]) -> int:
    """How far apart the colours are: the largest difference in one channel."""
    return max(max(c[k] for c in colours) - min(c[k] for c in colours) for k in range(3))


def _choose(page, layout: str) -> None:
    page.locator(f"[data-testid=tile-layout] [data-layout={layout}]").click()
    page.wait_for_function(f"() => document.querySelector('.grid-canvas').dataset.fit === '{layout}'")


def _rows(page) -> list[list[dict]]:
    """The tiles on screen grouped by their top, each row left to right."""
    rows: dict[int, list[dict]] = {}
    for box in page.evaluate(TILE_BOXES):
        rows.setdefault(round(box["y"]), []).append(box)
    return [sorted(row, key=lambda b: b["x"]) for _, row in sorted(rows.items())]


def _grid_edges(page) -> tuple[float, float]:
    box = page.locator("[data-testid=grid] .grid-canvas").bounding_box()
    return box["x"] + PADDING, box["x"] + box["width"] - PADDING


def _wait_laid_out_in_rows(page) -> None:
    # Rows are laid out once every tile's proportions are known: the first row's tiles differ in width.
    page.wait_for_function(
        """() => { const t = [...document.querySelectorAll('[data-testid=grid] .tile[data-generation-id]:not([hidden])')];
                   return t.length > 3 && new Set(t.map((n) => Math.round(n.getBoundingClientRect().width))).size > 2; }"""
    )


def test_rows_keep_each_pictures_proportions_and_fill_the_grids_width(page, installation, shapes_board) -> None:
    board, ratios = shapes_board
    open_board(page, installation, board)
    squares = {(round(b["w"]), round(b["h"])) for b in page.evaluate(TILE_BOXES)}
    assert len(squares) == 1
    square = next(iter(squares))[0]  # rows aim at the squares' height: S, M and L look alike in both
    layouts = page.locator("[data-testid=tile-layout]")
    assert layouts.get_attribute("role") == "radiogroup" and layouts.get_attribute("aria-label") == "Tile layout"
    assert layouts.locator("[role=radio]").evaluate_all("nodes => nodes.map((n) => n.getAttribute('aria-label'))") == [
        "Square crops",
        "Whole pictures",
        "Rows",
    ]
    _choose(page, "rows")
    _wait_laid_out_in_rows(page)
    assert layouts.locator("[data-layout=rows]").get_attribute("aria-checked") == "true"

    left, right = _grid_edges(page)
    rows = _rows(page)
    assert len(rows) >= 3
    for row in rows:
        assert {round(b["h"]) for b in row} == {round(row[0]["h"])}, "tiles of a row share a height"
        assert abs(row[0]["x"] - left) <= 1
        for box in row:  # each tile in its picture's proportions
            assert box["w"] / box["h"] == pytest.approx(ratios[box["id"]], rel=0.03)
    full = rows[:-1] if len(page.evaluate(TILE_BOXES)) == len(ratios) else rows
    for row in full:  # every full row ends on the grid's right edge
        assert abs(row[-1]["x"] + row[-1]["w"] - right) <= 2
        assert 0.6 * square < row[0]["h"] < 1.6 * square
    page.locator("[data-testid=grid-scroll]").evaluate("node => { node.scrollTop = node.scrollHeight; }")
    page.wait_for_function(
        f"""() => [...document.querySelectorAll('{TILE}:not([hidden])')]
                 .some((t) => t.index === Number(document.querySelector('.grid-canvas').dataset.total) - 1)"""
    )
    last = _rows(page)[-1]  # the end of the board: its last row
    assert round(last[0]["h"]) == square and last[-1]["x"] + last[-1]["w"] < right - 2  # not stretched
    by_id = {b["id"]: b for row in rows for b in row}
    wide = next(i for i in by_id if ratios[i] > 2.5)
    tall = next(i for i in by_id if ratios[i] < 0.45)
    assert by_id[wide]["w"] > 2 * by_id[tall]["w"]

    page.reload()  # the choice is kept
    page.locator("[data-testid=grid][data-state=ready]").wait_for()
    _wait_laid_out_in_rows(page)
    assert page.locator("[data-testid=tile-layout] [data-layout=rows]").get_attribute("aria-checked") == "true"
    assert [[b["id"] for b in row] for row in _rows(page)] == [[b["id"] for b in row] for row in rows]

    _choose(page, "crop")  # back to square crops: the same squares again
    assert {(round(b["w"]), round(b["h"])) for b in page.evaluate(TILE_BOXES)} == squares


def test_arrow_keys_and_selection_follow_the_rows(page, installation, shapes_board) -> None:
    board, _ratios = shapes_board
    open_board(page, installation, board)
    _choose(page, "rows")
    _wait_laid_out_in_rows(page)
    rows = _rows(page)

    def focused() -> str:
        return page.evaluate("() => document.activeElement.dataset.generationId")

    first = tile(page, rows[0][0]["id"])
    first.focus()
    page.keyboard.press("ArrowRight")
    assert focused() == rows[0][1]["id"]
    page.keyboard.press("ArrowDown")  # the tile below, nearest to this one's middle
    below = next(b for b in rows[1] if b["id"] == focused())
    middle = rows[0][1]["x"] + rows[0][1]["w"] / 2
    assert (
        min(abs(b["x"] + b["w"] / 2 - middle) for b in rows[1])
        == pytest.approx(abs(below["x"] + below["w"] / 2 - middle))
        or below["x"] <= middle <= below["x"] + below["w"]
    )
    page.keyboard.press("ArrowUp")
    assert focused() in {b["id"] for b in rows[0]}
    page.keyboard.press("ArrowUp")  # nowhere above the first row: stays
    assert focused() in {b["id"] for b in rows[0]}
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert focused() == rows[0][0]["id"]
    page.keyboard.press("End")
    assert focused() == _rows(page)[-1][-1]["id"]
    page.keyboard.press("Home")
    assert focused() == rows[0][0]["id"]

    # Shift-click: the range in the grid's order, across rows.
    order = [b["id"] for row in rows for b in row]
    tile(page, order[1]).click(modifiers=["Control"])
    tile(page, order[len(rows[0]) + 1]).click(modifiers=["Shift"])
    selected = page.locator(f"{TILE}[data-selected=true]").evaluate_all(
        "nodes => nodes.map((n) => n.dataset.generationId)"
    )
    assert sorted(selected) == sorted(order[1 : len(rows[0]) + 2])
    page.keyboard.press("Escape")
    page.locator(f"{TILE}[data-selected=true]").first.wait_for(state="detached")

    # A box drawn from the grid's right margin, beside the second row, up over the first row's last tile.
    _left, right = _grid_edges(page)
    start = (right + PADDING / 2, rows[1][0]["y"] + rows[1][0]["h"] / 2)
    end = (rows[0][-1]["x"] + 4, rows[0][0]["y"] + 4)
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move((start[0] + end[0]) / 2, (start[1] + end[1]) / 2, steps=4)
    page.mouse.move(*end, steps=4)
    page.mouse.up()
    covered = {
        b["id"]
        for row in rows
        for b in row
        if b["x"] <= start[0] and b["x"] + b["w"] >= end[0] and b["y"] <= start[1] and b["y"] + b["h"] >= end[1]
    }
    selected = page.locator(f"{TILE}[data-selected=true]").evaluate_all(
        "nodes => nodes.map((n) => n.dataset.generationId)"
    )
    assert set(selected) == covered and rows[0][-1]["id"] in covered and rows[1][-1]["id"] in covered
    assert rows[0][0]["id"] not in covered
    _choose(page, "crop")


def test_whole_pictures_and_rows_show_a_checkerboard_where_pictures_are_transparent(page, installation, api) -> None:
    board = api.create_board("See-through")
    clear = api.upload(board, "half-clear.png", _png(240, 120, transparent=True), "image/png")["id"]
    open_board(page, installation, board)
    _choose(page, "whole")
    shown = tile(page, clear)
    shown.locator("xpath=.").and_(page.locator("[data-loaded=true]")).wait_for()
    picture = shown.locator("img").bounding_box()
    square = shown.bounding_box()
    assert picture["width"] / picture["height"] == pytest.approx(2, rel=0.03)  # the picture's box, not the square
    assert picture["width"] == pytest.approx(square["width"], abs=1)

    page.mouse.move(1, 1)  # no hover info over it
    colours = _colours_on_screen(page)
    top = picture["y"]
    see_through = colours(
        picture["x"] + 4, top + 4, picture["x"] + picture["width"] / 2 - 4, top + picture["height"] - 4
    )
    solid = colours(
        picture["x"] + picture["width"] / 2 + 6,
        top + 6,
        picture["x"] + picture["width"] - 6,
        top + picture["height"] - 6,
    )
    margin = colours(square["x"] + 8, square["y"] + 4, square["x"] + square["width"] - 8, top - 4)
    assert _spread(see_through) >= 12, "the transparent half shows a checkerboard of two tones"
    assert _spread(solid) <= 6, (
        "the opaque half is the picture's colour alone (give or take the thumbnail's compression)"
    )
    assert _spread(margin) <= 1, "the margins around the whole picture are the tile's plain ground, not a checkerboard"

    _choose(page, "rows")  # in rows the tile is the picture: its transparent half on a checkerboard too
    page.wait_for_function(
        "node => Math.abs(node.getBoundingClientRect().width / node.getBoundingClientRect().height - 2) < 0.05",
        arg=shown.element_handle(),
    )
    box = shown.bounding_box()
    colours = _colours_on_screen(page)
    assert (
        _spread(colours(box["x"] + 4, box["y"] + 4, box["x"] + box["width"] / 2 - 4, box["y"] + box["height"] - 4))
        >= 12
    )
    _choose(page, "crop")


def _colours_on_screen(page):
    """A function giving the colours drawn in a box of the page as it is now (every third pixel)."""
    shot = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    scale = shot.width / page.viewport_size["width"]

    def colours(x0: float, y0: float, x1: float, y1: float) -> set[tuple[int, int, int]]:
        return {
            shot.getpixel((round(x * scale), round(y * scale)))
            for x in range(int(x0), int(x1), 3)
            for y in range(int(y0), int(y1), 3)
        }

    return colours


# Where a tile's hover controls are, in page pixels: the tile, its check box and star, its quick
# actions (those not display:none) and the box they are cut off at.
CONTROLS = """(tile) => { const box = (n) => { const r = n.getBoundingClientRect();
    return {x: r.x, y: r.y, w: r.width, h: r.height}; };
  return {tile: box(tile), check: box(tile.querySelector('.tile-check')), star: box(tile.querySelector('.tile-star')),
    clip: box(tile.querySelector('.tile-quick')),
    actions: [...tile.querySelectorAll('.tile-quick-action')].filter((n) => getComputedStyle(n).display !== 'none')
      .map((n) => ({action: n.dataset.action, ...box(n)}))}; }"""

# What the eye sees at a focused element's middle: the element itself (not covered, not cut off).
ON_TOP = """(node) => { const r = node.getBoundingClientRect();
  return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === node; }"""


def _inside(inner: dict, outer: dict, slack: float = 0.5) -> bool:
    return (
        inner["x"] >= outer["x"] - slack
        and inner["y"] >= outer["y"] - slack
        and inner["x"] + inner["w"] <= outer["x"] + outer["w"] + slack
        and inner["y"] + inner["h"] <= outer["y"] + outer["h"] + slack
    )


def _apart(a: dict, b: dict) -> bool:
    return (
        a["x"] + a["w"] <= b["x"] or b["x"] + b["w"] <= a["x"] or a["y"] + a["h"] <= b["y"] or b["y"] + b["h"] <= a["y"]
    )


# The board's order, newest first: at the tests' window size and size S, the first row is low (a
# panorama closes it, about 117 px) and holds a very narrow tile (23 px), a narrow one, a middling
# one (88 px) and wide ones; the rows below are as high as the squares and hold narrow tiles too.
TALL_SHAPES = [(60, 300), (120, 300), (150, 200), (300, 200), (150, 300), (500, 100), (500, 100), (60, 300),
               (180, 320), (90, 300), (320, 120), (300, 200), (60, 300), (240, 240), (90, 300), (200, 300)]  # fmt: skip


@pytest.fixture(scope="module")
def tall_board(installation):
    """Results of a seeded generator (so every tile has all three quick actions), many of them tall."""
    api = installation.api
    board = api.create_board("Rows of tall pictures")
    made = [
        api.generate(board, "test-seeded-shape", "IMAGE", {"prompt": f"Mast {n}", "seed": n, "width": w, "height": h})
        for n, (w, h) in reversed(list(enumerate(TALL_SHAPES)))
    ]
    for generation in made:
        assert wait_completed(api, generation)["status"] == "COMPLETED"
    return board


def test_narrow_and_low_tiles_in_rows_show_the_quick_actions_that_fit_and_reach_all_by_keyboard(
    page, installation, tall_board
) -> None:
    open_board(page, installation, tall_board)
    page.locator(".tile-sizes [data-size=small]").click()
    _choose(page, "rows")
    _wait_laid_out_in_rows(page)
    boxes = page.evaluate(TILE_BOXES)
    assert min(b["w"] for b in boxes) < 40, "a very tall picture makes a very narrow tile"
    low = [b for b in boxes if b["h"] < 136]
    assert any(b["w"] < 70 for b in low) and any(70 <= b["w"] < 106 for b in low), "narrow and middling low tiles"

    for box in boxes:
        node = tile(page, box["id"])
        node.hover()
        seen = node.evaluate(CONTROLS)
        where = f"a {round(seen['tile']['w'])}×{round(seen['tile']['h'])} tile"
        assert len(seen["actions"]) == 3, where
        # The check box and the star are whole, inside the tile and not on each other.
        assert _inside(seen["check"], seen["tile"]) and _inside(seen["star"], seen["tile"]), where
        assert _apart(seen["check"], seen["star"]), where
        # Each quick action is either whole or not shown at all (never cut in half); at least one shows,
        # and none sits on the check box or the star.
        shown = [a for a in seen["actions"] if _inside(a, seen["clip"]) and _inside(a, seen["tile"])]
        for action in seen["actions"]:
            cut = not _apart(action, seen["clip"]) and action not in shown
            assert not cut, f"{action['action']} is cut off on {where}"
        assert shown, where
        for action in shown:
            assert _apart(action, seen["check"]) and _apart(action, seen["star"]), f"{action['action']} on {where}"
        if seen["tile"]["h"] >= 136:
            assert len(shown) == 3, f"all three fit on {where}"

    page.screenshot(path=str(RESULTS / "rows-narrow-tile-hover.png"))

    # From the keyboard, on the narrowest tile, a narrow one that is not low and the middling low one:
    # Tab from the tile reaches each quick action, each whole and in sight while it has the focus.
    cramped = [
        min(boxes, key=lambda b: b["w"]),
        next(b for b in boxes if b["w"] < 70 and b["h"] >= 136),
        next(b for b in boxes if 70 <= b["w"] < 106 and b["h"] < 136),
    ]
    for box in cramped:
        node = tile(page, box["id"])
        node.hover()
        page.wait_for_timeout(200)  # for the screenshot only: the controls fade in
        page.screenshot(path=str(RESULTS / f"rows-cramped-{round(box['w'])}-hover.png"))
        page.mouse.move(0, 0)
        node.focus()
        for action in ["rerun", "rerun-new-seed", "use-as-input"]:
            page.keyboard.press("Tab")
            focused = node.locator(f"[data-testid={action}]")
            expect(focused).to_be_focused()
            where = f"{action} on a {round(box['w'])}×{round(box['h'])} tile"
            assert _inside(_box(focused), _box(node)), where
            assert focused.evaluate(ON_TOP), f"{where} is covered or cut off while it has the focus"
            page.screenshot(path=str(RESULTS / f"rows-cramped-{round(box['w'])}-{action}.png"))
    page.keyboard.press("Escape")
    page.locator(".tile-sizes [data-size=medium]").click()
    _choose(page, "crop")


def _box(locator) -> dict:
    b = locator.bounding_box()
    return {"x": b["x"], "y": b["y"], "w": b["width"], "h": b["height"]}
