"""Folder-watch triggers: once per new or changed file, the path passed as the flow input."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import time
from collections.abc import AsyncIterator
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

    async def go() -> None:
        async with _scheduler_running(store, key, seen):
            await asyncio.sleep(0.5)  # the native watcher is set up
            for i in range(3):
                target = inbox / f"invoice{i}.csv"
                with target.open("w") as handle:  # written in pieces: still one run
                    handle.write("a,b\n")
                    handle.flush()
                    await asyncio.sleep(0.05)
                    handle.write(f"{i},2\n")
            (inbox / "notes.txt").write_text("not matching")
            await _launches(seen, 3, 15)
            await asyncio.sleep(1.0)  # nothing more arrives
            (inbox / "invoice1.csv").write_text("a,b\n9,9\n")  # changed: runs again
            await _launches(seen, 4, 15)
            await asyncio.sleep(0.5)

    asyncio.run(go())
    files = [Path(r.inputs["file"]).name for r in seen]
    assert sorted(files[:3]) == ["invoice0.csv", "invoice1.csv", "invoice2.csv"]
    assert files[3:] == ["invoice1.csv"]
    assert all(r.inputs["note"] == "fixed" and Path(r.inputs["file"]).is_absolute() for r in seen)
    assert all(r.trigger == "schedule:f.loom#tr_inbox0001" for r in seen)
    assert len(store.fires(key)) == 4
    store.close()


@contextlib.asynccontextmanager
async def _scheduler_running(store: ScheduleStore, key: str,
                             seen: list[LaunchRequest]) -> AsyncIterator[Scheduler]:
    """A scheduler started as the service does, its watch ready; every launch lands in `seen`."""

    async def launch(req: LaunchRequest) -> tuple[str, str]:
        seen.append(req)
        return "COMPLETED", ""

    scheduler = Scheduler(store, launch, RealClock(), reload_s=0.1)
    await scheduler.tick()
    await asyncio.wait_for(scheduler._watchers[key][1].ready.wait(), 10)
    try:
        yield scheduler
    finally:
        scheduler.close_watches()
        await scheduler.drain()


async def _launches(seen: list[LaunchRequest], count: int, timeout: float) -> None:
    """Wait until `count` launches were seen (or `timeout` seconds passed)."""
    deadline = time.monotonic() + timeout
    while len(seen) < count and time.monotonic() < deadline:
        await asyncio.sleep(0.05)


def _run_scheduler(store: ScheduleStore, key: str, seen: list[LaunchRequest], until: int,
                   then: float = 0.5) -> None:
    """Start a scheduler (as the service does at start-up), wait for `until` launches, stop it."""

    async def go() -> None:
        async with _scheduler_running(store, key, seen):
            await _launches(seen, until, 10)
            await asyncio.sleep(then)

    asyncio.run(go())


def _watched(tmp_path: Path, **policy: object) -> tuple[ScheduleStore, str, Path]:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "before.csv").write_text("there before the watch was enabled\n")
    time.sleep(0.05)
    trig = {"kind": "watch", "folder": "inbox", "pattern": "*.csv", "input": "file", "debounce_ms": 100,
            "overlap": "parallel", **policy}
    path = flow_with_triggers(tmp_path / "f.loom", {"tr_inbox0001": trig}, inputs={"file": {"type": "text"}})
    store = ScheduleStore(tmp_path / "scheduler.sqlite")
    key = enable(store, path, "tr_inbox0001", dt.datetime.now(dt.UTC))
    time.sleep(0.05)
    return store, key, inbox


def test_files_that_arrived_while_the_service_was_stopped_run_when_it_starts(tmp_path: Path) -> None:
    store, key, inbox = _watched(tmp_path, missed="run_all")
    seen: list[LaunchRequest] = []
    _run_scheduler(store, key, seen, until=0, then=1.0)  # a first service run: nothing new yet
    (inbox / "while-stopped-1.csv").write_text("a\n")  # the service is not running
    (inbox / "while-stopped-2.csv").write_text("b\n")
    _run_scheduler(store, key, seen, until=2)
    assert sorted(Path(r.inputs["file"]).name for r in seen) == ["while-stopped-1.csv", "while-stopped-2.csv"]
    again: list[LaunchRequest] = []
    _run_scheduler(store, key, again, until=0, then=1.0)  # the next start: they already ran
    assert again == []
    reasons = {f["reason"] for f in store.fires(key)}
    assert reasons == {"missed"}
    store.close()


def test_run_once_runs_the_newest_file_that_arrived_and_records_the_others(tmp_path: Path) -> None:
    store, key, inbox = _watched(tmp_path, missed="run_once")
    for i in range(3):
        (inbox / f"batch{i}.csv").write_text(f"{i}\n")
        time.sleep(0.02)
    seen: list[LaunchRequest] = []
    _run_scheduler(store, key, seen, until=1, then=0.5)
    assert [Path(r.inputs["file"]).name for r in seen] == ["batch2.csv"]
    statuses = sorted((f["fire"].rsplit("/", 1)[-1].split("@")[0], f["status"]) for f in store.fires(key))
    assert [s for name, s in statuses if name != "batch2.csv"] == ["MISSED", "MISSED"]
    store.close()


def test_the_skip_policy_records_files_that_arrived_while_stopped_without_running_them(
        tmp_path: Path) -> None:
    store, key, inbox = _watched(tmp_path, missed="skip")
    (inbox / "while-stopped.csv").write_text("a\n")
    seen: list[LaunchRequest] = []
    _run_scheduler(store, key, seen, until=0, then=1.0)
    assert seen == []
    fires = store.fires(key)
    assert [(f["status"], f["fire"].split("/")[-1].split("@")[0]) for f in fires] == [
        ("MISSED", "while-stopped.csv")]
    store.close()


def test_new_files_only_leaves_an_old_file_that_changed_while_stopped(tmp_path: Path) -> None:
    store, key, inbox = _watched(tmp_path, on="created")
    (inbox / "report.csv").write_text("v1\n")
    seen: list[LaunchRequest] = []
    _run_scheduler(store, key, seen, until=1)
    assert [Path(r.inputs["file"]).name for r in seen] == ["report.csv"]
    time.sleep(0.05)
    (inbox / "report.csv").write_text("v2, changed while stopped\n")
    later: list[LaunchRequest] = []
    _run_scheduler(store, key, later, until=0, then=1.0)
    assert later == []
    store.close()
