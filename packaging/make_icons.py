"""Draw the app icon and write it in the formats each OS wants, into `assets/`.

    python packaging/make_icons.py

The icon: a rounded square in a deep indigo-to-violet gradient holding three pale cards laid out
like a board (one tall, two stacked). Drawn once at 4x of 1024 px and scaled down, so the edges
are smooth at every size. Writes `icon-<size>.png` (16 to 1024), `boards.ico` (Windows: 16-256)
and `boards.icns` (macOS). The results are committed; run this again only to change the design.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter

ASSETS = Path(__file__).resolve().parent.parent / "assets"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512, 1024)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
_SCALE = 4
_SIDE = 1024 * _SCALE
_TOP, _BOTTOM = (58, 52, 148), (132, 72, 176)  # indigo to violet
_CARD = (250, 248, 255)


def _gradient(side: int) -> Image.Image:
    column = Image.new("RGB", (1, side))
    for y in range(side):
        t = y / (side - 1)
        column.putpixel((0, y), tuple(round(a + (b - a) * t) for a, b in zip(_TOP, _BOTTOM)))
    return column.resize((side, side))


def _rounded_mask(side: int, box: tuple[int, int, int, int], radius: int) -> Image.Image:
    mask = Image.new("L", (side, side), 0)
    ImageDraw.Draw(mask).rounded_rectangle(box, radius=radius, fill=255)
    return mask


def draw_icon() -> Image.Image:
    s = _SIDE
    margin = round(s * 0.06)  # macOS-style breathing room around the tile
    tile = (margin, margin, s - margin, s - margin)
    icon = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    icon.paste(_gradient(s), (0, 0), _rounded_mask(s, tile, round(s * 0.2)))

    inner = s - 2 * margin
    pad, gap = round(inner * 0.2), round(inner * 0.055)
    left, top, right, bottom = margin + pad, margin + pad, s - margin - pad, s - margin - pad
    mid_x = left + (right - left - gap) * 9 // 20
    mid_y = top + (bottom - top - gap) * 11 // 20
    cards = [
        (left, top, mid_x, bottom),  # the tall card
        (mid_x + gap, top, right, mid_y),
        (mid_x + gap, mid_y + gap, right, bottom),
    ]
    radius = round(inner * 0.05)

    shadow = Image.new("L", (s, s), 0)
    draw = ImageDraw.Draw(shadow)
    for x0, y0, x1, y1 in cards:
        offset = round(inner * 0.015)
        draw.rounded_rectangle((x0, y0 + offset, x1, y1 + offset), radius=radius, fill=90)
    shadow = shadow.filter(ImageFilter.GaussianBlur(s * 0.012))
    shadow = ImageChops.multiply(shadow, _rounded_mask(s, tile, round(s * 0.2)))
    icon.paste(Image.new("RGBA", (s, s), (20, 10, 50, 255)), (0, 0), shadow)

    card_layer = Image.new("L", (s, s), 0)
    draw = ImageDraw.Draw(card_layer)
    for box in cards:
        draw.rounded_rectangle(box, radius=radius, fill=240)
    icon.paste(Image.new("RGBA", (s, s), (*_CARD, 255)), (0, 0), card_layer)

    # A soft "picture" hint on the tall card: a pale violet band, like an image waiting on the board.
    x0, y0, x1, y1 = cards[0]
    band = Image.new("L", (s, s), 0)
    ImageDraw.Draw(band).rounded_rectangle(
        (x0 + gap // 2, y0 + gap // 2, x1 - gap // 2, y0 + (y1 - y0) * 3 // 5), radius=radius // 2, fill=255
    )
    icon.paste(Image.new("RGBA", (s, s), (206, 196, 238, 255)), (0, 0), band)
    return icon.resize((1024, 1024), Image.LANCZOS)


def write_icons(folder: Path = ASSETS) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    master = draw_icon()
    written = []
    for size in PNG_SIZES:
        path = folder / f"icon-{size}.png"
        master.resize((size, size), Image.LANCZOS).save(path, optimize=True)
        written.append(path)
    master.save(folder / "boards.ico", sizes=[(n, n) for n in ICO_SIZES])
    master.save(folder / "boards.icns")
    written += [folder / "boards.ico", folder / "boards.icns"]
    return written


if __name__ == "__main__":
    for written_path in write_icons(Path(sys.argv[1]) if len(sys.argv) > 1 else ASSETS):
        print(written_path)
