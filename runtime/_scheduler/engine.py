"""The scheduler: turns enabled triggers into runs, each fire claimed before it starts.

One `tick()` reads the enabled schedules, claims every fire time that has come due, and
starts (or skips, or queues) its run by the schedule's overlap policy; fire times found
too late (the machine slept, the service was stopped) are handled by the missed-run
policy. `serve()` repeats ticks until stopped, sleeping on the injected clock, so tests
drive the same code with a simulated clock. Runs go through a `Launch` callable; the
service passes one that calls `Runner.run`, so history records trigger and outcome.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime as dt
import hashlib
import logging
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runtime._procs import pid_alive
from runtime._scheduler.clock import Clock
from runtime._scheduler.cron import iter_fires
from runtime._scheduler.resolve import FlowCache, Resolved, resolve
from runtime._scheduler.store import ScheduleStore
from runtime.flow import Flow

__all__ = ["Job", "Launch", "LaunchRequest", "Scheduler", "runner_launch", "trigger_label"]

log = logging.getLogger("loomwork.scheduler")
UTC = dt.UTC
_MISSED_ROWS = 1000  # at most this many missed fire times are recorded per catch-up


@dataclass(frozen=True, slots=True)
class LaunchRequest:
    """One run to start: the flow, its file, input values and the trigger label."""

    flow: Flow
    flow_path: str
    inputs: dict[str, Any]
    trigger: str
    run_id: str | None = None


Launch = Callable[[LaunchRequest], Awaitable[tuple[str, str]]]
"""Runs a flow; returns (final status, error text)."""


def runner_launch(runner: Any) -> Launch:
    """A `Launch` through `Runner.run` (the one way flows run)."""
    from runtime.compile import CompileError
    from runtime.inputs import FlowInputError

    async def launch(req: LaunchRequest) -> tuple[str, str]:
        try:
            result = await runner.run(req.flow, flow_path=req.flow_path, inputs=req.inputs,
                                      trigger=req.trigger, run_id=req.run_id)
        except (CompileError, FlowInputError) as exc:
            return "INVALID", str(exc)
        return result.status.value, result.error or ""

    return launch


def trigger_label(flow_path: str, trigger_id: str) -> str:
    """What run history records as the trigger: `schedule:<file name>#<trigger id>`."""
    return f"schedule:{Path(flow_path).name}#{trigger_id}"


@dataclass(slots=True)
class Job:
    key: str
    fire: str
    resolved: Resolved
    reason: str
    extra_inputs: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class _Plan:
    """A schedule's fire-time iterator, kept between ticks (cheap `next fire` checks)."""

    fingerprint: str
    anchor: float | None
    base: float
    fires: Iterator[dt.datetime]
    next: dt.datetime | None


def _ts(value: dt.datetime) -> float:
    return value.timestamp()


def _dt(ts: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(ts, UTC)


def fire_id(when: dt.datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def jitter_offset(key: str, fire: str, jitter_s: float) -> float:
    """A fixed offset in [0, jitter_s) per fire: the same after a restart."""
    if jitter_s <= 0:
        return 0.0
    digest = hashlib.sha256(f"{key}|{fire}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 * jitter_s


class Scheduler:
    """Fires the enabled schedules of one data home through `launch`."""

    def __init__(self, store: ScheduleStore, launch: Launch, clock: Clock, *, grace_s: float = 60.0,
                 reload_s: float = 2.0, watch: bool = True):
        self.store = store
        self.launch = launch
        self.clock = clock
        self.grace_s = grace_s
        self.reload_s = reload_s
        self.watch_enabled = watch
        self.started = clock.now()
        self.cache = FlowCache()
        self._plans: dict[str, _Plan] = {}
        self._active: dict[str, set[asyncio.Task[None]]] = collections.defaultdict(set)
        self._queues: dict[str, collections.deque[Job]] = collections.defaultdict(collections.deque)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._watchers: dict[str, tuple[str, Any]] = {}
        self._wake = asyncio.Event()

    # ----- start-up ------------------------------------------------------------------

    async def start(self) -> None:
        """Settle what a dead service left behind, then fire the start-up triggers."""
        for row in self.store.recover(pid_alive):
            if row["status"] == "RUNNING":
                status, error = "CRASHED", "the service stopped during this run"
            else:
                status, error = "LOST", "the service stopped before this run started"
            self.store.update_fire(row["key"], row["fire"], status=status, error=error,
                                   finished=_ts(self.clock.now()))
            log.warning("%s %s: %s", row["key"], row["fire"], error)
        stamp = fire_id(self.started)
        for row in self.store.schedules(enabled_only=True):
            res = resolve(row, self.cache)
            if res.state == "enabled" and res.trigger.kind == "startup":
                fire = f"startup:{stamp}"
                if self.store.claim(res.key, fire, _ts(self.started), "startup"):
                    self._spawn(self._delayed(Job(res.key, fire, res, "startup"), res.trigger.delay_s))

    async def _delayed(self, job: Job, delay: float) -> None:
        if delay > 0:
            await asyncio.sleep(delay)
        self.dispatch(job)

    # ----- ticks ---------------------------------------------------------------------

    async def tick(self) -> dt.datetime | None:
        """Start everything due now; return when the next fire is due (None: nothing planned)."""
        now = self.clock.now()
        for request in self.store.take_requests():
            row = self.store.get(request["key"])
            res = resolve(row, self.cache) if row else None
            if res is None or not res.runnable:
                self.store.update_fire(request["key"], request["fire"], status="INVALID",
                                       error=res.problem if res else "no such schedule")
                continue
            self.dispatch(Job(res.key, request["fire"], res, "manual"))
        soonest: dt.datetime | None = None
        wanted_watches: dict[str, Resolved] = {}
        for row in self.store.schedules(enabled_only=True):
            res = resolve(row, self.cache)
            if res.legacy:  # enabled before called flows counted: record the full fingerprint
                self.store.rehash(res.key, row["flow_hash"], res.fingerprint)
            if res.state != "enabled":
                continue
            kind = res.trigger.kind
            if kind == "watch":
                wanted_watches[res.key] = res
                continue
            if kind == "startup":
                continue
            due = self._tick_schedule(res, now)
            if due is not None and (soonest is None or due < soonest):
                soonest = due
        if self.watch_enabled:
            self._sync_watchers(wanted_watches)
        return soonest

    def _plan(self, res: Resolved) -> _Plan:
        row, key = res.row, res.key
        cursor = row["cursor"] or row["enabled_at"] or 0.0
        anchor = row["enabled_at"]
        plan = self._plans.get(key)
        if plan is None or plan.fingerprint != res.fingerprint or plan.anchor != anchor or cursor < plan.base:
            fires = iter_fires(res.trigger, _dt(cursor), anchor=_dt(anchor) if anchor else None)
            plan = _Plan(res.fingerprint, anchor, cursor, fires, next(fires, None))
            self._plans[key] = plan
        while plan.next is not None and _ts(plan.next) <= cursor:  # others moved the cursor on
            plan.next = next(plan.fires, None)
        return plan

    def _tick_schedule(self, res: Resolved, now: dt.datetime) -> dt.datetime | None:
        """Claim and start what is due for one time-based schedule; return its next due time."""
        trig, key = res.trigger, res.key
        plan = self._plan(res)
        missed: list[tuple[dt.datetime, str]] = []
        on_time: list[tuple[dt.datetime, str]] = []
        next_due = None
        while plan.next is not None:
            when = plan.next
            fid = fire_id(when)
            due = when + dt.timedelta(seconds=jitter_offset(key, fid, trig.jitter_s))
            if due > now:
                next_due = due
                break
            late = (now - due).total_seconds() > self.grace_s
            (missed if late else on_time).append((when, fid))
            plan.next = next(plan.fires, None)
            if len(missed) >= _MISSED_ROWS:  # a very long gap: the rest is skipped silently
                while plan.next is not None and plan.next <= now - dt.timedelta(seconds=self.grace_s):
                    plan.next = next(plan.fires, None)
        if missed:
            self._handle_missed(res, missed)
        for when, fid in on_time:
            if self.store.claim(key, fid, _ts(when), "scheduled"):
                self.dispatch(Job(key, fid, res, "scheduled"))
        last = (on_time or missed or [None])[-1]
        if last is not None:
            self.store.advance(key, _ts(last[0]))
        return next_due

    def _handle_missed(self, res: Resolved, missed: list[tuple[dt.datetime, str]]) -> None:
        trig, key = res.trigger, res.key
        policy = trig.missed
        chosen = set()
        if policy == "run_once":
            chosen = {missed[-1][1]}
        elif policy == "run_all":
            chosen = {fid for _, fid in missed[-trig.missed_limit:]}
        ran = 0
        for when, fid in missed:
            if fid in chosen:
                if self.store.claim(key, fid, _ts(when), "missed"):
                    ran += 1
                    self.dispatch(Job(key, fid, res, "missed"), catch_up=True)
            else:
                self.store.claim(key, fid, _ts(when), "missed", status="MISSED",
                                 error=f"missed (policy: {policy})")
        log.warning("%s: %d missed fire time(s), %d run now (policy %s)", key, len(missed), ran, policy)

    # ----- running -------------------------------------------------------------------

    def dispatch(self, job: Job, *, catch_up: bool = False) -> None:
        """Start a claimed job, or skip or queue it by the trigger's overlap policy."""
        overlap = job.resolved.trigger.overlap
        busy = bool(self._active[job.key]) or bool(self._queues[job.key])
        if busy and overlap == "skip" and not catch_up:
            self.store.update_fire(job.key, job.fire, status="SKIPPED",
                                   error="the previous run was still running")
            log.info("%s %s: skipped, the previous run is still running", job.key, job.fire)
            return
        if busy and overlap != "parallel":
            self._queues[job.key].append(job)
            self.store.update_fire(job.key, job.fire, status="QUEUED")
            return
        self._start(job)

    def _start(self, job: Job) -> None:
        from runtime.runner import new_run_id

        run_id = new_run_id()
        self.store.update_fire(job.key, job.fire, status="RUNNING", run_id=run_id,
                               started=_ts(self.clock.now()))
        task = self._spawn(self._run(job, run_id))
        self._active[job.key].add(task)

    def _spawn(self, coro: Awaitable[Any]) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _run(self, job: Job, run_id: str) -> None:
        res = job.resolved
        inputs = {**res.trigger.inputs, **job.extra_inputs}
        request = LaunchRequest(res.flow, res.row["flow_path"], inputs,
                                trigger_label(res.row["flow_path"], res.row["trigger_id"]), run_id)
        log.info("%s %s: starting run %s (%s)", job.key, job.fire, run_id, job.reason)
        status, error = "FAILED", ""
        try:
            status, error = await self.launch(request)
        except asyncio.CancelledError:
            status, error = "CANCELLED", "the service stopped"
            raise
        except Exception as exc:  # a broken flow must never take the service down
            status, error = "FAILED", f"{type(exc).__name__}: {exc}"
        finally:
            self.store.update_fire(job.key, job.fire, status=status, error=error,
                                   finished=_ts(self.clock.now()))
            log.info("%s %s: run %s %s%s", job.key, job.fire, run_id, status, f" — {error}" if error else "")
            task = asyncio.current_task()
            self._active[job.key].discard(task)  # type: ignore[arg-type]
            queue = self._queues[job.key]
            if queue and status != "CANCELLED":
                self._start(queue.popleft())

    def active_runs(self) -> int:
        return sum(len(tasks) for tasks in self._active.values())

    async def drain(self) -> None:
        """Wait until no run is active or queued (tests; a clean stop)."""
        while any(self._active.values()) or any(self._queues.values()):
            tasks = [t for ts in self._active.values() for t in ts]
            if tasks:
                await asyncio.gather(*tasks, return_exceptions=True)
            else:
                await asyncio.sleep(0)

    # ----- folder watches ------------------------------------------------------------

    def _sync_watchers(self, wanted: dict[str, Resolved]) -> None:
        from runtime._scheduler.watch import FolderWatch

        for key in list(self._watchers):
            fingerprint, watcher = self._watchers[key]
            if key not in wanted or wanted[key].fingerprint != fingerprint:
                watcher.stop()
                del self._watchers[key]
        for key, res in wanted.items():
            if key not in self._watchers:
                watcher = FolderWatch(res, self._on_file, self._on_missed)
                self._watchers[key] = (res.fingerprint, watcher)
                watcher.start()

    def _on_file(self, res: Resolved, path: Path, stamp: str) -> None:
        fire = f"file:{path}@{stamp}"
        if self.store.claim(res.key, fire, _ts(self.clock.now()), "watch"):
            self.dispatch(Job(res.key, fire, res, "watch", {res.trigger.input: str(path)}))

    def _on_missed(self, res: Resolved, files: list[tuple[Path, str]]) -> None:
        """Files that arrived while the service was stopped, by the trigger's missed-runs policy:
        skip — recorded as missed; run once — the newest runs; run each — the newest
        `missed_limit` run. A file that already ran is left alone, and so is an old file that
        only changed when the trigger fires on new files only."""
        trig, key = res.trigger, res.key
        new = []
        for path, stamp in sorted(files, key=lambda f: int(f[1].split(":")[0])):  # oldest first
            fire = f"file:{path}@{stamp}"
            if self.store.has_fire_like(key, fire):
                continue
            if trig.on == "created" and self.store.has_fire_like(key, f"file:{path}@"):
                continue
            new.append((path, fire))
        if not new:
            return
        keep = {"skip": 0, "run_once": 1}.get(trig.missed, trig.missed_limit)
        chosen = new[len(new) - keep:] if keep else []
        now = _ts(self.clock.now())
        for path, fire in new:
            if (path, fire) in chosen:
                if self.store.claim(key, fire, now, "missed"):
                    self.dispatch(Job(key, fire, res, "missed", {trig.input: str(path)}), catch_up=True)
            else:
                self.store.claim(key, fire, now, "missed", status="MISSED",
                                 error=f"arrived while the service was stopped (policy: {trig.missed})")
        log.warning("%s: %d file(s) arrived while the service was stopped, %d run now (policy %s)",
                    key, len(new), len(chosen), trig.missed)

    # ----- the loop ------------------------------------------------------------------

    def wake(self) -> None:
        self._wake.set()

    async def serve(self, stop: asyncio.Event, *, heartbeat: Callable[[], None] | None = None) -> None:
        """Tick until `stop` is set, then stop the watches (runs are left to the caller)."""
        await self.start()
        waiter = self._spawn(stop.wait())
        waiter.add_done_callback(lambda _t: self._wake.set())
        try:
            while not stop.is_set():
                due = await self.tick()
                if heartbeat is not None:
                    heartbeat()
                limit = self.clock.now() + dt.timedelta(seconds=self.reload_s)
                self._wake.clear()
                if not stop.is_set():
                    await self.clock.sleep_until(min(due, limit) if due else limit, self._wake)
        finally:
            waiter.cancel()
            self.close_watches()

    def close_watches(self) -> None:
        for _fp, watcher in self._watchers.values():
            with contextlib.suppress(Exception):
                watcher.stop()
        self._watchers.clear()

    async def shutdown(self, cancel: Callable[[], None] | None = None, timeout: float = 10.0) -> None:
        """Drop queued jobs, cancel active runs through `cancel`, and wait for them."""
        for key, queue in self._queues.items():
            for job in queue:
                self.store.update_fire(key, job.fire, status="LOST", error="the service stopped")
            queue.clear()
        if cancel is not None and self.active_runs():
            cancel()
        tasks = [t for ts in self._active.values() for t in ts]
        if tasks:
            _done, pending = await asyncio.wait(tasks, timeout=timeout)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.gather(*pending, return_exceptions=True)
