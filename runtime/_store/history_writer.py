"""Batched history recording on one background thread per runner.

The event loop only appends to a deque (thread-safe, no lock); the writer thread drains
it every quarter second, or when asked, and writes each batch in one transaction with
its own SQLite connection. `flush()` waits until everything queued so far is written.
"""

from __future__ import annotations

import json
import threading
import time
import zlib
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils

from runtime._store.history import connect
from runtime.events import NodeCompleted, NodeFailed, NodeSkipped, NodeStarted, RunEvent
from runtime.secrets import Redactor
from runtime.valuecodec import dumps_values

__all__ = ["HistoryWriter"]

_NODE_ROW_SQL = (
    "insert or replace into node_runs (run_id, node_id, type_id, state, started, finished, "
    "duration_ms, cached, pinned, error, attempt, ports, items) "
    "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


@dataclass(slots=True)
class _RunState:
    redactor: Redactor
    seq: int = 0
    started: dict[str, tuple[str, float, int]] = field(default_factory=dict)
    """node id → (type id, start time, attempt), to write whole rows when it ends."""


@dataclass(slots=True)
class _Barrier:
    done: threading.Event = field(default_factory=threading.Event)


@dataclass(slots=True)
class _Sql:
    sql: str
    args: list[Any]


@dataclass(slots=True)
class _Outputs:
    run_id: str
    values: dict[str, dict[str, Any]]
    keys: dict[str, str]
    redactor: Redactor


MAX_OUTPUT_BYTES = 64 * 1024 * 1024
"""Outputs whose JSON is larger than this are not kept in history."""


class HistoryWriter:
    """Writes run events to `node_runs` and `events` in batches, off the event loop."""

    FLUSH_INTERVAL_S = 0.25
    WAKE_EVERY = 20_000

    def __init__(self, path: Path):
        self.path = path
        self._queue: deque[tuple[str, RunEvent] | _Barrier | _Sql] = deque()
        self._runs: dict[str, _RunState] = {}
        self._memo: dict[Any, str] = {}
        self._wake = threading.Event()
        self._closed = False
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._loop, name="loomwork-history", daemon=True)
        self._thread.start()

    # ----- producer side (event loop thread) ---------------------------------------------

    def begin(self, run_id: str, redactor: Redactor) -> None:
        self._runs[run_id] = _RunState(redactor)

    def recorder(self, run_id: str) -> Any:
        """A callable that records one event of `run_id` (cheap: a deque append)."""
        queue = self._queue
        append = queue.append
        wake = self._wake.set
        every = self.WAKE_EVERY

        def record(event: RunEvent) -> None:
            append((run_id, event))
            if len(queue) >= every:  # a long run writes as it goes; a short one at its end
                wake()

        return record

    def execute(self, sql: str, args: list[Any]) -> None:
        """Queue a statement to run in order with the events (e.g. a run's final status)."""
        self._queue.append(_Sql(sql, args))

    def record_outputs(self, run_id: str, values: dict[str, dict[str, Any]], keys: dict[str, str],
                       redactor: Redactor) -> None:
        """Keep what each node produced (node id → port → value), by content key.

        Encoding happens on the writer thread; values already kept under the same key
        (a cached node, identical results) are not encoded again.
        """
        self._queue.append(_Outputs(run_id, values, keys, redactor))

    def flush(self, timeout: float | None = 30.0) -> None:
        """Block until everything queued so far is written."""
        barrier = _Barrier()
        self._queue.append(barrier)
        self._wake.set()
        barrier.done.wait(timeout)
        if self._error is not None:
            raise self._error

    def wake(self) -> None:
        """Start writing now rather than at the next interval."""
        self._wake.set()

    def end(self, run_id: str) -> None:
        self._runs.pop(run_id, None)

    def close(self) -> None:
        self._closed = True
        self._wake.set()
        self._thread.join(timeout=30)

    # ----- writer thread ------------------------------------------------------------------

    def _loop(self) -> None:
        db = connect(self.path)
        try:
            while True:
                self._wake.wait(self.FLUSH_INTERVAL_S)
                self._wake.clear()
                queue = self._queue
                batch = [queue.popleft() for _ in range(len(queue))]
                if batch:
                    self._write(db, batch)
                if self._closed and not self._queue:
                    break
        except BaseException as exc:  # surfaced by flush()
            self._error = exc
            for item in self._queue:
                if isinstance(item, _Barrier):
                    item.done.set()
        finally:
            db.conn.close()

    def _write(self, db: sqlite_utils.Database, batch: list[Any]) -> None:
        event_rows: list[tuple[Any, ...]] = []
        node_rows: dict[tuple[str, str], tuple[Any, ...]] = {}
        statements: list[_Sql] = []
        barriers: list[_Barrier] = []
        with db.conn:
            for item in batch:
                if isinstance(item, _Barrier):
                    barriers.append(item)
                    continue
                if isinstance(item, _Sql):
                    self._commit_rows(db, event_rows, node_rows)
                    event_rows, node_rows = [], {}
                    db.conn.execute(item.sql, item.args)
                    statements.append(item)
                    continue
                if isinstance(item, _Outputs):
                    self._commit_rows(db, event_rows, node_rows)
                    event_rows, node_rows = [], {}
                    self._write_outputs(db, item)
                    continue
                run_id, event = item
                state = self._runs.get(run_id) or self._runs.setdefault(run_id, _RunState(Redactor()))
                self._collect(run_id, state, event, event_rows, node_rows)
            self._commit_rows(db, event_rows, node_rows)
        for barrier in barriers:
            barrier.done.set()

    def _collect(self, run_id: str, state: _RunState, event: RunEvent, event_rows: list[tuple[Any, ...]],
                 node_rows: dict[tuple[str, str], tuple[Any, ...]]) -> None:
        kind = type(event)
        if kind is NodeStarted:
            node_id = event.node_id
            state.started[node_id] = (event.type_id, event.t, event.attempt)
            node_rows[(run_id, node_id)] = (run_id, node_id, event.type_id, "RUNNING", event.t, None,
                                            None, 0, 0, None, event.attempt, None, None)
            return
        if kind is NodeCompleted:
            node_id = event.node_id
            type_id, started, attempt = state.started.get(node_id, ("", event.t, 1))
            node_rows[(run_id, node_id)] = (
                run_id, node_id, type_id, "COMPLETED", started, event.t, event.duration_ms,
                int(event.cached), int(event.pinned), None, attempt, self._json_memo(event.ports),
                self._json_memo(event.items))
            return
        if kind is NodeSkipped:
            node_id = event.node_id
            node_rows[(run_id, node_id)] = (run_id, node_id, "", "SKIPPED", None, event.t, None, 0, 0,
                                            event.reason, 1, None, None)
            return
        redactor = state.redactor
        state.seq += 1
        data = event.to_dict()
        data.pop("kind", None)
        data.pop("run_id", None)
        node_id = data.pop("node_id", None)
        text = json.dumps(data, default=str, ensure_ascii=False)
        if redactor:
            text = redactor.redact(text)
        event_rows.append((run_id, state.seq, event.t, event.kind, node_id, text))
        if kind is NodeFailed:
            type_id, started, attempt = state.started.get(event.node_id, ("", event.t, 1))
            node_rows[(run_id, event.node_id)] = (
                run_id, event.node_id, type_id, event.state.value, started, event.t, event.duration_ms,
                0, 0, redactor.redact(event.error), attempt, None, None)

    @staticmethod
    def _write_outputs(db: sqlite_utils.Database, item: _Outputs) -> None:
        conn = db.conn
        keys = {nid: key for nid, key in item.keys.items() if nid in item.values and not key.startswith("r")}
        wanted = sorted(set(keys.values()))
        have: set[str] = set()
        for i in range(0, len(wanted), 500):
            chunk = wanted[i:i + 500]
            have.update(r[0] for r in conn.execute(
                f"select key from outputs where key in ({','.join('?' * len(chunk))})", chunk))
        now = time.time()
        kept: dict[str, str] = {}
        for nid, key in keys.items():
            if key not in have:
                try:
                    text = dumps_values(item.values[nid])
                except (TypeError, ValueError):
                    continue  # a value with no JSON form (the cache skips it too)
                if len(text) > MAX_OUTPUT_BYTES:
                    continue
                if item.redactor:
                    text = item.redactor.redact(text)
                data = zlib.compress(text.encode(), 1)
                conn.execute("insert or replace into outputs (key, created, size, data) values (?, ?, ?, ?)",
                             [key, now, len(data), data])
                have.add(key)
            kept[nid] = key
        conn.executemany("update node_runs set output_key = ? where run_id = ? and node_id = ?",
                         [(key, item.run_id, nid) for nid, key in kept.items()])

    @staticmethod
    def _commit_rows(db: sqlite_utils.Database, event_rows: list[tuple[Any, ...]],
                     node_rows: dict[tuple[str, str], tuple[Any, ...]]) -> None:
        if event_rows:
            db.conn.executemany(
                "insert into events (run_id, seq, t, kind, node_id, data) values (?, ?, ?, ?, ?, ?)",
                event_rows)
        if node_rows:
            db.conn.executemany(_NODE_ROW_SQL, node_rows.values())

    def _json_memo(self, value: tuple[str, ...] | dict[str, int]) -> str:
        """JSON of port lists and item counts, which repeat across nodes."""
        key = tuple(value.items()) if isinstance(value, dict) else value
        text = self._memo.get(key)
        if text is None:
            text = json.dumps(value if isinstance(value, dict) else list(value))
            if len(self._memo) < 4096:
                self._memo[key] = text
        return text
