"""From a schedule row to what it would run: the flow, the trigger and its state.

A schedule is runnable only while the flow file's fingerprint is the one recorded when
it was enabled. The fingerprint covers what the flow *does* (nodes, config, edges,
inputs, triggers) and not where its boxes sit, so moving a node in the studio does not
ask for re-enabling, while any change of logic or schedule (a git pull) does.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runtime.flow import Flow, Layout
from runtime.flowfile import FlowFileError, dumps_flow, load_flow

__all__ = ["FlowCache", "Resolved", "flow_fingerprint", "resolve", "schedule_key", "split_key"]

STATES = ("enabled", "paused", "disabled", "needs_reenable", "flow_missing", "trigger_missing", "invalid")


def schedule_key(flow_path: str | os.PathLike[str], trigger_id: str) -> str:
    """The per-machine key of a schedule: the flow file's absolute path, `#`, trigger id."""
    return f"{Path(flow_path).expanduser().resolve()}#{trigger_id}"


def split_key(key: str) -> tuple[str, str]:
    path, _, trigger_id = key.rpartition("#")
    return path, trigger_id


def flow_fingerprint(flow: Flow) -> str:
    """SHA-256 of the flow's canonical text without layout, notes and groups."""
    semantic = flow.model_copy(update={
        "nodes": {nid: n.model_copy(update={"layout": Layout()}) for nid, n in flow.nodes.items()},
        "notes": {}, "groups": {}})
    return hashlib.sha256(dumps_flow(semantic).encode()).hexdigest()


class FlowCache:
    """Flows loaded from disk, re-read only when the file's size or mtime changes."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[tuple[int, int], Flow | None, str, str]] = {}

    def get(self, path: str) -> tuple[Flow | None, str, str]:
        """(flow or None, fingerprint, problem)."""
        try:
            st = os.stat(path)
        except OSError:
            self._entries.pop(path, None)
            return None, "", "the flow file is missing"
        stamp = (st.st_mtime_ns, st.st_size)
        entry = self._entries.get(path)
        if entry is None or entry[0] != stamp:
            try:
                flow = load_flow(path)
                entry = (stamp, flow, flow_fingerprint(flow), "")
            except FlowFileError as exc:
                entry = (stamp, None, "", exc.reason)
            self._entries[path] = entry
        return entry[1], entry[2], entry[3]


@dataclass(frozen=True, slots=True)
class Resolved:
    """A schedule row with its flow and trigger, and its state (one of `STATES`)."""

    row: dict[str, Any]
    state: str
    flow: Flow | None
    trigger: Any
    fingerprint: str
    problem: str = ""

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
    elif row["flow_hash"] != fingerprint:
        state = "needs_reenable"
        problem = "the flow file changed since this schedule was enabled; enable it again"
    else:
        state = "paused" if row["paused"] else "enabled"
    return Resolved(row, state, flow, trigger, fingerprint, problem)
