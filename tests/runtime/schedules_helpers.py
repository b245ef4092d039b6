"""Shared set-up for the schedule tests: flows with triggers, a scheduler on a simulated clock."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from runtime._scheduler.clock import SimulatedClock
from runtime._scheduler.engine import LaunchRequest, Scheduler, runner_launch
from runtime._scheduler.resolve import flow_fingerprint, schedule_key
from runtime._scheduler.store import ScheduleStore
from runtime.api import Flow, Runner, data_paths, load_flow, save_flow
from tests.runtime.helpers import make_registry, node

UTC = dt.UTC


def flow_with_triggers(path: Path, triggers: dict[str, dict[str, Any]], *, sleep_s: float | None = None,
                       inputs: dict[str, Any] | None = None) -> Path:
    nodes = {"n_src00001": node("test.source")} if sleep_s is None else \
        {"n_slp00001": node("test.sleep", {"seconds": sleep_s})}
    flow = Flow.model_validate({"name": path.stem, "nodes": nodes, "edges": [], "triggers": triggers,
                                "inputs": inputs or {}})
    save_flow(flow, path)
    return path


def enable(store: ScheduleStore, path: Path, trigger_id: str, at: dt.datetime) -> str:
    key = schedule_key(path, trigger_id)
    fingerprint = flow_fingerprint(load_flow(path), path)
    store.enable(key, str(path.resolve()), trigger_id, fingerprint, at.timestamp())
    return key


class Rig:
    """A scheduler with the real Runner and store, on a simulated clock."""

    def __init__(self, home: Path, start: dt.datetime, *, launch: Any = None, grace_s: float = 60.0):
        self.paths = data_paths(home)
        self.clock = SimulatedClock(start)
        self.store = ScheduleStore(self.paths.scheduler_db)
        self.runner = Runner(make_registry(), self.paths)
        self.requests: list[LaunchRequest] = []
        real = launch or runner_launch(self.runner)

        async def recording(req: LaunchRequest) -> tuple[str, str]:
            self.requests.append(req)
            return await real(req)

        self.scheduler = Scheduler(self.store, recording, self.clock, grace_s=grace_s, watch=False)

    async def run_until(self, end: dt.datetime, *, drain: bool = True) -> None:
        """Tick at every due time up to `end` (runs finish between ticks when `drain`)."""
        while True:
            due = await self.scheduler.tick()
            if drain:
                await self.scheduler.drain()
            if due is None or due > end:
                break
            self.clock.set(due)
        self.clock.set(end)
        await self.scheduler.tick()
        if drain:
            await self.scheduler.drain()

    def close(self) -> None:
        self.runner.close()
        self.store.close()
