"""How many decoded pixels may be in memory at once, and giving the memory back after a large decode.

A PNG cannot be decoded at a smaller size: a 9,400 x 9,400 picture is 353 MB in memory (Pillow keeps
RGB as four bytes a pixel) before it is thumbnailed, whatever the thumbnail's size. Six of them
at once took the server past 2 GB. So decodes reserve their estimated size from one budget per
media store and wait their turn when it is spent: small pictures still decode side by side, a huge
one decodes alone. The reservation is taken on the event loop, before the worker thread starts,
so waiting decodes hold no thread of the default executor (spool writes and deletes go on).

After a large decode the memory is free but glibc keeps it: Pillow allocates big pictures in
16 MB blocks, and once such a block is freed glibc raises its mmap threshold, so the next ones
come from the heap, whose free pages are not returned to the system until `malloc_trim` is called.
Without it the server sat at hundreds of megabytes after a burst of large uploads.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import platform
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import cast

log = logging.getLogger("boards.media")

# One 9,400 x 9,400 RGB picture (353 MB) decodes alone; four 4,096 x 4,096 ones decode together.
DEFAULT_BUDGET_BYTES = 256 * 1024 * 1024
# Below this a decode is not worth a trim (it takes a few milliseconds over the whole heap).
TRIM_AFTER_BYTES = 32 * 1024 * 1024


class DecodeBudget:
    """A first-come, first-served allowance of bytes for decoded pictures.

    A reservation larger than the whole budget is let through alone (when nothing else is reserved):
    it cannot be refused, only kept from running beside others.
    """

    def __init__(self, capacity: int = DEFAULT_BUDGET_BYTES) -> None:
        self.capacity = capacity
        self.in_use = 0
        self._waiters: deque[tuple[int, asyncio.Future[None]]] = deque()

    @asynccontextmanager
    async def reserve(self, nbytes: int) -> AsyncIterator[None]:
        amount = min(max(nbytes, 0), self.capacity)
        if amount == 0:
            yield
            return
        if self._waiters or not self._fits(amount):
            future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            entry = (amount, future)
            self._waiters.append(entry)
            try:
                await future
            except BaseException:
                if entry in self._waiters:
                    self._waiters.remove(entry)
                elif future.done() and not future.cancelled():
                    self._release(amount)  # granted just as we were cancelled: hand it on
                raise
        else:
            self.in_use += amount
        try:
            yield
        finally:
            self._release(amount)

    def _fits(self, amount: int) -> bool:
        return self.in_use == 0 or self.in_use + amount <= self.capacity

    def _release(self, amount: int) -> None:
        self.in_use -= amount
        while self._waiters and self._fits(self._waiters[0][0]):
            amount, future = self._waiters.popleft()
            if future.done():  # cancelled while waiting
                continue
            self.in_use += amount
            future.set_result(None)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, loaded on first use: ctypes and finding libc are tens of milliseconds
    that the server's start need not spend (tests/benchmarks/startup.py)."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None  # musl, macOS and Windows give memory back on their own terms
    import ctypes

    try:
        trim = ctypes.CDLL("libc.so.6").malloc_trim  # glibc's name on every Linux that has it
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return cast("Callable[[int], int]", trim)


def trim_heap() -> None:
    """Return the heap's free pages to the system now (glibc only; elsewhere nothing to do)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def give_back_memory(decoded_bytes: int) -> None:
    """After a decode of `decoded_bytes`: return the heap's free pages to the system (glibc only)."""
    if decoded_bytes >= TRIM_AFTER_BYTES:
        trim_heap()
