"""Folder-watch triggers: once per new or changed file, the path passed as the flow input."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from pathlib import Path

from runtime._scheduler.clock import RealClock
from runtime._scheduler.engine import LaunchRequest, Scheduler
from runtime._scheduler.store import ScheduleStore
from tests.runtime.schedules_helpers import enable, flow_with_triggers


def test_watch_fires_once_per_new_file_with_its_path(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    trig = {"kind": "watch", "folder": "inbox", "pattern": "*.csv", "input": "file", "debounce_ms": 200,
            "on": "created_or_modified", "overlap": "parallel", "inputs": {"note": "fixed"}}
    path = flow_with_triggers(tmp_path / "f.loom", {"tr_inbox0001": trig},
                              inputs={"file": {"type": "text"}, "note": {"type": "text"}})
    store = ScheduleStore(tmp_path / "scheduler.sqlite")
    key = enable(store, path, "tr_inbox0001", dt.datetime.now(dt.UTC))
    seen: list[LaunchRequest] = []

    async def launch(req: LaunchRequest) -> tuple[str, str]:
        seen.append(req)
        return "COMPLETED", ""

    async def go() -> None:
        scheduler = Scheduler(store, launch, RealClock(), reload_s=0.1)
        await scheduler.tick()
        watcher = scheduler._watchers[key][1]
        await asyncio.wait_for(watcher.ready.wait(), 10)
        await asyncio.sleep(0.5)  # the native watcher is set up
        for i in range(3):
            target = inbox / f"invoice{i}.csv"
            with target.open("w") as handle:  # written in pieces: still one run
                handle.write("a,b\n")
                handle.flush()
                await asyncio.sleep(0.05)
                handle.write(f"{i},2\n")
        (inbox / "notes.txt").write_text("not matching")
        deadline = time.monotonic() + 15
        while len(seen) < 3 and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)  # nothing more arrives
        (inbox / "invoice1.csv").write_text("a,b\n9,9\n")  # changed: runs again
        deadline = time.monotonic() + 15
        while len(seen) < 4 and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)
        scheduler.close_watches()
        await scheduler.drain()

    asyncio.run(go())
    files = [Path(r.inputs["file"]).name for r in seen]
    assert sorted(files[:3]) == ["invoice0.csv", "invoice1.csv", "invoice2.csv"]
    assert files[3:] == ["invoice1.csv"]
    assert all(r.inputs["note"] == "fixed" and Path(r.inputs["file"]).is_absolute() for r in seen)
    assert all(r.trigger == "schedule:f.loom#tr_inbox0001" for r in seen)
    assert len(store.fires(key)) == 4
    store.close()
