"""Running the heavy part of a node in a worker thread, so that Ctrl-C and time limits work.

A node's `run` is a coroutine: while it computes without awaiting, the run can neither
be cancelled nor time out. Nodes that may get large inputs therefore hand their heavy,
pure part (no `ctx` calls) to `offload`, which runs it in a thread when the input is
large and inline when it is small (a thread hop costs about 0.1 ms, more than filtering
a few hundred rows).

When the node is cancelled while the thread works, `offload` raises `CancelledError` at
once and sets the `Stop` it handed to the work; long loops call `stop.check()` (or
iterate with `checked`) and so end early instead of running on unseen.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import TypeVar

__all__ = ["BYTES_INLINE", "CHECK_EVERY", "ROWS_INLINE", "Stop", "Stopped", "checked", "offload"]

T = TypeVar("T")

ROWS_INLINE = 2_000
"""Tables (or lists) up to this many rows are worked on inline."""
BYTES_INLINE = 256 * 1024
"""Files and texts up to this size are worked on inline."""
CHECK_EVERY = 10_000
"""Rows between two looks at the stop flag."""


class Stopped(Exception):
    """Raised inside a worker thread whose node was cancelled; nobody waits for it any more."""


class Stop:
    """Set when the node that handed work to a thread was cancelled."""

    __slots__ = ("_event",)

    def __init__(self) -> None:
        self._event = threading.Event()

    def set(self) -> None:
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        """Raise `Stopped` if the node was cancelled."""
        if self._event.is_set():
            raise Stopped


def checked(items: Iterable[T], stop: Stop) -> Iterator[T]:
    """The items, looking at `stop` before each block of `CHECK_EVERY` (read in order, never
    by index: a table's rows may be made one by one as they are read)."""
    remaining = iter(items)
    while True:
        stop.check()
        block = list(islice(remaining, CHECK_EVERY))
        if not block:
            return
        yield from block


async def offload(work: Callable[[Stop], T], *, size: int, limit: int = ROWS_INLINE) -> T:
    """`work(stop)`, in a worker thread when `size` exceeds `limit`, else inline.

    Exceptions raised by `work` (a `NodeError`, say) reach the caller unchanged.
    """
    stop = Stop()
    if size <= limit:
        return work(stop)
    try:
        return await asyncio.to_thread(work, stop)
    except asyncio.CancelledError:
        stop.set()
        raise
