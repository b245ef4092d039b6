"""Node result cache in SQLite: results by cache key, and each flow's last results.

- `results`: one row per cache key (content-addressed: type, config and upstream keys).
- `last_runs`: one row per flow holding, for every node, the key and outputs (as JSON
  text) of its last completed run; "run from node X" reads it. One row per flow keeps a
  1,000-node run to a single write.

Reads go straight to SQLite; writes are collected during the run and written in one
transaction by `flush()`. Values are stored as tagged JSON (`runtime.valuecodec`),
never pickled, and never when they contain a secret.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlite_utils

from runtime.valuecodec import decode_value, dumps_values

__all__ = ["CacheStore"]

_SCHEMA_VERSION = 3


class CacheStore:
    """Implements the executor's `ResultCache` protocol."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite_utils.Database(path)
        conn = self.db.conn
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=5000")
        if conn.execute("PRAGMA user_version").fetchone()[0] != _SCHEMA_VERSION:
            conn.execute("drop table if exists results")  # a cache: safe to start afresh
            conn.execute("drop table if exists last_results")
            conn.execute("drop table if exists last_runs")
            conn.execute(f"PRAGMA user_version={_SCHEMA_VERSION}")
        conn.execute("create table if not exists results (key text primary key, type_id text, "
                     "created real, outputs text)")
        conn.execute("create table if not exists last_runs (flow text primary key, created real, "
                     "nodes text)")
        conn.commit()
        self._pending: dict[str, tuple[str, dict[str, Any]]] = {}
        self._pending_last: dict[str, dict[str, tuple[str, dict[str, Any]]]] = {}
        self._loaded_last: dict[str, dict[str, Any]] = {}

    # ----- by cache key ---------------------------------------------------------------

    def get(self, key: str) -> dict[str, Any] | None:
        pending = self._pending.get(key)
        if pending is not None:
            return pending[1]
        row = self.db.conn.execute("select outputs from results where key = ?", (key,)).fetchone()
        return decode_value(json.loads(row[0])) if row else None

    def put(self, key: str, type_id: str, outputs: dict[str, Any]) -> None:
        self._pending[key] = (type_id, outputs)

    # ----- last results of a flow -----------------------------------------------------

    def _stored_last(self, flow_key: str) -> dict[str, Any]:
        loaded = self._loaded_last.get(flow_key)
        if loaded is None:
            row = self.db.conn.execute("select nodes from last_runs where flow = ?",
                                       (flow_key,)).fetchone()
            loaded = json.loads(row[0]) if row else {}
            self._loaded_last[flow_key] = loaded
        return loaded

    def last(self, flow_key: str, node_id: str) -> tuple[str, dict[str, Any]] | None:
        pending = self._pending_last.get(flow_key, {}).get(node_id)
        if pending is not None:
            return pending
        stored = self._stored_last(flow_key).get(node_id)
        if stored is None:
            return None
        return stored[0], decode_value(json.loads(stored[1]))

    def put_last(self, flow_key: str, node_id: str, key: str, outputs: dict[str, Any]) -> None:
        self._pending_last.setdefault(flow_key, {})[node_id] = (key, outputs)

    # ----- writing --------------------------------------------------------------------

    def flush(self, redact: Callable[[str], str] | None = None) -> None:
        """Write what this run produced. Values that cannot be stored, or that hold a
        secret (`redact` changes them), are skipped."""
        now = time.time()
        results = []
        for key, (type_id, outputs) in self._pending.items():
            text = _encode(outputs, redact)
            if text is not None:
                results.append((key, type_id, now, text))
        documents = []
        for flow_key, nodes in self._pending_last.items():
            merged = dict(self._stored_last(flow_key))
            for node_id, (key, outputs) in nodes.items():
                text = _encode(outputs, redact)
                if text is None:
                    merged.pop(node_id, None)
                else:
                    merged[node_id] = (key, text)
            documents.append((flow_key, now, json.dumps(merged, ensure_ascii=False, separators=(",", ":"))))
            self._loaded_last.pop(flow_key, None)
        with self.db.conn:
            if results:
                self.db.conn.executemany(
                    "insert or replace into results (key, type_id, created, outputs) values (?, ?, ?, ?)",
                    results)
            if documents:
                self.db.conn.executemany(
                    "insert or replace into last_runs (flow, created, nodes) values (?, ?, ?)", documents)
        self._pending.clear()
        self._pending_last.clear()

    def prune(self, older_than_days: float) -> None:
        cutoff = time.time() - older_than_days * 86400
        with self.db.conn:
            self.db.conn.execute("delete from results where created < ?", (cutoff,))

    def close(self) -> None:
        self.db.conn.close()


def _encode(outputs: dict[str, Any], redact: Callable[[str], str] | None) -> str | None:
    try:
        text = dumps_values(outputs)
    except (TypeError, ValueError):
        return None
    if redact is not None and redact(text) != text:
        return None  # never persist a secret value
    return text
