"""Fixtures of the window tests: a virtual X display (Xvfb)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.desktop.support import needs_xvfb, virtual_display


@pytest.fixture
def x_display() -> Iterator[str]:
    if needs_xvfb.args[0]:
        pytest.skip(needs_xvfb.kwargs["reason"])
    with virtual_display() as display:
        yield display
