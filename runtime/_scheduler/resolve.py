"""From a schedule row to what it would run: the flow, the trigger and its state.

A schedule is runnable only while the flow file's fingerprint is the one recorded when
it was enabled. The fingerprint covers what the flow *does* (nodes, config, edges,
inputs, triggers) and not where its boxes sit, so moving a node in the studio does not
ask for re-enabling, while any change of logic or schedule (a git pull) does — in the flow
or in a flow it calls (a subflow or for-each step names the called file in its config key
`flow`, relative to the calling flow's folder; a called flow's own schedules do not count).
Schedules enabled before called flows were covered recorded the flow's own digest; they
stay enabled and get the full fingerprint the first time the scheduler sees them
(`Resolved.legacy`).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runtime.flow import Flow, Layout
from runtime.flowfile import FlowFileError, dumps_flow, load_flow

__all__ = ["FlowCache", "Resolved", "called_flows", "flow_fingerprint", "resolve", "schedule_key",
           "split_key"]

STATES = ("enabled", "paused", "disabled", "needs_reenable", "flow_missing", "trigger_missing", "invalid")


def schedule_key(flow_path: str | os.PathLike[str], trigger_id: str) -> str:
    """The per-machine key of a schedule: the flow file's absolute path, `#`, trigger id."""
    return f"{Path(flow_path).expanduser().resolve()}#{trigger_id}"


def split_key(key: str) -> tuple[str, str]:
    path, _, trigger_id = key.rpartition("#")
    return path, trigger_id


def flow_fingerprint(flow: Flow, flow_path: str | os.PathLike[str] | None = None) -> str:
    """SHA-256 of the flow's canonical text without layout, notes and groups — and, given the
    flow's path, of the flows it calls (see the module docstring)."""
    return _fingerprint(flow, Path(flow_path) if flow_path is not None else None, ())[0]


def _semantic_digest(flow: Flow, *, triggers: bool = True) -> str:
    update: dict[str, object] = {
        "nodes": {nid: n.model_copy(update={"layout": Layout()}) for nid, n in flow.nodes.items()},
        "notes": {}, "groups": {}}
    if not triggers:
        update["triggers"] = {}
    return hashlib.sha256(dumps_flow(flow.model_copy(update=update)).encode()).hexdigest()


def called_flows(flow: Flow) -> list[str]:
    """The flow files this flow's steps call (their config key `flow`), in node order."""
    found = []
    for nid in sorted(flow.nodes):
        value = flow.nodes[nid].config.get("flow")
        if isinstance(value, str) and value.strip().lower().endswith(".loom") and value.strip() not in found:
            found.append(value.strip())
    return found


def _fingerprint(flow: Flow, path: Path | None, visiting: tuple[str, ...], *,
                 triggers: bool = True) -> tuple[str, list[str]]:
    """The fingerprint and the files it depends on (the called flows, however deep, without their
    schedules). A flow that calls none keeps the plain digest of its own text."""
    base = _semantic_digest(flow, triggers=triggers)
    refs = called_flows(flow)
    if path is None or not refs:
        return base, []
    digest = hashlib.sha256(base.encode())
    here = str(path.expanduser().resolve())
    deps: list[str] = []
    for ref in refs:
        target = str((Path(here).parent / Path(ref).expanduser()).resolve())
        deps.append(target)
        if target in (*visiting, here):
            digest.update(f"|{ref}:calls itself".encode())
            continue
        try:
            called = load_flow(target)
        except FlowFileError as exc:
            digest.update(f"|{ref}:unreadable:{exc.reason}".encode())
            continue
        inner, inner_deps = _fingerprint(called, Path(target), (*visiting, here), triggers=False)
        digest.update(f"|{ref}:{inner}".encode())
        deps.extend(d for d in inner_deps if d not in deps)
    return digest.hexdigest(), deps


_Stamp = tuple[int, int] | None


def _stamp(path: str) -> _Stamp:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


class FlowCache:
    """Flows loaded from disk, re-read only when the file's (or a called flow's) size or mtime changes."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[tuple[_Stamp, ...], list[str], Flow | None, str, str]] = {}

    def get(self, path: str) -> tuple[Flow | None, str, str]:
        """(flow or None, fingerprint, problem)."""
        stamp = _stamp(path)
        if stamp is None:
            self._entries.pop(path, None)
            return None, "", "the flow file is missing"
        entry = self._entries.get(path)
        if entry is None or entry[0] != (stamp, *(_stamp(d) for d in entry[1])):
            try:
                flow = load_flow(path)
                fingerprint, deps = _fingerprint(flow, Path(path), ())
                entry = ((stamp, *(_stamp(d) for d in deps)), deps, flow, fingerprint, "")
            except FlowFileError as exc:
                entry = ((stamp,), [], None, "", exc.reason)
            self._entries[path] = entry
        return entry[2], entry[3], entry[4]


@dataclass(frozen=True, slots=True)
class Resolved:
    """A schedule row with its flow and trigger, and its state (one of `STATES`)."""

    row: dict[str, Any]
    state: str
    flow: Flow | None
    trigger: Any
    fingerprint: str
    problem: str = ""
    legacy: bool = False
    """Enabled under the older fingerprint (the flow's own digest only): still the same flow;
    the scheduler records the full fingerprint (`ScheduleStore.rehash`)."""

    @property
    def key(self) -> str:
        return self.row["key"]

    @property
    def runnable(self) -> bool:
        return self.flow is not None and self.trigger is not None


def resolve(row: dict[str, Any], cache: FlowCache) -> Resolved:
    flow, fingerprint, problem = cache.get(row["flow_path"])
    if flow is None:
        state = "flow_missing" if problem == "the flow file is missing" else "invalid"
        return Resolved(row, state, None, None, "", problem)
    trigger = flow.triggers.get(row["trigger_id"])
    if trigger is None:
        return Resolved(row, "trigger_missing", flow, None, fingerprint,
                        f"the flow has no trigger '{row['trigger_id']}' any more")
    if not row["enabled"]:
        state = "disabled"
    elif row["flow_hash"] != fingerprint and row["flow_hash"] == _semantic_digest(flow) != fingerprint:
        state = "paused" if row["paused"] else "enabled"
        return Resolved(row, state, flow, trigger, fingerprint, legacy=True)
    elif row["flow_hash"] != fingerprint:
        state = "needs_reenable"
        problem = ("the flow file (or a flow it calls) changed since this schedule was enabled; enable it "
                   "again")
    else:
        state = "paused" if row["paused"] else "enabled"
    return Resolved(row, state, flow, trigger, fingerprint, problem)
