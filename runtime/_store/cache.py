"""Node result cache in SQLite: results by input key, and each flow's last results.

- `results`: one row per input key (content-addressed: type, config, upstream keys).
- `last_runs`: one row per flow holding, for every node, its input key, output key and
  outputs (as JSON text) from its last completed run; "run from node X" reads it.

Each run works through its own `CacheSession`: reads go straight to SQLite, writes are
collected and written in one transaction by `flush()`, which rewrites a flow's
`last_runs` row only when a node's keys changed. Values are stored as tagged JSON
(`runtime.valuecodec`), never pickled, never when they contain a secret, and not when
their JSON is larger than `MAX_ENTRY_BYTES`.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from runtime._engine.results import LastResult
from runtime.valuecodec import dumps_values, loads_values

__all__ = ["MAX_ENTRY_BYTES", "CacheSession", "CacheStore"]

_SCHEMA_VERSION = 4
MAX_ENTRY_BYTES = 64 * 1024 * 1024


def _open(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    conn.execute("PRAGMA busy_timeout=5000")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    with conn:
        conn.execute("BEGIN IMMEDIATE")
        if conn.execute("PRAGMA user_version").fetchone()[0] != _SCHEMA_VERSION:
            for table in ("results", "last_results", "last_runs"):  # a cache: start afresh
                conn.execute(f"drop table if exists {table}")
            conn.execute(f"PRAGMA user_version={_SCHEMA_VERSION}")
        conn.execute("create table if not exists results (key text primary key, type_id text, "
                     "created real, outputs text)")
        conn.execute("create table if not exists last_runs (flow text primary key, created real, "
                     "nodes text)")
    return conn


class CacheStore:
    """The cache database. Thread-safe; one per runner."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        try:
            self.conn = _open(path)
        except sqlite3.DatabaseError:  # corrupt or not a database: it is only a cache
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    Path(str(path) + suffix).unlink()
            self.conn = _open(path)
        self.lock = threading.Lock()

    def session(self) -> CacheSession:
        """A buffer for one run (runs in the same process never share pending writes)."""
        return CacheSession(self)

    def prune(self, older_than_days: float) -> int:
        """Delete results not written for `older_than_days`; returns how many."""
        cutoff = time.time() - older_than_days * 86400
        with self.lock, self.conn:
            cursor = self.conn.execute("delete from results where created < ?", (cutoff,))
            self.conn.execute("delete from last_runs where created < ?", (cutoff,))
        return cursor.rowcount

    def close(self) -> None:
        with self.lock:
            self.conn.close()


class CacheSession:
    """One run's view of the cache (implements the executor's `ResultCache`)."""

    def __init__(self, store: CacheStore):
        self.store = store
        self._pending: dict[str, tuple[str, dict[str, Any]]] = {}
        self._pending_last: dict[str, dict[str, LastResult]] = {}
        self._loaded_last: dict[str, dict[str, list[str]]] = {}

    def get(self, key: str) -> dict[str, Any] | None:
        pending = self._pending.get(key)
        if pending is not None:
            return pending[1]
        with self.store.lock:
            row = self.store.conn.execute("select outputs from results where key = ?", (key,)).fetchone()
        return loads_values(row[0]) if row else None

    def put(self, key: str, type_id: str, outputs: dict[str, Any]) -> None:
        self._pending[key] = (type_id, outputs)

    def _stored_last(self, flow_key: str) -> dict[str, list[str]]:
        loaded = self._loaded_last.get(flow_key)
        if loaded is None:
            with self.store.lock:
                row = self.store.conn.execute("select nodes from last_runs where flow = ?",
                                              (flow_key,)).fetchone()
            loaded = json.loads(row[0]) if row else {}
            self._loaded_last[flow_key] = loaded
        return loaded

    def last(self, flow_key: str, node_id: str) -> LastResult | None:
        pending = self._pending_last.get(flow_key, {}).get(node_id)
        if pending is not None:
            return pending
        stored = self._stored_last(flow_key).get(node_id)
        if stored is None:
            return None
        return stored[0], stored[1], loads_values(stored[2])

    def put_last(self, flow_key: str, node_id: str, result: LastResult) -> None:
        self._pending_last.setdefault(flow_key, {})[node_id] = result

    def flush(self, redact: Callable[[str], str] | None = None) -> None:
        """Write what this run produced (see the module docstring for what is skipped)."""
        now = time.time()
        results = []
        for key, (type_id, outputs) in self._pending.items():
            text = _encode(outputs, redact)
            if text is not None:
                results.append((key, type_id, now, text))
        self._pending.clear()
        pending_last, self._pending_last = self._pending_last, {}
        store = self.store
        with store.lock, store.conn:
            store.conn.execute("BEGIN IMMEDIATE")
            if results:
                store.conn.executemany(
                    "insert or replace into results (key, type_id, created, outputs) values (?, ?, ?, ?)",
                    results)
            for flow_key, nodes in pending_last.items():
                row = store.conn.execute("select nodes from last_runs where flow = ?", (flow_key,)).fetchone()
                merged: dict[str, list[str]] = json.loads(row[0]) if row else {}
                changed = False
                for node_id, (input_key, output_key, outputs) in nodes.items():
                    old = merged.get(node_id)
                    if old is not None and old[0] == input_key and old[1] == output_key:
                        continue
                    text = _encode(outputs, redact)
                    if text is None:
                        changed |= merged.pop(node_id, None) is not None
                    else:
                        merged[node_id] = [input_key, output_key, text]
                        changed = True
                if changed:
                    store.conn.execute(
                        "insert or replace into last_runs (flow, created, nodes) values (?, ?, ?)",
                        (flow_key, now, json.dumps(merged, ensure_ascii=False, separators=(",", ":"))))
                self._loaded_last.pop(flow_key, None)


def _encode(outputs: dict[str, Any], redact: Callable[[str], str] | None) -> str | None:
    try:
        text = dumps_values(outputs)
    except (TypeError, ValueError):
        return None
    if len(text) > MAX_ENTRY_BYTES:
        return None
    if redact is not None and redact(text) != text:
        return None  # never persist a secret value
    return text
