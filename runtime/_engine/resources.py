"""Run resources: things a run opens once, shares between its nodes, and always closes.

A browser is the typical one: the first browser node of a run launches it, the nodes
after it reuse it, and the run closes it when it ends — completed, failed or cancelled.
Node packs reach this through `ctx.resources`; the engine knows nothing of browsers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

__all__ = ["RunResources"]

T = TypeVar("T")

CLOSE_TIMEOUT_S = 15.0


class RunResources:
    """Named, lazily opened objects of one run (a subflow shares its parent's)."""

    def __init__(self) -> None:
        self._items: dict[str, Any] = {}
        self._closers: dict[str, Callable[[Any], Awaitable[None]]] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._closed = False

    async def get(self, key: str, open_: Callable[[], Awaitable[T]],
                  close: Callable[[T], Awaitable[None]]) -> T:
        """The resource named `key`, opened by `open_()` the first time (once, even when
        several nodes ask at the same moment); `close(resource)` runs when the run ends."""
        if key in self._items:
            return self._items[key]
        if self._closed:
            raise RuntimeError("the run has ended; its resources are closed")
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            if key not in self._items:
                resource = await open_()
                self._items[key] = resource
                self._closers[key] = close
        return self._items[key]

    def peek(self, key: str) -> Any | None:
        """The resource named `key` if it is open, else None."""
        return self._items.get(key)

    def __contains__(self, key: str) -> bool:
        return key in self._items

    async def close_all(self) -> list[str]:
        """Close everything, newest first; returns what went wrong (never raises)."""
        self._closed = True
        problems: list[str] = []
        for key in reversed(list(self._items)):
            resource = self._items.pop(key)
            close = self._closers.pop(key)
            try:
                async with asyncio.timeout(CLOSE_TIMEOUT_S):
                    await close(resource)
            except TimeoutError:
                problems.append(f"closing {key} took longer than {CLOSE_TIMEOUT_S:g} s")
            except Exception as exc:  # a close must never hide the run's own outcome
                problems.append(f"closing {key} failed: {type(exc).__name__}: {exc}")
        return problems
