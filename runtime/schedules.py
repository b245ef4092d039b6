"""Schedules: the per-machine side of triggers, for the CLI and the studio.

A trigger lives in the flow file; a *schedule* is that trigger enabled on this machine.
`ScheduleManager` lists schedules with their state, next fire times, last outcome and
missed runs; enables, disables, pauses and resumes them; asks the background service to
run one now; and reports whether the service is running. Enabling records the flow's
fingerprint: when the file changes (a git pull), the schedule is "needs re-enabling" and
does not fire until enabled again.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from runtime._scheduler.cron import describe_trigger, iter_fires, local_zone_name
from runtime._scheduler.lock import InstanceLock
from runtime._scheduler.resolve import FlowCache, Resolved, resolve, schedule_key, split_key
from runtime._scheduler.store import ScheduleStore
from runtime.flow import new_id
from runtime.flowfile import FlowFileError, load_flow, save_flow
from runtime.paths import DataPaths
from runtime.triggers import TRIGGER_PREFIX, Trigger

__all__ = [
    "FireRecord",
    "ScheduleError",
    "ScheduleInfo",
    "ScheduleManager",
    "ServiceStatus",
    "add_trigger",
    "describe_trigger",
    "local_zone_name",
    "next_fire_times",
    "remove_trigger",
    "schedule_key",
]

UTC = dt.UTC


class ScheduleError(ValueError):
    """A schedule request that cannot be done (no such flow or trigger, ...)."""


def _when(ts: float | None) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(ts, UTC) if ts else None


@dataclass(frozen=True, slots=True)
class FireRecord:
    """One fire of a schedule: when, why, and how its run went."""

    fire: str
    fire_time: dt.datetime | None
    reason: str  # scheduled, missed, manual, watch, startup
    status: str  # CLAIMED, QUEUED, RUNNING, COMPLETED, FAILED, CANCELLED, CRASHED, INVALID, SKIPPED, ...
    run_id: str | None
    finished: dt.datetime | None
    error: str

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> FireRecord:
        return cls(row["fire"], _when(row["fire_time"]), row["reason"] or "", row["status"],
                   row["run_id"], _when(row["finished"]), row["error"] or "")


@dataclass(frozen=True, slots=True)
class ScheduleInfo:
    """A trigger of a flow as this machine sees it."""

    key: str
    flow_path: str
    flow_name: str
    trigger_id: str
    kind: str
    title: str
    summary: str
    state: str  # enabled, paused, disabled, needs_reenable, flow_missing, trigger_missing, invalid
    problem: str = ""
    next_fires: list[dt.datetime] = field(default_factory=list)
    last_run: FireRecord | None = None
    missed_count: int = 0
    last_missed: dt.datetime | None = None
    enabled_at: dt.datetime | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        return _jsonable(data)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class ServiceStatus:
    """Whether the background service runs here, and whether it starts at login."""

    running: bool
    pid: int | None
    started: dt.datetime | None
    heartbeat: dt.datetime | None
    installed: bool
    install_path: str

    def to_json(self) -> dict[str, Any]:
        return _jsonable(asdict(self))


def next_fire_times(trigger: Any, count: int = 5, *, after: dt.datetime | None = None,
                    anchor: dt.datetime | None = None) -> list[dt.datetime]:
    """The next `count` fire instants (UTC) of a time-based trigger; [] for watch/startup."""
    after = after or dt.datetime.now(UTC)
    return list(itertools.islice(iter_fires(trigger, after, anchor=anchor or after), count))


def add_trigger(flow_path: str | os.PathLike[str], trigger: Trigger, trigger_id: str | None = None) -> str:
    """Add (or replace) a trigger in a flow file, written canonically and atomically."""
    flow = load_flow(flow_path)
    if trigger_id is None:
        trigger_id = new_id(TRIGGER_PREFIX)
        while trigger_id in flow.triggers:
            trigger_id = new_id(TRIGGER_PREFIX)
    updated = flow.model_copy(update={"triggers": {**flow.triggers, trigger_id: trigger}})
    save_flow(type(flow).model_validate(updated.model_dump(mode="json")), flow_path)
    return trigger_id


def remove_trigger(flow_path: str | os.PathLike[str], trigger_id: str) -> None:
    flow = load_flow(flow_path)
    if trigger_id not in flow.triggers:
        raise ScheduleError(f"{flow_path} has no trigger '{trigger_id}'")
    triggers = {k: v for k, v in flow.triggers.items() if k != trigger_id}
    save_flow(flow.model_copy(update={"triggers": triggers}), flow_path)


class ScheduleManager:
    """Schedules of one data home (the scheduler database beside run history)."""

    def __init__(self, paths: DataPaths):
        self.paths = paths
        self.store = ScheduleStore(paths.scheduler_db)
        self.cache = FlowCache()

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> ScheduleManager:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----- reading -------------------------------------------------------------------

    def _row(self, key: str) -> dict[str, Any]:
        row = self.store.get(key)
        if row is not None:
            return row
        path, trigger_id = split_key(key)
        return {"key": key, "flow_path": path, "trigger_id": trigger_id, "enabled": 0, "paused": 0,
                "flow_hash": None, "enabled_at": None, "cursor": None}

    def _info(self, res: Resolved, next_count: int, now: dt.datetime) -> ScheduleInfo:
        row, trig = res.row, res.trigger
        fires: list[dt.datetime] = []
        if trig is not None and res.state == "enabled" and next_count:
            start = max(now, _when(row["cursor"]) or now)
            fires = next_fire_times(trig, next_count, after=start, anchor=_when(row["enabled_at"]))
        last = self.store.last_outcome(res.key)
        missed, last_missed = self.store.missed(res.key)
        return ScheduleInfo(
            key=res.key, flow_path=row["flow_path"], flow_name=res.flow.name if res.flow else "",
            trigger_id=row["trigger_id"], kind=trig.kind if trig else "", title=trig.title if trig else "",
            summary=describe_trigger(trig) if trig else "", state=res.state, problem=res.problem,
            next_fires=fires, last_run=FireRecord.from_row(last) if last else None,
            missed_count=missed, last_missed=_when(last_missed), enabled_at=_when(row["enabled_at"]))

    def list(self, flows: Iterable[str | os.PathLike[str]] = (), *, next_count: int = 5,
             now: dt.datetime | None = None) -> list[ScheduleInfo]:
        """Every schedule known here, plus each trigger of `flows` (not yet enabled: disabled)."""
        now = now or dt.datetime.now(UTC)
        keys = {row["key"] for row in self.store.schedules()}
        for path in flows:
            flow = self._load(path)
            keys.update(schedule_key(path, tid) for tid in flow.triggers)
        return [self._info(resolve(self._row(key), self.cache), next_count, now) for key in sorted(keys)]

    def info(self, flow_path: str | os.PathLike[str], trigger_id: str, *,
             next_count: int = 5) -> ScheduleInfo:
        return self._info(resolve(self._row(schedule_key(flow_path, trigger_id)), self.cache), next_count,
                          dt.datetime.now(UTC))

    def next_fires(self, flow_path: str | os.PathLike[str], trigger_id: str, count: int = 5,
                   *, now: dt.datetime | None = None) -> list[dt.datetime]:
        """The next fire times of a trigger, whatever its state (for `schedules next`)."""
        flow = self._load(flow_path)
        trig = self._trigger(flow, flow_path, trigger_id)
        row = self._row(schedule_key(flow_path, trigger_id))
        now = now or dt.datetime.now(UTC)
        return next_fire_times(trig, count, after=now, anchor=_when(row["enabled_at"]) or now)

    def fires(self, flow_path: str | os.PathLike[str], trigger_id: str, limit: int = 20) -> list[FireRecord]:
        return [FireRecord.from_row(r) for r in self.store.fires(schedule_key(flow_path, trigger_id),
                                                                 limit=limit)]

    # ----- changing ------------------------------------------------------------------

    def _load(self, flow_path: str | os.PathLike[str]) -> Any:
        try:
            return load_flow(flow_path)
        except FlowFileError as exc:
            raise ScheduleError(str(exc)) from None

    @staticmethod
    def _trigger(flow: Any, flow_path: Any, trigger_id: str) -> Any:
        if trigger_id not in flow.triggers:
            known = ", ".join(sorted(flow.triggers)) or "none"
            raise ScheduleError(f"{flow_path} has no trigger '{trigger_id}' (its triggers: {known})")
        return flow.triggers[trigger_id]

    def _ids(self, flow: Any, flow_path: Any, trigger_ids: Iterable[str] | None) -> list[str]:
        ids = list(trigger_ids or [])
        if not ids:
            ids = sorted(flow.triggers)
            if not ids:
                raise ScheduleError(f"{flow_path} has no triggers; add one with `loomwork schedules add`")
        for tid in ids:
            self._trigger(flow, flow_path, tid)
        return ids

    def enable(self, flow_path: str | os.PathLike[str], trigger_ids: Iterable[str] | None = None
               ) -> list[str]:
        """Enable triggers of a flow here (all when none named); returns their keys."""
        from runtime._scheduler.resolve import flow_fingerprint

        flow = self._load(flow_path)
        fingerprint = flow_fingerprint(flow, flow_path)
        now = dt.datetime.now(UTC).timestamp()
        keys = []
        for tid in self._ids(flow, flow_path, trigger_ids):
            key = schedule_key(flow_path, tid)
            self.store.enable(key, str(Path(flow_path).resolve()), tid, fingerprint, now)
            keys.append(key)
        return keys

    def _known(self, flow_path: Any, trigger_ids: Iterable[str] | None) -> list[str]:
        ids = list(trigger_ids or [])
        prefix = schedule_key(flow_path, "")
        keys = [r["key"] for r in self.store.schedules() if r["key"].startswith(prefix)]
        if ids:
            keys = [schedule_key(flow_path, t) for t in ids]
            missing = [k for k in keys if self.store.get(k) is None]
            if missing:
                raise ScheduleError(f"not enabled here: {', '.join(split_key(k)[1] for k in missing)}")
        elif not keys:
            raise ScheduleError(f"no schedules of {flow_path} are enabled here")
        return keys

    def disable(self, flow_path: str | os.PathLike[str], trigger_ids: Iterable[str] | None = None
                ) -> list[str]:
        now = dt.datetime.now(UTC).timestamp()
        keys = self._known(flow_path, trigger_ids)
        for key in keys:
            self.store.disable(key, now)
        return keys

    def pause(self, flow_path: str | os.PathLike[str], trigger_ids: Iterable[str] | None = None,
              *, paused: bool = True) -> list[str]:
        now = dt.datetime.now(UTC).timestamp()
        keys = self._known(flow_path, trigger_ids)
        for key in keys:
            self.store.set_paused(key, paused, now)
        return keys

    def resume(self, flow_path: str | os.PathLike[str], trigger_ids: Iterable[str] | None = None
               ) -> list[str]:
        return self.pause(flow_path, trigger_ids, paused=False)

    def run_now(self, flow_path: str | os.PathLike[str], trigger_id: str) -> str:
        """Ask the service to run this trigger's flow now (with its input values); the
        request waits in the database until a service takes it. Returns the fire id."""
        flow = self._load(flow_path)
        self._trigger(flow, flow_path, trigger_id)
        key = schedule_key(flow_path, trigger_id)
        if self.store.get(key) is None:  # known to the service, but not enabled
            self.store.enable(key, str(Path(flow_path).resolve()), trigger_id, "", 0)
            self.store.disable(key, 0)
        return self.store.request(key, dt.datetime.now(UTC).timestamp())

    # ----- the service ---------------------------------------------------------------

    def service_status(self) -> ServiceStatus:
        from runtime._scheduler.install import service_plan

        pid = InstanceLock(self.paths.service_lock).running_pid()
        row = self.store.service_row() or {}
        plan = service_plan(data_home=self.paths.home)
        running = pid is not None
        return ServiceStatus(
            running=running, pid=pid,
            started=_when(row.get("started")) if running else None,
            heartbeat=_when(row.get("heartbeat")) if running else None,
            installed=plan.path.exists(), install_path=str(plan.path))
