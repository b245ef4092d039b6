"""Clocks for the scheduler: the real one, and simulated ones for tests.

The scheduler asks a clock for `now()` (an aware UTC datetime) and waits with
`sleep_until(when, wake)`. A `SimulatedClock` only moves when a test moves it, so a test
can walk 24 hours of fire times in seconds; an `OffsetClock` runs in real time (or
faster) from a chosen start, so a service process can be tested at "Monday 07:59:58".
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import time
from typing import Protocol

__all__ = ["Clock", "OffsetClock", "RealClock", "SimulatedClock", "utcnow"]

UTC = dt.UTC
_MAX_NAP = 30.0  # wake up at least this often: the wall clock may jump (sleep, NTP)


def utcnow() -> dt.datetime:
    return dt.datetime.now(UTC)


class Clock(Protocol):
    def now(self) -> dt.datetime: ...

    async def sleep_until(self, when: dt.datetime | None, wake: asyncio.Event) -> None: ...


async def _nap(seconds: float, wake: asyncio.Event) -> None:
    if seconds <= 0:
        await asyncio.sleep(0)
        return
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(wake.wait(), timeout=seconds)


class RealClock:
    """The machine's clock."""

    def __init__(self, max_nap_s: float = _MAX_NAP):
        self.max_nap_s = max_nap_s

    def now(self) -> dt.datetime:
        return utcnow()

    async def sleep_until(self, when: dt.datetime | None, wake: asyncio.Event) -> None:
        delay = self.max_nap_s if when is None else (when - self.now()).total_seconds()
        await _nap(min(max(delay, 0.0), self.max_nap_s), wake)


class OffsetClock(RealClock):
    """Real time moving from `start`, `speed` times as fast (service tests)."""

    def __init__(self, start: dt.datetime, speed: float = 1.0, max_nap_s: float = _MAX_NAP):
        super().__init__(max_nap_s)
        self.start = start.astimezone(UTC)
        self.speed = speed
        self._t0 = time.monotonic()

    def now(self) -> dt.datetime:
        return self.start + dt.timedelta(seconds=(time.monotonic() - self._t0) * self.speed)

    async def sleep_until(self, when: dt.datetime | None, wake: asyncio.Event) -> None:
        delay = self.max_nap_s if when is None else (when - self.now()).total_seconds() / self.speed
        await _nap(min(max(delay, 0.0), self.max_nap_s), wake)


class SimulatedClock:
    """A clock that moves only when told to (`set`, `advance`)."""

    def __init__(self, start: dt.datetime):
        self._now = start.astimezone(UTC)

    def now(self) -> dt.datetime:
        return self._now

    def set(self, when: dt.datetime) -> None:
        self._now = max(self._now, when.astimezone(UTC))

    def advance(self, delta: dt.timedelta) -> None:
        self._now += delta

    async def sleep_until(self, when: dt.datetime | None, wake: asyncio.Event) -> None:
        if when is not None:
            self.set(when)
        await asyncio.sleep(0)
