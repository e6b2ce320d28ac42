"""The generators that come with the app: offline tools that need no key and no network."""

from __future__ import annotations

from boards_desktop.generators.base import BaseGenerator
from boards_desktop.generators.builtin.contact_sheet import LocalContactSheetGenerator
from boards_desktop.generators.builtin.image_adjust import LocalImageAdjustGenerator
from boards_desktop.generators.builtin.image_resize import LocalImageResizeGenerator
from boards_desktop.generators.builtin.title_card import LocalTitleCardGenerator
from boards_desktop.generators.builtin.video_frame import LocalVideoFrameGenerator

BUILTIN_GENERATORS: list[type[BaseGenerator]] = [
    LocalTitleCardGenerator,
    LocalImageResizeGenerator,
    LocalImageAdjustGenerator,
    LocalContactSheetGenerator,
    LocalVideoFrameGenerator,
]

__all__ = [
    "BUILTIN_GENERATORS",
    "LocalContactSheetGenerator",
    "LocalImageAdjustGenerator",
    "LocalImageResizeGenerator",
    "LocalTitleCardGenerator",
    "LocalVideoFrameGenerator",
]
